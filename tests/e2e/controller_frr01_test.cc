// `labkeeper run` with the frr01 lab in its directory: it converges to Ready with OSPF up, and
// every drift is repaired with no user action, with an event and a counter increment.
//
// What is asserted after each drift is what labkeeper guarantees (the six containers running,
// every link a veth pair between the right peers with its marker, MTU and MAC, the hosts'
// addresses from their exec) and what OSPF guarantees with the configs in use (the routers'
// addresses and every adjacency Full again). frr01's own router configs pin no OSPF router-id:
// ospfd picks one at start from whatever addresses exist at that instant, so a recreated router
// may come back with another id, and its old LSAs (same Link State ID, the old advertising
// router) stay in every database until MaxAge, an hour, blackholing traffic. End-to-end pings
// after a drift are then FRR's behaviour with those configs, not labkeeper's. So the test runs
// the lab file unchanged with a test-owned copy of the router configs that pins `ospf
// router-id` (each router's loopback): a recreated router comes back with the same id, floods
// its LSAs with a higher sequence number, and pings are deterministic again and asserted.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "api/topology_codec.h"
#include "tests/support/support.h"

namespace lk {
namespace {

using test::Sh;

int Full(const std::string& router) {
  return test::OspfFullNeighbours("clab-frr01-" + router);
}

bool Pings(const std::string& from, const std::string& to_ip) {
  return test::WaitFor(
      [&] {
        int st = 1;
        Sh("docker exec clab-frr01-" + from + " ping -c 1 -W 1 " + to_ip, &st);
        return st == 0;
      },
      test::kStartBound, 1000);
}

uint64_t TotalDrift(const test::ControllerProcess& c) {
  uint64_t n = 0;
  auto lab = c.Lab("frr01");
  if (lab.is_object())
    for (const auto& d : lab["driftCorrections"]) n += d["count"].get<uint64_t>();
  return n;
}

// The copied router configs pin their router-id: `ospf router-id 10.10.10.N` under `router ospf`.
// Their router-to-router interfaces (eth1, eth2: each a veth with two ends) are point-to-point in
// OSPF, so an adjacency of a recreated router forms without a designated-router election, which
// first waits a dead interval (40 s) on a broadcast network: the same adjacencies, sooner.
void PinRouterIdsAndPointToPoint(const std::string& lab_dir) {
  for (int n = 1; n <= 3; ++n) {
    std::string path = lab_dir + "/router" + std::to_string(n) + "/frr.conf";
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string conf = ss.str();
    size_t at = conf.find("router ospf\n");
    ASSERT_NE(at, std::string::npos) << path;
    conf.insert(at + 12, " ospf router-id 10.10.10." + std::to_string(n) + "\n");
    for (const char* iface : {"interface eth1\n", "interface eth2\n"}) {
      size_t i = conf.find(iface);
      ASSERT_NE(i, std::string::npos) << path << ": " << iface;
      size_t end = conf.find('\n', conf.find('\n', i) + 1);  // after its ` ip address` line
      conf.insert(end + 1, " ip ospf network point-to-point\n");
    }
    std::ofstream(path) << conf;
  }
}

// Everything the lab is supposed to be, with bounds generous enough for FRR to start.
void ExpectLabWhole(const LabSpec& lab) {
  EXPECT_EQ(test::LabContainers("frr01").size(), 6u);
  std::string problems;
  EXPECT_TRUE(test::WaitFor([&] { return (problems = test::VethLinkProblems(lab)).empty(); }, test::kPassBound, 500))
      << problems;
  // The hosts' addresses come from their exec, run again when they are relinked or restarted.
  for (int n = 1; n <= 3; ++n) {
    std::string pc = "clab-frr01-PC" + std::to_string(n);
    std::string want = "192.168.1" + std::to_string(n) + ".2/24";
    EXPECT_TRUE(test::WaitFor([&] { return test::Ipv4Addresses(pc, "eth1") == std::vector<std::string>{want}; },
                              test::kPassBound, 500))
        << pc << " eth1: " << Sh("docker exec " + pc + " ip -4 addr show dev eth1");
  }
  // The routers' addresses come from their frr.conf, applied by zebra once it runs.
  const std::map<std::string, std::vector<std::string>> router_addrs = {
      {"router1", {"192.168.1.1/24", "192.168.2.1/24", "192.168.11.1/24"}},
      {"router2", {"192.168.1.2/24", "192.168.3.1/24", "192.168.12.1/24"}},
      {"router3", {"192.168.2.2/24", "192.168.3.2/24", "192.168.13.1/24"}},
  };
  for (const auto& [router, addrs] : router_addrs)
    for (size_t i = 0; i < addrs.size(); ++i) {
      std::string iface = "eth" + std::to_string(i + 1);
      EXPECT_TRUE(test::WaitFor(
          [&, i] { return test::Ipv4Addresses("clab-frr01-" + router, iface) == std::vector<std::string>{addrs[i]}; },
          test::kStartBound, 1000))
          << router << " " << iface;
    }
  EXPECT_TRUE(test::WaitFor([] { return Full("router1") == 2 && Full("router2") == 2 && Full("router3") == 2; },
                            test::kStartBound, 2000))
      << Sh("docker exec clab-frr01-router1 vtysh -c 'show ip ospf neighbor'");
}

TEST(ControllerFrr01, ConvergesWithOspfAndRepairsEveryDrift) {
  ASSERT_TRUE(test::EngineAnswers());
  ASSERT_TRUE(test::LabContainers("frr01").empty()) << "a lab named frr01 already runs here; not touching it";
  test::TempDir dir;
  std::string lab_dir = dir.path() + "/labs/frr01";
  std::filesystem::create_directories(dir.path() + "/labs");
  std::filesystem::copy(test::SharedDir() + "/clab-examples/frr01", lab_dir, std::filesystem::copy_options::recursive);
  Sh("chmod -R u+w " + dir.path() + "/labs");
  PinRouterIdsAndPointToPoint(lab_dir);
  // The lab file itself is containerlab's, byte for byte.
  EXPECT_EQ(Sh("cmp " + lab_dir + "/frr01.clab.yml " + test::SharedDir() + "/clab-examples/frr01/frr01.clab.yml"), "");
  LoadResult lab = LoadTopologyFile(lab_dir + "/frr01.clab.yml");
  ASSERT_TRUE(lab.ok()) << lab.ErrorText();
  test::LabGuard guard("frr01");
  test::ControllerProcess c(dir.path() + "/labs", dir.path() + "/state");
  c.Start();

  // 1. Converges to Ready, OSPF is up, and the hosts reach each other through the routers.
  ASSERT_TRUE(c.WaitCondition("frr01", "Ready", "True", test::kStartBound)) << c.Log();
  ExpectLabWhole(*lab.lab);
  ASSERT_TRUE(Pings("PC1", "192.168.13.2"));

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
        test::kStartBound, 250);
    EXPECT_TRUE(counted) << "no repair counted for: " << d.what << "\n" << c.Status().dump(1).substr(0, 6000);
    EXPECT_TRUE(c.WaitCondition("frr01", "Ready", "True", test::kStartBound));
    ExpectLabWhole(*lab.lab);
    // Deterministic with the pinned router-ids (see the top of this file).
    EXPECT_TRUE(Pings(d.ping_from, "192.168.13.2")) << d.ping_from << " cannot reach PC3 after: " << d.what;
  }
  EXPECT_EQ(test::LabContainers("frr01").size(), 6u);
}

}  // namespace
}  // namespace lk
