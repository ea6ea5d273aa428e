// Faults of the world under a running controller: its Docker engine restarted, the controller
// itself killed with SIGKILL at random moments of bring-up and repair, and a state directory that
// is full or read-only. Every lab is named lktest-*; the engine of the first test is the test's own.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "api/topology_codec.h"
#include "tests/support/support.h"

namespace lk {
namespace {

namespace fs = std::filesystem;
using test::Ifaces;
using test::LabContainers;
using test::Sh;

using test::kBusyboxImage;

// A ring of `n` busybox nodes n1..nN, each linked to the next on eth1 and to the previous on eth2.
std::string Ring(const std::string& name, int n) {
  std::string text =
      "name: " + name + "\ntopology:\n  defaults: {kind: linux, image: " + kBusyboxImage + "}\n  nodes:\n";
  for (int i = 1; i <= n; ++i) text += "    n" + std::to_string(i) + ": {}\n";
  text += "  links:\n";
  for (int i = 1; i <= n; ++i)
    text += "    - endpoints: [\"n" + std::to_string(i) + ":eth1\", \"n" + std::to_string(i % n + 1) + ":eth2\"]\n";
  return text;
}

// What is wrong with a ring lab as the engine and the kernel show it, one line each: not exactly
// one running container per node, an interface missing or extra in a container, a veth link
// that is not as the spec says, or an interface of the lab's (a temporary lkt* name or the lab's
// marker) left in the namespace of the host or of `engine_netns`.
std::string RingProblems(const LabSpec& lab, const std::string& engine_netns = "") {
  std::string out;
  auto ids = LabContainers(lab.name);
  if (ids.size() != lab.nodes.size())
    out += std::to_string(ids.size()) + " containers for " + std::to_string(lab.nodes.size()) + " nodes\n";
  for (const auto& n : lab.nodes) {
    std::string ctr = lab.ContainerName(n.name);
    if (test::Trim(Sh("docker inspect -f '{{.State.Running}}' " + ctr + " 2>&1")) != "true") {
      out += ctr + " is not running\n";
      continue;
    }
    std::set<std::string> want = {"lo", "eth0", "eth1", "eth2"};
    if (Ifaces(ctr) != want) out += ctr + ": interfaces are not exactly lo, eth0, eth1, eth2\n";
  }
  out += test::VethLinkProblems(lab);
  std::string grep = " -o link show | grep -c -e ' lkt' -e 'labkeeper lab=" + lab.name + " ' || true";
  if (test::Trim(Sh("ip" + grep)) != "0") out += "an interface of the lab is left in the host's namespace\n";
  if (!engine_netns.empty() && test::Trim(Sh("ip -n " + engine_netns + grep)) != "0")
    out += "an interface of the lab is left in the engine's namespace\n";
  return out;
}

LabSpec Spec(const std::string& text, const std::string& path) {
  auto r = LoadTopologyText(text, path);
  if (!r.lab) throw std::runtime_error(path + ": " + r.ErrorText());
  return *r.lab;
}

class Faults : public test::LabDirTest {};

TEST_F(Faults, TheEngineRestartedUnderTheControllerComesBackWhole) {
  test::OwnEngine engine("faults");
  ASSERT_TRUE(engine.Start(test::kStartBound)) << engine.Log();
  ASSERT_EQ(engine.LoadImage(kBusyboxImage), "");
  test::ScopedEnv docker_host("DOCKER_HOST", engine.host());  // docker and the helpers use this engine
  std::string text = Ring("lktest-engine", 3);
  std::string file = labs() + "/engine.clab.yml";
  std::ofstream(file) << text;
  LabSpec spec = Spec(text, file);

  test::ControllerProcess c(labs(), state(), "--listen 127.0.0.1:29594 --resync 5s");
  c.SetEnv("DOCKER_HOST", engine.host());
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-engine", "Ready", "True", test::kStartBound)) << c.Log();
  ASSERT_EQ(RingProblems(spec, engine.netns()), "");

  // The engine goes away (its containers stop with it) and comes back.
  ASSERT_TRUE(engine.Stop(test::kStartBound)) << engine.Log();
  EXPECT_TRUE(test::WaitFor([&] { return c.Condition("lktest-engine", "Ready") == "False"; }, test::kPassBound, 250))
      << "the lab stayed Ready with no engine\n"
      << c.Log();
  ASSERT_EQ(::kill(c.pid(), 0), 0) << "the controller died with its engine\n" << c.Log();
  ASSERT_TRUE(engine.Start(test::kStartBound)) << engine.Log();

  // Every node runs again with its links, with no second container and nothing left over.
  std::string problems;
  EXPECT_TRUE(test::WaitFor(
      [&] {
        problems = RingProblems(spec, engine.netns());
        return problems.empty() && c.Condition("lktest-engine", "Ready") == "True";
      },
      test::kStartBound, 500))
      << problems << c.Log();
  ASSERT_EQ(::kill(c.pid(), 0), 0) << c.Log();
  EXPECT_NE(c.Log().find("docker events:"), std::string::npos) << "the lost event stream was not reported";
}

TEST_F(Faults, KillNineAtTwentyRandomMomentsOfBringUpAndRepairConvergesEveryTime) {
  test::LabGuard guard("lktest-nine");
  std::string text = Ring("lktest-nine", 6);
  std::string file = labs() + "/nine.clab.yml";
  std::ofstream(file) << text;
  LabSpec spec = Spec(text, file);
  // The moments are random; the seed is printed, and LABKEEPER_FAULT_SEED replays a run.
  const char* fixed = std::getenv("LABKEEPER_FAULT_SEED");
  unsigned seed = fixed ? static_cast<unsigned>(std::strtoul(fixed, nullptr, 10)) : std::random_device{}();
  std::cout << "fault seed " << seed << " (LABKEEPER_FAULT_SEED=" << seed << " replays it)\n";
  std::mt19937 rng(seed);
  const std::string args = "--listen 127.0.0.1:29595 --max-workers 2";
  {
    test::ControllerProcess c(labs(), state(), args);
    c.Start();
    ASSERT_TRUE(c.WaitCondition("lktest-nine", "Ready", "True", test::kStartBound)) << c.Log();
  }
  ASSERT_EQ(RingProblems(spec), "");

  const std::string a = spec.ContainerName("n1"), b = spec.ContainerName("n2");
  struct Drift {
    std::string what, how;
    double seconds = 0;  // from the controller's start to the lab Ready, undisturbed
  };
  std::vector<Drift> drifts = {
      {"every container removed (bring-up)",
       "docker ps -aq --filter label=containerlab=lktest-nine | xargs -r docker rm -f"},
      {"a container removed", "docker rm -f " + a},
      {"a container restarted", "docker restart -t 0 " + b},
      {"a link end deleted", "docker exec " + a + " ip link del eth1"},
      {"an interface set down and its MTU changed",
       "docker exec " + b + " sh -c 'ip link set eth2 down; ip link set eth2 mtu 1400'"},
  };
  // Each drift is timed once undisturbed: its kills are drawn from that window, so they land while
  // the controller works on it, whatever the speed of the machine.
  for (auto& d : drifts) {
    Sh(d.how + " >/dev/null 2>&1");
    test::ControllerProcess c(labs(), state(), args);
    auto t0 = std::chrono::steady_clock::now();
    c.Start();
    ASSERT_TRUE(test::WaitFor([&] { return c.Condition("lktest-nine", "Ready") == "True"; }, test::kStartBound, 20))
        << d.what << "\n"
        << c.Log();
    d.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_EQ(RingProblems(spec), "") << d.what;
  }
  int before_ready = 0;
  for (int round = 0; round < 20; ++round) {
    const Drift& d = drifts[static_cast<size_t>(round) % drifts.size()];
    Sh(d.how + " >/dev/null 2>&1");
    double at = std::uniform_real_distribution<double>(0.0, d.seconds)(rng);
    std::string at_kill;
    {
      test::ControllerProcess first(labs(), state(), args);
      first.Start();
      std::this_thread::sleep_for(std::chrono::duration<double>(at));
      first.Signal(SIGKILL);
      first.Wait(30);
      bool ready = first.Condition("lktest-nine", "Ready") == "True";
      before_ready += ready ? 0 : 1;
      at_kill = std::to_string(LabContainers("lktest-nine").size()) + " containers, " +
                (ready ? "after the lab was Ready" : "before the lab was Ready");
    }
    test::ControllerProcess second(labs(), state(), args);
    second.Start();
    std::string problems;
    bool converged = second.WaitCondition("lktest-nine", "Ready", "True", test::kStartBound) &&
                     test::WaitFor([&] { return (problems = RingProblems(spec)).empty(); }, test::kPassBound, 500);
    EXPECT_TRUE(converged) << "round " << round << " (" << d.what << ", killed after " << at << " s, seed " << seed
                           << "):\n"
                           << problems << second.Log();
    std::cout << "round " << round << ": " << d.what << ", killed after " << at << " of " << d.seconds << " s ("
              << at_kill << "), converged again\n";
    if (!converged) break;
  }
  std::cout << before_ready << " of 20 kills came before the lab was Ready again\n";
  // A kill between creating and removing the privilege probe leaves it; the next start removes it.
  EXPECT_EQ(Sh("docker ps -aq --filter label=labkeeper.dev/probe=privileges | wc -l"), "0\n")
      << "a killed controller's privilege probe container is left";
}

// A tmpfs of the test's own, unmounted on destruction.
class ScopedTmpfs {
 public:
  ScopedTmpfs(std::string path, const std::string& size) : path_(std::move(path)) {
    fs::create_directories(path_);
    int st = 1;
    error = Sh("mount -t tmpfs -o size=" + size + " lktest-state " + path_, &st);
    if (st == 0) error.clear();
  }
  ~ScopedTmpfs() { Sh("umount " + path_ + " || umount -l " + path_); }
  std::string error;

 private:
  std::string path_;
};

TEST_F(Faults, AFullOrReadOnlyStateDirectoryStopsNoReconciling) {
  test::LabGuard guard("lktest-state");
  std::string full = dir_.path() + "/full";
  ScopedTmpfs tmpfs(full, "256k");
  ASSERT_EQ(tmpfs.error, "");
  std::string text = Ring("lktest-state", 2);
  std::ofstream(labs() + "/state.clab.yml") << text;
  LabSpec spec = Spec(text, labs() + "/state.clab.yml");
  const std::string api = "http://127.0.0.1:29593";
  test::ControllerProcess c(labs(), state(), "--listen 127.0.0.1:29593 --resync 3s");
  c.UseStateDir(full);  // the log stays in state()
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-state", "Ready", "True", test::kStartBound)) << c.Log();
  auto get = [&](const std::string& path) {
    auto j = nlohmann::json::parse(Sh("curl -s --max-time 30 " + api + path), nullptr, false);
    return j.is_discarded() ? nlohmann::json(nullptr) : j;
  };
  auto state_dir = [&] { return get("/api/v1/labs")["controller"]["stateDir"]; };
  auto reconciles = [&] {
    auto lab = get("/api/v1/labs/lktest-state");
    return lab.is_object() ? lab["status"].value("reconciles", uint64_t{0}) : 0;
  };
  ASSERT_EQ(state_dir()["writable"], true) << state_dir();

  // A repair while the directory is full, and while it is read-only.
  auto repairs_while = [&](const std::string& fault, const std::string& says) {
    SCOPED_TRACE(fault);
    uint64_t before = reconciles();
    ASSERT_EQ(Sh("docker restart -t 0 " + spec.ContainerName("n1") + " >/dev/null && echo ok"), "ok\n");
    std::string problems;
    EXPECT_TRUE(test::WaitFor([&] { return reconciles() > before && (problems = RingProblems(spec)).empty(); },
                              test::kStartBound, 500))
        << problems << c.Log();
    nlohmann::json sd;
    EXPECT_TRUE(test::WaitFor(
        [&] {
          sd = state_dir();
          return sd.value("error", "").find(says) != std::string::npos;
        },
        test::kPassBound, 250))
        << sd;
    EXPECT_EQ(sd["writable"], false);
    EXPECT_EQ(sd["error"], "cannot write " + full + "/status.json: " + says) << sd;
    EXPECT_NE(c.Log().find("state directory: cannot write " + full + "/status.json: " + says + "; reconciling goes on"),
              std::string::npos)
        << c.Log();
    EXPECT_NE(Sh("curl -s " + api + "/metrics").find("\nlabkeeper_state_dir_writable 0"), std::string::npos);
    EXPECT_NE(test::Labkeeper("status --server " + api)
                  .out.find("warning: the controller cannot write its state directory (cannot write " + full),
              std::string::npos);
    // A suspension through the API holds, and says it is not saved.
    auto r = nlohmann::json::parse(Sh("curl -s -X POST " + api + "/api/v1/labs/lktest-state/suspend"), nullptr, false);
    EXPECT_EQ(r.value("saved", true), false) << r;
    EXPECT_EQ(r.value("suspended", false), true) << r;
    r = nlohmann::json::parse(Sh("curl -s -X POST " + api + "/api/v1/labs/lktest-state/resume"), nullptr, false);
    EXPECT_EQ(r.value("saved", true), false) << r;
  };

  Sh("dd if=/dev/zero of=" + full + "/fill bs=4k 2>/dev/null");  // until the tmpfs is full
  repairs_while("full", "No space left on device");
  fs::remove(full + "/fill");
  EXPECT_TRUE(test::WaitFor([&] { return state_dir()["writable"] == true; }, test::kPassBound, 250)) << state_dir();
  EXPECT_NE(c.Log().find("state directory: " + full + " is writable again"), std::string::npos) << c.Log();

  ASSERT_EQ(Sh("mount -o remount,ro " + full + " && echo ok"), "ok\n");
  repairs_while("read-only", "Read-only file system");
  ASSERT_EQ(Sh("mount -o remount,rw " + full + " && echo ok"), "ok\n");
  EXPECT_TRUE(test::WaitFor([&] { return state_dir()["writable"] == true; }, test::kPassBound, 250)) << state_dir();
  EXPECT_TRUE(c.WaitCondition("lktest-state", "Ready", "True", test::kPassBound)) << "status.json is written again";
  ASSERT_EQ(::kill(c.pid(), 0), 0) << c.Log();
}

}  // namespace
}  // namespace lk
