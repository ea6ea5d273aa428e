// One lab across hosts, as each host sees it (controller/multi_host.h): its own nodes, the links
// between them, each link to another host's node a VXLAN tunnel end with a VNI both hosts derive
// alike, and a tunnel that cannot be made said with its reason.
#include "controller/multi_host.h"

#include <gtest/gtest.h>

#include "tests/support/lab_text.h"

namespace lk {
namespace {

LabSpec Spread() {
  return test::LabOf(R"(
name: wan
topology:
  defaults: {kind: linux, image: img:1}
  nodes:
    a1: {labels: {labkeeper.dev/host: ha}}
    a2: {labels: {labkeeper.dev/host: ha}}
    b1: {labels: {labkeeper.dev/host: hb}}
    b2: {labels: {labkeeper.dev/host: hb}}
  links:
    - endpoints: ["a1:eth1", "b1:eth1"]
    - endpoints: ["b2:eth1", "a2:eth1"]
    - endpoints: ["a1:eth2", "a2:eth2"]
    - endpoints: ["b1:eth2", "b2:eth2"]
    - endpoints: ["a1:eth3", "host:wan-a1"]
)",
                     "/tmp/wan.clab.yml");
}

HostTable Table(const std::string& me) {
  return {me, {{"ha", "198.51.100.1"}, {"hb", "198.51.100.2"}}, 14789};
}

TEST(MultiHost, EachHostMakesItsNodesItsLinksAndItsEndOfEveryTunnel) {
  LabSpec lab = Spread();
  LocalLab a = LocalView(lab, Table("ha"));
  ASSERT_EQ(a.spec.nodes.size(), 2u);
  EXPECT_EQ(a.spec.nodes[0].name, "a1");
  EXPECT_EQ(a.spec.nodes[1].name, "a2");
  EXPECT_EQ(a.remote_nodes, (std::map<std::string, std::string>{{"b1", "hb"}, {"b2", "hb"}}));
  std::vector<std::string> ids;
  for (const auto& l : a.spec.links) ids.push_back(l.type + " " + l.Id() + " " + l.remote);
  uint32_t v1 = CrossHostVni("wan", "a1:eth1--b1:eth1"), v2 = CrossHostVni("wan", "b2:eth1--a2:eth1");
  EXPECT_EQ(ids, (std::vector<std::string>{"vxlan a1:eth1--vxlan:" + std::to_string(v1) + " 198.51.100.2",
                                           "vxlan a2:eth1--vxlan:" + std::to_string(v2) + " 198.51.100.2",
                                           "veth a1:eth2--a2:eth2 ", "host a1:eth3--host:wan-a1 "}));
  EXPECT_TRUE(a.Problems().empty());
  ASSERT_EQ(a.tunnels.size(), 2u);
  EXPECT_EQ(a.tunnels[1].local_end, "a2:eth1");
  EXPECT_EQ(a.tunnels[1].peer_end, "b2:eth1");
  EXPECT_EQ(a.tunnels[1].port, 14789);
  EXPECT_EQ(a.spec.links[0].mtu, 9500) << "the link's MTU, on the tunnel end";
  EXPECT_EQ(a.spec.links[0].dst_port, 14789);
  EXPECT_EQ(a.tunnels[0].mtu,
            "MTU 9500 is kept on the tunnel end (the file's); frames over 1450 bytes (the underlay's 1500 less "
            "VXLAN's 50) cross the underlay fragmented; set the link's mtu to 1450 to avoid that");
  lab.links[0].mtu = 1450;
  EXPECT_EQ(LocalView(lab, Table("ha")).tunnels[0].mtu, "MTU 1450 fits the underlay's 1500 with VXLAN's 50 bytes");

  // The other host: the same tunnels, the same VNIs, towards ha.
  LocalLab b = LocalView(Spread(), Table("hb"));
  ASSERT_EQ(b.tunnels.size(), 2u);
  EXPECT_EQ(b.tunnels[0].vni, a.tunnels[0].vni);
  EXPECT_EQ(b.tunnels[1].vni, a.tunnels[1].vni);
  EXPECT_EQ(b.tunnels[0].local_end, "b1:eth1");
  EXPECT_EQ(b.tunnels[0].remote, "198.51.100.1");
  EXPECT_NE(a.tunnels[0].vni, a.tunnels[1].vni);
  EXPECT_EQ(b.spec.links.size(), 3u) << "two tunnel ends and b1--b2; a1's host link is ha's";

  // A lab on one host is itself.
  LabSpec one = test::LabOf("name: one\ntopology:\n  nodes:\n    n: {kind: linux, image: i}\n", "/tmp/one.clab.yml");
  EXPECT_EQ(LocalView(one, Table("ha")).spec.nodes.size(), 1u);
}

TEST(MultiHost, ATunnelToAHostWithNoAddressOrWithATakenVniIsNotMadeAndSaysWhy) {
  LabSpec lab = Spread();
  HostTable alone{"ha", {}, 14789};
  LocalLab a = LocalView(lab, alone);
  ASSERT_EQ(a.Problems().size(), 2u);
  EXPECT_EQ(a.Problems()[0],
            "link/a1:eth1--b1:eth1: host hb has no underlay address: give --peer hb=ADDRESS (or spec.hosts in a "
            "Lab resource)");
  EXPECT_EQ(a.spec.links.size(), 2u) << "the links on this host are made all the same";
  lab.host_addresses["hb"] = "2001:db8::2";
  EXPECT_EQ(LocalView(lab, alone).tunnels[0].remote, "2001:db8::2") << "spec.hosts";

  // Another lab's link holds the VNI on this host first: this lab's tunnel yields.
  uint32_t v1 = CrossHostVni("wan", "a1:eth1--b1:eth1");
  LabSpec other = test::LabOf(
      "name: aaa\ntopology:\n  nodes:\n    x: {kind: linux, image: i}\n  links:\n"
      "    - type: vxlan\n      endpoint: {node: x, interface: vx0}\n"
      "      remote: 192.0.2.9\n      vni: " +
          std::to_string(v1) + "\n",
      "/tmp/aaa.clab.yml");
  std::map<uint32_t, std::string> claims = VniClaims({&other, &lab}, Table("ha"));
  EXPECT_EQ(claims.at(v1), "lab aaa link x:vx0--vxlan:" + std::to_string(v1));
  LocalLab yielded = LocalView(lab, Table("ha"), claims);
  ASSERT_EQ(yielded.Problems().size(), 1u);
  EXPECT_EQ(yielded.Problems()[0], "link/a1:eth1--b1:eth1: its VNI " + std::to_string(v1) +
                                       " is taken on this host by lab aaa link x:vx0--vxlan:" + std::to_string(v1));
  EXPECT_TRUE(LocalView(lab, Table("ha"), VniClaims({&lab}, Table("ha"))).Problems().empty())
      << "a lab's own claims are its own";
}

TEST(MultiHost, OnlyAVethBetweenTwoNodesCrossesHosts) {
  LabSpec lab = test::LabOf(R"(
name: m
topology:
  defaults: {kind: linux, image: img:1}
  nodes:
    a: {labels: {labkeeper.dev/host: ha}}
    b: {labels: {labkeeper.dev/host: hb}}
  links:
    - type: veth-stitch
      endpoints: [{node: a, interface: eth1}, {node: b, interface: eth1}]
)",
                            "/tmp/m.clab.yml");
  LocalLab a = LocalView(lab, Table("ha"));
  ASSERT_EQ(a.Problems().size(), 1u);
  EXPECT_NE(a.Problems()[0].find("cannot cross hosts"), std::string::npos) << a.Problems()[0];
}

}  // namespace
}  // namespace lk
