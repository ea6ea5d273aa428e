// The host as one seam, in LevelDB's Env manner: what labkeeper does that is neither the
// container engine (runtime.h) nor the kernel's links (link_manager.h). Time (one clock for
// every duration and deadline), sleeping, files, host shell commands and the firewall. The real
// one is MakePosixEnv(); tests use tests/fakes/fake_env.h.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/result.h"
#include "controller/clock.h"
#include "controller/runtime.h"

namespace lk {

class Env : public Clock {
 public:
  // --- time -------------------------------------------------------------------------------
  // Now() (from Clock) is the steady clock; WallNow() is the calendar time people read.
  virtual std::chrono::system_clock::time_point WallNow() const = 0;
  virtual void Sleep(Duration d) = 0;

  // --- files ------------------------------------------------------------------------------
  virtual bool Exists(const std::string& path) = 0;
  virtual bool IsDirectory(const std::string& path) = 0;
  virtual Status MakeDirectories(const std::string& path) = 0;
  // A file's content; with `limit`, at most that many bytes of it. Never opens what is not a
  // regular file (a FIFO would block, a device could be anything): that is an error.
  virtual Result<std::string> ReadFile(const std::string& path, size_t limit = std::string::npos) = 0;
  // Everything below `dir`, recursively, symlinks followed: what each entry is, as `stat` says
  // through the links. Hidden entries (a name starting with '.') are not listed, nor entered.
  struct Entry {
    enum Kind { kFile, kDirectory, kFifo, kOther, kBroken };  // kBroken: dangling or looping link
    std::string path;
    Kind kind = kFile;
    std::string error;  // kBroken: why
  };
  virtual std::vector<Entry> Walk(const std::string& dir) = 0;
  // Writes the file whole or not at all (see WriteFileAtomically in state_dir.h).
  virtual Status WriteFile(const std::string& path, const std::string& text) = 0;
  // Removes a file; one already absent is no error.
  virtual Status Delete(const std::string& path) = 0;
  // Removes a directory and everything below it (symlinks removed, never followed); absent: ok.
  virtual Status DeleteTree(const std::string& path) = 0;
  // Read, changed by `edit`, written whole, all under an exclusive lock on `lock_path` (flock; the
  // lock file is made when missing) that other processes editing the same file take too. A missing
  // file reads as "". Nothing is written when `edit` fails or returns the text unchanged. A file
  // that cannot be replaced by a rename (a bind mount, as /etc/hosts in a container) is rewritten
  // in place.
  using Edit = std::function<Result<std::string>(const std::string& current)>;
  virtual Status EditFile(const std::string& path, const std::string& lock_path, const Edit& edit) = 0;

  // --- the host ---------------------------------------------------------------------------
  // `sh -c command` on the host, its stdout and stderr together.
  virtual ExecResult Shell(const std::string& command) = 0;
  virtual std::string HostName() = 0;
  // The firewall rules a lab's host bridges need (see firewall.h).
  virtual Status AllowBridgeForwarding(const std::string& lab, const std::string& bridge) = 0;
  virtual Status RemoveBridgeRules(const std::string& lab) = 0;
};

// The real host: std::chrono, the filesystem, popen and iptables.
std::unique_ptr<Env> MakePosixEnv();

}  // namespace lk
