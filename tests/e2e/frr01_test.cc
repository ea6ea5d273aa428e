// ../shared/clab-examples/frr01, unchanged, deployed by `labkeeper apply` on the real engine:
// containerlab's names and labels, six veth links, OSPF Full, PC1 pings PC3, a second apply
// changes nothing, and destroy leaves nothing behind.
#include <gtest/gtest.h>

#include <filesystem>

#include "api/topology_codec.h"
#include "controller/docker_client.h"
#include "controller/link_manager.h"
#include "controller/observed.h"
#include "controller/observer.h"
#include "tests/support/support.h"

namespace lk {
namespace {

using test::LabContainers;
using test::Labkeeper;
using test::Sh;

int FullAdjacencies(const std::string& container) {
  return test::OspfFullNeighbours(container);
}

TEST(Frr01, AppliedUnchangedConvergesAndDestroysWithoutTrace) {
  ASSERT_TRUE(test::EngineAnswers());
  std::string file = std::filesystem::canonical(test::SharedDir() + "/clab-examples/frr01/frr01.clab.yml");
  ASSERT_TRUE(LabContainers("frr01").empty()) << "a lab named frr01 already runs on this engine; not touching it";
  DockerClient docker;
  bool network_existed = !docker.InspectNetwork("clab")->is_null();
  test::LabGuard guard("frr01");

  auto first = Labkeeper("apply " + file);
  ASSERT_EQ(first.status, 0) << first.out;
  EXPECT_NE(first.out.find("[6/6]"), std::string::npos) << "progress per node:\n" << first.out;

  // Six containers named and labelled as containerlab does.
  auto ids = LabContainers("frr01");
  std::vector<std::string> names;
  for (auto& [n, id] : ids) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"clab-frr01-PC1", "clab-frr01-PC2", "clab-frr01-PC3", "clab-frr01-router1",
                                             "clab-frr01-router2", "clab-frr01-router3"}));
  auto r1 = *docker.InspectContainer("clab-frr01-router1");
  auto labels = r1["Config"]["Labels"];
  EXPECT_EQ(labels["containerlab"], "frr01");
  EXPECT_EQ(labels["clab-node-name"], "router1");
  EXPECT_EQ(labels["clab-node-longname"], "clab-frr01-router1");
  EXPECT_EQ(labels["clab-node-kind"], "linux");
  EXPECT_EQ(labels["clab-node-group"], "routers");
  EXPECT_EQ(labels["clab-topo-file"], file);
  // The tests keep lab directories under $CLAB_LABDIR_BASE (tests/support): none in ../shared.
  EXPECT_EQ(labels["clab-node-lab-dir"], test::NamesDir() + "/clab-frr01/router1");
  EXPECT_TRUE(labels.contains("clab-node-type"));
  EXPECT_EQ(labels[kManagedByLabel], "labkeeper");
  EXPECT_TRUE(labels.contains(kOwnerLabel));
  EXPECT_EQ(labels[kSpecHashLabel].get<std::string>().size(), 16u);
  EXPECT_EQ(r1["Config"]["Hostname"], "router1");
  EXPECT_EQ(r1["Config"]["Image"], "quay.io/frrouting/frr:10.5.1");

  // Six veth links, each a real pair between the two containers the file names.
  LoadResult lab = LoadTopologyFile(file);
  ASSERT_TRUE(lab.ok());
  auto links = MakeNetlinkLinkManager();
  auto ifaces_of = [&](const std::string& node) {
    auto c = *docker.InspectContainer("clab-frr01-" + node);
    auto ns = NetNs::OfPid(c["State"]["Pid"].get<int>());
    return *links->List(*ns);
  };
  int pairs = 0;
  for (const auto& l : lab.lab->links) {
    auto ia = ifaces_of(l.a.node), ib = ifaces_of(l.b.node);
    const Iface *a = nullptr, *b = nullptr;
    for (const auto& i : ia)
      if (i.name == l.a.iface) a = &i;
    for (const auto& i : ib)
      if (i.name == l.b.iface) b = &i;
    ASSERT_TRUE(a && b) << l.Id();
    EXPECT_EQ(a->kind, "veth");
    EXPECT_EQ(a->peer_ifindex, b->ifindex) << l.Id();
    EXPECT_EQ(b->peer_ifindex, a->ifindex) << l.Id();
    EXPECT_EQ(a->mtu, 9500);
    EXPECT_TRUE(a->admin_up && b->admin_up) << l.Id();
    EXPECT_EQ(IfaceMarker::Parse(a->alias)->link, l.Id());
    ++pairs;
  }
  EXPECT_EQ(pairs, 6);
  // The kernel reports carrier a moment after both ends are up (linkwatch).
  EXPECT_TRUE(test::WaitFor(
      [&] {
        for (const auto& l : lab.lab->links)
          for (const auto* end : {&l.a, &l.b})
            for (const auto& i : ifaces_of(end->node))
              if (i.name == end->iface && !i.oper_up) return false;
        return true;
      },
      test::kStartBound, 200))
      << "some link end is not operationally up";

  // OSPF: each router reaches Full with its two neighbours (FRR's dead/wait timers are 40 s).
  bool full = test::WaitFor(
      [&] {
        return FullAdjacencies("clab-frr01-router1") == 2 && FullAdjacencies("clab-frr01-router2") == 2 &&
               FullAdjacencies("clab-frr01-router3") == 2;
      },
      180, 2000);
  EXPECT_TRUE(full) << Sh("docker exec clab-frr01-router1 vtysh -c 'show ip ospf neighbor'");
  bool ping = test::WaitFor(
      [&] {
        int st = 1;
        Sh("docker exec clab-frr01-PC1 ping -c 1 -W 2 192.168.13.2", &st);
        return st == 0;
      },
      90, 1000);
  EXPECT_TRUE(ping) << "PC1 cannot ping PC3 through the routers";

  // A second apply reports no changes and keeps every container.
  auto second = Labkeeper("apply " + file);
  EXPECT_EQ(second.status, 0) << second.out;
  EXPECT_NE(second.out.find("in sync, no changes"), std::string::npos) << second.out;
  EXPECT_EQ(LabContainers("frr01"), ids);

  auto destroy = Labkeeper("destroy " + file);
  EXPECT_EQ(destroy.status, 0) << destroy.out;
  EXPECT_TRUE(LabContainers("frr01").empty());
  EXPECT_EQ(Sh("ip -o link show | grep -c 'labkeeper lab=frr01' || true"), "0\n");
  if (!network_existed) {
    EXPECT_TRUE(docker.InspectNetwork("clab")->is_null()) << "the clab network stayed behind";
  }
}

}  // namespace
}  // namespace lk
