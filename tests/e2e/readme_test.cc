// The README's two set-up commands: there are exactly two, CI runs the second, and the first
// leaves the example lab running. (The second is the command that runs this very test.)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support/support.h"

namespace lk {
namespace {

using test::Sh;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The first line of the fenced block that follows `marker` in the README.
std::string CommandAfter(const std::string& readme, const std::string& marker) {
  size_t m = readme.find(marker);
  if (m == std::string::npos) return "";
  size_t fence = readme.find("```sh\n", m);
  if (fence == std::string::npos) return "";
  size_t start = fence + 6;
  return readme.substr(start, readme.find('\n', start) - start);
}

TEST(Readme, TwoCommandsAndCiRunsTheTestOne) {
  std::string readme = ReadFile(test::SourceDir() + "/README.md");
  ASSERT_FALSE(readme.empty());
  EXPECT_EQ(CommandAfter(readme, "<!-- setup-command -->"), "bash scripts/quickstart.sh");
  EXPECT_EQ(CommandAfter(readme, "<!-- test-command -->"), "bash scripts/test.sh");
  std::string ci = ReadFile(test::SourceDir() + "/.ci/run");
  EXPECT_NE(ci.find("scripts/test.sh"), std::string::npos) << ".ci/run must call the README's test command";
}

// The first command leaves the example lab running and the controller on examples/ running,
// here (no systemd as PID 1) in the background with its pid file and log.
TEST(Readme, SetupCommandLeavesTheExampleLabAndTheControllerRunning) {
  std::string readme = ReadFile(test::SourceDir() + "/README.md");
  std::string cmd = CommandAfter(readme, "<!-- setup-command -->");
  ASSERT_FALSE(cmd.empty());
  if (Sh("curl -fsS http://127.0.0.1:9580/readyz 2>/dev/null").find("ok") != std::string::npos)
    GTEST_SKIP() << "a controller already answers on 127.0.0.1:9580: the setup command would restart it";
  ASSERT_FALSE(std::filesystem::is_directory("/run/systemd/system")) << "this test expects no systemd as PID 1";
  bool was_running = !test::LabContainers("labkeeper-demo").empty();
  bool had_run_dir = std::filesystem::exists("/run/labkeeper"),
       had_log = std::filesystem::exists("/var/log/labkeeper.log");
  int st = 1;
  std::string out = Sh("cd " + test::SourceDir() + " && " + cmd, &st);
  struct Restore {
    bool keep, had_run_dir, had_log;
    ~Restore() {
      Sh("bash " + test::SourceDir() + "/scripts/service-down.sh");  // started by the command: stopped
      if (!keep) test::LabGuard guard("labkeeper-demo");
      std::error_code ec;
      if (!had_run_dir) std::filesystem::remove_all("/run/labkeeper", ec);  // its status.json
      if (!had_log) std::filesystem::remove("/var/log/labkeeper.log", ec);
    }
  } restore{was_running, had_run_dir, had_log};
  ASSERT_EQ(st, 0) << out;
  EXPECT_NE(out.find("labkeeper status labkeeper-demo"), std::string::npos) << "it ends with where to look\n" << out;
  EXPECT_NE(out.find("labkeeper events labkeeper-demo"), std::string::npos) << out;
  // The controller: running from its pid file, answering, and the one status asks.
  std::string pid = test::Trim(ReadFile("/run/labkeeper/labkeeper.pid"));
  ASSERT_FALSE(pid.empty()) << out;
  EXPECT_NE(ReadFile("/proc/" + pid + "/cmdline").find("run"), std::string::npos);
  EXPECT_NE(Sh("curl -fsS http://127.0.0.1:9580/readyz"), "") << ReadFile("/var/log/labkeeper.log");
  auto labs = nlohmann::json::parse(Sh("curl -fsS http://127.0.0.1:9580/api/v1/labs"), nullptr, false);
  ASSERT_FALSE(labs.is_discarded());
  EXPECT_EQ(labs["controller"]["dir"], std::filesystem::canonical(test::SourceDir() + "/examples").string());
  // The unit file for real hosts is one systemd takes.
  int verify = 1;
  std::string why = Sh("systemd-analyze verify " + test::SourceDir() + "/packaging/labkeeper.service", &verify);
  EXPECT_EQ(verify, 0) << why;
  auto status = test::Labkeeper("status labkeeper-demo -o json");
  ASSERT_EQ(status.status, 0) << status.out;
  auto j = nlohmann::json::parse(status.out);
  ASSERT_EQ(j["labs"].size(), 1u);
  ASSERT_EQ(j["labs"][0]["nodes"].size(), 6u);
  for (const auto& n : j["labs"][0]["nodes"]) EXPECT_EQ(n["state"], "running") << n.dump();
}

// The README's walkthrough: the controller on the example directory, a router removed, and the
// lab heals end to end. Pings are asserted because the demo's routers pin their OSPF router-id
// (see the README): a recreated router comes back with the same id.
TEST(Readme, WalkthroughHealsTheDemoLab) {
  ASSERT_TRUE(test::EngineAnswers());
  ASSERT_TRUE(test::LabContainers("labkeeper-demo").empty())
      << "a lab named labkeeper-demo already runs on this engine; not touching it";
  test::TempDir dir;
  std::filesystem::copy(test::SourceDir() + "/examples", dir.path() + "/examples",
                        std::filesystem::copy_options::recursive);
  test::LabGuard guard("labkeeper-demo");
  test::ControllerProcess c(dir.path() + "/examples", dir.path() + "/state");
  c.Start();
  ASSERT_TRUE(c.WaitCondition("labkeeper-demo", "Ready", "True", test::kStartBound)) << c.Log();
  auto pc1_reaches_pc3 = [] {
    return test::WaitFor(
        [] {
          int st = 1;
          Sh("docker exec clab-labkeeper-demo-PC1 ping -c 1 -W 1 192.168.13.2", &st);
          return st == 0;
        },
        test::kStartBound, 1000);
  };
  ASSERT_TRUE(pc1_reaches_pc3()) << "PC1 cannot reach PC3 before anything was removed";
  // As the README follows it: `labkeeper events labkeeper-demo`, against the default listener.
  test::Background events(test::LabkeeperBin() + " events labkeeper-demo", dir.path() + "/events.txt");
  ASSERT_TRUE(test::WaitFor(
      [&] {
        test::Labkeeper("reconcile labkeeper-demo");
        return events.out().find(" Reconciled lab/labkeeper-demo") != std::string::npos;
      },
      test::kPassBound))
      << events.err();
  std::string old_id = test::LabContainers("labkeeper-demo")["clab-labkeeper-demo-router1"];
  int st = 1;
  std::string out = Sh("docker rm -f clab-labkeeper-demo-router1", &st);
  ASSERT_EQ(st, 0) << out;
  EXPECT_TRUE(test::WaitFor(
      [&] {
        auto ids = test::LabContainers("labkeeper-demo");
        return ids.size() == 6 && ids["clab-labkeeper-demo-router1"] != old_id;
      },
      test::kStartBound, 500))
      << c.Log();
  EXPECT_TRUE(c.WaitCondition("labkeeper-demo", "Ready", "True", test::kStartBound)) << c.Log();
  EXPECT_TRUE(test::WaitFor(
      [&] {
        std::string e = events.out();
        size_t created = e.find(" ContainerCreated node/router1: missing");
        return created != std::string::npos &&
               e.find(" LinkCreated link/router1:eth1--router2:eth1", created) != std::string::npos;
      },
      test::kPassBound))
      << events.out();
  EXPECT_TRUE(test::WaitFor([] { return test::OspfFullNeighbours("clab-labkeeper-demo-router1") == 2; },
                            test::kStartBound, 2000))
      << Sh("docker exec clab-labkeeper-demo-router1 vtysh -c 'show ip ospf neighbor'");
  EXPECT_TRUE(pc1_reaches_pc3()) << "PC1 cannot reach PC3 after router1 was recreated";
  EXPECT_NE(Sh("docker exec clab-labkeeper-demo-router1 vtysh -c 'show ip ospf'").find("Router ID: 10.10.10.1"),
            std::string::npos);
}

}  // namespace
}  // namespace lk
