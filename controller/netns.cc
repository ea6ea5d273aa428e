#include "controller/netns.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
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

namespace lk {

namespace {

constexpr char kNetnsDir[] = "/run/netns";
constexpr long kNsfsMagic = 0x6e736673;  // NSFS_MAGIC: a namespace, not the plain file under it

std::string NetnsPath(const std::string& name) {
  return std::string(kNetnsDir) + "/" + name;
}

bool ValidName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

std::string Errno(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

}  // namespace

Result<std::optional<NetNs>> FindNamedNetns(const std::string& name) {
  if (!ValidName(name)) return Status::Fail("\"" + name + "\" cannot name a network namespace");
  struct stat st {};
  if (::stat(NetnsPath(name).c_str(), &st) != 0 && errno == ENOENT) return std::optional<NetNs>();
  auto ns = NetNs::Path(NetnsPath(name));  // held open from here on: the one file opened once
  if (!ns) return ns.status();
  struct statfs fs {};
  if (::fstatfs(ns->fd(), &fs) != 0) return Status::Fail(Errno("cannot stat " + NetnsPath(name)));
  if (static_cast<long>(fs.f_type) != kNsfsMagic) return std::optional<NetNs>();  // no namespace on it
  return std::optional<NetNs>(std::move(*ns));
}

Result<NetNs> MakeNamedNetns(const std::string& name) {
  auto found = FindNamedNetns(name);
  if (!found) return found.status();
  if (*found) return std::move(**found);
  std::string path = NetnsPath(name);
  if (::mkdir(kNetnsDir, 0755) != 0 && errno != EEXIST) return Status::Fail(Errno(std::string("mkdir ") + kNetnsDir));
  ::unlink(path.c_str());  // a file left without its namespace
  int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  if (fd < 0) return Status::Fail(Errno("cannot create " + path));
  ::close(fd);
  // A thread of its own enters a new namespace and mounts it on the file, then ends: the
  // caller's thread never moves, and the mount keeps the namespace.
  Status st = Status::Ok();
  std::thread t([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      st = Status::Fail(Errno("cannot make network namespace " + name));
      return;
    }
    std::string self = "/proc/self/task/" + std::to_string(::gettid()) + "/ns/net";
    if (::mount(self.c_str(), path.c_str(), "none", MS_BIND, nullptr) != 0)
      st = Status::Fail(Errno("cannot mount network namespace " + name + " on " + path));
  });
  t.join();
  if (!st) {
    ::unlink(path.c_str());
    return st;
  }
  return NetNs::Path(path);
}

Result<std::vector<std::string>> ListNamedNetns() {
  std::vector<std::string> out;
  DIR* d = ::opendir(kNetnsDir);
  if (!d && errno == ENOENT) return out;
  if (!d) return Status::Fail(Errno(std::string("cannot list ") + kNetnsDir));
  while (struct dirent* e = ::readdir(d))
    if (ValidName(e->d_name)) out.emplace_back(e->d_name);
  ::closedir(d);
  return out;
}

Status DeleteNamedNetns(const std::string& name) {
  if (!ValidName(name)) return Status::Fail("\"" + name + "\" cannot name a network namespace");
  std::string path = NetnsPath(name);
  if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
    return Status::Fail(Errno("cannot unmount network namespace " + path));
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Status::Fail(Errno("cannot remove " + path));
  return Status::Ok();
}

}  // namespace lk
