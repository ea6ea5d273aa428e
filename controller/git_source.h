// Lab files from git. Two things, both with the real `git` program:
//  - GitRevisions: for each lab file, the commit of the git checkout it is in (HEAD) and whether
//    the file on disk differs from that commit; the controller records the commit each lab was
//    last applied from (status.source, Flux's lastAppliedRevision). Any directory that is a git
//    checkout, and labkeeper's own checkout below.
//  - GitSource: `labkeeper run --git URL`: a checkout of its own in --dir, fetched every
//    interval; a new commit is made a new tree beside the old one and switched to at once, as the
//    kubelet updates a ConfigMap volume, so a half-updated tree is never read:
//      DIR/.labkeeper-git/repo.git          the fetched repository (bare)
//      DIR/.labkeeper-git/rev-<commit>/     one worktree per checked-out commit (the current one)
//      DIR/..data -> .labkeeper-git/rev-<commit>[/PATH]   switched by rename(2)
//      DIR/<entry> -> ..data/<entry>        every top-level entry of the tree
//    A fetch that fails keeps the last good tree and says so (Condition()).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/result.h"

namespace lk {

struct FileRevision {
  std::string revision;   // the commit checked out where the file is; "" when not in a git checkout
  std::string path;       // the file's path in that repository
  bool modified = false;  // the file differs from the commit's (or the commit has no such file)
  std::string error;      // git could not tell
  bool operator==(const FileRevision&) const = default;
};

// The seam: which revision each lab file is at. `files` maps each path to its content.
class SourceRevisions {
 public:
  virtual ~SourceRevisions() = default;
  virtual std::map<std::string, FileRevision> Of(const std::map<std::string, std::string>& files) = 0;
};

// The real one: `git` in the checkout each file is in. One `git rev-parse HEAD` per repository
// per call; a file is compared with its commit again only when its content or the commit changed.
class GitRevisions : public SourceRevisions {
 public:
  std::map<std::string, FileRevision> Of(const std::map<std::string, std::string>& files) override;

 private:
  struct Known {
    std::string head, content_hash;
    FileRevision rev;
  };
  std::mutex mu_;
  std::map<std::string, Known> known_;  // file -> last answer
};

// `git ARGS...` (no shell), with a time limit; its stdout and stderr together. GIT_TERMINAL_PROMPT=0:
// a repository that wants credentials fails instead of waiting for a person.
struct GitRun {
  int code = -1;
  std::string output;
  bool ok() const { return code == 0; }
};
GitRun RunGit(const std::vector<std::string>& args, std::chrono::seconds limit = std::chrono::seconds(120));

struct GitSourceOptions {
  std::string url, ref = "main", dir, path;  // path: the labs' directory within the repository
  std::chrono::milliseconds interval{30000};
};

class GitSource {
 public:
  using Log = std::function<void(const std::string&)>;
  // `on_switch` is called after the tree or the fetch's state changed (the controller rescans).
  GitSource(GitSourceOptions opts, Log log, std::function<void()> on_switch);
  ~GitSource();
  // The first fetch, synchronously: an error when it fails and no earlier tree is there.
  Status Start();
  void Stop();
  // One fetch and, for a new commit, the switch. Returns the fetch's error ("" when fetched).
  std::string SyncOnce();
  // The source's state, for each lab's SourceFetched condition.
  struct State {
    bool ok = false;
    std::string reason, message, revision;
  };
  State Current() const;

 private:
  std::string Fetch(std::string* commit);         // error or ""
  std::string Switch(const std::string& commit);  // error or ""
  std::string CurrentCommit() const;              // from DIR/..data
  void Loop();
  GitSourceOptions opts_;
  Log log_;
  std::function<void()> on_switch_;
  mutable std::mutex mu_;
  State state_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace lk
