// Linux capabilities: which the engine may grant, and which it lacks.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "api/strings.h"
#include "controller/docker_runtime.h"

namespace lk {
namespace {

// Linux capability numbers 0..40 with the names Docker accepts in CapAdd.
const char* const kCapNames[] = {"CAP_CHOWN",
                                 "CAP_DAC_OVERRIDE",
                                 "CAP_DAC_READ_SEARCH",
                                 "CAP_FOWNER",
                                 "CAP_FSETID",
                                 "CAP_KILL",
                                 "CAP_SETGID",
                                 "CAP_SETUID",
                                 "CAP_SETPCAP",
                                 "CAP_LINUX_IMMUTABLE",
                                 "CAP_NET_BIND_SERVICE",
                                 "CAP_NET_BROADCAST",
                                 "CAP_NET_ADMIN",
                                 "CAP_NET_RAW",
                                 "CAP_IPC_LOCK",
                                 "CAP_IPC_OWNER",
                                 "CAP_SYS_MODULE",
                                 "CAP_SYS_RAWIO",
                                 "CAP_SYS_CHROOT",
                                 "CAP_SYS_PTRACE",
                                 "CAP_SYS_PACCT",
                                 "CAP_SYS_ADMIN",
                                 "CAP_SYS_BOOT",
                                 "CAP_SYS_NICE",
                                 "CAP_SYS_RESOURCE",
                                 "CAP_SYS_TIME",
                                 "CAP_SYS_TTY_CONFIG",
                                 "CAP_MKNOD",
                                 "CAP_LEASE",
                                 "CAP_AUDIT_WRITE",
                                 "CAP_AUDIT_CONTROL",
                                 "CAP_SETFCAP",
                                 "CAP_MAC_OVERRIDE",
                                 "CAP_MAC_ADMIN",
                                 "CAP_SYSLOG",
                                 "CAP_WAKE_ALARM",
                                 "CAP_BLOCK_SUSPEND",
                                 "CAP_AUDIT_READ",
                                 "CAP_PERFMON",
                                 "CAP_BPF",
                                 "CAP_CHECKPOINT_RESTORE"};
constexpr int kCapCount = sizeof(kCapNames) / sizeof(kCapNames[0]);

std::optional<uint64_t> CapBnd(const std::string& status_path) {
  std::ifstream in(status_path);
  std::string line;
  while (std::getline(in, line))
    if (StartsWith(line, "CapBnd:")) return std::stoull(Trim(line.substr(7)), nullptr, 16);
  return std::nullopt;
}

}  // namespace

std::vector<std::string> GrantableCapabilities() {
  std::optional<uint64_t> bnd;
  std::ifstream pidfile("/var/run/docker.pid");
  int pid = 0;
  if (pidfile >> pid && pid > 0) bnd = CapBnd("/proc/" + std::to_string(pid) + "/status");
  // Inside a container (--pid host) there is no pid file: find the engine among the host's PIDs.
  if (!bnd) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
      std::ifstream comm(e.path() / "comm");
      std::string name;
      if (std::getline(comm, name) && name == "dockerd") {
        bnd = CapBnd((e.path() / "status").string());
        if (bnd) break;
      }
    }
  }
  if (!bnd) bnd = CapBnd("/proc/self/status");
  std::vector<std::string> out;
  if (!bnd) return out;
  for (int i = 0; i < kCapCount; ++i)
    if (*bnd & (uint64_t{1} << i)) out.push_back(kCapNames[i]);
  return out;
}

std::vector<std::string> MissingCapabilities(const std::vector<std::string>& grantable) {
  // Capabilities newer than the kernel do not exist at all; they are not "missing".
  int last = kCapCount - 1;
  std::ifstream last_cap("/proc/sys/kernel/cap_last_cap");
  last_cap >> last;
  std::vector<std::string> out;
  for (int i = 0; i < kCapCount && i <= last; ++i)
    if (std::find(grantable.begin(), grantable.end(), kCapNames[i]) == grantable.end()) out.push_back(kCapNames[i]);
  return out;
}

}  // namespace lk
