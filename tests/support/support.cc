#include "tests/support/support.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace lk::test {

std::string Sh(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) throw std::runtime_error("popen failed: " + cmd);
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int st = pclose(p);
  if (status) *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

ScopedNetns::ScopedNetns(std::string name) : name_(std::move(name)) {
  Sh("ip netns del " + name_);
  int st = 0;
  std::string out = Sh("ip netns add " + name_, &st);
  if (st != 0) throw std::runtime_error("ip netns add " + name_ + ": " + out);
  auto ns = NetNs::Path("/run/netns/" + name_);
  if (!ns) throw std::runtime_error(ns.error());
  ns_ = std::make_unique<NetNs>(std::move(*ns));
}

ScopedNetns::~ScopedNetns() {
  ns_.reset();
  Sh("ip netns del " + name_);
}

namespace {

// Every labkeeper a test starts inherits these: lab directories (CLAB_LABDIR_BASE), the hosts
// file and the SSH client configs all in a directory of this test process, removed at its exit,
// so no test writes beside a shared topology file or into /etc unless it asks to (ScopedEnv).
struct NamesHome {
  std::string dir;
  NamesHome() {
    char tmpl[] = "/tmp/lk-test-home-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    std::filesystem::create_directories(dir + "/ssh_config.d");
    std::ofstream(dir + "/hosts") << "127.0.0.1\tlocalhost\n";
    for (auto [name, value] : {std::pair{"CLAB_LABDIR_BASE", dir},
                               {"LABKEEPER_HOSTS_FILE", dir + "/hosts"},
                               {"LABKEEPER_SSH_CONFIG_DIR", dir + "/ssh_config.d"}})
      setenv(name, value.c_str(), 0);
  }
  ~NamesHome() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

NamesHome& Home() {
  static NamesHome home;
  return home;
}
[[maybe_unused]] const bool kHomeMade = (Home(), true);  // before any test starts a labkeeper

}  // namespace

Background::Background(const std::string& command, const std::string& out_file) : out_(out_file) {
  pid_ = fork();
  if (pid_ == 0) {
    std::string cmd = "exec " + command + " >" + out_ + " 2>" + out_ + ".err";
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
}

Background::~Background() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

std::string Background::out() const {
  return ReadText(out_);
}
std::string Background::err() const {
  return ReadText(out_ + ".err");
}

bool Background::Running() const {
  if (pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) != 0) pid_ = -1;  // ended, and reaped
  return pid_ > 0;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string NamesDir() {
  const char* base = std::getenv("CLAB_LABDIR_BASE");  // ours, unless it was set before
  return base && *base ? base : Home().dir;
}

static std::string Env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

std::string SharedDir() {
  return Env("LABKEEPER_SHARED", LK_DEFAULT_SHARED);
}
std::string LabkeeperBin() {
  return Env("LABKEEPER_BIN", LK_DEFAULT_BIN);
}
std::string SourceDir() {
  return Env("LABKEEPER_SOURCE_DIR", LK_DEFAULT_SOURCE_DIR);
}

bool EngineAnswers() {
  DockerClient docker;
  return docker.Version().ok();
}

}  // namespace lk::test

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace lk::test {

ScopedHostLink::ScopedHostLink(std::string name, const std::string& type_args) : name_(std::move(name)) {
  Sh("ip link del " + name_);
  int st = 1;
  std::string out = Sh("ip link add " + name_ + " " + type_args + " && ip link set dev " + name_ + " up", &st);
  if (st != 0) error = out.empty() ? "ip link add failed" : out;
}

ScopedHostLink::~ScopedHostLink() {
  Sh("ip link del " + name_);
}

CmdResult Labkeeper(const std::string& args) {
  CmdResult r;
  r.out = Sh(LabkeeperBin() + " " + args, &r.status);
  return r;
}

CmdResult Labkeeper(const std::string& args, const std::map<std::string, std::string>& env) {
  std::string prefix = "env";
  for (const auto& [k, v] : env) prefix += " " + k + "='" + v + "'";
  CmdResult r;
  r.out = Sh(prefix + " " + LabkeeperBin() + " " + args, &r.status);
  return r;
}

std::map<std::string, std::string> LabContainers(const std::string& lab) {
  std::map<std::string, std::string> out;
  std::istringstream in(
      Sh("docker ps -a --no-trunc --filter label=containerlab=" + lab + " --format '{{.Names}} {{.ID}}'"));
  std::string name, id;
  while (in >> name >> id) out[name] = id;
  return out;
}

bool KernelMakes(const std::string& type) {
  int st = 1;
  Sh("ip link add lktest-probe type " + type + " 2>/dev/null", &st);
  Sh("ip link del lktest-probe 2>/dev/null");
  return st == 0;
}

LabGuard::~LabGuard() {
  Labkeeper("destroy --lab " + lab_);
  Sh("docker ps -aq --filter label=containerlab=" + lab_ +
     " --filter label=labkeeper.dev/managed-by=labkeeper | xargs -r docker rm -f");
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/lktest-XXXXXX";
  char* p = mkdtemp(tmpl);
  if (!p) throw std::runtime_error("mkdtemp failed");
  path_ = p;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Write(const std::string& name, const std::string& content) const {
  std::string file = path_ + "/" + name;
  std::filesystem::create_directories(std::filesystem::path(file).parent_path());
  std::ofstream(file) << content;
  return file;
}

bool CanEmulateArm64(std::string* why) {
  std::ifstream in("/proc/sys/fs/binfmt_misc/qemu-aarch64");
  std::string first;
  if (!std::getline(in, first) || first != "enabled") {
    *why = "binfmt_misc has no enabled qemu-aarch64 handler (scripts/emulation-up.sh could not register one)";
    return false;
  }
  return true;
}

bool WaitFor(const std::function<bool()>& fn, int timeout_s, int step_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (true) {
    if (fn()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(step_ms));
  }
}

}  // namespace lk::test

#include "api/strings.h"

namespace lk::test {
std::string Trim(const std::string& s) {
  return lk::Trim(s);
}
}  // namespace lk::test

#include <signal.h>
#include <sys/wait.h>

namespace lk::test {

ControllerProcess::ControllerProcess(const std::string& dir, const std::string& state_dir, const std::string& extra)
    : dir_(dir), state_dir_(state_dir), extra_(extra), log_(state_dir + "/controller.log") {
  std::filesystem::create_directories(state_dir_);
}

ControllerProcess::~ControllerProcess() {
  if (pid_ > 0) {
    Signal(SIGTERM);
    if (Wait(30) == -2) {
      Signal(SIGKILL);
      Wait(10);
    }
  }
}

void ControllerProcess::Start() {
  std::remove((state_dir_ + "/status.json").c_str());
  std::string cmd = "exec env " + env_ + prefix_ + LabkeeperBin() + " run --dir " + dir_ + " --state-dir " +
                    state_dir_ + " " + extra_ + " >>" + log_ + " 2>&1";
  pid_ = fork();
  if (pid_ == 0) {
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
}

void ControllerProcess::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

int ControllerProcess::Wait(int timeout_s) {
  if (pid_ <= 0) return -1;
  int status = 0;
  bool done = WaitFor([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, timeout_s, 100);
  if (!done) return -2;
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ControllerProcess::Log() const {
  std::ifstream in(log_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

nlohmann::json ControllerProcess::Status() const {
  std::ifstream in(state_dir_ + "/status.json");
  if (!in) return nullptr;
  auto j = nlohmann::json::parse(in, nullptr, false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

nlohmann::json ControllerProcess::Lab(const std::string& lab) const {
  auto s = Status();
  if (!s.is_object()) return nullptr;
  for (const auto& l : s["labs"])
    if (l["name"] == lab) return l;
  return nullptr;
}

static nlohmann::json FindCondition(const nlohmann::json& lab, const std::string& type) {
  if (!lab.is_object()) return nullptr;
  for (const auto& c : lab["conditions"])
    if (c["type"] == type) return c;
  return nullptr;
}

std::string ControllerProcess::Condition(const std::string& lab, const std::string& type) const {
  auto c = FindCondition(Lab(lab), type);
  return c.is_object() ? c["status"].get<std::string>() : "";
}

std::string ControllerProcess::ConditionMessage(const std::string& lab, const std::string& type) const {
  auto c = FindCondition(Lab(lab), type);
  return c.is_object() ? c["message"].get<std::string>() : "";
}

uint64_t ControllerProcess::Drift(const std::string& lab, const std::string& kind, const std::string& reason) const {
  auto l = Lab(lab);
  if (!l.is_object()) return 0;
  for (const auto& d : l["driftCorrections"])
    if (d["kind"] == kind && d["reason"] == reason) return d["count"].get<uint64_t>();
  return 0;
}

bool ControllerProcess::HasEvent(const std::string& lab, const std::string& reason, const std::string& object) const {
  auto l = Lab(lab);
  if (!l.is_object()) return false;
  for (const auto& e : l["events"])
    if (e["reason"] == reason && e["object"] == object) return true;
  return false;
}

bool ControllerProcess::WaitCondition(const std::string& lab, const std::string& type, const std::string& status,
                                      int timeout_s) {
  return WaitFor([&] { return Condition(lab, type) == status; }, timeout_s, 250);
}

}  // namespace lk::test

namespace lk::test {
int OspfFullNeighbours(const std::string& container) {
  std::string out = Sh("docker exec " + container + " vtysh -c 'show ip ospf neighbor'");
  int n = 0;
  for (size_t p = out.find("Full/"); p != std::string::npos; p = out.find("Full/", p + 1)) ++n;
  return n;
}
}  // namespace lk::test

#include <algorithm>

#include "api/topology_codec.h"

namespace lk::test {
std::vector<std::string> SharedExampleFiles() {
  std::vector<std::string> out;
  for (const char* dir : {"/clab-examples", "/clab-examples/parse-only", "/clab-examples/frr01"})
    for (const auto& entry : std::filesystem::directory_iterator(SharedDir() + dir))
      if (IsTopologyFileName(entry.path().string())) out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> TopologyFilesUnder(const std::string& root) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root))
    if (e.is_regular_file() && IsTopologyFileName(e.path().string())) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace lk::test

#include "controller/link_manager.h"
#include "controller/observed.h"

namespace lk::test {

static std::string Lowered(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::string VethLinkProblems(const LabSpec& lab) {
  DockerClient docker;
  auto links = MakeNetlinkLinkManager();
  std::map<std::string, std::vector<Iface>> ifaces;  // node -> its interfaces
  std::string out;
  auto of = [&](const std::string& node) -> const std::vector<Iface>* {
    if (auto it = ifaces.find(node); it != ifaces.end()) return &it->second;
    auto c = docker.InspectContainer(lab.ContainerName(node));
    if (!c || !c->is_object() || !(*c)["State"]["Running"].get<bool>()) return nullptr;
    auto ns = NetNs::OfPid((*c)["State"]["Pid"].get<int>());
    if (!ns) return nullptr;
    auto list = links->List(*ns);
    if (!list) return nullptr;
    return &(ifaces[node] = std::move(*list));
  };
  auto find = [](const std::vector<Iface>& list, const std::string& name) -> const Iface* {
    for (const auto& i : list)
      if (i.name == name) return &i;
    return nullptr;
  };
  for (const auto& l : lab.links) {
    if (l.type != "veth" || l.OneEnded()) continue;
    const NodeConfig* na = lab.FindNode(l.a.node);
    const NodeConfig* nb = lab.FindNode(l.b.node);
    if (!na || !nb || !na->IsContainer() || !nb->IsContainer()) continue;
    const auto* la = of(l.a.node);
    const auto* lb = of(l.b.node);
    if (!la || !lb) {
      out += l.Id() + ": a container is not running\n";
      continue;
    }
    const Iface* a = find(*la, l.a.iface);
    const Iface* b = find(*lb, l.b.iface);
    if (!a || !b) {
      out += l.Id() + ": " + (a ? l.b.node + ":" + l.b.iface : l.a.node + ":" + l.a.iface) + " is missing\n";
      continue;
    }
    if (a->kind != "veth" || b->kind != "veth") out += l.Id() + ": not a veth pair\n";
    if (a->peer_ifindex != b->ifindex || b->peer_ifindex != a->ifindex) out += l.Id() + ": the ends are not peers\n";
    for (const auto& [i, e] : {std::pair{a, &l.a}, std::pair{b, &l.b}}) {
      std::string end = l.Id() + " at " + e->node + ":" + e->iface;
      auto m = IfaceMarker::Parse(i->alias);
      if (!m || m->link != l.Id()) out += end + ": no marker for this link (alias \"" + i->alias + "\")\n";
      if (!i->admin_up) out += end + ": down\n";
      if (i->mtu != l.mtu) out += end + ": mtu " + std::to_string(i->mtu) + " != " + std::to_string(l.mtu) + "\n";
      if (!e->mac.empty() && Lowered(i->mac) != Lowered(e->mac))
        out += end + ": mac " + i->mac + " != " + e->mac + "\n";
    }
  }
  return out;
}

std::vector<std::string> Ipv4Addresses(const std::string& container, const std::string& iface) {
  std::string out = Sh("docker exec " + container + " ip -4 -o addr show dev " + iface);
  std::vector<std::string> addrs;
  for (size_t p = out.find(" inet "); p != std::string::npos; p = out.find(" inet ", p + 1)) {
    size_t start = p + 6, end = out.find(' ', start);
    addrs.push_back(out.substr(start, end - start));
  }
  std::sort(addrs.begin(), addrs.end());
  return addrs;
}

}  // namespace lk::test

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

namespace lk::test {

int ConnectLoopback(int port, int timeout_s) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{timeout_s, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace lk::test

// --- OwnEngine, ScopedEnv --------------------------------------------------------------------

namespace lk::test {

OwnEngine::OwnEngine(const std::string& name) : ns_("lktest-" + name) {
  Sh("ip -n " + ns_.name() + " link set lo up");
}

OwnEngine::~OwnEngine() {
  if (running()) {
    Docker("ps -aq | xargs -r docker -H " + host() + " rm -f >/dev/null 2>&1");
    Stop(60);
  }
  // dockerd unmounts what it mounted when it stops; anything left (a killed engine) goes here.
  Sh("grep -o ' " + dir_.path() + "/[^ ]*' /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null");
}

bool OwnEngine::Start(int timeout_s) {
  const std::string& d = dir_.path();
  std::string cmd = "exec nsenter --net=/run/netns/" + ns_.name() + " dockerd --data-root " + d + "/data --exec-root " +
                    d + "/exec -H " + host() + " --pidfile " + d + "/docker.pid --shutdown-timeout 2 >>" + d +
                    "/dockerd.log 2>&1";
  pid_ = fork();
  if (pid_ == 0) {
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return WaitFor(
             [&] {
               int st = 1;
               Docker("info --format '{{.ID}}'", &st);
               return st == 0 || waitpid(pid_, nullptr, WNOHANG) == pid_;
             },
             timeout_s, 250) &&
         waitpid(pid_, nullptr, WNOHANG) == 0;
}

bool OwnEngine::Stop(int timeout_s) {
  if (pid_ <= 0) return true;
  kill(pid_, SIGTERM);
  bool done = WaitFor([&] { return waitpid(pid_, nullptr, WNOHANG) == pid_; }, timeout_s, 100);
  if (!done) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  return done;
}

std::string OwnEngine::Docker(const std::string& args, int* status) const {
  return Sh("docker -H " + host() + " " + args, status);
}

std::string OwnEngine::LoadImage(const std::string& image) const {
  int st = 1;
  std::string out = Sh("docker save " + image + " | docker -H " + host() + " load -q", &st);
  return st == 0 ? "" : out;
}

std::string OwnEngine::Log() const {
  return Sh("tail -30 " + dir_.path() + "/dockerd.log");
}

ScopedEnv::ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
  if (const char* v = std::getenv(name_.c_str())) old_ = v;
  setenv(name_.c_str(), value.c_str(), 1);
}

ScopedEnv::~ScopedEnv() {
  if (old_)
    setenv(name_.c_str(), old_->c_str(), 1);
  else
    unsetenv(name_.c_str());
}

}  // namespace lk::test

namespace lk::test {

std::set<std::string> Ifaces(const std::string& container) {
  std::set<std::string> out;
  std::istringstream in(Sh("docker exec " + container + " ls /sys/class/net"));
  std::string name;
  while (in >> name) out.insert(name);
  return out;
}

void LabDirTest::SetUp() {
  ASSERT_TRUE(EngineAnswers());
  std::filesystem::create_directories(labs());
}

}  // namespace lk::test

namespace lk::test {

// The capabilities this machine's bounding set lacks, as --cap-drop arguments: where the engine
// cannot grant --privileged (LXC, Proxmox, this machine), the container gets all the others.
std::string CapDropsForThisMachine() {
  static const char* kNames[] = {"CHOWN",
                                 "DAC_OVERRIDE",
                                 "DAC_READ_SEARCH",
                                 "FOWNER",
                                 "FSETID",
                                 "KILL",
                                 "SETGID",
                                 "SETUID",
                                 "SETPCAP",
                                 "LINUX_IMMUTABLE",
                                 "NET_BIND_SERVICE",
                                 "NET_BROADCAST",
                                 "NET_ADMIN",
                                 "NET_RAW",
                                 "IPC_LOCK",
                                 "IPC_OWNER",
                                 "SYS_MODULE",
                                 "SYS_RAWIO",
                                 "SYS_CHROOT",
                                 "SYS_PTRACE",
                                 "SYS_PACCT",
                                 "SYS_ADMIN",
                                 "SYS_BOOT",
                                 "SYS_NICE",
                                 "SYS_RESOURCE",
                                 "SYS_TIME",
                                 "SYS_TTY_CONFIG",
                                 "MKNOD",
                                 "LEASE",
                                 "AUDIT_WRITE",
                                 "AUDIT_CONTROL",
                                 "SETFCAP",
                                 "MAC_OVERRIDE",
                                 "MAC_ADMIN",
                                 "SYSLOG",
                                 "WAKE_ALARM",
                                 "BLOCK_SUSPEND",
                                 "AUDIT_READ",
                                 "PERFMON",
                                 "BPF",
                                 "CHECKPOINT_RESTORE"};
  std::ifstream in("/proc/self/status");
  std::string line, drops;
  while (std::getline(in, line)) {
    if (line.rfind("CapBnd:", 0) != 0) continue;
    unsigned long long bnd = std::stoull(line.substr(7), nullptr, 16);
    for (int i = 0; i < 41; ++i)
      if (!(bnd & (1ULL << i))) drops += std::string(" --cap-drop ") + kNames[i];
  }
  return drops;
}

}  // namespace lk::test

namespace lk::test {

GitDaemon::GitDaemon(const std::string& base, int port, const std::string& log)
    : port_(port),
      process_("\"$(git --exec-path)/git-daemon\" --reuseaddr --export-all --listen=127.0.0.1 --port=" +
                   std::to_string(port) + " --base-path=" + base + " " + base,
               log) {}

bool GitDaemon::Listens(int timeout_s) const {
  return WaitFor(
      [&] {
        int fd = ConnectLoopback(port_, 1);
        if (fd >= 0) close(fd);
        return fd >= 0;
      },
      timeout_s, 200);
}

std::string BusyboxLab(const std::string& name, const std::vector<std::string>& nodes, const std::string& host) {
  std::string s = "name: " + name + "\ntopology:\n";
  if (!host.empty()) s += "  defaults: {labels: {labkeeper.dev/host: " + host + "}}\n";
  s += "  nodes:\n";
  for (const auto& n : nodes) s += "    " + n + ": {kind: linux, image: " + kBusyboxImage + "}\n";
  if (nodes.size() >= 2) s += "  links:\n    - endpoints: [\"" + nodes[0] + ":eth1\", \"" + nodes[1] + ":eth1\"]\n";
  return s;
}

}  // namespace lk::test
