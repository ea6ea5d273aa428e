#include "controller/file_edit.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "api/file_reader.h"
#include "controller/netns.h"  // Fd
#include "controller/state_dir.h"

namespace lk {
namespace {

namespace fs = std::filesystem;

std::string Errno(const std::string& what, const std::string& path, int err) {
  return "cannot " + what + " " + path + ": " + std::strerror(err);
}

// For a file a rename cannot replace: a bind-mounted file (EBUSY), as Docker mounts /etc/hosts
// into a container. Truncated and written where it is, as containerlab rewrites it.
Status WriteInPlace(const std::string& path, const std::string& text) {
  Fd f(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (f.get() < 0) return Status::Fail(Errno("write", path, errno));
  for (size_t done = 0; done < text.size();) {
    ssize_t n = ::write(f.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Fail(Errno("write", path, errno));
    done += static_cast<size_t>(n);
  }
  if (::fsync(f.get()) != 0) return Status::Fail(Errno("write", path, errno));
  return Status::Ok();
}

}  // namespace

Status EditFileLocked(const std::string& path, const std::string& lock_path, const Env::Edit& edit) {
  std::error_code ec;
  fs::create_directories(fs::path(lock_path).parent_path(), ec);
  Fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (lock.get() < 0) return Status::Fail(Errno("open the lock", lock_path, errno));
  while (::flock(lock.get(), LOCK_EX) != 0)
    if (errno != EINTR) return Status::Fail(Errno("lock", lock_path, errno));
  std::string current;
  if (::access(path.c_str(), F_OK) == 0) {
    auto read = ReadRegularFile(path, std::string::npos);
    if (!read) return read.status();
    current = *read;
  }
  auto next = edit(current);
  if (!next) return next.status();
  if (*next == current) return Status::Ok();
  Status s = WriteFileAtomically(path, *next);
  if (!s.ok() && s.message().find(std::strerror(EBUSY)) != std::string::npos) return WriteInPlace(path, *next);
  return s;
}

Status DeleteFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Status::Fail(Errno("remove", path, errno));
  return Status::Ok();
}

Status DeleteTree(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  return ec ? Status::Fail("cannot remove " + path + ": " + ec.message()) : Status::Ok();
}

}  // namespace lk
