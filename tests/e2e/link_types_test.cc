// The one-ended and host-side link types on the real kernel: mgmt-net (a veth whose host end
// joins the management bridge), macvlan on a host interface, vxlan, and dummy where the kernel
// has it. Everything here is named lktest-*; VXLAN's remote is loopback and no traffic is sent.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/topology_codec.h"
#include "controller/docker_client.h"
#include "controller/observed.h"
#include "tests/support/support.h"

namespace lk {
namespace {

using test::Labkeeper;
using test::Sh;

TEST(LinkTypes, MgmtNetMacvlanAndVxlan) {
  ASSERT_TRUE(test::EngineAnswers());
  // A parent for the macvlan that the test owns: one end of a veth pair in the host namespace.
  test::ScopedHostLink parent("lktest-mvp0", "type veth peer name lktest-mvp1");
  ASSERT_EQ(parent.error, "");
  test::TempDir dir;
  std::string file = dir.Write("types.clab.yml", R"(name: lktest-types
topology:
  nodes:
    n1: {kind: linux, image: labkeeper.dev/busybox:test}
  links:
    - type: mgmt-net
      host-interface: lktest-mg1
      endpoint: {node: n1, interface: eth5, mac: "02:00:00:00:00:05"}
    - endpoints: ["n1:eth6", "macvlan:lktest-mvp0"]
    - type: vxlan
      endpoint: {node: n1, interface: vx1}
      remote: 127.0.0.1
      vni: 4242
      dst-port: 14999
)");
  test::LabGuard guard("lktest-types");
  auto r = Labkeeper("apply " + file);
  ASSERT_EQ(r.status, 0) << r.out;

  // mgmt-net: the container end, and the host end enslaved to the management bridge.
  EXPECT_NE(Sh("docker exec clab-lktest-types-n1 ip link show eth5").find("02:00:00:00:00:05"), std::string::npos);
  std::string host_end = Sh("ip -d link show lktest-mg1");
  DockerClient docker;
  auto net = *docker.InspectNetwork("clab");
  std::string bridge = net["Options"].contains("com.docker.network.bridge.name")
                           ? net["Options"]["com.docker.network.bridge.name"].get<std::string>()
                           : "br-" + net["Id"].get<std::string>().substr(0, 12);
  EXPECT_NE(host_end.find("master " + bridge), std::string::npos) << host_end;

  // macvlan on the test's parent, inside the container.
  std::string pid = test::Trim(Sh("docker inspect -f '{{.State.Pid}}' clab-lktest-types-n1"));
  std::string mv = Sh("nsenter -t " + pid + " -n ip -d link show eth6");
  EXPECT_NE(mv.find("macvlan"), std::string::npos) << mv;
  EXPECT_NE(mv.find("eth6@"), std::string::npos) << mv;

  // vxlan with its VNI, remote and port; its underlay is the host's namespace.
  std::string vx = Sh("nsenter -t " + pid + " -n ip -d link show vx1");
  EXPECT_NE(vx.find("vxlan id 4242"), std::string::npos) << vx;
  EXPECT_NE(vx.find("remote 127.0.0.1"), std::string::npos) << vx;
  EXPECT_NE(vx.find("dstport 14999"), std::string::npos) << vx;

  // In sync afterwards; a deleted macvlan comes back.
  EXPECT_NE(Labkeeper("apply " + file).out.find("in sync, no changes"), std::string::npos);
  Sh("docker exec clab-lktest-types-n1 ip link del eth6");
  auto again = Labkeeper("apply " + file);
  EXPECT_NE(again.out.find("link/n1:eth6--macvlan:lktest-mvp0: created (link missing)"), std::string::npos)
      << again.out;

  EXPECT_EQ(Labkeeper("destroy " + file).status, 0);
  int gone = 0;
  Sh("ip link show lktest-mg1", &gone);
  EXPECT_NE(gone, 0) << "the mgmt-net host end stayed behind";
}

TEST(LinkTypes, DummyWhereTheKernelHasIt) {
  ASSERT_TRUE(test::EngineAnswers());
  test::TempDir dir;
  std::string file = dir.Write("dummy.clab.yml", R"(name: lktest-dummy
topology:
  nodes:
    n1: {kind: linux, image: labkeeper.dev/busybox:test}
  links:
    - type: dummy
      endpoint: {node: n1, interface: dummy0}
)");
  test::LabGuard guard("lktest-dummy");
  auto r = Labkeeper("apply " + file);
  if (!test::KernelMakes("dummy")) {
    // The failure is the node's link, with the kernel's reason; the node itself still runs.
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.out.find("this kernel has no dummy support"), std::string::npos) << r.out;
    GTEST_SKIP() << "this kernel has no dummy interfaces (Unknown device type): the link itself cannot be shown";
  }
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(Sh("docker exec clab-lktest-dummy-n1 ip -d link show dummy0").find("dummy"), std::string::npos);
}

// ../shared's vxlan-stitch lab, unchanged: each stitch is a veth to the host (ve-NODE_IFACE), a
// VXLAN device beside it (vx-NODE_IFACE) and tc redirects between the two. l2 plays the remote
// VTEP inside the lab (its exec makes vxlan0 with Debian's iproute2 in the stand-in image), so
// the pings cross stitch1 and stay inside the lab's own management network and containers.
TEST(LinkTypes, SharedVxlanStitchLabCarriesPingsAndIsRepaired) {
  ASSERT_TRUE(test::EngineAnswers());
  ASSERT_TRUE(test::LabContainers("vxlan-stitch-linux").empty()) << "the lab runs here already";
  test::LabGuard guard("vxlan-stitch-linux");
  std::string file = test::SharedDir() + "/clab-examples/tests-08-vxlan__vxlan-stitch-linux.clab.yml";
  auto plan = Labkeeper("plan " + file);
  EXPECT_EQ(plan.status, 1);
  EXPECT_NE(plan.out.find("create-link link/l1:eth1--vxlan-stitch:200 (link missing)"), std::string::npos) << plan.out;
  auto r = Labkeeper("apply " + file);
  ASSERT_EQ(r.status, 0) << r.out;

  std::string vx = Sh("ip -d link show vx-l1_eth1");
  EXPECT_NE(vx.find("vxlan id 200 remote 172.20.30.12"), std::string::npos) << vx;
  EXPECT_NE(vx.find("dstport 14792"), std::string::npos) << vx;
  EXPECT_NE(Sh("ip -d link show vx-l2_eth1").find("vxlan id 199 remote 172.20.30.11"), std::string::npos);
  EXPECT_NE(Sh("tc filter show dev ve-l1_eth1 ingress").find("Egress Redirect to device vx-l1_eth1"),
            std::string::npos);
  EXPECT_NE(Sh("tc filter show dev vx-l1_eth1 ingress").find("Egress Redirect to device ve-l1_eth1"),
            std::string::npos);
  auto ping = [](const std::string& node, const std::string& to) {
    int st = 1;
    Sh("docker exec clab-vxlan-stitch-linux-" + node + " ping -c 2 -W 3 " + to, &st);
    return st == 0;
  };
  EXPECT_TRUE(test::WaitFor([&] { return ping("l1", "10.0.0.2"); }, test::kStartBound)) << "l1 -> l2 across stitch1";
  EXPECT_TRUE(ping("l2", "10.0.0.1")) << "l2 -> l1 across stitch1";
  EXPECT_NE(Labkeeper("apply " + file).out.find("in sync, no changes"), std::string::npos);

  // The VXLAN half deleted: the stitch is made again, and carries traffic again.
  Sh("ip link del vx-l1_eth1");
  auto again = Labkeeper("apply " + file);
  EXPECT_NE(again.out.find("link/l1:eth1--vxlan-stitch:200: created (vxlan vx-l1_eth1 missing)"), std::string::npos)
      << again.out;
  EXPECT_TRUE(test::WaitFor([&] { return ping("l1", "10.0.0.2"); }, test::kStartBound));

  // A VXLAN device left under its temporary name by an interrupted stitch is recognised and removed.
  auto load = LoadFile(file);
  ASSERT_TRUE(load.ok()) << load.ErrorText();
  const LinkConfig& stitch = load.labs[0].links[0];
  std::string temp = TempIfaceName("vxlan-stitch-linux", stitch, StitchEnd(stitch));
  int made = 1;
  std::string out = Sh("ip link add " + temp + " type vxlan id 4093 dstport 14993", &made);
  ASSERT_EQ(made, 0) << out;
  auto leftovers = Labkeeper("plan " + file);
  EXPECT_NE(leftovers.out.find("delete-interface iface/host:" + temp + " (interrupted creation)"), std::string::npos)
      << leftovers.out;
  Labkeeper("apply " + file);
  int gone = 0;
  Sh("ip link show " + temp, &gone);
  if (gone == 0) Sh("ip link del " + temp);
  EXPECT_NE(gone, 0) << temp << " stayed behind";

  EXPECT_EQ(Labkeeper("destroy " + file).status, 0);
  for (const char* i : {"ve-l1_eth1", "vx-l1_eth1", "ve-l2_eth1", "vx-l2_eth1"}) {
    int gone = 0;
    Sh(std::string("ip link show ") + i, &gone);
    EXPECT_NE(gone, 0) << i << " stayed behind";
  }
}

// A veth-stitch between two Linux nodes (the corpus's only one joins two SR-SIMs, which need
// Nokia's image): each node's end is a veth to a far end named after its node in the link's own
// namespace, the far ends joined by tc redirects; pings cross it, a far end taken away is made
// again, and destroy removes the namespace.
TEST(LinkTypes, AVethStitchCarriesPingsThroughItsNamespaceAndIsRepaired) {
  ASSERT_TRUE(test::EngineAnswers());
  test::TempDir dir;
  std::string file = dir.Write("stitch.clab.yml", R"(name: lktest-vstitch
topology:
  defaults: {kind: linux, image: labkeeper.dev/busybox:test}
  nodes:
    n1: {exec: ["ip address add 10.77.0.1/24 dev eth1"]}
    n2: {exec: ["ip address add 10.77.0.2/24 dev eth3"]}
  links:
    - type: veth-stitch
      endpoints: ["n1:eth1", {node: n2, interface: eth3}]
)");
  test::LabGuard guard("lktest-vstitch");
  auto load = LoadFile(file);
  ASSERT_TRUE(load.ok()) << load.ErrorText();
  const std::string ns = load.labs[0].links[0].stitch_netns;
  auto r = Labkeeper("apply " + file);
  ASSERT_EQ(r.status, 0) << r.out;

  EXPECT_NE(Sh("ip netns list").find(ns), std::string::npos) << Sh("ip netns list");
  std::string far = Sh("ip -n " + ns + " -d link show n1");
  EXPECT_NE(far.find("veth"), std::string::npos) << far;
  EXPECT_NE(far.find("mtu 9500"), std::string::npos) << far;
  EXPECT_NE(Sh("ip -n " + ns + " link show n2").find("n2@"), std::string::npos);
  EXPECT_NE(Sh("tc -n " + ns + " filter show dev n1 ingress").find("Egress Redirect to device n2"), std::string::npos);
  EXPECT_NE(Sh("tc -n " + ns + " filter show dev n2 ingress").find("Egress Redirect to device n1"), std::string::npos);
  auto ping = [](const std::string& node, const std::string& to) {
    int st = 1;
    Sh("docker exec clab-lktest-vstitch-" + node + " ping -c 2 -W 3 " + to, &st);
    return st == 0;
  };
  EXPECT_TRUE(test::WaitFor([&] { return ping("n1", "10.77.0.2"); }, test::kStartBound)) << "n1 -> n2 via " << ns;
  EXPECT_TRUE(ping("n2", "10.77.0.1"));
  EXPECT_NE(Labkeeper("plan " + file).out.find("in sync, no changes"), std::string::npos);

  // A far end taken away (n2's end goes with it): the link is made again, and carries pings.
  Sh("ip -n " + ns + " link del n2");
  auto again = Labkeeper("apply " + file);
  EXPECT_EQ(again.status, 0) << again.out;
  EXPECT_NE(again.out.find("link/n1:eth1--veth-stitch--n2:eth3: created (link missing on n2:eth3)"), std::string::npos)
      << again.out;
  EXPECT_TRUE(test::WaitFor([&] { return ping("n1", "10.77.0.2"); }, test::kStartBound));

  EXPECT_EQ(Labkeeper("destroy " + file).status, 0);
  EXPECT_EQ(Sh("ip netns list").find(ns), std::string::npos) << Sh("ip netns list");
}

// containerlab's tests/08-vxlan/03-vxlan-tools, unchanged: a host end named with 32 characters
// (Linux allows 15) has a short kernel name and the long one as its altname, which `ip` resolves
// like a name; labkeeper finds it again, puts a removed altname back and remakes a removed end.
TEST(LinkTypes, ALongHostInterfaceNameIsAnAltnameFoundAndRepaired) {
  ASSERT_TRUE(test::EngineAnswers());
  ASSERT_TRUE(test::LabContainers("vxlan-tools").empty()) << "the lab runs here already";
  test::LabGuard guard("vxlan-tools");
  std::string file = test::SharedDir() + "/containerlab-corpus/tests/08-vxlan/03-vxlan-tools.clab.yml";
  const std::string alt = "some_very_long_node_name_l1_eth1", kernel = KernelIfaceName(alt);
  int in_use = 0;
  Sh("ip link show " + alt, &in_use);
  ASSERT_NE(in_use, 0) << alt << " exists here already";
  auto r = Labkeeper("apply " + file);  // its exec commands install packages: warnings here
  ASSERT_TRUE(r.status == 0 || r.status == 1) << r.out;
  auto shown = [&] {
    int st = 1;
    std::string out = Sh("ip -d link show " + alt, &st);  // the kernel resolves the altname
    return st == 0 ? out : "";
  };
  std::string link = shown();
  EXPECT_NE(link.find(": " + kernel + "@"), std::string::npos) << link;
  EXPECT_NE(link.find("altname " + alt), std::string::npos) << link;
  EXPECT_NE(link.find("veth"), std::string::npos) << link;
  EXPECT_NE(Sh("ip link show l2_eth1").find("l2_eth1@"), std::string::npos) << "the short name is used as it is";
  EXPECT_NE(Labkeeper("apply " + file).out.find("in sync, no changes"), std::string::npos);

  Sh("ip link property del dev " + kernel + " altname " + alt);
  ASSERT_EQ(shown(), "");
  auto repaired = Labkeeper("apply " + file);
  EXPECT_NE(repaired.out.find("iface/host:" + kernel + ": repaired (altname " + alt + " missing)"), std::string::npos)
      << repaired.out;
  EXPECT_NE(shown().find("altname " + alt), std::string::npos);

  Sh("ip link del " + alt);  // by its long name, as a user would
  ASSERT_EQ(shown(), "");
  auto remade = Labkeeper("apply " + file);
  EXPECT_NE(remade.out.find("created (link missing"), std::string::npos) << remade.out;
  EXPECT_NE(shown().find("altname " + alt), std::string::npos);
  EXPECT_NE(Sh("docker exec clab-vxlan-tools-some_very_long_node_name_l1 ip link show eth1").find("eth1@"),
            std::string::npos);

  EXPECT_EQ(Labkeeper("destroy " + file).status, 0);
  EXPECT_EQ(shown(), "") << "destroy removes it";
}

// ../shared's macvlan lab, unchanged: its parent is ${host_link:=ens3}; the test sets host_link
// to one end of a veth pair it made, as a user points the lab at their own NIC.
TEST(LinkTypes, SharedMacvlanLabOnTheParentTheEnvironmentNames) {
  ASSERT_TRUE(test::EngineAnswers());
  ASSERT_TRUE(test::LabContainers("macvlan").empty()) << "a lab named macvlan runs here already";
  test::ScopedHostLink parent("lktest-mvq0", "type veth peer name lktest-mvq1");
  ASSERT_EQ(parent.error, "");
  std::string file = test::SharedDir() + "/clab-examples/tests-01-smoke__macvlan.clab.yml";
  test::LabGuard guard("macvlan");
  auto r = Labkeeper("apply " + file, {{"host_link", "lktest-mvq0"}});
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("node/l1: exec 1/1 commands succeeded"), std::string::npos) << "apk add iproute2";
  std::string pid = test::Trim(Sh("docker inspect -f '{{.State.Pid}}' clab-macvlan-l1"));
  std::string mv = Sh("nsenter -t " + pid + " -n ip -d link show eth1");
  EXPECT_NE(mv.find("macvlan mode bridge"), std::string::npos) << mv;
  std::string parent_index = test::Trim(Sh("cat /sys/class/net/lktest-mvq0/ifindex"));
  EXPECT_NE(mv.find("eth1@if" + parent_index), std::string::npos) << mv;
  EXPECT_EQ(Labkeeper("destroy " + file, {{"host_link", "lktest-mvq0"}}).status, 0);
}

}  // namespace
}  // namespace lk
