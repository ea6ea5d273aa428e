#include "tests/fakes/fake_env.h"

namespace lk::test {

void FakeEnv::AddFile(const std::string& path, const std::string& text) {
  std::lock_guard lock(mu_);
  files_[path] = text;
}

std::optional<std::string> FakeEnv::File(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return std::nullopt;
  return it->second;
}

void FakeEnv::OnShell(std::function<ExecResult(const std::string&)> fn) {
  std::lock_guard lock(mu_);
  shell_ = std::move(fn);
}

std::vector<std::string> FakeEnv::ShellCommands() const {
  std::lock_guard lock(mu_);
  return shell_commands_;
}

std::set<std::string> FakeEnv::ForwardedBridges() const {
  std::lock_guard lock(mu_);
  return forwarded_;
}

std::chrono::system_clock::time_point FakeEnv::WallNow() const {
  // 2026-01-01T00:00:00Z plus the fake clock.
  return std::chrono::system_clock::time_point(std::chrono::seconds(1767225600)) +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(Duration(now_.load()));
}

void FakeEnv::Sleep(Duration d) {
  faults_.Enter("Sleep");
  now_ += d.count();
  slept_ += d.count();
}

bool FakeEnv::Exists(const std::string& path) {
  faults_.Enter("Exists");
  std::lock_guard lock(mu_);
  return files_.count(path) > 0 || specials_.count(path) > 0 || dirs_.count(path) > 0;
}

bool FakeEnv::IsDirectory(const std::string& path) {
  std::lock_guard lock(mu_);
  if (dirs_.count(path)) return true;
  for (const auto& [p, text] : files_)
    if (p.rfind(path + "/", 0) == 0) return true;
  return false;
}

Status FakeEnv::MakeDirectories(const std::string& path) {
  if (std::string e = faults_.Enter("MakeDirectories"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  dirs_.insert(path);
  return Status::Ok();
}

Result<std::string> FakeEnv::ReadFile(const std::string& path, size_t limit) {
  if (std::string e = faults_.Enter("ReadFile"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  if (specials_.count(path)) return Status::Fail("cannot read " + path + ": not a regular file");
  auto it = files_.find(path);
  if (it == files_.end()) return Status::Fail("cannot read " + path + ": No such file or directory");
  return limit == std::string::npos ? it->second : it->second.substr(0, limit);
}

std::vector<Env::Entry> FakeEnv::Walk(const std::string& dir) {
  faults_.Enter("Walk");
  std::lock_guard lock(mu_);
  auto hidden = [&](const std::string& path) {
    return path.find("/.", dir.size()) != std::string::npos;  // a hidden name below dir
  };
  std::vector<Entry> out;
  for (const auto& [path, text] : files_)
    if (path.rfind(dir + "/", 0) == 0 && !hidden(path)) out.push_back({path, Entry::kFile, ""});
  for (const auto& [path, e] : specials_)
    if (path.rfind(dir + "/", 0) == 0 && !hidden(path)) out.push_back(e);
  return out;
}

void FakeEnv::RemoveFile(const std::string& path) {
  std::lock_guard lock(mu_);
  files_.erase(path);
  specials_.erase(path);
}

void FakeEnv::AddSpecial(const std::string& path, Entry::Kind kind, const std::string& error) {
  std::lock_guard lock(mu_);
  specials_[path] = Entry{path, kind, error};
}

Status FakeEnv::WriteFile(const std::string& path, const std::string& text) {
  if (std::string e = faults_.Enter("WriteFile"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  files_[path] = text;
  return Status::Ok();
}

Status FakeEnv::Delete(const std::string& path) {
  if (std::string e = faults_.Enter("Delete"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  files_.erase(path);
  return Status::Ok();
}

Status FakeEnv::DeleteTree(const std::string& path) {
  if (std::string e = faults_.Enter("DeleteTree"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  auto below = [&](const std::string& p) { return p == path || p.rfind(path + "/", 0) == 0; };
  std::erase_if(files_, [&](const auto& kv) { return below(kv.first); });
  std::erase_if(specials_, [&](const auto& kv) { return below(kv.first); });
  std::erase_if(dirs_, below);
  return Status::Ok();
}

Status FakeEnv::EditFile(const std::string& path, const std::string& lock_path, const Edit& edit) {
  (void)lock_path;
  if (std::string e = faults_.Enter("EditFile"); !e.empty()) return Status::Fail(e);
  std::lock_guard edit_lock(edit_mu_);
  std::string current = File(path).value_or("");
  auto next = edit(current);
  if (!next) return next.status();
  if (*next == current) return Status::Ok();
  std::lock_guard lock(mu_);
  files_[path] = *next;
  return Status::Ok();
}

ExecResult FakeEnv::Shell(const std::string& command) {
  if (std::string e = faults_.Enter("Shell"); !e.empty()) return ExecResult{-1, e};
  std::function<ExecResult(const std::string&)> fn;
  {
    std::lock_guard lock(mu_);
    shell_commands_.push_back(command);
    fn = shell_;
  }
  return fn ? fn(command) : ExecResult{0, ""};
}

Status FakeEnv::AllowBridgeForwarding(const std::string& lab, const std::string& bridge) {
  if (std::string e = faults_.Enter("AllowBridgeForwarding"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  forwarded_.insert(lab + "/" + bridge);
  return Status::Ok();
}

Status FakeEnv::RemoveBridgeRules(const std::string& lab) {
  if (std::string e = faults_.Enter("RemoveBridgeRules"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  for (auto it = forwarded_.begin(); it != forwarded_.end();)
    it = it->rfind(lab + "/", 0) == 0 ? forwarded_.erase(it) : std::next(it);
  return Status::Ok();
}

}  // namespace lk::test
