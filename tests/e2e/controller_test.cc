// `labkeeper run` on small busybox labs: edits, bad input, backoff, crash recovery, bursts,
// ConfigMap-style symlink swaps, suspend and graceful shutdown. Every lab is named lktest-*.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/support.h"

namespace lk {
namespace {

namespace fs = std::filesystem;
using test::Ifaces;
using test::LabContainers;
using test::Sh;

using test::kBusyboxImage;

std::string Lab(const std::string& name, const std::string& nodes, const std::string& links = "") {
  return "name: " + name + "\ntopology:\n  defaults: {kind: linux, image: " + kBusyboxImage + "}\n  nodes:\n" + nodes +
         (links.empty() ? "" : "  links:\n" + links);
}

// Writes like an editor that saves through a temporary file and a rename.
void SaveAs(const std::string& path, const std::string& content) {
  std::string tmp = fs::path(path).parent_path().string() + "/.save-tmp";
  std::ofstream(tmp) << content;
  fs::rename(tmp, path);
}

bool HasIface(const std::string& container, const std::string& iface) {
  int st = 1;
  Sh("docker exec " + container + " ip link show " + iface, &st);
  return st == 0;
}

class ControllerTest : public test::LabDirTest {};

TEST_F(ControllerTest, EditsChangeExactlyWhatTheyTouch) {
  test::LabGuard guard("lktest-edit"), keep_guard("lktest-keep");
  std::string file = labs() + "/edit.clab.yml";
  std::string links = "    - endpoints: [\"a:eth1\", \"b:eth1\"]\n    - endpoints: [\"b:eth2\", \"c:eth1\"]\n";
  SaveAs(file, Lab("lktest-edit", "    a: {}\n    b: {}\n    c: {}\n", links));
  test::ControllerProcess c(labs(), state());
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-edit", "Ready", "True", test::kStartBound)) << c.Log();
  auto ids0 = LabContainers("lktest-edit");
  ASSERT_EQ(ids0.size(), 3u);

  // Adding a node and a link creates only those.
  SaveAs(file, Lab("lktest-edit", "    a: {}\n    b: {}\n    c: {}\n    d: {}\n",
                   links + "    - endpoints: [\"c:eth2\", \"d:eth1\"]\n"));
  ASSERT_TRUE(test::WaitFor([] { return HasIface("clab-lktest-edit-d", "eth1"); }, test::kStartBound, 250)) << c.Log();
  ASSERT_TRUE(c.WaitCondition("lktest-edit", "Ready", "True", test::kStartBound));
  auto ids1 = LabContainers("lktest-edit");
  for (const auto& [name, id] : ids0) EXPECT_EQ(ids1[name], id) << name << " was recreated";
  EXPECT_TRUE(HasIface("clab-lktest-edit-c", "eth2"));

  // Changing one node's env recreates only that node, and relinks it.
  SaveAs(file, Lab("lktest-edit", "    a: {}\n    b: {env: {COLOR: blue}}\n    c: {}\n    d: {}\n",
                   links + "    - endpoints: [\"c:eth2\", \"d:eth1\"]\n"));
  ASSERT_TRUE(
      test::WaitFor([&] { return LabContainers("lktest-edit")["clab-lktest-edit-b"] != ids1["clab-lktest-edit-b"]; },
                    test::kStartBound, 250));
  ASSERT_TRUE(c.WaitCondition("lktest-edit", "Ready", "True", test::kStartBound));
  auto ids2 = LabContainers("lktest-edit");
  for (const char* n : {"clab-lktest-edit-a", "clab-lktest-edit-c", "clab-lktest-edit-d"})
    EXPECT_EQ(ids2[n], ids1[n]) << n;
  EXPECT_NE(Sh("docker exec clab-lktest-edit-b env").find("COLOR=blue"), std::string::npos);
  for (auto [ctr, i] : {std::pair{"clab-lktest-edit-a", "eth1"},
                        {"clab-lktest-edit-b", "eth1"},
                        {"clab-lktest-edit-b", "eth2"},
                        {"clab-lktest-edit-c", "eth1"}})
    EXPECT_TRUE(HasIface(ctr, i)) << ctr << " " << i;

  // Removing a link deletes its interfaces only.
  SaveAs(file, Lab("lktest-edit", "    a: {}\n    b: {env: {COLOR: blue}}\n    c: {}\n    d: {}\n", links));
  ASSERT_TRUE(test::WaitFor([] { return !HasIface("clab-lktest-edit-c", "eth2"); }, test::kStartBound, 250)) << c.Log();
  EXPECT_FALSE(HasIface("clab-lktest-edit-d", "eth1"));
  EXPECT_TRUE(HasIface("clab-lktest-edit-c", "eth1"));
  EXPECT_EQ(LabContainers("lktest-edit"), ids2);

  // prune: false keeps a lab whose file is deleted.
  std::string keep = labs() + "/keep.lab.yml";
  SaveAs(keep,
         "apiVersion: labkeeper.dev/v1alpha1\nkind: Lab\nmetadata: {name: lktest-keep}\nspec:\n  prune: false\n"
         "  topology:\n    nodes:\n      k: {kind: linux, image: " +
             std::string(kBusyboxImage) + "}\n");
  ASSERT_TRUE(c.WaitCondition("lktest-keep", "Ready", "True", test::kStartBound)) << c.Log();
  auto kept = LabContainers("lktest-keep");
  fs::remove(keep);
  EXPECT_TRUE(
      test::WaitFor([&] { return c.Log().find("lab lktest-keep: file deleted; prune: false") != std::string::npos; },
                    test::kStartBound, 250));

  // Deleting the file prunes the lab.
  fs::remove(file);
  EXPECT_TRUE(test::WaitFor([] { return LabContainers("lktest-edit").empty(); }, test::kStartBound, 250)) << c.Log();
  EXPECT_EQ(LabContainers("lktest-keep"), kept) << "prune: false";
}

TEST_F(ControllerTest, AMalformedEditStallsOnlyItsLabUntilFixed) {
  test::LabGuard g1("lktest-stall"), g2("lktest-other");
  std::string file = labs() + "/stall.clab.yml";
  std::string good = Lab("lktest-stall", "    a: {}\n    b: {}\n", "    - endpoints: [\"a:eth1\", \"b:eth1\"]\n");
  SaveAs(file, good);
  SaveAs(labs() + "/other.clab.yml", Lab("lktest-other", "    x: {}\n"));
  test::ControllerProcess c(labs(), state());
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-stall", "Ready", "True", test::kStartBound)) << c.Log();
  ASSERT_TRUE(c.WaitCondition("lktest-other", "Ready", "True", test::kStartBound));
  auto ids = LabContainers("lktest-stall");

  SaveAs(file, "name: lktest-stall\ntopology:\n  nodes:\n    a: {kind: linux, image: " + std::string(kBusyboxImage) +
                   "\n    b: {}\n");  // an unclosed flow mapping
  ASSERT_TRUE(c.WaitCondition("lktest-stall", "Stalled", "True", test::kPassBound)) << c.Log();
  std::string msg = c.ConditionMessage("lktest-stall", "Stalled");
  EXPECT_NE(msg.find(file + ":"), std::string::npos) << msg;
  EXPECT_NE(msg.find("YAML syntax error"), std::string::npos) << msg;
  EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(msg[file.size() + 1]))) << "file:line:column\n" << msg;
  EXPECT_EQ(LabContainers("lktest-stall"), ids) << "the running lab was touched";

  // The other lab still reconciles while this one is stalled.
  Sh("docker stop clab-lktest-other-x");
  EXPECT_TRUE(test::WaitFor([] { return Sh("docker inspect -f '{{.State.Running}}' clab-lktest-other-x") == "true\n"; },
                            test::kStartBound, 250));
  EXPECT_EQ(LabContainers("lktest-stall"), ids);

  SaveAs(file, good);
  EXPECT_TRUE(c.WaitCondition("lktest-stall", "Stalled", "False", test::kPassBound)) << c.Log();
  EXPECT_TRUE(c.WaitCondition("lktest-stall", "Ready", "True", test::kStartBound));
  EXPECT_EQ(LabContainers("lktest-stall"), ids);
}

TEST_F(ControllerTest, AMissingImageRetriesWithGrowingDelaysWhileOtherLabsConverge) {
  // A registry on a closed loopback port: every pull fails at once and sends nothing out.
  const std::string later = "127.0.0.1:1/lktest/later:1";
  Sh("docker rmi " + later);
  struct Untag {
    std::string ref;
    ~Untag() { Sh("docker rmi " + ref); }
  } untag{later};
  test::LabGuard g1("lktest-good"), g2("lktest-late");
  SaveAs(labs() + "/good.clab.yml", Lab("lktest-good", "    g: {}\n"));
  SaveAs(labs() + "/late.clab.yml",
         "name: lktest-late\ntopology:\n  nodes:\n    l: {kind: linux, image: \"" + later + "\"}\n");
  test::ControllerProcess c(labs(), state());
  c.Start();
  EXPECT_TRUE(c.WaitCondition("lktest-good", "Ready", "True", test::kStartBound)) << c.Log();
  auto failures = [&] {
    std::vector<std::string> out;
    auto l = c.Lab("lktest-late");
    if (l.is_object())
      for (const auto& e : l["events"])
        if (e["reason"] == "ReconcileFailed") out.push_back(e["message"]);
    return out;
  };
  ASSERT_TRUE(test::WaitFor([&] { return failures().size() >= 4; }, test::kStartBound, 250)) << c.Log();
  auto f = failures();
  EXPECT_NE(f[0].find("retrying in 1 s"), std::string::npos) << f[0];
  EXPECT_NE(f[1].find("retrying in 2 s"), std::string::npos) << f[1];
  EXPECT_NE(f[2].find("retrying in 4 s"), std::string::npos) << f[2];
  EXPECT_NE(f[3].find("retrying in 8 s"), std::string::npos) << f[3];
  EXPECT_NE(f[0].find("node/l: image " + later + " is not present locally and could not be pulled"), std::string::npos)
      << f[0];
  EXPECT_EQ(c.Condition("lktest-late", "Ready"), "False");
  EXPECT_EQ(c.Condition("lktest-good", "Ready"), "True");

  // The image appears: the next retry converges.
  Sh(std::string("docker tag ") + kBusyboxImage + " " + later);
  EXPECT_TRUE(c.WaitCondition("lktest-late", "Ready", "True", test::kStartBound)) << c.Log();
  EXPECT_EQ(LabContainers("lktest-late").size(), 1u);
}

TEST_F(ControllerTest, KillNineMidBringUpThenRestartConverges) {
  test::LabGuard guard("lktest-kill");
  std::string nodes, links;
  for (int i = 1; i <= 20; ++i) nodes += "    n" + std::to_string(i) + ": {}\n";
  for (int i = 2; i <= 20; ++i)
    links += "    - endpoints: [\"n" + std::to_string(i - 1) + ":e" + std::to_string(i) + "\", \"n" +
             std::to_string(i) + ":e1\"]\n";
  SaveAs(labs() + "/kill.clab.yml", Lab("lktest-kill", nodes, links));
  {
    test::ControllerProcess first(labs(), state(), "--max-workers 2");
    first.Start();
    ASSERT_TRUE(test::WaitFor([] { return LabContainers("lktest-kill").size() >= 6; }, test::kStartBound, 20));
    first.Signal(SIGKILL);
    first.Wait(30);
  }
  size_t at_kill = LabContainers("lktest-kill").size();
  test::ControllerProcess second(labs(), state());
  second.Start();
  ASSERT_TRUE(second.WaitCondition("lktest-kill", "Ready", "True", test::kStartBound)) << second.Log();
  auto ids = LabContainers("lktest-kill");
  EXPECT_EQ(ids.size(), 20u) << "exactly one container per node (" << at_kill << " existed at the kill)";
  for (int i = 1; i <= 20; ++i) {
    std::string ctr = "clab-lktest-kill-n" + std::to_string(i);
    std::set<std::string> want = {"lo", "eth0"};
    if (i > 1) want.insert("e1");
    if (i < 20) want.insert("e" + std::to_string(i + 1));
    EXPECT_EQ(Ifaces(ctr), want) << ctr << ": a stray or missing interface";
  }
  EXPECT_EQ(Sh("ip -o link show | grep -c ' lkt' || true"), "0\n") << "stray temporary interfaces on the host";
}

TEST_F(ControllerTest, HundredRapidRewritesEndInTheLastStateInFewPasses) {
  test::LabGuard guard("lktest-burst");
  std::string file = labs() + "/burst.clab.yml";
  SaveAs(file, Lab("lktest-burst", "    n: {env: {GEN: \"0\"}}\n"));
  test::ControllerProcess c(labs(), state());
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-burst", "Ready", "True", test::kStartBound)) << c.Log();
  uint64_t before = c.Lab("lktest-burst")["reconciles"];
  for (int i = 1; i <= 100; ++i) {
    std::ofstream(file) << Lab("lktest-burst", "    n: {env: {GEN: \"" + std::to_string(i) + "\"}}\n");
  }
  EXPECT_TRUE(
      test::WaitFor([] { return Sh("docker exec clab-lktest-burst-n env").find("GEN=100\n") != std::string::npos; },
                    test::kStartBound, 250))
      << c.Log();
  ASSERT_TRUE(c.WaitCondition("lktest-burst", "Ready", "True", test::kStartBound));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  uint64_t passes = c.Lab("lktest-burst")["reconciles"].get<uint64_t>() - before;
  std::cout << "100 rewrites took " << passes << " reconcile passes\n";
  EXPECT_LT(passes, 20u);
  EXPECT_EQ(LabContainers("lktest-burst").size(), 1u);
}

TEST_F(ControllerTest, ConfigMapStyleSymlinkSwapIsPickedUp) {
  test::LabGuard guard("lktest-cm");
  // The layout of a Kubernetes ConfigMap volume: files are symlinks through ..data, which is
  // swapped atomically to a new timestamped directory on every update.
  fs::create_directories(labs() + "/..2026_01");
  std::ofstream(labs() + "/..2026_01/cm.clab.yml") << Lab("lktest-cm", "    one: {}\n");
  fs::create_directory_symlink("..2026_01", labs() + "/..data");
  fs::create_symlink("..data/cm.clab.yml", labs() + "/cm.clab.yml");
  test::ControllerProcess c(labs(), state());
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-cm", "Ready", "True", test::kStartBound)) << c.Log();
  EXPECT_EQ(LabContainers("lktest-cm").size(), 1u);

  fs::create_directories(labs() + "/..2026_02");
  std::ofstream(labs() + "/..2026_02/cm.clab.yml") << Lab("lktest-cm", "    one: {}\n    two: {}\n");
  fs::create_directory_symlink("..2026_02", labs() + "/..data_tmp");
  fs::rename(labs() + "/..data_tmp", labs() + "/..data");  // rename(2): atomic
  EXPECT_TRUE(test::WaitFor([] { return LabContainers("lktest-cm").size() == 2; }, test::kStartBound, 250)) << c.Log();
  EXPECT_TRUE(c.WaitCondition("lktest-cm", "Ready", "True", test::kStartBound));
}

TEST_F(ControllerTest, ASuspendedLabIsNotChangedAndResumingRepairsIt) {
  test::LabGuard guard("lktest-susp");
  std::string file = labs() + "/susp.lab.yml";
  auto lab = [&](const std::string& suspend) {
    return "apiVersion: labkeeper.dev/v1alpha1\nkind: Lab\nmetadata: {name: lktest-susp}\nspec:\n  suspend: " +
           suspend + "\n  topology:\n    nodes:\n      a: {kind: linux, image: " + kBusyboxImage + "}\n";
  };
  SaveAs(file, lab("false"));
  test::ControllerProcess c(labs(), state(), "--resync 1s");
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-susp", "Ready", "True", test::kStartBound)) << c.Log();
  SaveAs(file, lab("true"));
  ASSERT_TRUE(c.WaitCondition("lktest-susp", "Suspended", "True", test::kPassBound)) << c.Log();
  Sh("docker stop clab-lktest-susp-a");
  uint64_t passes = c.Lab("lktest-susp")["reconciles"];
  ASSERT_TRUE(test::WaitFor([&] { return c.Lab("lktest-susp")["reconciles"].get<uint64_t>() >= passes + 3; },
                            test::kStartBound, 250));
  EXPECT_EQ(Sh("docker inspect -f '{{.State.Running}}' clab-lktest-susp-a"), "false\n")
      << "a suspended lab was changed";
  EXPECT_EQ(c.Condition("lktest-susp", "Ready"), "False") << "status still updates while suspended";

  SaveAs(file, lab("false"));
  EXPECT_TRUE(test::WaitFor([] { return Sh("docker inspect -f '{{.State.Running}}' clab-lktest-susp-a") == "true\n"; },
                            test::kStartBound, 250))
      << c.Log();
  EXPECT_TRUE(c.WaitCondition("lktest-susp", "Suspended", "False", test::kPassBound));
  EXPECT_TRUE(c.WaitCondition("lktest-susp", "Ready", "True", test::kStartBound));
}

TEST_F(ControllerTest, SigtermDuringReconcilingExitsZeroAndLeavesLabsRunning) {
  test::LabGuard g1("lktest-calm"), g2("lktest-busy");
  SaveAs(labs() + "/calm.clab.yml",
         Lab("lktest-calm", "    a: {}\n    b: {}\n", "    - endpoints: [\"a:eth1\", \"b:eth1\"]\n"));
  test::ControllerProcess c(labs(), state(), "--max-workers 2");
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-calm", "Ready", "True", test::kStartBound)) << c.Log();
  std::string nodes;
  for (int i = 1; i <= 12; ++i) nodes += "    n" + std::to_string(i) + ": {}\n";
  SaveAs(labs() + "/busy.clab.yml", Lab("lktest-busy", nodes));
  ASSERT_TRUE(test::WaitFor([] { return !LabContainers("lktest-busy").empty(); }, test::kStartBound, 20));
  c.Signal(SIGTERM);
  EXPECT_EQ(c.Wait(120), 0) << c.Log();
  EXPECT_NE(c.Log().find("received SIGTERM"), std::string::npos);
  for (const auto& lab : {"lktest-calm", "lktest-busy"})
    for (const auto& [name, id] : LabContainers(lab))
      EXPECT_EQ(Sh("docker inspect -f '{{.State.Running}}' " + name), "true\n") << name;
  EXPECT_EQ(LabContainers("lktest-calm").size(), 2u);
  EXPECT_TRUE(HasIface("clab-lktest-calm-a", "eth1"));
}

// A template's vars file and an env-file are what the lab is built from: editing only them
// changes the lab. The vars file sits beside the template (inotify sees it); the env-file lives
// outside the watched directory, where only the periodic resync looks.
TEST_F(ControllerTest, VarsFileAndEnvFilesAreInputsOfTheirLab) {
  test::LabGuard guard("lktest-inputs");
  fs::create_directories(dir_.path() + "/outside");
  std::string env_file = dir_.path() + "/outside/n1.env";
  std::ofstream(env_file) << "GREETING=first\n";
  std::string vars = labs() + "/inputs.clab_vars.yaml";
  std::ofstream(vars) << "num: 2\n";
  std::ofstream(labs() + "/inputs.clab.gotmpl")
      << "name: lktest-inputs\ntopology:\n  defaults: {kind: linux, image: " + std::string(kBusyboxImage) +
             "}\n  nodes:\n    n1:\n      env-files: [../outside/n1.env]\n"
             "{{- range $i := seq 2 $.num }}\n    n{{ $i }}: {}\n{{- end }}\n";
  test::ControllerProcess c(labs(), state(), "--resync 2s");
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-inputs", "Ready", "True", test::kStartBound)) << c.Log();
  ASSERT_EQ(LabContainers("lktest-inputs").size(), 2u);
  auto env_of_n1 = [] { return Sh("docker inspect -f '{{json .Config.Env}}' clab-lktest-inputs-n1"); };
  EXPECT_NE(env_of_n1().find("GREETING=first"), std::string::npos) << env_of_n1();

  // Only the vars file changes: a third node appears, the others stay as they are.
  auto ids = LabContainers("lktest-inputs");
  SaveAs(vars, "num: 3\n");
  EXPECT_TRUE(test::WaitFor([] { return LabContainers("lktest-inputs").size() == 3; }, test::kPassBound, 250))
      << c.Log();
  ASSERT_TRUE(c.WaitCondition("lktest-inputs", "Ready", "True", test::kStartBound));
  auto now = LabContainers("lktest-inputs");
  EXPECT_EQ(now["clab-lktest-inputs-n1"], ids["clab-lktest-inputs-n1"]);
  EXPECT_EQ(now["clab-lktest-inputs-n2"], ids["clab-lktest-inputs-n2"]);

  // Only the env-file changes (outside the watched directory): n1 is recreated with it.
  std::ofstream(env_file) << "GREETING=second\n";
  EXPECT_TRUE(
      test::WaitFor([&] { return env_of_n1().find("GREETING=second") != std::string::npos; }, test::kPassBound, 500))
      << env_of_n1() << c.Log();
  ASSERT_TRUE(c.WaitCondition("lktest-inputs", "Ready", "True", test::kStartBound));
  EXPECT_EQ(LabContainers("lktest-inputs")["clab-lktest-inputs-n2"], ids["clab-lktest-inputs-n2"]);

  // A vars file that no longer parses stalls the lab with its position; the lab stays as it ran.
  SaveAs(vars, "num: [3\n");
  EXPECT_TRUE(c.WaitCondition("lktest-inputs", "Stalled", "True", test::kPassBound)) << c.Log();
  EXPECT_NE(c.ConditionMessage("lktest-inputs", "Stalled").find("inputs.clab_vars.yaml:"), std::string::npos)
      << c.ConditionMessage("lktest-inputs", "Stalled");
  EXPECT_EQ(LabContainers("lktest-inputs").size(), 3u);
}

// A proxy of the Docker socket that can hold every request for a while: an engine that is slow
// to answer, made without touching the engine itself.
class StallingProxy {
 public:
  StallingProxy(std::string path, std::string upstream) : path_(std::move(path)), upstream_(std::move(upstream)) {
    listen_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a = Addr(path_);
    ::unlink(path_.c_str());
    if (listen_ < 0 || ::bind(listen_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_, 64) != 0)
      throw std::runtime_error("cannot listen on " + path_);
    accept_ = std::thread([this] { AcceptLoop(); });
  }
  ~StallingProxy() {
    stop_ = true;
    if (accept_.joinable()) accept_.join();
    std::lock_guard l(mu_);
    for (auto& t : conns_)
      if (t.joinable()) t.join();
    ::close(listen_);
    ::unlink(path_.c_str());
  }
  void Hold(std::chrono::milliseconds d) { hold_ms_ = static_cast<int>(d.count()); }
  int held() const { return held_; }

 private:
  static sockaddr_un Addr(const std::string& p) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", p.c_str());
    return a;
  }
  void AcceptLoop() {
    while (!stop_) {
      pollfd p{listen_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      int c = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      std::lock_guard l(mu_);
      conns_.emplace_back([this, c] { Pump(c); });
    }
  }
  void Pump(int client) {
    int up = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a = Addr(upstream_);
    if (up < 0 || ::connect(up, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(client);
      if (up >= 0) ::close(up);
      return;
    }
    char buf[65536];
    while (!stop_) {
      pollfd p[2] = {{client, POLLIN, 0}, {up, POLLIN, 0}};
      if (::poll(p, 2, 100) <= 0) continue;
      bool closed = false;
      for (int i = 0; i < 2 && !closed; ++i) {
        if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t n = ::read(p[i].fd, buf, sizeof buf);
        if (n <= 0) {
          closed = true;
          break;
        }
        if (i == 0 && hold_ms_ > 0) {  // a request (or part of one) on its way to the engine
          ++held_;
          std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms_.load()));
        }
        for (ssize_t off = 0; off < n;) {
          ssize_t w = ::write(p[1 - i].fd, buf + off, static_cast<size_t>(n - off));
          if (w <= 0) {
            closed = true;
            break;
          }
          off += w;
        }
      }
      if (closed) break;
    }
    ::close(client);
    ::close(up);
  }

  std::string path_, upstream_;
  int listen_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> hold_ms_{0}, held_{0};
  std::thread accept_;
  std::mutex mu_;
  std::vector<std::thread> conns_;
};

// While the engine is slow to answer in the middle of a pass, the controller's readers are not:
// no engine call is made while the lock the API and /metrics take is held.
TEST_F(ControllerTest, ASlowEngineStallsNoReaderOfTheController) {
  test::LabGuard guard("lktest-slow");
  const char* host = std::getenv("DOCKER_HOST");
  std::string upstream =
      host && std::string(host).rfind("unix://", 0) == 0 ? std::string(host).substr(7) : "/var/run/docker.sock";
  StallingProxy proxy(dir_.path() + "/docker.sock", upstream);
  SaveAs(labs() + "/slow.clab.yml",
         Lab("lktest-slow", "    a: {}\n    b: {}\n", "    - endpoints: [\"a:eth1\", \"b:eth1\"]\n"));
  const std::string api = "http://127.0.0.1:29589";
  test::ControllerProcess c(labs(), state(), "--listen 127.0.0.1:29589");
  c.SetEnv("DOCKER_HOST", "unix://" + dir_.path() + "/docker.sock");
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-slow", "Ready", "True", test::kStartBound)) << c.Log();
  uint64_t passes = c.Lab("lktest-slow")["reconciles"].get<uint64_t>();

  // Every request to the engine now waits 3 s; a pass is asked for and runs into that.
  proxy.Hold(std::chrono::seconds(3));
  Sh("curl -s -X POST " + api + "/api/v1/labs/lktest-slow/reconcile");
  struct Slowest {
    double seconds = 0;
    std::string what;
  } slowest;
  auto timed = [&](const std::string& path) {
    auto t0 = std::chrono::steady_clock::now();
    int st = 1;
    std::string out = Sh("curl -s -f --max-time 30 -o /dev/null " + api + path, &st);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(st, 0) << path << ": " << out;
    if (s > slowest.seconds) slowest = {s, path};
  };
  // Through the whole stalled pass (until its result is written), and a little after.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(test::kStartBound);
  int rounds = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    for (const char* path : {"/healthz", "/api/v1/labs", "/metrics"}) timed(path);
    ++rounds;
    auto lab = c.Lab("lktest-slow");
    if (lab.is_object() && lab["reconciles"].get<uint64_t>() > passes && proxy.held() > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (int i = 0; i < 5; ++i)
    for (const char* path : {"/healthz", "/api/v1/labs", "/metrics"}) timed(path);
  EXPECT_GT(proxy.held(), 0) << "the pass never asked the engine anything";
  EXPECT_GT(c.Lab("lktest-slow")["reconciles"].get<uint64_t>(), passes) << "no pass finished while the engine was slow";
  EXPECT_LT(slowest.seconds, 1.0) << slowest.what << " waited for the engine (" << rounds << " rounds)";
  proxy.Hold(std::chrono::milliseconds(0));
  EXPECT_TRUE(c.WaitCondition("lktest-slow", "Ready", "True", test::kPassBound)) << c.Log();
}

// Hostile files in the watched directory, next to a healthy lab: the controller stays up with
// bounded memory, says what is wrong with each file, and keeps repairing the healthy lab.
TEST_F(ControllerTest, HostileFilesNeverTakeTheControllerDown) {
  test::LabGuard guard("lktest-healthy");
  SaveAs(labs() + "/healthy.clab.yml",
         Lab("lktest-healthy", "    a: {}\n    b: {}\n", "    - endpoints: [\"a:eth1\", \"b:eth1\"]\n"));
  auto write = [&](const std::string& name, const std::string& content) {
    std::ofstream(labs() + "/" + name) << content;
  };
  std::map<std::string, std::string> hostile;  // file -> what its error must say
  write("comma.lab.yml", ",");                 // yaml-cpp 0.7's LoadAll never returns on it
  hostile["comma.lab.yml"] = "the file holds no Lab document";
  std::string garbage;
  uint32_t x = 2463534242u;
  for (int i = 0; i < 4096; ++i) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    garbage += static_cast<char>(x & 0xff);
  }
  write("garbage.clab.yml", garbage);
  hostile["garbage.clab.yml"] = "";
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string p = "*a" + std::to_string(i - 1);
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + p + ", " + p + ", " + p + ", " + p + ", " +
            p + ", " + p + ", " + p + ", " + p + ", " + p + "]\n";
  }
  write("bomb.clab_vars.yaml", bomb);
  write("bomb.clab.gotmpl", "name: lktest-bomb\n# {{ len .a9 }}\ntopology: {nodes: {}}\n");
  hostile["bomb.clab.gotmpl"] = "aliases included; the limit";
  write("bomb2.clab.yml", "name: lktest-bomb2\n" + bomb + "topology:\n  nodes:\n    n: {kind: linux, image: x}\n");
  hostile["bomb2.clab.yml"] = "aliases included; the limit";  // counted before any key is read
  write("seq.clab.gotmpl", "name: lktest-seq\n{{ range seq 5 0 1 }}{{ end }}\n");
  hostile["seq.clab.gotmpl"] = "seq: a step of 0 never reaches the end";
  write("big.clab.gotmpl", "name: lktest-big\n{{ 1e30 }}: {{ printf \"%d\" 1e30 }}\n");
  hostile["big.clab.gotmpl"] = "too large for an integer";
  {
    std::ofstream huge(labs() + "/huge.clab.yml");
    std::string line(1023, '#');
    line += '\n';
    for (int i = 0; i < 100 * 1024; ++i) huge << line;  // 100 MiB
  }
  hostile["huge.clab.yml"] = "over the limit of 8 MiB";
  fs::create_symlink("loop.clab.yml", labs() + "/loop.clab.yml");
  hostile["loop.clab.yml"] = "cannot read the file";
  fs::create_symlink(dir_.path() + "/nothing-here", labs() + "/gone.lab.yml");
  hostile["gone.lab.yml"] = "cannot read the file";
  fs::create_directories(labs() + "/x.clab.yml");
  hostile["x.clab.yml"] = "not a regular file (a directory)";
  ASSERT_EQ(Sh("mkfifo " + labs() + "/y.lab.yml"), "");
  hostile["y.lab.yml"] = "not a regular file (a FIFO)";

  test::ControllerProcess c(labs(), state(), "--resync 3s");
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-healthy", "Ready", "True", test::kStartBound)) << c.Log();
  auto errors_of = [&](const std::string& file) -> std::string {
    std::string path = labs() + "/" + file;
    auto st = c.Status();
    if (!st.is_object()) return "";
    for (const auto& m : st["manifestErrors"])
      if (m["file"] == path) return m["errors"].get<std::string>();
    for (const auto& l : st["labs"])
      if (l["file"] == path)
        for (const auto& cond : l["conditions"])
          if (cond["type"] == "Stalled" && cond["status"] == "True") return cond["message"].get<std::string>();
    return "";
  };
  for (const auto& [file, says] : hostile) {
    std::string e;
    EXPECT_TRUE(test::WaitFor([&] { return !(e = errors_of(file)).empty(); }, test::kPassBound, 250))
        << file << " has no error in the status";
    EXPECT_NE(e.find(says), std::string::npos) << file << ": " << e;
    std::string at = file == "bomb.clab.gotmpl" ? "bomb.clab_vars.yaml" : file;  // the bomb is in the vars file
    EXPECT_NE(e.find(labs() + "/" + at + ":"), std::string::npos) << file << ": the error names no position: " << e;
  }
  // The lab the bad topology file names is Stalled with its reason; nothing of it was made.
  EXPECT_EQ(c.Condition("lktest-bomb2", "Stalled"), "True");
  EXPECT_TRUE(LabContainers("lktest-bomb2").empty());

  // Still up, memory bounded, and still repairing the healthy lab through several resyncs.
  ASSERT_EQ(::kill(c.pid(), 0), 0) << c.Log();
  std::string before = LabContainers("lktest-healthy")["clab-lktest-healthy-a"];
  ASSERT_EQ(Sh("docker restart -t 1 clab-lktest-healthy-a >/dev/null && echo ok"), "ok\n");
  EXPECT_TRUE(test::WaitFor([] { return HasIface("clab-lktest-healthy-a", "eth1"); }, test::kStartBound, 250))
      << c.Log();
  EXPECT_TRUE(c.WaitCondition("lktest-healthy", "Ready", "True", test::kStartBound));
  std::this_thread::sleep_for(std::chrono::seconds(7));  // two more resyncs over every file
  ASSERT_EQ(::kill(c.pid(), 0), 0) << c.Log();
  std::string vm = Sh("grep VmHWM /proc/" + std::to_string(c.pid()) + "/status");
  long peak_kb = std::atol(vm.substr(vm.find(':') + 1).c_str());
  EXPECT_LT(peak_kb, 1024L * 1024) << "peak memory " << vm;
  std::cout << "controller peak memory with hostile files: " << test::Trim(vm) << "\n";
  Sh("rm -f " + labs() + "/y.lab.yml");
}

}  // namespace
}  // namespace lk
