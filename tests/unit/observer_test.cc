// The observer with faked runtime and links: what it finds, what it calls the lab's, and the
// namespaces it hands on to the executor.
#include "controller/observer.h"

#include <gtest/gtest.h>

#include "controller/applier.h"
#include "tests/fakes/fake_env.h"
#include "tests/fakes/fake_links.h"
#include "tests/fakes/fake_runtime.h"
#include "tests/support/lab_text.h"

namespace lk::test {
namespace {

class ObserverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rt_.AddImage("img:1");
    lab_ = LabOf(R"(
name: o
topology:
  defaults: {kind: linux, image: img:1}
  nodes:
    a: {}
    b: {}
    br1: {kind: bridge}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
    - endpoints: ["a:eth2", "br1:o-p1"]
)",
                 "/labs/o.clab.yml");
    Applier applier(rt_, links_, env_, {2, "tester"}, nullptr, nullptr);
    ApplyResult made = applier.Apply(lab_);
    ASSERT_TRUE(made.ok()) << testing::PrintToString(made.failures());
  }
  ObservedLab Observe() { return Observer(rt_, links_).Observe(lab_); }
  std::string Ns(const std::string& node) {
    auto c = rt_.Get(lab_.ContainerName(node));
    return "pid " + std::to_string((*c)->pid);
  }

  FakeRuntime rt_;
  FakeLinks links_;
  FakeEnv env_;
  LabSpec lab_;
};

TEST_F(ObserverTest, OwnedContainersComeWithTheLabsMarkedInterfacesAndTheirNamespaces) {
  ObservedLab o = Observe();
  ASSERT_TRUE(o.errors.empty()) << testing::PrintToString(o.errors);
  const ObservedNode& a = o.nodes.at("a");
  ASSERT_TRUE(a.container);
  EXPECT_TRUE(a.owned);
  ASSERT_EQ(a.ifaces.size(), 2u);
  ASSERT_TRUE(a.ns);
  EXPECT_EQ(a.ns->name(), Ns("a"));
  ASSERT_TRUE(o.host_ns);
  EXPECT_EQ(o.host_ns->name(), "host");
  EXPECT_TRUE(o.nodes.at("br1").bridge_present);
  EXPECT_TRUE(o.orphans.empty());
}

TEST_F(ObserverTest, InterfacesWithoutTheLabsMarkerAreNotTheLabs) {
  Iface foreign;
  foreign.name = "eth7";
  foreign.kind = "veth";
  links_.AddForeign(Ns("a"), foreign);
  Iface other;
  other.name = "eth8";
  other.alias = "labkeeper lab=another node=a link=z";
  links_.AddForeign(Ns("a"), other);
  ObservedLab o = Observe();
  for (const auto& i : o.nodes.at("a").ifaces) EXPECT_TRUE(i.name == "eth1" || i.name == "eth2") << i.name;
}

TEST_F(ObserverTest, AnInterruptedCreationsTemporaryNameIsAStray) {
  Iface half;
  half.name = TempIfaceName("o", lab_.links[0], lab_.links[0].a);
  links_.AddForeign(Ns("a"), half);
  ObservedLab o = Observe();
  EXPECT_EQ(o.nodes.at("a").strays, std::vector<std::string>{half.name});
}

TEST_F(ObserverTest, ANodeNoLongerInTheFileIsAnOrphan) {
  LabSpec smaller = LabOf("name: o\ntopology:\n  nodes:\n    a: {kind: linux, image: img:1}\n", "/labs/o.clab.yml");
  ObservedLab o = Observer(rt_, links_).Observe(smaller);
  ASSERT_EQ(o.orphans.size(), 1u);
  EXPECT_EQ(o.orphans[0].name, lab_.ContainerName("b"));
}

TEST_F(ObserverTest, AContainerWithTheNodesNameButNotOursIsNotOwned) {
  ASSERT_TRUE(rt_.Remove(lab_.ContainerName("b")).ok());
  ContainerSpec foreign;
  foreign.name = lab_.ContainerName("b");
  foreign.image = "img:1";
  ASSERT_TRUE(rt_.Run(foreign, nullptr).ok());
  ObservedLab o = Observe();
  ASSERT_TRUE(o.nodes.at("b").container);
  EXPECT_FALSE(o.nodes.at("b").owned);
}

TEST_F(ObserverTest, AStoppedContainerHasNoNamespaceAndNoInterfaces) {
  rt_.Stop(lab_.ContainerName("b"));
  ObservedLab o = Observe();
  EXPECT_FALSE(o.nodes.at("b").container->running());
  EXPECT_FALSE(o.nodes.at("b").ns);
  EXPECT_TRUE(o.nodes.at("b").ifaces.empty());
}

TEST_F(ObserverTest, AListingThatFailsIsAnObserveErrorNamingTheNode) {
  links_.FailNext("List", "netlink: resource busy", 100);
  ObservedLab o = Observe();
  ASSERT_FALSE(o.errors.empty());
  EXPECT_NE(testing::PrintToString(o.errors).find("netlink: resource busy"), std::string::npos);
}

TEST_F(ObserverTest, AnEngineThatFailsToListIsAnObserveError) {
  rt_.FailNext("List", "engine unavailable");
  ObservedLab o = Observe();
  ASSERT_EQ(o.errors.size(), 1u);
  EXPECT_EQ(o.errors[0], "engine unavailable");
}

// A temporary name left by an interrupted creation is recognised by its value: it must not
// change between versions.
TEST(TempIfaceNames, AreTheSameFromVersionToVersion) {
  LinkConfig l;
  l.type = "veth";
  l.a = {"n1", "eth1", "", "", "", "", std::nullopt};
  l.b = {"n2", "eth1", "", "", "", "", std::nullopt};
  EXPECT_EQ(TempIfaceName("lab", l, l.a), "lktde03691b4e76");
  EXPECT_EQ(std::string(TempIfaceName("lab", l, l.b)).rfind(kTempIfacePrefix, 0), 0u);
}

}  // namespace
}  // namespace lk::test
