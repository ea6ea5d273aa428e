#include "controller/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace lk {

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

Result<NetNs> NetNs::Path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Fail("cannot open network namespace " + path + ": " + std::strerror(errno));
  return NetNs(Fd(fd), path);
}

Result<NetNs> NetNs::OfPid(int pid) {
  if (pid <= 0) return Status::Fail("no process to take a network namespace from (pid " + std::to_string(pid) + ")");
  auto ns = Path("/proc/" + std::to_string(pid) + "/ns/net");
  if (!ns) return ns.status();
  ns->name_ = "pid " + std::to_string(pid);
  return ns;
}

Result<NetNs> NetNs::Host() {
  auto ns = Path("/proc/self/ns/net");
  if (!ns) return ns.status();
  ns->name_ = "host";
  return ns;
}

Status RunInNetns(const NetNs& ns, const std::function<void()>& fn) {
  Status st = Status::Ok();
  std::thread t([&] {
    if (::setns(ns.fd(), CLONE_NEWNET) != 0) {
      st = Status::Fail("cannot enter network namespace " + ns.name() + ": " + std::strerror(errno));
      return;
    }
    fn();
  });
  t.join();
  return st;
}

}  // namespace lk
