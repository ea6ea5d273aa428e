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
  return files_.count(path) > 0;
}

Result<std::string> FakeEnv::ReadFile(const std::string& path) {
  if (std::string e = faults_.Enter("ReadFile"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::Fail("cannot read " + path + ": No such file or directory");
  return it->second;
}

Status FakeEnv::WriteFile(const std::string& path, const std::string& text) {
  if (std::string e = faults_.Enter("WriteFile"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  files_[path] = text;
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
