// Network namespaces as RAII file descriptors, and running code inside one.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api/result.h"

namespace lk {

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// A network namespace held open by a file descriptor, so it cannot vanish under us.
class NetNs {
 public:
  static Result<NetNs> OfPid(int pid);                 // /proc/PID/ns/net
  static Result<NetNs> Host();                         // this process's namespace
  static Result<NetNs> Path(const std::string& path);  // e.g. /run/netns/NAME
  // A namespace known by its name alone, with no descriptor: what an in-memory link manager
  // hands out. The kernel's link manager refuses it.
  static NetNs Named(std::string name) { return NetNs(Fd(), std::move(name)); }
  int fd() const { return fd_.get(); }
  const std::string& name() const { return name_; }  // for messages

 private:
  NetNs(Fd fd, std::string name) : fd_(std::move(fd)), name_(std::move(name)) {}
  Fd fd_;
  std::string name_;
};

// Runs `fn` on a short-lived thread that has entered `ns`; the caller's thread never moves.
Status RunInNetns(const NetNs& ns, const std::function<void()>& fn);

// Named network namespaces as `ip netns` keeps them: a new namespace bind-mounted on the file
// /run/netns/NAME, so it lives on with no process in it. Made when absent (a file left without
// its mount, after a reboot, is made anew); found, or nullopt; listed by name; removed (unmounted
// and unlinked; an absent one is fine).
Result<NetNs> MakeNamedNetns(const std::string& name);
Result<std::optional<NetNs>> FindNamedNetns(const std::string& name);
Result<std::vector<std::string>> ListNamedNetns();
Status DeleteNamedNetns(const std::string& name);

}  // namespace lk
