#include "controller/git_source.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "api/strings.h"

namespace lk {

namespace fs = std::filesystem;

namespace {
// Reads the child's output until it closes it or `deadline` passes (then the child is killed).
// Returns false on the time limit.
bool ReadUntil(int fd, pid_t pid, std::chrono::steady_clock::time_point deadline, std::string* out) {
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      return false;
    }
    pollfd p{fd, POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(left.count()));
    if (n <= 0) continue;  // EINTR or nothing yet: the deadline decides
    ssize_t got = read(fd, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return true;
    if (out->size() < (1u << 20)) out->append(buf, static_cast<size_t>(got));
  }
}
}  // namespace

GitRun RunGit(const std::vector<std::string>& args, std::chrono::seconds limit) {
  GitRun r;
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    r.output = std::string("cannot run git: ") + std::strerror(errno);
    return r;
  }
  std::vector<std::string> copy = args;
  copy.insert(copy.begin(), "git");
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(out[1], 2);
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, 0);
    setenv("GIT_TERMINAL_PROMPT", "0", 1);
    setenv("LC_ALL", "C", 1);
    execvp("git", argv.data());
    _exit(127);
  }
  close(out[1]);
  if (pid < 0) {
    close(out[0]);
    r.output = std::string("cannot run git: ") + std::strerror(errno);
    return r;
  }
  bool in_time = ReadUntil(out[0], pid, std::chrono::steady_clock::now() + limit, &r.output);
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!in_time) {
    r.output +=
        "git " + (args.empty() ? std::string() : args[0]) + ": no answer in " + std::to_string(limit.count()) + " s";
    return r;
  }
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (r.code == 127 && r.output.empty()) r.output = "git is not installed (apt-get install git)";
  return r;
}

namespace {

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// The top of the git checkout a file is in ("" when none): the nearest directory, from the file's
// real path up, holding `.git` (a directory, or a worktree's file).
std::string CheckoutOf(const std::string& file, std::map<std::string, std::string>* cache) {
  std::error_code ec;
  fs::path real = fs::canonical(file, ec);
  if (ec) return "";
  std::vector<std::string> seen;
  std::string top;
  for (fs::path d = real.parent_path();; d = d.parent_path()) {
    auto hit = cache->find(d.string());
    if (hit != cache->end()) {
      top = hit->second;
      break;
    }
    seen.push_back(d.string());
    if (fs::exists(d / ".git", ec)) {
      top = d.string();
      break;
    }
    if (d == d.parent_path()) break;
  }
  for (const auto& s : seen) (*cache)[s] = top;
  return top;
}

// The commit the file's content is compared with, and the comparison.
FileRevision Compare(const std::string& top, const std::string& head, const std::string& file) {
  FileRevision f;
  f.revision = head;
  std::error_code ec;
  f.path = fs::relative(fs::canonical(file, ec), top, ec).string();
  GitRun committed = RunGit({"-C", top, "rev-parse", "--verify", "--quiet", head + ":" + f.path});
  GitRun ondisk = RunGit({"-C", top, "hash-object", "--", f.path});
  if (!ondisk.ok()) {
    f.error = "git hash-object: " + Trimmed(ondisk.output);
    return f;
  }
  f.modified = !committed.ok() || Trimmed(committed.output) != Trimmed(ondisk.output);
  return f;
}

}  // namespace

std::map<std::string, FileRevision> GitRevisions::Of(const std::map<std::string, std::string>& files) {
  std::map<std::string, std::string> top_of_dir, head_of_top;
  std::map<std::string, FileRevision> out;
  std::lock_guard lock(mu_);
  std::set<std::string> present;
  for (const auto& [file, content] : files) {
    present.insert(file);
    std::string top = CheckoutOf(file, &top_of_dir);
    if (top.empty()) continue;
    if (!head_of_top.count(top)) {
      GitRun head = RunGit({"-C", top, "rev-parse", "--verify", "--quiet", "HEAD"});
      head_of_top[top] = head.ok() ? Trimmed(head.output) : "";
    }
    const std::string& head = head_of_top[top];
    FileRevision& rev = out[file];
    if (head.empty()) {
      rev.error = "a git checkout with no commit yet (" + top + ")";
      continue;
    }
    std::string hash = Hex64(Fnv1a64(content));
    auto k = known_.find(file);
    if (k != known_.end() && k->second.head == head && k->second.content_hash == hash) {
      rev = k->second.rev;
      continue;
    }
    rev = Compare(top, head, file);
    known_[file] = {head, hash, rev};
  }
  for (auto it = known_.begin(); it != known_.end();) it = present.count(it->first) ? std::next(it) : known_.erase(it);
  return out;
}

// --- GitSource --------------------------------------------------------------------------------

GitSource::GitSource(GitSourceOptions opts, Log log, std::function<void()> on_switch)
    : opts_(std::move(opts)), log_(std::move(log)), on_switch_(std::move(on_switch)) {}

GitSource::~GitSource() {
  Stop();
}

namespace {
std::string Home(const GitSourceOptions& o) {
  return o.dir + "/.labkeeper-git";
}
std::string Repo(const GitSourceOptions& o) {
  return Home(o) + "/repo.git";
}
std::string Short(const std::string& commit) {
  return commit.substr(0, 12);
}
}  // namespace

Status GitSource::Start() {
  std::error_code ec;
  // Never over someone's files: DIR is new, empty, or labkeeper's checkout already.
  if (fs::is_directory(opts_.dir, ec) && !fs::exists(Home(opts_), ec) && !fs::is_empty(opts_.dir, ec))
    return Status::Fail("--git: --dir " + opts_.dir +
                        " holds files and is not labkeeper's checkout; give a new or empty directory");
  fs::create_directories(Home(opts_), ec);
  if (ec) return Status::Fail("--git: cannot make " + Home(opts_) + ": " + ec.message());
  if (!fs::exists(Repo(opts_) + "/HEAD", ec)) {
    GitRun init = RunGit({"init", "--quiet", "--bare", Repo(opts_)});
    if (!init.ok()) return Status::Fail("--git: git init " + Repo(opts_) + ": " + Trimmed(init.output));
  }
  // The remote is what --git says now, whatever an earlier run fetched from.
  RunGit({"--git-dir", Repo(opts_), "remote", "remove", "origin"});
  GitRun add = RunGit({"--git-dir", Repo(opts_), "remote", "add", "origin", opts_.url});
  if (!add.ok()) return Status::Fail("--git: git remote add: " + Trimmed(add.output));
  std::string error = SyncOnce();
  if (!error.empty() && CurrentCommit().empty())
    return Status::Fail("--git " + opts_.url + " (" + opts_.ref + "): " + error);
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void GitSource::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void GitSource::Loop() {
  auto next = std::chrono::steady_clock::now() + opts_.interval;
  while (!stop_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (std::chrono::steady_clock::now() < next) continue;
    SyncOnce();
    next = std::chrono::steady_clock::now() + opts_.interval;
  }
}

GitSource::State GitSource::Current() const {
  std::lock_guard lock(mu_);
  return state_;
}

std::string GitSource::SyncOnce() {
  std::string commit;
  std::string error = Fetch(&commit);
  if (error.empty() && commit != CurrentCommit()) error = Switch(commit);
  std::string now = CurrentCommit();
  State s;
  s.revision = now;
  if (error.empty()) {
    s.ok = true;
    s.reason = "Fetched";
    s.message = opts_.url + " " + opts_.ref + " at " + Short(now);
  } else {
    s.reason = "FetchFailed";
    s.message = error + (now.empty() ? "; no tree yet" : "; keeping " + Short(now));
  }
  bool said;
  {
    std::lock_guard lock(mu_);
    said = state_.ok == s.ok && state_.message == s.message;
    state_ = s;
  }
  if (!said) {
    log_("git: " + s.message);
    if (on_switch_) on_switch_();  // the labs' SourceFetched condition follows
  }
  return error;
}

std::string GitSource::Fetch(std::string* commit) {
  GitRun fetch = RunGit({"--git-dir", Repo(opts_), "fetch", "--quiet", "--no-tags", "--force", "origin", opts_.ref});
  if (!fetch.ok()) return "git fetch " + opts_.url + " " + opts_.ref + ": " + Trimmed(fetch.output);
  GitRun head = RunGit({"--git-dir", Repo(opts_), "rev-parse", "--verify", "--quiet", "FETCH_HEAD^{commit}"});
  if (!head.ok()) return "git fetch " + opts_.url + " " + opts_.ref + ": no commit fetched";
  *commit = Trimmed(head.output);
  return "";
}

std::string GitSource::CurrentCommit() const {
  std::error_code ec;
  fs::path target = fs::read_symlink(opts_.dir + "/..data", ec);
  if (ec) return "";
  std::string t = target.string();  // .labkeeper-git/rev-<commit>[/path]
  auto at = t.find("rev-");
  if (at == std::string::npos) return "";
  return t.substr(at + 4, t.find('/', at) == std::string::npos ? std::string::npos : t.find('/', at) - at - 4);
}

namespace {
// `link` -> `target`, made beside and renamed over: whoever reads `link` sees the old or the new.
std::string SwapLink(const std::string& target, const std::string& link) {
  std::string tmp = link + ".tmp";
  std::error_code ec;
  fs::remove(tmp, ec);
  fs::create_symlink(target, tmp, ec);
  if (ec) return "cannot make " + tmp + ": " + ec.message();
  fs::rename(tmp, link, ec);
  if (ec) return "cannot rename " + tmp + " to " + link + ": " + ec.message();
  return "";
}
}  // namespace

std::string GitSource::Switch(const std::string& commit) {
  std::string old = CurrentCommit();
  std::string tree = "rev-" + commit, where = Home(opts_) + "/" + tree;
  std::error_code ec;
  if (!fs::exists(where, ec)) {
    GitRun add = RunGit({"--git-dir", Repo(opts_), "worktree", "add", "--quiet", "--detach", "--force", where, commit});
    if (!add.ok()) return "git worktree add " + Short(commit) + ": " + Trimmed(add.output);
  }
  std::string data = ".labkeeper-git/" + tree + (opts_.path.empty() ? "" : "/" + opts_.path);
  if (!fs::is_directory(opts_.dir + "/" + data, ec))
    return "commit " + Short(commit) + " has no directory " + opts_.path;
  if (std::string e = SwapLink(data, opts_.dir + "/..data"); !e.empty()) return e;
  // The top-level entries: the new tree's, each through ..data; the old tree's others removed.
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(opts_.dir + "/" + data, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind('.', 0) == 0) continue;
    names.insert(name);
    std::string entry = opts_.dir + "/" + name;
    if (fs::read_symlink(entry, ec) == fs::path("..data/" + name)) continue;
    if (fs::exists(fs::symlink_status(entry, ec)) && !fs::is_symlink(fs::symlink_status(entry, ec)))
      return entry + " is not labkeeper's (a file or directory of its own, not a link into ..data): not replaced";
    if (std::string err = SwapLink("..data/" + name, entry); !err.empty()) return err;
  }
  for (const auto& e : fs::directory_iterator(opts_.dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind('.', 0) == 0 || names.count(name)) continue;
    if (fs::is_symlink(e.symlink_status(ec)) && fs::read_symlink(e.path(), ec).string().rfind("..data/", 0) == 0)
      fs::remove(e.path(), ec);
  }
  log_("git: checked out " + Short(commit) + (old.empty() ? "" : " (was " + Short(old) + ")"));
  if (on_switch_) on_switch_();
  if (!old.empty() && old != commit) {
    GitRun rm = RunGit({"--git-dir", Repo(opts_), "worktree", "remove", "--force", Home(opts_) + "/rev-" + old});
    if (!rm.ok()) {
      fs::remove_all(Home(opts_) + "/rev-" + old, ec);
      RunGit({"--git-dir", Repo(opts_), "worktree", "prune"});
    }
  }
  return "";
}

}  // namespace lk
