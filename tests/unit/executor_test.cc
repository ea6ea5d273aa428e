// One pass over a lab (observe, plan, execute) with every seam faked: no engine, no kernel, no
// host. What the executor makes, skips and reports, and that it never observes twice.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>

#include "controller/applier.h"
#include "controller/container_spec.h"
#include "controller/observed.h"
#include "tests/fakes/fake_env.h"
#include "tests/fakes/fake_links.h"
#include "tests/fakes/fake_runtime.h"
#include "tests/support/lab_text.h"

namespace lk::test {
namespace {

class ExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override { rt_.AddImage("img:1"); }

  LabSpec Lab(const std::string& yaml) { return LabOf(yaml); }
  ApplyResult Apply(const LabSpec& lab, std::string emulation = "warn") {
    Applier applier(
        rt_, links_, env_, {2, "tester", &cancel_, std::move(emulation)},
        [this](const Event& e) {
          std::lock_guard lock(mu_);
          events_.push_back(e);
        },
        [this](const std::string& line) {
          std::lock_guard lock(mu_);
          lines_.push_back(line);
        });
    return applier.Apply(lab);
  }
  // The namespace a node's container runs in, as the fake link manager names it.
  std::string Ns(const LabSpec& lab, const std::string& node) {
    auto c = rt_.Get(lab.ContainerName(node));
    return c.ok() && *c ? "pid " + std::to_string((*c)->pid) : "none";
  }
  bool HasEvent(const std::string& reason) {
    std::lock_guard lock(mu_);
    return std::any_of(events_.begin(), events_.end(), [&](const Event& e) { return e.reason == reason; });
  }
  size_t LineIndex(const std::string& part) {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < lines_.size(); ++i)
      if (lines_[i].find(part) != std::string::npos) return i;
    return lines_.size();
  }
  int CallCount(const std::vector<std::string>& calls, const std::string& m) {
    return static_cast<int>(std::count(calls.begin(), calls.end(), m));
  }

  FakeRuntime rt_;
  FakeLinks links_;
  FakeEnv env_;
  std::atomic<bool> cancel_{false};
  std::mutex mu_;
  std::vector<Event> events_;
  std::vector<std::string> lines_;
};

const char kTwo[] = R"(
name: x
topology:
  defaults: {kind: linux, image: img:1}
  nodes:
    a: {exec: ["ip link set eth1 up"]}
    b: {}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
      mtu: 9000
)";

TEST_F(ExecutorTest, AMissingLabIsMadeWholeAndASecondPassHasNothingToDo) {
  LabSpec lab = Lab(kTwo);
  ApplyResult r = Apply(lab);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(r.failures());
  for (const char* n : {"a", "b"}) {
    auto c = rt_.Get(lab.ContainerName(n));
    ASSERT_TRUE(c.ok() && *c) << n;
    EXPECT_TRUE((*c)->running());
  }
  auto ea = links_.Find(Ns(lab, "a"), "eth1");
  auto eb = links_.Find(Ns(lab, "b"), "eth1");
  ASSERT_TRUE(ea && eb);
  EXPECT_EQ(ea->mtu, 9000);
  EXPECT_EQ(IfaceMarker::Parse(ea->alias)->node, "a");
  EXPECT_EQ(eb->peer_ifindex, ea->ifindex);
  EXPECT_EQ(CallCount(rt_.Calls(), "Exec"), 1);
  ApplyResult again = Apply(lab);
  EXPECT_TRUE(again.ok());
  EXPECT_TRUE(again.plan.empty()) << again.plan.str();
}

TEST_F(ExecutorTest, TheExecutorListsNoInterfaceTheObserverDidNotAlreadyList) {
  LabSpec lab = Lab(kTwo);
  ASSERT_TRUE(Apply(lab).ok());
  links_.DeleteBehindItsBack(Ns(lab, "a"), "eth1");
  size_t before = links_.Calls().size();
  ASSERT_TRUE(Apply(lab).ok());
  auto calls = links_.Calls();
  std::vector<std::string> pass(calls.begin() + static_cast<long>(before), calls.end());
  // The observer lists the host and each running container once; the repair lists nothing.
  EXPECT_EQ(CallCount(pass, "List"), 3) << testing::PrintToString(pass);
  EXPECT_EQ(CallCount(pass, "CreateVeth"), 1);
  EXPECT_TRUE(links_.Find(Ns(lab, "b"), "eth1"));
}

TEST_F(ExecutorTest, DriftOnAnEndIsRepairedInPlace) {
  LabSpec lab = Lab(kTwo);
  ASSERT_TRUE(Apply(lab).ok());
  int index = links_.Find(Ns(lab, "a"), "eth1")->ifindex;
  links_.SetDownBehindItsBack(Ns(lab, "a"), "eth1");
  links_.SetMtuBehindItsBack(Ns(lab, "b"), "eth1", 1500);
  ApplyResult r = Apply(lab);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(r.failures());
  EXPECT_TRUE(links_.Find(Ns(lab, "a"), "eth1")->admin_up);
  EXPECT_EQ(links_.Find(Ns(lab, "b"), "eth1")->mtu, 9000);
  EXPECT_EQ(links_.Find(Ns(lab, "a"), "eth1")->ifindex, index) << "repaired, not recreated";
}

TEST_F(ExecutorTest, ANodeThatCannotBeMadeSkipsItsLinksAndTheRestIsMade) {
  LabSpec lab = Lab(R"(
name: x
topology:
  defaults: {kind: linux, image: img:1}
  nodes:
    a: {}
    b: {}
    c: {image: "absent:1", image-pull-policy: never, exec: ["true"]}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
    - endpoints: ["a:eth2", "c:eth1"]
)");
  ApplyResult r = Apply(lab);
  EXPECT_FALSE(r.ok());
  std::string failures = testing::PrintToString(r.failures());
  EXPECT_NE(failures.find("node/c: image absent:1 is not present"), std::string::npos) << failures;
  EXPECT_NE(failures.find("not created: node c failed"), std::string::npos) << failures;
  EXPECT_TRUE(links_.Find(Ns(lab, "a"), "eth1")) << "the link between the nodes that were made is made";
  EXPECT_FALSE(links_.Find(Ns(lab, "a"), "eth2"));
  EXPECT_EQ(CallCount(rt_.Calls(), "Exec"), 0) << "a failed node's exec is skipped";
}

TEST_F(ExecutorTest, ALinkThatFailsHoldsBackItsNodesExecUntilTheRetry) {
  LabSpec lab = Lab(kTwo);
  links_.FailNext("CreateVeth", "no room");
  ApplyResult r = Apply(lab);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(CallCount(rt_.Calls(), "Exec"), 0);
  ApplyResult retry = Apply(lab);
  EXPECT_TRUE(retry.ok()) << testing::PrintToString(retry.failures());
  EXPECT_EQ(CallCount(rt_.Calls(), "Exec"), 1);
}

TEST_F(ExecutorTest, ACancelledPassStartsNothingAndSaysSo) {
  LabSpec lab = Lab(kTwo);
  cancel_ = true;
  ApplyResult r = Apply(lab);
  EXPECT_TRUE(r.cancelled);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(CallCount(rt_.Calls(), "Run"), 0);
}

TEST_F(ExecutorTest, ABindSourceIsLookedForOnTheHost) {
  LabSpec lab = Lab(R"(
name: x
topology:
  nodes:
    a: {kind: linux, image: img:1, binds: ["/srv/data:/data"]}
)");
  ApplyResult r = Apply(lab);
  ASSERT_EQ(r.failures().size(), 1u);
  EXPECT_EQ(r.failures()[0], "node/a: bind source /srv/data does not exist");
  env_.AddFile("/srv/data", "");
  EXPECT_TRUE(Apply(lab).ok());
}

TEST_F(ExecutorTest, StartupDelayIsSleptOnTheEnvsClock) {
  LabSpec lab = Lab(R"(
name: x
topology:
  nodes:
    a: {kind: linux, image: img:1, startup-delay: 30}
)");
  ASSERT_TRUE(Apply(lab).ok());
  EXPECT_GE(env_.Slept(), std::chrono::seconds(30));
  EXPECT_LT(LineIndex("waiting 30 s (startup-delay)"), lines_.size());
}

TEST_F(ExecutorTest, AStoppedContainerIsStartedAndItsLinksAreMadeInItsNewNamespace) {
  LabSpec lab = Lab(kTwo);
  ASSERT_TRUE(Apply(lab).ok());
  std::string old_ns = Ns(lab, "a");
  rt_.Stop(lab.ContainerName("a"));
  links_.DeleteBehindItsBack(old_ns, "eth1");  // its namespace went with its process
  ApplyResult r = Apply(lab);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(r.failures());
  EXPECT_NE(Ns(lab, "a"), old_ns);
  EXPECT_TRUE(links_.Find(Ns(lab, "a"), "eth1"));
  EXPECT_TRUE(links_.Find(Ns(lab, "b"), "eth1"));
}

// A host end, and a bridge in the host with a port.
const char kHostSide[] = R"(
name: x
topology:
  nodes:
    a: {kind: linux, image: img:1}
    br1: {kind: bridge}
  links:
    - endpoints: ["a:eth1", "host:x-a1"]
    - endpoints: ["a:eth2", "br1:x-p1"]
)";

TEST_F(ExecutorTest, HostEndsAndHostBridgesAreInTheHostNamespaceWithForwardingOpened) {
  LabSpec lab = Lab(kHostSide);
  ApplyResult r = Apply(lab);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(r.failures());
  EXPECT_TRUE(links_.Find("host", "x-a1"));
  auto br = links_.Find("host", "br1");
  ASSERT_TRUE(br);
  EXPECT_EQ(br->kind, "bridge");
  EXPECT_EQ(links_.MasterOf("host", "x-p1"), "br1");
  EXPECT_EQ(env_.ForwardedBridges(), std::set<std::string>{"x/br1"});
}

// containerlab's tests/08-vxlan/03-vxlan-tools: a host end named longer than Linux allows.
TEST_F(ExecutorTest, ALongHostNameIsAnAltnameOfAShortKernelNameAndIsRepairedLikeAnyInterface) {
  LabSpec lab = Lab(R"(
name: x
topology:
  nodes:
    a: {kind: linux, image: img:1}
  links:
    - endpoints: ["a:eth1", "host:some_very_long_node_name_l1_eth1"]
)");
  const std::string alt = "some_very_long_node_name_l1_eth1", kernel = KernelIfaceName(alt);
  ASSERT_TRUE(Apply(lab).ok());
  auto host = links_.Find("host", kernel);
  ASSERT_TRUE(host);
  EXPECT_EQ(host->altnames, std::vector<std::string>{alt});
  EXPECT_TRUE(Apply(lab).plan.actions.empty()) << "in sync: the altname is found";

  links_.DelAltNameBehindItsBack("host", kernel, alt);
  ApplyResult r = Apply(lab);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(r.failures());
  ASSERT_EQ(r.plan.actions.size(), 1u);
  EXPECT_EQ(r.plan.actions[0].reason, "altname " + alt + " missing");
  EXPECT_EQ(links_.Find("host", kernel)->altnames, std::vector<std::string>{alt});

  links_.DeleteBehindItsBack("host", kernel);
  ASSERT_TRUE(Apply(lab).ok());
  ASSERT_TRUE(links_.Find("host", kernel));
  EXPECT_EQ(links_.Find("host", kernel)->altnames, std::vector<std::string>{alt});
  EXPECT_TRUE(Apply(lab).plan.actions.empty());
}

TEST_F(ExecutorTest, AForwardingRuleThatCannotBeAddedFailsThatLink) {
  LabSpec lab = Lab(R"(
name: x
topology:
  nodes:
    a: {kind: linux, image: img:1}
    br1: {kind: bridge}
  links:
    - endpoints: ["a:eth2", "br1:x-p1"]
)");
  env_.FailNext("AllowBridgeForwarding", "iptables: permission denied");
  ApplyResult r = Apply(lab);
  std::string failures = testing::PrintToString(r.failures());
  EXPECT_NE(failures.find("iptables: permission denied"), std::string::npos) << failures;
  EXPECT_TRUE(Apply(lab).ok()) << "the next pass makes it";
}

TEST_F(ExecutorTest, AnOrphanContainerOfTheLabIsRemoved) {
  ASSERT_TRUE(Apply(Lab(kTwo)).ok());
  LabSpec one = Lab(R"(
name: x
topology:
  nodes:
    a: {kind: linux, image: img:1, exec: ["ip link set eth1 up"]}
)");
  ApplyResult r = Apply(one);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(r.failures());
  auto b = rt_.Get(one.ContainerName("b"));
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->has_value());
}

TEST_F(ExecutorTest, AContainerThatIsNotOursIsAConflictAndTheRestGoesOn) {
  LabSpec lab = Lab(kTwo);
  ContainerSpec foreign;
  foreign.name = lab.ContainerName("b");
  foreign.image = "img:1";
  ASSERT_TRUE(rt_.Run(foreign, nullptr).ok());
  ApplyResult r = Apply(lab);
  std::string failures = testing::PrintToString(r.failures());
  EXPECT_NE(failures.find("node/b"), std::string::npos) << failures;
  auto a = rt_.Get(lab.ContainerName("a"));
  ASSERT_TRUE(a.ok() && *a);
  EXPECT_EQ(rt_.SpecOf(foreign.name)->labels.count(kManagedByLabel), 0u) << "never touched";
}

TEST_F(ExecutorTest, AnExtContainersExecRunsInThatContainerByItsOwnName) {
  ContainerSpec ext;
  ext.name = "ext1";
  ext.image = "img:1";
  ASSERT_TRUE(rt_.Run(ext, nullptr).ok());
  ASSERT_TRUE(rt_.Start("ext1").ok());
  std::vector<std::string> ran_in;
  rt_.OnExec([&](const std::string& container, const std::vector<std::string>&) {
    std::lock_guard lock(mu_);
    ran_in.push_back(container);
    return ExecResult{0, ""};
  });
  LabSpec lab = Lab(R"(
name: x
topology:
  nodes:
    ext1: {kind: ext-container, exec: ["ip address add dev eth1 192.168.0.1/24"]}
    a: {kind: linux, image: img:1}
  links:
    - endpoints: ["ext1:eth1", "a:eth1"]
)");
  EXPECT_EQ(lab.ContainerName("ext1"), "ext1");
  ApplyResult r = Apply(lab);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(r.failures());
  EXPECT_EQ(ran_in, std::vector<std::string>{"ext1"});
  EXPECT_TRUE(links_.Find(Ns(lab, "ext1"), "eth1").has_value());
}

TEST_F(ExecutorTest, EmulationDenyFailsOnlyTheEmulatedNodeNamingBothArchitectures) {
  rt_.AddImage("arm:1", "arm64");
  LabSpec lab = Lab(R"(
name: x
topology:
  nodes:
    a: {kind: linux, image: img:1}
    b: {kind: linux, image: arm:1}
)");
  ApplyResult r = Apply(lab, "deny");
  ASSERT_EQ(r.failures().size(), 1u);
  EXPECT_NE(r.failures()[0].find("image arm:1 is arm64 and the engine is amd64"), std::string::npos);
  auto a = rt_.Get(lab.ContainerName("a"));
  EXPECT_TRUE(a.ok() && *a);
}

TEST_F(ExecutorTest, EmulationWarnMakesTheNodeWithAWarning) {
  rt_.AddImage("arm:1", "arm64");
  LabSpec lab = Lab("name: x\ntopology:\n  nodes:\n    b: {kind: linux, image: arm:1}\n");
  EXPECT_TRUE(Apply(lab, "warn").ok());
  EXPECT_TRUE(HasEvent("EmulatedNode"));
}

TEST_F(ExecutorTest, AFailingExecCommandIsAWarningAndTheLabStillDeploys) {
  rt_.OnExec([](const std::string&, const std::vector<std::string>&) { return ExecResult{3, "nope\n"}; });
  ApplyResult r = Apply(Lab(kTwo));
  EXPECT_TRUE(r.ok()) << testing::PrintToString(r.failures());
  EXPECT_TRUE(HasEvent("ExecFailed"));
  EXPECT_LT(LineIndex("exited with 3\n    | nope"), lines_.size());
}

const char kStaged[] = R"(
name: x
topology:
  defaults: {kind: linux, image: img:1}
  nodes:
    a: {exec: ["echo a"]}
    b:
      stages:
        create:
          wait-for: [{node: a, stage: configure}]
          exec: [{command: "echo host-says-hi", target: host, phase: on-exit}]
  links:
    - endpoints: ["a:eth1", "b:eth1"]
)";

TEST_F(ExecutorTest, AStageWaitsForTheStageItNamesOnAnotherNode) {
  LabSpec lab = Lab(kStaged);
  ApplyResult r = Apply(lab);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(r.failures());
  size_t a_exec = LineIndex("node/a: exec \"echo a\"");
  size_t b_made = LineIndex("node/b: created");
  ASSERT_LT(a_exec, lines_.size());
  ASSERT_LT(b_made, lines_.size());
  EXPECT_LT(a_exec, b_made) << "b is created after a's configure stage";
  EXPECT_TRUE(links_.Find(Ns(lab, "a"), "eth1"));
  EXPECT_EQ(env_.ShellCommands(), std::vector<std::string>{"echo host-says-hi"});
}

TEST_F(ExecutorTest, AHostStageCommandThatFailsIsAWarning) {
  env_.OnShell([](const std::string&) { return ExecResult{1, "no such tool"}; });
  ASSERT_TRUE(Apply(Lab(kStaged)).ok());
  EXPECT_TRUE(HasEvent("ExecFailed"));
}

TEST_F(ExecutorTest, StagesWaitingForEachOtherFailWithAWarningInsteadOfHanging) {
  // The loader refuses such a file (StageGraph); a spec made some other way is still guarded.
  LabSpec lab = Lab(R"(
name: x
topology:
  defaults: {kind: linux, image: img:1}
  nodes:
    a: {stages: {create: {wait-for: [{node: b, stage: create}]}}}
    b: {stages: {create: {}}}
)");
  ASSERT_EQ(lab.nodes.size(), 2u);
  for (auto& n : lab.nodes)
    if (n.name == "b") n.stages["create"].wait_for.push_back({"a", "create"});
  ApplyResult r = Apply(lab);
  EXPECT_TRUE(HasEvent("StageCycle"));
  EXPECT_FALSE(r.ok());
}

// The engine lets a container join only the namespace of one that runs (the fake says so too).
const char kShared[] = R"(
name: x
topology:
  defaults: {kind: linux, image: img:1}
  nodes:
    tap: {network-mode: "container:mid"}
    mid: {network-mode: "container:base"}
    base: {}
)";

TEST_F(ExecutorTest, ANodeInAnotherNodesNamespaceIsMadeAfterThatNodeAtEveryDepth) {
  LabSpec lab = Lab(kShared);
  ApplyResult r = Apply(lab);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(r.failures());
  EXPECT_LT(LineIndex("node/base: ["), LineIndex("node/mid: ["));
  EXPECT_LT(LineIndex("node/mid: ["), LineIndex("node/tap: ["));
  EXPECT_LT(LineIndex("node/tap: [3/3]"), lines_.size()) << "one count over every depth";
}

TEST_F(ExecutorTest, InAStagedLabANodeInAnotherNodesNamespaceWaitsForThatNodesCreate) {
  // base is made only after first, and every Run takes 50 ms: were mid and tap not held until
  // the node whose namespace they join is made, their Run would find no base to join.
  LabSpec lab = Lab(R"(
name: x
topology:
  defaults: {kind: linux, image: img:1}
  nodes:
    tap: {network-mode: "container:mid"}
    mid: {network-mode: "container:base"}
    base: {stages: {create: {wait-for: [{node: first, stage: create}]}}}
    first: {}
)");
  rt_.Stall("Run", std::chrono::milliseconds(50));
  ApplyResult r = Apply(lab);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(r.failures());
  EXPECT_LT(LineIndex("node/first: created"), LineIndex("node/base: created"));
  EXPECT_LT(LineIndex("node/base: created"), LineIndex("node/mid: created"));
  EXPECT_LT(LineIndex("node/mid: created"), LineIndex("node/tap: created"));
}

TEST_F(ExecutorTest, AHealthcheckThatNeverPassesIsAWarningAfterFiveMinutesOnTheEnvsClock) {
  LabSpec lab = Lab(R"(
name: x
topology:
  nodes:
    a:
      kind: linux
      image: img:1
      healthcheck: {test: ["CMD", "true"]}
      stages: {create: {}}
)");
  ASSERT_TRUE(Apply(lab).ok());
  EXPECT_TRUE(HasEvent("Unhealthy"));
  EXPECT_GE(env_.Slept(), std::chrono::seconds(299));
}

TEST_F(ExecutorTest, DestroyRemovesTheLabsContainersInterfacesRulesAndNetwork) {
  LabSpec lab = Lab(kHostSide);
  ASSERT_TRUE(Apply(lab).ok());
  Applier applier(rt_, links_, env_, {2, "tester"}, nullptr, nullptr);
  DestroyResult d = applier.Destroy("x", lab.mgmt.network);
  EXPECT_TRUE(d.failures.empty()) << testing::PrintToString(d.failures);
  EXPECT_EQ(d.containers, 1);
  EXPECT_TRUE(d.network_removed);
  EXPECT_TRUE(env_.ForwardedBridges().empty());
  EXPECT_EQ(links_.All(), std::vector<std::string>{}) << "the host end and the bridge are gone too";
}

TEST_F(ExecutorTest, DestroyWarnsOfANetworkTheEngineWillNotLetGoOfAndDoesNotFail) {
  LabSpec lab = Lab(kHostSide);
  ASSERT_TRUE(Apply(lab).ok());
  rt_.StickNetwork(lab.mgmt.network);
  Applier applier(rt_, links_, env_, {2, "tester"}, nullptr, nullptr);
  DestroyResult d = applier.Destroy("x", lab.mgmt.network);
  EXPECT_TRUE(d.failures.empty()) << testing::PrintToString(d.failures);
  EXPECT_EQ(d.containers, 1);
  EXPECT_FALSE(d.network_removed);
  EXPECT_EQ(d.warnings, std::vector<std::string>{"network " + lab.mgmt.network +
                                                 ": left in place: no container is attached, yet the engine still "
                                                 "counts an endpoint on it (an engine fault, moby/moby#17217; "
                                                 "restarting the engine clears it)"});
}

TEST(ContainerSpecFor, CarriesOwnershipAndContainerlabsLabels) {
  LabSpec lab = LabOf(R"(
name: x
topology:
  nodes:
    a: {kind: linux, image: img:1}
    b: {kind: linux, image: img:1, network-mode: "container:a"}
)");
  ContainerSpec a = ContainerSpecFor(lab, *lab.FindNode("a"), "me");
  EXPECT_EQ(a.name, "clab-x-a");
  EXPECT_EQ(a.hostname, "a");
  EXPECT_EQ(a.labels.at(kManagedByLabel), kManagedByValue);
  EXPECT_EQ(a.labels.at(kOwnerLabel), "me");
  EXPECT_EQ(a.labels.at(kLabLabel), "x");
  EXPECT_EQ(a.labels.at(kSpecHashLabel), lab.FindNode("a")->SpecHash());
  EXPECT_EQ(a.labels.at("clab-topo-file"), "/labs/x.clab.yml");
  EXPECT_EQ(a.network, lab.mgmt.network);
  ContainerSpec b = ContainerSpecFor(lab, *lab.FindNode("b"), "me");
  EXPECT_EQ(b.network_mode, "container:clab-x-a") << "a lab node is named by its container";
  EXPECT_TRUE(b.network.empty());
}

}  // namespace
}  // namespace lk::test
