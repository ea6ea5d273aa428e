// The kinds that are not containers labkeeper runs, on the real engine and kernel: a Linux bridge
// in the host (made when missing, with the forwarding rule Docker's FORWARD policy needs), a
// bridge inside a lab node's namespace ("br|node"), the host, and an ext-container the test
// starts itself; plus ipv4/ipv6 on link endpoints. Everything is named lktest-*/lkt*.
#include <gtest/gtest.h>

#include "tests/support/support.h"

namespace lk {
namespace {

using test::Labkeeper;
using test::Sh;

constexpr char kKindsLab[] = R"(name: lktest-kinds
topology:
  nodes:
    n1: {kind: linux, image: labkeeper.dev/busybox:test}
    n2: {kind: linux, image: labkeeper.dev/busybox:test}
    lktbr0: {kind: bridge}
    lktbr1|n2: {kind: bridge}
    myhost: {kind: host}
    lktest-ext: {kind: ext-container}
  links:
    - endpoints: ["n1:eth1", "lktbr0:lkt-n1e1"]
      ipv4: ["192.168.77.1/24"]
    - endpoints: ["n2:eth1", "lktbr0:lkt-n2e1"]
      ipv4: ["192.168.77.2/24"]
      ipv6: ["2001:db8:77::2/64"]
    - endpoints: ["n1:eth2", "myhost:lkt-n1e2"]
    - type: veth
      endpoints:
        - {node: n1, interface: eth3, ipv4: 192.168.78.1/24}
        - {node: lktest-ext, interface: eth1, ipv4: 192.168.78.2/24}
    - endpoints: ["n1:eth4", "lktbr1|n2:p1"]
)";

bool Ping(const std::string& container, const std::string& to) {
  int st = 1;
  Sh("docker exec " + container + " ping -c 1 -W 3 " + to, &st);
  return st == 0;
}

TEST(NodeKinds, BridgeHostExtContainerAndBridgeInAContainer) {
  ASSERT_TRUE(test::EngineAnswers());
  Sh("docker rm -f lktest-ext");
  Sh("ip link del lktbr0");
  std::string out =
      Sh("docker run -d --name lktest-ext --label labkeeper.dev/test=1 --network none labkeeper.dev/busybox:test");
  struct Cleanup {
    ~Cleanup() {
      Sh("docker rm -f lktest-ext");
      Sh("ip link del lktbr0");
    }
  } cleanup;
  ASSERT_EQ(test::Trim(Sh("docker inspect -f '{{.State.Running}}' lktest-ext")), "true") << out;
  test::TempDir dir;
  std::string file = dir.Write("kinds.clab.yml", kKindsLab);
  test::LabGuard guard("lktest-kinds");
  auto plan = Labkeeper("plan " + file);
  EXPECT_NE(plan.out.find("create-bridge bridge/lktbr0 (missing)"), std::string::npos) << plan.out;
  EXPECT_EQ(plan.out.find("create-container node/lktest-ext"), std::string::npos) << "ext-container is never created";
  auto r = Labkeeper("apply " + file);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(test::LabContainers("lktest-kinds").size(), 2u) << "only n1 and n2 are containers of the lab";

  // The host bridge, its two ports, and traffic across it between the endpoints' addresses.
  std::string ports = Sh("ip -br link show master lktbr0");
  EXPECT_NE(ports.find("lkt-n1e1"), std::string::npos) << ports;
  EXPECT_NE(ports.find("lkt-n2e1"), std::string::npos) << ports;
  EXPECT_NE(Sh("iptables -S DOCKER-USER").find("-i lktbr0 -o lktbr0"), std::string::npos);
  EXPECT_TRUE(test::WaitFor([] { return Ping("clab-lktest-kinds-n1", "192.168.77.2"); }, test::kStartBound));
  EXPECT_NE(Sh("docker exec clab-lktest-kinds-n2 ip -6 addr show eth1").find("2001:db8:77::2/64"), std::string::npos);
  // The host node: the end is a host interface.
  EXPECT_NE(Sh("ip -d link show lkt-n1e2").find("veth"), std::string::npos);
  // ext-container: its end is in the test's own container, which labkeeper does not own.
  EXPECT_NE(Sh("docker exec lktest-ext ip addr show eth1").find("192.168.78.2/24"), std::string::npos);
  EXPECT_TRUE(Ping("clab-lktest-kinds-n1", "192.168.78.2"));
  // The bridge inside n2's namespace, with n1's link as its port.
  EXPECT_NE(Sh("docker exec clab-lktest-kinds-n2 ip -br link show master lktbr1").find("p1@"), std::string::npos);
  EXPECT_NE(Labkeeper("apply " + file).out.find("in sync, no changes"), std::string::npos);

  // Drift: an address removed comes back; the host bridge deleted is made again with its ports.
  Sh("docker exec clab-lktest-kinds-n1 ip addr del 192.168.77.1/24 dev eth1");
  Sh("ip link del lktbr0");
  auto again = Labkeeper("apply " + file);
  EXPECT_EQ(again.status, 0) << again.out;
  EXPECT_NE(again.out.find("bridge/lktbr0: created (missing)"), std::string::npos) << again.out;
  EXPECT_TRUE(test::WaitFor([] { return Ping("clab-lktest-kinds-n1", "192.168.77.2"); }, test::kStartBound));

  EXPECT_EQ(Labkeeper("destroy " + file).status, 0);
  int gone = 0;
  Sh("ip link show lktbr0", &gone);
  EXPECT_NE(gone, 0) << "the bridge labkeeper made stayed behind";
  EXPECT_EQ(Sh("iptables -S DOCKER-USER").find("lktest-kinds"), std::string::npos);
  EXPECT_EQ(test::Trim(Sh("docker inspect -f '{{.State.Running}}' lktest-ext")), "true") << "ext-container touched";
  EXPECT_EQ(Sh("docker exec lktest-ext ip link show eth1").find("eth1@"), std::string::npos);
}

TEST(NodeKinds, ABridgeThatWasThereIsUsedAndKept) {
  ASSERT_TRUE(test::EngineAnswers());
  test::ScopedHostLink bridge("lktbr9", "type bridge");
  ASSERT_EQ(bridge.error, "");
  test::TempDir dir;
  std::string file = dir.Write("own.clab.yml", R"(name: lktest-ownbr
topology:
  nodes:
    n1: {kind: linux, image: labkeeper.dev/busybox:test}
    lktbr9: {kind: bridge}
    ovs0: {kind: ovs-bridge}
  links:
    - endpoints: ["n1:eth1", "lktbr9:lkt-own1"]
    - endpoints: ["n1:eth2", "ovs0:lkt-own2"]
)");
  test::LabGuard guard("lktest-ownbr");
  auto r = Labkeeper("apply " + file);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("Open vSwitch bridge ovs0 does not exist; labkeeper does not create ovs-bridges"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("bridge/lktbr9: created"), std::string::npos) << "an existing bridge is used as it is";
  EXPECT_NE(Sh("ip -br link show master lktbr9").find("lkt-own1"), std::string::npos);
  EXPECT_EQ(Labkeeper("destroy " + file).status, 0);
  int there = 1;
  Sh("ip link show lktbr9", &there);
  EXPECT_EQ(there, 0) << "a bridge labkeeper did not make was removed";
}

}  // namespace
}  // namespace lk
