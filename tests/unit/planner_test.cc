#include "controller/planner.h"

#include <gtest/gtest.h>

#include "controller/netem.h"
#include "tests/support/lab_text.h"

namespace lk {
namespace {

LabSpec TwoNodes() {
  return test::LabOf(R"(
name: p
topology:
  defaults: {kind: linux, image: img:1}
  nodes:
    a: {exec: ["ip link set eth1 up"]}
    b: {}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
    - endpoints: ["a:eth2", "host:p-a"]
)",
                     "/tmp/p.clab.yml");
}

ContainerState Running(const LabSpec& lab, const std::string& node) {
  ContainerState c;
  c.id = "id-" + node;
  c.name = lab.ContainerName(node);
  c.image = lab.FindNode(node)->image;
  c.state = "running";
  c.pid = 100;
  c.labels = {{kLabLabel, lab.name},
              {kNodeNameLabel, node},
              {kManagedByLabel, kManagedByValue},
              {kSpecHashLabel, lab.FindNode(node)->SpecHash()}};
  return c;
}

Iface End(const LabSpec& lab, const LinkConfig& l, const Endpoint& e, int index, int peer) {
  Iface i;
  i.name = e.iface;
  i.ifindex = index;
  i.peer_ifindex = peer;
  i.kind = "veth";
  i.alias = IfaceMarker{lab.name, e.node, l.Id()}.str();
  i.mtu = l.mtu;
  i.mac = e.mac;
  i.admin_up = i.oper_up = true;
  return i;
}

// The world exactly as the lab describes it.
ObservedLab InSync(const LabSpec& lab) {
  ObservedLab o;
  o.lab = lab.name;
  for (const auto& n : lab.nodes) {
    o.nodes[n.name].container = Running(lab, n.name);
    o.nodes[n.name].owned = true;
  }
  const LinkConfig& l0 = lab.links[0];
  o.nodes["a"].ifaces.push_back(End(lab, l0, l0.a, 10, 20));
  o.nodes["b"].ifaces.push_back(End(lab, l0, l0.b, 20, 10));
  const LinkConfig& l1 = lab.links[1];
  o.nodes["a"].ifaces.push_back(End(lab, l1, l1.a, 11, 30));
  o.host_ifaces.push_back(End(lab, l1, l1.b, 30, 11));
  return o;
}

TEST(Planner, EmptyWorldGetsEverythingInOrder) {
  LabSpec lab = TwoNodes();
  ObservedLab o;
  o.lab = lab.name;
  o.network_exists = false;
  EXPECT_EQ(MakePlan(lab, o).str(),
            "create-network network/clab (missing)\n"
            "create-container node/a (missing)\n"
            "create-container node/b (missing)\n"
            "create-link link/a:eth1--b:eth1 (link missing)\n"
            "create-link link/a:eth2--host:p-a (link missing)\n"
            "exec node/a (node started)\n");
}

TEST(Planner, InSyncWorldGivesAnEmptyPlan) {
  LabSpec lab = TwoNodes();
  EXPECT_TRUE(MakePlan(lab, InSync(lab)).empty()) << MakePlan(lab, InSync(lab)).str();
}

TEST(Planner, ForeignContainerIsAConflictAndBlocksItsLinks) {
  LabSpec lab = TwoNodes();
  ObservedLab o = InSync(lab);
  o.nodes["b"].owned = false;
  o.nodes["b"].container->labels.clear();
  o.nodes["b"].ifaces.clear();
  EXPECT_EQ(MakePlan(lab, o).str(),
            "conflict node/b (container clab-p-b exists and is not managed by labkeeper; remove or rename it)\n"
            "conflict link/a:eth1--b:eth1 (node b cannot be made)\n");
}

TEST(Planner, AnotherControllersContainerIsNeverTouchedNorRemovedAsAnOrphan) {
  LabSpec lab = TwoNodes();
  ObservedLab o = InSync(lab);
  for (auto& [name, n] : o.nodes) n.container->labels[kOwnerLabel] = "h1";
  EXPECT_TRUE(MakePlan(lab, o, "h1").empty()) << "h1's own";
  EXPECT_TRUE(MakePlan(lab, o).empty()) << "no owner given: no fence (as before)";
  o.nodes["b"].container->labels[kOwnerLabel] = "h2";
  o.nodes["b"].container->labels[kSpecHashLabel] = "changed";  // would be replaced, were it h1's
  ContainerState orphan = Running(lab, "a");
  orphan.id = "id-gone";
  orphan.name = "clab-p-gone";
  orphan.labels[kNodeNameLabel] = "gone";
  orphan.labels[kOwnerLabel] = "h2";
  o.orphans.push_back(orphan);
  std::string held =
      " belongs to controller h2 (label labkeeper.dev/owner), not to h1: not touched; "
      "`labkeeper destroy --lab p` on h2 (or docker rm) hands the lab over)\n";
  EXPECT_EQ(MakePlan(lab, o, "h1").str(), "conflict node/gone (container clab-p-gone" + held +
                                              "conflict node/b (container clab-p-b" + held +
                                              "conflict link/a:eth1--b:eth1 (node b cannot be made)\n");
  o.orphans[0].labels[kOwnerLabel] = "h1";
  EXPECT_NE(MakePlan(lab, o, "h1").str().find("remove-container node/gone (orphan)"), std::string::npos);
}

TEST(Planner, AVxlanEndSendingElsewhereThanTheLinkSaysIsMadeAgain) {
  LabSpec lab = test::LabOf(R"(
name: v
topology:
  nodes:
    a: {kind: linux, image: img:1}
  links:
    - type: vxlan
      endpoint: {node: a, interface: vx0}
      remote: "2001:db8::2"
      vni: 7
)",
                            "/tmp/v.clab.yml");
  ObservedLab o;
  o.lab = lab.name;
  o.nodes["a"].container = Running(lab, "a");
  o.nodes["a"].owned = true;
  const LinkConfig& l = lab.links[0];
  Iface vx = End(lab, l, l.a, 10, 0);
  vx.kind = "vxlan";
  vx.remote = "2001:DB8::2";  // the same address, written otherwise
  o.nodes["a"].ifaces.push_back(vx);
  EXPECT_TRUE(MakePlan(lab, o).empty()) << MakePlan(lab, o).str();
  o.nodes["a"].ifaces[0].remote = "2001:db8::9";  // the peer host moved
  EXPECT_EQ(MakePlan(lab, o).str(), "create-link link/a:vx0--vxlan:7 (remote 2001:db8::9 != 2001:db8::2)\n");
}

TEST(Planner, ExitedContainerIsStartedRelinkedAndExecAgain) {
  LabSpec lab = TwoNodes();
  ObservedLab o = InSync(lab);
  o.nodes["a"].container->state = "exited";
  o.nodes["a"].ifaces.clear();
  EXPECT_EQ(MakePlan(lab, o).str(),
            "start-container node/a (exited)\n"
            "create-link link/a:eth1--b:eth1 (link missing)\n"
            "create-link link/a:eth2--host:p-a (link missing)\n"
            "exec node/a (node started)\n");
}

TEST(Planner, SpecChangeRecreatesOnlyThatNode) {
  LabSpec lab = TwoNodes();
  ObservedLab o = InSync(lab);
  o.nodes["b"].container->labels[kSpecHashLabel] = "old";
  o.nodes["b"].container->image = "img:0";
  Plan p = MakePlan(lab, o);
  EXPECT_EQ(p.str(),
            "remove-container node/b (spec changed: image)\n"
            "create-container node/b (spec changed: image)\n"
            "create-link link/a:eth1--b:eth1 (link missing)\n"
            "exec node/a (links recreated)\n");
  EXPECT_EQ(p.actions[0].container_id, "id-b");
}

TEST(Planner, InterfaceDrift) {
  LabSpec lab = TwoNodes();
  ObservedLab o = InSync(lab);
  o.nodes["a"].ifaces[0].mtu = 1500;
  o.nodes["b"].ifaces[0].admin_up = false;
  o.nodes["b"].ifaces[0].mac = "02:00:00:00:00:99";
  EXPECT_EQ(MakePlan(lab, o).str(),
            "repair-interface iface/a:eth1 (mtu 1500 != 9500)\n"
            "repair-interface iface/b:eth1 (mac 02:00:00:00:00:99 != " +
                lab.links[0].b.mac +
                ")\n"
                "repair-interface iface/b:eth1 (interface down)\n");
}

TEST(Planner, OneEndMissingAndWrongPeer) {
  LabSpec lab = TwoNodes();
  ObservedLab o = InSync(lab);
  o.nodes["b"].ifaces.clear();
  EXPECT_EQ(MakePlan(lab, o).str(),
            "create-link link/a:eth1--b:eth1 (link missing on b:eth1)\nexec node/a (links recreated)\n");
  o = InSync(lab);
  o.nodes["b"].ifaces[0].peer_ifindex = 99;
  EXPECT_EQ(MakePlan(lab, o).str(), "create-link link/a:eth1--b:eth1 (peer mismatch)\nexec node/a (links recreated)\n");
}

TEST(Planner, OrphansAreRemoved) {
  LabSpec lab = TwoNodes();
  ObservedLab o = InSync(lab);
  ContainerState old = Running(lab, "a");
  old.id = "id-old";
  old.name = "clab-p-old";
  old.labels[kNodeNameLabel] = "old";
  o.orphans.push_back(old);
  Iface stale = o.nodes["a"].ifaces[0];
  stale.name = "eth9";
  stale.alias = IfaceMarker{lab.name, "a", "a:eth9--old:eth1"}.str();
  o.nodes["a"].ifaces.push_back(stale);
  Plan p = MakePlan(lab, o);
  EXPECT_EQ(p.str(), "remove-container node/old (orphan)\ndelete-interface iface/a:eth9 (orphan)\n");
  EXPECT_EQ(p.actions[0].container_id, "id-old");
}

TEST(Planner, InterfacesLeftByAnInterruptedCreationAreDeletedFirst) {
  LabSpec lab = TwoNodes();
  ObservedLab o = InSync(lab);
  o.nodes["b"].ifaces.clear();
  o.nodes["b"].strays.push_back(TempIfaceName(lab.name, lab.links[0], lab.links[0].b));
  EXPECT_EQ(MakePlan(lab, o).str(), "delete-interface iface/b:" + o.nodes["b"].strays[0] +
                                        " (interrupted creation)\n"
                                        "create-link link/a:eth1--b:eth1 (link missing on b:eth1)\n"
                                        "exec node/a (links recreated)\n");
}

TEST(Planner, TempNamesAreValidAndDistinct) {
  LabSpec lab = TwoNodes();
  std::string a = TempIfaceName(lab.name, lab.links[0], lab.links[0].a);
  std::string b = TempIfaceName(lab.name, lab.links[0], lab.links[0].b);
  EXPECT_EQ(a.size(), 15u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.substr(0, 3), "lkt");
}

LabSpec Load(const std::string& yaml) {
  return test::LabOf(yaml, "/tmp/o.clab.yml");
}

// "step:depth:group action object" per action, for order assertions.
std::vector<std::string> Steps(const Plan& p) {
  std::vector<std::string> out;
  for (const auto& a : p.actions)
    out.push_back(std::string(StepName(a.step)) + ":" + std::to_string(a.depth) + ":" + a.group + " " +
                  ActionName(a.kind) + " " + a.object);
  return out;
}

TEST(PlannerOrder, EveryActionHasItsStepAndThePlanIsInStepOrder) {
  LabSpec lab = Load(R"(
name: o
topology:
  defaults: {kind: linux, image: img:1}
  nodes:
    side: {network-mode: "container:mid"}
    mid: {network-mode: "container:base"}
    base: {exec: ["true"]}
    taken: {}
    br: {kind: bridge}
  links:
    - endpoints: ["base:eth1", "br:p1"]
    - endpoints: ["taken:eth1", "br:p2"]
)");
  ObservedLab o;
  o.lab = lab.name;
  o.network_exists = false;
  ContainerState foreign;
  foreign.id = "id-x";
  foreign.name = lab.ContainerName("taken");
  foreign.state = "running";
  o.nodes["taken"].container = foreign;  // not ours: a conflict
  ContainerState orphan;
  orphan.id = "id-old";
  orphan.name = "clab-o-old";
  orphan.labels = {{kNodeNameLabel, "old"}};
  o.orphans.push_back(orphan);
  o.host_strays.push_back("lktstale");
  Plan p = MakePlan(lab, o);
  EXPECT_EQ(Steps(p), (std::vector<std::string>{
                          "setup:0: create-network network/" + lab.mgmt.network,
                          "setup:0: conflict node/taken",
                          "setup:0: conflict link/taken:eth1--br:p2",
                          "nodes:0:orphan/id-old remove-container node/old",
                          "nodes:0:base create-container node/base",
                          "nodes:1:mid create-container node/mid",
                          "nodes:2:side create-container node/side",
                          "cleanup:0: delete-interface iface/host:lktstale",
                          "bridges:0: create-bridge bridge/br",
                          "links:0: create-link link/base:eth1--br:p1",
                          "exec:0: exec node/base",
                      }));
  EXPECT_TRUE(p.waits.empty()) << "no stages, no waits";
}

TEST(PlannerOrder, AStagedLabsNewNodesGoThroughTheirStagesWithTheWaitsThePlanGives) {
  LabSpec lab = Load(R"(
name: s
topology:
  defaults: {kind: linux, image: img:1}
  nodes:
    a: {exec: ["true"]}
    b: {stages: {configure: {wait-for: [{node: a, stage: healthy}]}}, exec: ["true"]}
    c: {network-mode: "container:a"}
    old: {exec: ["true"]}
    old2: {}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
    - endpoints: ["old:eth1", "old2:eth1"]
)");
  ObservedLab o;
  o.lab = lab.name;
  o.network_exists = true;
  for (const char* n : {"old", "old2"}) {  // running, as the lab says, their link gone
    ContainerState c = Running(lab, n);
    o.nodes[n].container = c;
    o.nodes[n].owned = true;
  }
  Plan p = MakePlan(lab, o);
  EXPECT_EQ(Steps(p), (std::vector<std::string>{
                          "staged:0:a create-container node/a",
                          "staged:0:b create-container node/b",
                          "staged:0:c create-container node/c",
                          "staged:0: create-link link/a:eth1--b:eth1",
                          "staged:0: exec node/a",
                          "staged:0: exec node/b",
                          "links:0: create-link link/old:eth1--old2:eth1",
                          "exec:0: exec node/old",
                      }));
  int healthy = StageIndex("healthy"), configure = StageIndex("configure");
  EXPECT_EQ(p.waits, (std::vector<PlannedWait>{{"b", configure, "a", healthy}, {"c", 0, "a", 0}}))
      << "b's own wait-for, and c in a's namespace waits for a's create";
}

TEST(IfaceMarker, RoundTrip) {
  IfaceMarker m{"lab", "node", "a:eth1--b:eth1"};
  EXPECT_EQ(IfaceMarker::Parse(m.str()), m);
  EXPECT_FALSE(IfaceMarker::Parse("someone else's alias"));
}

// Impairments (#20): made after the link they are on, compared like MTU and MAC, changed in
// place, removed when no longer declared; a root qdisc someone else put is never touched.
TEST(Planner, AnImpairmentIsMadeComparedChangedAndRemovedButNeverOverAnothersQdisc) {
  LabSpec lab = TwoNodes();
  Impairment want;
  ASSERT_EQ(SetImpairmentValue(&want, "delay", "50ms"), "");
  lab.links[0].a.impair = want;
  ObservedLab empty;
  empty.lab = lab.name;
  std::string fresh = MakePlan(lab, empty).str();
  EXPECT_NE(fresh.find("create-link link/a:eth1--b:eth1 (link missing)\n"), std::string::npos) << fresh;
  EXPECT_NE(fresh.find("impair-interface iface/a:eth1 (impairment delay 50ms on the new end)"), std::string::npos)
      << fresh;
  EXPECT_LT(fresh.find("create-link link/a:eth1--b:eth1"), fresh.find("impair-interface")) << "made after its link";

  ObservedLab o = InSync(lab);
  EXPECT_EQ(MakePlan(lab, o).str(), "impair-interface iface/a:eth1 (impairment missing: delay 50ms)\n");
  Iface& a = o.nodes["a"].ifaces[0];
  a.qdisc = "netem";
  a.qdisc_handle = kOwnQdiscHandle;
  a.netem = want;
  EXPECT_TRUE(MakePlan(lab, o).empty()) << MakePlan(lab, o).str();
  ASSERT_EQ(SetImpairmentValue(&*lab.links[0].a.impair, "delay", "20ms"), "");
  EXPECT_EQ(MakePlan(lab, o).str(), "impair-interface iface/a:eth1 (impairment delay 50ms != delay 20ms)\n");
  lab.links[0].a.impair.reset();
  EXPECT_EQ(MakePlan(lab, o).str(), "impair-interface iface/a:eth1 (impairment no longer declared (was delay 50ms))\n");

  lab.links[0].a.impair = want;
  a.qdisc = "tbf";
  a.qdisc_handle = 0x00770000;
  a.netem.reset();
  EXPECT_EQ(MakePlan(lab, o).str(),
            "conflict iface/a:eth1 (root qdisc tbf 77: is not labkeeper's: left as it is, impairment delay 50ms not "
            "made)\n");
  lab.links[0].a.impair.reset();
  EXPECT_TRUE(MakePlan(lab, o).empty()) << "someone else's qdisc on an end with no impairment is theirs";
}

}  // namespace
}  // namespace lk
