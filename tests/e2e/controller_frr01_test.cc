// `labkeeper run` with the frr01 lab copied into its directory: it converges to Ready with OSPF
// up, and every drift is repaired with no user action, with an event and a counter increment,
// and the lab forwards traffic again afterwards.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/support.h"

namespace lk {
namespace {

using test::Sh;

int Full(const std::string& router) {
  return test::OspfFullNeighbours("clab-frr01-" + router);
}

bool Pings(const std::string& from, const std::string& to_ip, int timeout_s) {
  return test::WaitFor(
      [&] {
        int st = 1;
        Sh("docker exec clab-frr01-" + from + " ping -c 1 -W 1 " + to_ip, &st);
        return st == 0;
      },
      timeout_s, 1000);
}

uint64_t TotalDrift(const test::ControllerProcess& c) {
  uint64_t n = 0;
  auto lab = c.Lab("frr01");
  if (lab.is_object())
    for (const auto& d : lab["driftCorrections"]) n += d["count"].get<uint64_t>();
  return n;
}

TEST(ControllerFrr01, ConvergesWithOspfAndRepairsEveryDrift) {
  ASSERT_TRUE(test::EngineAnswers());
  ASSERT_TRUE(test::LabContainers("frr01").empty()) << "a lab named frr01 already runs here; not touching it";
  test::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/labs");
  std::filesystem::copy(test::SharedDir() + "/clab-examples/frr01", dir.path() + "/labs/frr01",
                        std::filesystem::copy_options::recursive);
  Sh("chmod -R u+w " + dir.path() + "/labs");
  test::LabGuard guard("frr01");
  test::ControllerProcess c(dir.path() + "/labs", dir.path() + "/state");
  c.Start();

  // 1. Converges to Ready, and OSPF is up.
  ASSERT_TRUE(c.WaitCondition("frr01", "Ready", "True", 180)) << c.Log();
  EXPECT_EQ(test::LabContainers("frr01").size(), 6u);
  EXPECT_TRUE(
      test::WaitFor([] { return Full("router1") == 2 && Full("router2") == 2 && Full("router3") == 2; }, 180, 2000))
      << Sh("docker exec clab-frr01-router1 vtysh -c 'show ip ospf neighbor'");
  ASSERT_TRUE(Pings("PC1", "192.168.13.2", 120));

  struct Drift {
    const char* what;
    const char* cmd;
    const char* kind;  // the counter that must rise (any reason of this kind when reason is "")
    const char* reason;
    const char* event;  // reason of the event that must appear
    const char* object;
    const char* ping_from;
  } drifts[] = {
      {"docker rm -f of a router", "docker rm -f clab-frr01-router1", "node", "missing", "ContainerCreated",
       "node/router1", "PC1"},
      {"docker restart of a router", "docker restart clab-frr01-router2", "", "", "LinkCreated",
       "link/router1:eth1--router2:eth1", "PC2"},
      {"ip link del of one end of a link", "docker exec clab-frr01-router1 ip link del eth2", "link", "link missing",
       "LinkCreated", "link/router1:eth2--router3:eth1", "PC1"},
      {"an interface set down", "docker exec clab-frr01-router3 ip link set eth3 down", "iface", "interface down",
       "InterfaceRepaired", "iface/router3:eth3", "PC1"},
      {"an MTU changed", "docker exec clab-frr01-router3 ip link set eth1 mtu 1500", "iface", "mtu 1500 != 9500",
       "InterfaceRepaired", "iface/router3:eth1", "PC1"},
      {"docker stop of a host node", "docker stop clab-frr01-PC2", "node", "exited", "ContainerStarted", "node/PC2",
       "PC2"},
  };
  for (const auto& d : drifts) {
    SCOPED_TRACE(d.what);
    uint64_t before = *d.kind ? c.Drift("frr01", d.kind, d.reason) : TotalDrift(c);
    int st = 1;
    std::string out = Sh(d.cmd, &st);
    ASSERT_EQ(st, 0) << out;
    bool counted = test::WaitFor(
        [&] {
          uint64_t now = *d.kind ? c.Drift("frr01", d.kind, d.reason) : TotalDrift(c);
          return now > before && c.HasEvent("frr01", d.event, d.object);
        },
        90, 250);
    EXPECT_TRUE(counted) << "no repair counted for: " << d.what << "\n" << c.Status().dump(1).substr(0, 6000);
    EXPECT_TRUE(c.WaitCondition("frr01", "Ready", "True", 90));
    if (std::string(d.what) == "docker restart of a router") {
      for (const char* i : {"eth1", "eth2", "eth3"})
        EXPECT_TRUE(test::WaitFor(
            [&] {
              int s = 1;
              Sh(std::string("docker exec clab-frr01-router2 ip link show ") + i, &s);
              return s == 0;
            },
            30, 250))
            << "router2's " << i << " did not come back";
    }
    EXPECT_TRUE(Pings(d.ping_from, "192.168.13.2", 150)) << d.ping_from << " cannot reach PC3 after: " << d.what;
  }
  EXPECT_EQ(test::LabContainers("frr01").size(), 6u);
}

}  // namespace
}  // namespace lk
