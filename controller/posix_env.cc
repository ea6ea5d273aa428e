#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include "api/file_reader.h"
#include "controller/env.h"
#include "controller/file_edit.h"
#include "controller/firewall.h"
#include "controller/state_dir.h"

namespace lk {
namespace {

namespace fs = std::filesystem;

class PosixEnv : public Env {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point WallNow() const override { return std::chrono::system_clock::now(); }
  void Sleep(Duration d) override { std::this_thread::sleep_for(d); }

  bool Exists(const std::string& path) override { return access(path.c_str(), F_OK) == 0; }
  bool IsDirectory(const std::string& path) override {
    std::error_code ec;
    return fs::is_directory(path, ec);
  }
  Status MakeDirectories(const std::string& path) override {
    std::error_code ec;
    fs::create_directories(path, ec);
    return ec ? Status::Fail(path + ": " + ec.message()) : Status::Ok();
  }
  Result<std::string> ReadFile(const std::string& path, size_t limit) override { return ReadRegularFile(path, limit); }
  std::vector<Entry> Walk(const std::string& dir) override {
    std::vector<Entry> out;
    std::error_code ec;
    fs::recursive_directory_iterator it(
        dir, fs::directory_options::follow_directory_symlink | fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->path().filename().string().rfind('.', 0) == 0) {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      Entry e;
      e.path = it->path().string();
      std::error_code sec;
      fs::file_status st = fs::status(it->path(), sec);  // follows symlinks
      if (sec) {
        e.kind = Entry::kBroken;
        e.error = sec.message();
      } else {
        e.kind = fs::is_regular_file(st) ? Entry::kFile
                 : fs::is_directory(st)  ? Entry::kDirectory
                 : fs::is_fifo(st)       ? Entry::kFifo
                                         : Entry::kOther;
      }
      out.push_back(std::move(e));
    }
    return out;
  }
  Status WriteFile(const std::string& path, const std::string& text) override {
    return WriteFileAtomically(path, text);
  }
  Status Delete(const std::string& path) override { return DeleteFile(path); }
  Status DeleteTree(const std::string& path) override { return lk::DeleteTree(path); }
  Status EditFile(const std::string& path, const std::string& lock_path, const Edit& edit) override {
    return EditFileLocked(path, lock_path, edit);
  }

  ExecResult Shell(const std::string& command) override {
    ExecResult r;
    std::string cmd = "{ " + command + "\n} 2>&1";  // every command of it, not only the last
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) {
      r.output = std::string("cannot run a shell: ") + std::strerror(errno);
      return r;
    }
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, k);
    int status = pclose(p);
    r.exit_code = status < 0 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
  }
  std::string HostName() override {
    char buf[256] = {0};
    if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
    return buf;
  }
  Status AllowBridgeForwarding(const std::string& lab, const std::string& bridge) override {
    return lk::AllowBridgeForwarding(lab, bridge);
  }
  Status RemoveBridgeRules(const std::string& lab) override { return lk::RemoveBridgeRules(lab); }
};

}  // namespace

std::unique_ptr<Env> MakePosixEnv() {
  return std::make_unique<PosixEnv>();
}

}  // namespace lk
