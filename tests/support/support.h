// Helpers for tests that use the real engine and kernel. Everything a test makes is named
// or labelled lktest-*/labkeeper.dev/test and removed when the helper goes out of scope.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "controller/docker_client.h"
#include "controller/netns.h"

namespace lk::test {

// Runs a shell command, returns stdout+stderr. Test set-up only.
std::string Sh(const std::string& cmd, int* status = nullptr);

// A named network namespace (ip netns add), deleted on destruction.
class ScopedNetns {
 public:
  explicit ScopedNetns(std::string name);
  ~ScopedNetns();
  const NetNs& ns() const { return *ns_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::unique_ptr<NetNs> ns_;
};

// A host interface of the test's own (`ip link add NAME TYPE_ARGS`, brought up), deleted on
// destruction (a veth's peer goes with it). `error` is empty when it was made.
class ScopedHostLink {
 public:
  ScopedHostLink(std::string name, const std::string& type_args);
  ~ScopedHostLink();
  std::string error;

 private:
  std::string name_;
};

// Whether this kernel makes links of `type` ("dummy", "vlan", ...): one is made (lktest-probe)
// and deleted again.
bool KernelMakes(const std::string& type);

// Path of the shared examples (LABKEEPER_SHARED, else ../shared beside the repo).
std::string SharedDir();
// Path of the built labkeeper binary (LABKEEPER_BIN).
std::string LabkeeperBin();
// Source dir of the repo (LABKEEPER_SOURCE_DIR).
std::string SourceDir();

// True when a Docker engine answers; tests that need one fail (not skip) without it,
// because CI always starts one.
bool EngineAnswers();

}  // namespace lk::test

namespace lk::test {

struct CmdResult {
  int status = -1;
  std::string out;  // stdout and stderr
};

// Runs the built labkeeper binary with `args` (shell words), as a user would.
CmdResult Labkeeper(const std::string& args);
// The same with extra environment variables (names and values are the test's own).
CmdResult Labkeeper(const std::string& args, const std::map<std::string, std::string>& env);

// Ids of the containers labelled containerlab=LAB, by container name.
std::map<std::string, std::string> LabContainers(const std::string& lab);

// Destroys a lab through labkeeper when it goes out of scope, then removes any container still
// labelled for it and owned by labkeeper, so a failing test leaves nothing behind.
class LabGuard {
 public:
  explicit LabGuard(std::string lab) : lab_(std::move(lab)) {}
  ~LabGuard();

 private:
  std::string lab_;
};

// Removes the test's own container of that name (`docker rm -f`) on destruction; the test names it.
class ContainerGuard {
 public:
  explicit ContainerGuard(std::string name) : name_(std::move(name)) {}
  ~ContainerGuard() { Sh("docker rm -f " + name_ + " >/dev/null 2>&1"); }

 private:
  std::string name_;
};

// A lab of busybox nodes, the first two linked (eth1 to eth1); placed on `host` when not empty.
std::string BusyboxLab(const std::string& name, const std::vector<std::string>& nodes, const std::string& host = "");

// A fresh temporary directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

// Polls `fn` every `step_ms` until it returns true or `timeout_s` passes.
bool WaitFor(const std::function<bool()>& fn, int timeout_s, int step_ms = 1000);

}  // namespace lk::test

namespace lk::test {
std::string Trim(const std::string& s);
}  // namespace lk::test

#include <nlohmann/json.hpp>

namespace lk::test {

// `labkeeper run` as a child process: its output goes to a log file; its status file is read
// back as JSON. The destructor stops it (SIGTERM, then SIGKILL) if it still runs.
class ControllerProcess {
 public:
  ControllerProcess(const std::string& dir, const std::string& state_dir, const std::string& extra_args = "");
  ~ControllerProcess();
  // An environment variable for the process (before Start), e.g. DOCKER_HOST.
  void SetEnv(const std::string& name, const std::string& value) { env_ += name + "='" + value + "' "; }
  // Runs it in a named network namespace (before Start), as a second host's controller.
  void RunIn(const std::string& netns) { prefix_ = "nsenter --net=/run/netns/" + netns + " "; }
  // Another --state-dir (before Start); the log stays where the constructor put it.
  void UseStateDir(const std::string& path) { state_dir_ = path; }
  void Start();
  int pid() const { return pid_; }
  void Signal(int sig);
  // Waits for the process to end; returns its exit status (-1 if killed by a signal).
  int Wait(int timeout_s = 60);
  std::string Log() const;
  nlohmann::json Status() const;
  // The lab's entry in the status file (null when absent).
  nlohmann::json Lab(const std::string& lab) const;
  std::string Condition(const std::string& lab, const std::string& type) const;
  std::string ConditionMessage(const std::string& lab, const std::string& type) const;
  uint64_t Drift(const std::string& lab, const std::string& kind, const std::string& reason) const;
  bool HasEvent(const std::string& lab, const std::string& reason, const std::string& object) const;
  bool WaitCondition(const std::string& lab, const std::string& type, const std::string& status, int timeout_s);

 private:
  std::string dir_, state_dir_, extra_, log_, env_, prefix_;
  int pid_ = -1;
};

}  // namespace lk::test

namespace lk::test {
// How many OSPF neighbours of an FRR container are Full.
int OspfFullNeighbours(const std::string& container);
}  // namespace lk::test

namespace lk::test {
// Every topology file under ../shared/clab-examples (top level, parse-only/ and frr01/), sorted.
std::vector<std::string> SharedExampleFiles();
// Every topology file under `root` and its subdirectories (../shared/containerlab-corpus), sorted.
std::vector<std::string> TopologyFilesUnder(const std::string& root);
}  // namespace lk::test

#include "api/topology.h"

namespace lk::test {

// How long tests wait. A wait ends as soon as its condition holds, so a generous bound costs
// nothing when all is well and keeps a loaded, shared machine from failing a correct labkeeper.
// Anything that depends on a process starting (a container's process, a daemon inside it, an
// OSPF adjacency, a controller's pass that waits for those) waits up to kStartBound seconds;
// a controller noticing a change and finishing a pass that starts nothing, up to kPassBound.
inline constexpr int kStartBound = 300;

// The busybox image images/build.sh makes, for labs and containers of the tests' own.
inline constexpr char kBusyboxImage[] = "labkeeper.dev/busybox:test";
// The same, built for arm64 (run here under qemu-user emulation).
inline constexpr char kBusyboxArm64Image[] = "labkeeper.dev/busybox-arm64:test";
// Whether arm64 binaries run here: binfmt_misc has qemu-aarch64 enabled (scripts/emulation-up.sh);
// `why` says why not.
bool CanEmulateArm64(std::string* why);
inline constexpr int kPassBound = 180;

// What is wrong with the lab's veth links between containers, one line each (empty when every
// one is as the spec says): both ends exist in their containers' namespaces, are one veth pair,
// carry labkeeper's marker for that link, are administratively up, and have the spec's MTU and
// MAC. Links with a host-side or one-ended end are not looked at.
std::string VethLinkProblems(const LabSpec& lab);

// The IPv4 addresses (CIDR) of an interface inside a container, sorted.
std::vector<std::string> Ipv4Addresses(const std::string& container, const std::string& iface);

// A TCP connection to 127.0.0.1:port with send and receive timeouts of timeout_s; -1 on failure.
int ConnectLoopback(int port, int timeout_s);

}  // namespace lk::test

namespace lk::test {

// A Docker engine of the test's own, as a second "host": dockerd in its own network namespace
// (lktest-NAME), with its own data root, exec root, socket and pid file under a temporary
// directory. Started through nsenter (ip netns exec would remount /sys and hide the cgroups).
// The destructor removes every container of this engine, stops it, and removes its files and
// its namespace; it never touches another engine.
class OwnEngine {
 public:
  explicit OwnEngine(const std::string& name);
  ~OwnEngine();
  OwnEngine(const OwnEngine&) = delete;
  OwnEngine& operator=(const OwnEngine&) = delete;
  // Starts dockerd and waits until it answers; false (with the log's tail in Log()) if not.
  bool Start(int timeout_s);
  // SIGTERM, as a service manager stops it (its containers are stopped with it); waits.
  bool Stop(int timeout_s);
  bool running() const { return pid_ > 0; }
  std::string host() const { return "unix://" + dir_.path() + "/docker.sock"; }
  const std::string& netns() const { return ns_.name(); }
  // `docker -H HOST ARGS` (shell words), stdout and stderr.
  std::string Docker(const std::string& args, int* status = nullptr) const;
  // Copies an image from the default engine (docker save | docker load); "" when done.
  std::string LoadImage(const std::string& image) const;
  std::string Log() const;

 private:
  TempDir dir_;
  ScopedNetns ns_;
  int pid_ = -1;
};

// This test process's directory for what labkeeper writes around a lab: $CLAB_LABDIR_BASE and
// the hosts file ($LABKEEPER_HOSTS_FILE) and SSH configs ($LABKEEPER_SSH_CONFIG_DIR) every
// labkeeper it starts inherits (set at start, unless already set; removed at exit).
std::string NamesDir();

// A shell command run in the background, its stdout in out() and stderr in err(); killed
// (SIGKILL) on destruction if it still runs.
class Background {
 public:
  Background(const std::string& command, const std::string& out_file);
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  std::string out() const;
  std::string err() const;
  bool Running() const;

 private:
  std::string out_;
  mutable int pid_ = -1;
};

// A file's whole content ("" when it cannot be read).
std::string ReadText(const std::string& path);

// Sets an environment variable of this test process and restores the old value on destruction
// (the helpers above run `docker` with this process's environment).
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value);
  ~ScopedEnv();

 private:
  std::string name_;
  std::optional<std::string> old_;
};

}  // namespace lk::test

#include <set>

#include <gtest/gtest.h>

namespace lk::test {

// The interface names inside a running container (ls /sys/class/net through docker exec).
std::set<std::string> Ifaces(const std::string& container);

// A test with a directory of lab files and a state directory of its own, and an engine that
// answers (a test that needs one fails without it: CI always starts one).
class LabDirTest : public ::testing::Test {
 protected:
  void SetUp() override;
  std::string labs() const { return dir_.path() + "/labs"; }
  std::string state() const { return dir_.path() + "/state"; }
  TempDir dir_;
};

}  // namespace lk::test

namespace lk::test {
// The capabilities this machine's bounding set lacks, as --cap-drop arguments (" --cap-drop X..."):
// where the engine cannot grant --privileged (LXC, Proxmox, this machine), a container that must
// be privileged gets --cap-add ALL less these, with seccomp and AppArmor off.
std::string CapDropsForThisMachine();
}  // namespace lk::test

namespace lk::test {
// `git commit -q` with a test author, so it works where no git identity is set (CI's fresh root).
inline constexpr char kGitCommit[] = "git -c user.email=t@labkeeper.dev -c user.name=test commit -q";

// `git daemon` serving every repository under `base` on 127.0.0.1:`port` (git-daemon itself,
// not the `git` wrapper, so killing it stops it), stopped on destruction. Listens() waits for it.
class GitDaemon {
 public:
  GitDaemon(const std::string& base, int port, const std::string& log);
  bool Listens(int timeout_s = 30) const;

 private:
  int port_;
  Background process_;
};
}  // namespace lk::test
