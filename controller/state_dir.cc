#include "controller/state_dir.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace lk {

Status WriteFileAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  auto fail = [&](const std::string& what, int err) {
    ::unlink(tmp.c_str());
    return Status::Fail("cannot " + what + " " + path + ": " + std::strerror(err));
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Fail("cannot write " + path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return fail("write", err);
    }
    done += static_cast<size_t>(n);
  }
  // A full file system may accept the bytes and refuse them only when they are flushed.
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    return fail("write", err);
  }
  if (::close(fd) != 0) return fail("write", errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("replace", errno);
  return Status::Ok();
}

Status StateDir::Write(const std::string& file, const std::string& text) {
  std::lock_guard lock(mu_);
  std::string path = path_ + "/" + file;
  Status s = env_ ? env_->WriteFile(path, text) : WriteFileAtomically(path, text);
  if (!s.ok()) {
    ++failures_;
    if (s.message() != error_)
      log_("state directory: " + s.message() +
           "; reconciling goes on, and the API (/api/v1/labs) and /metrics have the current status");
    error_ = s.message();
  } else if (!error_.empty()) {
    log_("state directory: " + path_ + " is writable again");
    error_.clear();
  }
  return s;
}

StateDir::Health StateDir::health() const {
  std::lock_guard lock(mu_);
  return {error_, failures_};
}

}  // namespace lk
