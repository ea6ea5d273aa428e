// An in-memory Env: a clock that moves only when told (or when something sleeps), files in a
// map, host shell commands answered by the test, firewall calls recorded; with fault injection.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controller/env.h"
#include "tests/fakes/faults.h"

namespace lk::test {

class FakeEnv : public Env {
 public:
  // --- what the host holds ----------------------------------------------------------------
  void Advance(Duration d) { now_ += d.count(); }
  void AddFile(const std::string& path, const std::string& text);
  void RemoveFile(const std::string& path);
  // Something at `path` that is not a regular file (a FIFO, a device, a dangling link).
  void AddSpecial(const std::string& path, Entry::Kind kind, const std::string& error = "");
  std::optional<std::string> File(const std::string& path) const;
  // What `Shell` answers for a command; default exit 0, no output.
  void OnShell(std::function<ExecResult(const std::string& command)> fn);
  std::vector<std::string> ShellCommands() const;
  // Bridges opened for forwarding, as "lab/bridge"; RemoveBridgeRules takes a lab's away.
  std::set<std::string> ForwardedBridges() const;
  // The total time slept, by every caller.
  Duration Slept() const { return Duration(slept_.load()); }

  // --- faults: methods by name ("Shell", "WriteFile", "AllowBridgeForwarding", ...) ---------
  void FailNext(const std::string& method, const std::string& message, int times = 1) {
    faults_.FailNext(method, message, times);
  }
  std::vector<std::string> Calls() const { return faults_.Calls(); }

  // --- Env ----------------------------------------------------------------------------------
  TimePoint Now() const override { return TimePoint(Duration(now_.load())); }
  std::chrono::system_clock::time_point WallNow() const override;
  // Moves the clock on by `d` at once: a test never waits for a sleep.
  void Sleep(Duration d) override;
  bool Exists(const std::string& path) override;
  bool IsDirectory(const std::string& path) override;
  Status MakeDirectories(const std::string& path) override;
  Result<std::string> ReadFile(const std::string& path, size_t limit = std::string::npos) override;
  std::vector<Entry> Walk(const std::string& dir) override;
  Status WriteFile(const std::string& path, const std::string& text) override;
  Status Delete(const std::string& path) override;
  Status DeleteTree(const std::string& path) override;
  // The lock is this process's mutex: the fake has one process.
  Status EditFile(const std::string& path, const std::string& lock_path, const Edit& edit) override;
  ExecResult Shell(const std::string& command) override;
  std::string HostName() override { return "fakehost"; }
  Status AllowBridgeForwarding(const std::string& lab, const std::string& bridge) override;
  Status RemoveBridgeRules(const std::string& lab) override;

 private:
  std::atomic<Duration::rep> now_{0}, slept_{0};
  Faults faults_;
  mutable std::mutex mu_;
  std::mutex edit_mu_;  // EditFile's lock
  std::map<std::string, std::string> files_;
  std::map<std::string, Entry> specials_;
  std::set<std::string> dirs_;
  std::function<ExecResult(const std::string&)> shell_;
  std::vector<std::string> shell_commands_;
  std::set<std::string> forwarded_;
};

}  // namespace lk::test
