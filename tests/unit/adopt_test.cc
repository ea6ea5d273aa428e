// Adopting a running containerlab lab, with faked runtime and links: containers carrying
// containerlab's labels for the lab and the file, and veths carrying its clab-o- ownership
// altname, as containerlab makes them. Taken over as they are when asked for, replaced (with the
// reason) when they do not match, and left alone when not asked for.
#include <gtest/gtest.h>

#include "controller/applier.h"
#include "controller/observer.h"
#include "controller/planner.h"
#include "tests/fakes/fake_env.h"
#include "tests/fakes/fake_links.h"
#include "tests/fakes/fake_runtime.h"
#include "tests/support/lab_text.h"

namespace lk::test {
namespace {

constexpr char kFile[] = "/labs/cl.clab.yml";

class AdoptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rt_.AddImage("img:1");
    rt_.AddImage("img:2");
    lab_ = LabOf(R"(
name: cl
topology:
  defaults: {kind: linux, image: img:1}
  nodes:
    a: {}
    b: {}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
      mtu: 1500
)",
                 kFile);
    ASSERT_TRUE(rt_.EnsureNetwork(lab_.mgmt, {{"containerlab", ""}}));  // containerlab made it
  }

  // A container as containerlab makes it: its name and labels, no labkeeper label.
  std::string Clab(const std::string& node, const std::string& image, std::string file = "") {
    if (file.empty()) file = lab_.file;
    ContainerSpec s;
    s.name = lab_.ContainerName(node);
    s.image = image;
    s.network = lab_.mgmt.network;
    s.labels = {{"containerlab", lab_.name}, {"clab-node-name", node},
                {"clab-node-kind", "linux"}, {"clab-node-longname", s.name},
                {"clab-topo-file", file},    {"clab-node-lab-dir", "/labs/clab-cl/" + node},
                {"clab-owner", "someone"}};
    auto id = rt_.Run(s, [](const Event&) {});
    EXPECT_TRUE(id) << id.error();
    return id ? *id : "";
  }
  Result<NetNs> Ns(const std::string& node) {
    auto c = rt_.Get(lab_.ContainerName(node));
    return links_.OfPid((*c)->pid);
  }
  // containerlab's veth between a:eth1 and b:eth1: no alias, its ownership altname on each end.
  void ClabVeth() {
    auto a = Ns("a"), b = Ns("b");
    ASSERT_TRUE(links_.CreateVeth(*a, {"eth1", "", "", ""}, *b, {"eth1", "", "", ""}, 1500).ok());
    ASSERT_TRUE(links_.AddAltName(*a, "eth1", "clab-o-1f2e3d4c").ok());
    ASSERT_TRUE(links_.AddAltName(*b, "eth1", "clab-o-5b6a7988").ok());
  }
  ApplyResult Apply(bool adopt) {
    ApplyOptions opts{2, "tester"};
    opts.adopt = adopt;
    return Applier(rt_, links_, env_, opts, nullptr, nullptr).Apply(lab_);
  }
  std::string IdOf(const std::string& node) { return (*rt_.Get(lab_.ContainerName(node)))->id; }

  FakeRuntime rt_;
  FakeLinks links_;
  FakeEnv env_;
  LabSpec lab_;
};

TEST_F(AdoptTest, WithoutTheRequestContainerlabsContainersAreConflictsAndNothingIsTouched) {
  std::string a = Clab("a", "img:1"), b = Clab("b", "img:1");
  ClabVeth();
  ApplyResult r = Apply(false);
  EXPECT_FALSE(r.ok());
  std::string plan = r.plan.str();
  EXPECT_NE(plan.find("conflict node/a (container clab-cl-a exists and is not managed by labkeeper: containerlab "
                      "made it for this lab from this file; apply --adopt"),
            std::string::npos)
      << plan;
  EXPECT_TRUE(r.plan.adopted.empty());
  EXPECT_EQ(IdOf("a"), a);
  EXPECT_EQ(IdOf("b"), b);
  auto end = links_.Find(Ns("a")->name(), "eth1");
  ASSERT_TRUE(end);
  EXPECT_EQ(end->alias, "") << "containerlab's interface is left as it is";
}

TEST_F(AdoptTest, MatchingContainersAndTheirLinkAreTakenOverAsTheyAre) {
  std::string a = Clab("a", "img:1"), b = Clab("b", "img:1");
  ClabVeth();
  int index = links_.Find(Ns("a")->name(), "eth1")->ifindex;
  ApplyResult r = Apply(true);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(r.failures());
  EXPECT_EQ(r.plan.str(), "adopt-link link/a:eth1--b:eth1 (made by containerlab)\n");
  EXPECT_EQ(r.plan.adopted, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(IdOf("a"), a) << "not recreated";
  EXPECT_EQ(IdOf("b"), b);
  auto end = links_.Find(Ns("a")->name(), "eth1");
  ASSERT_TRUE(end);
  EXPECT_EQ(end->ifindex, index) << "the same interface";
  EXPECT_EQ(end->alias, (IfaceMarker{"cl", "a", "a:eth1--b:eth1"}.adopted()));
  EXPECT_EQ(links_.Find(Ns("b")->name(), "eth1")->alias, (IfaceMarker{"cl", "b", "a:eth1--b:eth1"}.adopted()));

  // From then on: in sync; a drift is repaired like any other; a deleted end is made again.
  ApplyResult again = Apply(true);
  EXPECT_TRUE(again.plan.empty()) << again.plan.str();
  links_.SetDownBehindItsBack(Ns("b")->name(), "eth1");
  EXPECT_EQ(Apply(true).plan.str(), "repair-interface iface/b:eth1 (interface down)\n");
  links_.DeleteBehindItsBack(Ns("a")->name(), "eth1");
  EXPECT_EQ(Apply(true).plan.str(), "create-link link/a:eth1--b:eth1 (link missing)\n");
  EXPECT_TRUE(Apply(true).plan.empty());
  EXPECT_EQ(IdOf("a"), a);
}

TEST_F(AdoptTest, WhatDoesNotMatchIsReplacedWithTheReason) {
  Clab("a", "img:2");
  std::string b = Clab("b", "img:1");
  // b's containerlab interface no link of the file has, and a pair that is not the link's.
  auto na = Ns("a"), nb = Ns("b");
  ASSERT_TRUE(links_.CreateVeth(*na, {"eth1", "", "", ""}, *nb, {"eth5", "", "", ""}, 1500).ok());
  ASSERT_TRUE(links_.AddAltName(*nb, "eth5", "clab-o-00000005").ok());
  ApplyResult r = Apply(true);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(r.failures());
  std::string plan = r.plan.str();
  EXPECT_NE(plan.find("remove-container node/a (made by containerlab, not the node's spec: image img:2 != img:1)"),
            std::string::npos)
      << plan;
  EXPECT_NE(plan.find("create-container node/a (made by containerlab, not the node's spec: image img:2 != img:1)"),
            std::string::npos)
      << plan;
  EXPECT_NE(plan.find("delete-interface iface/b:eth5 (made by containerlab; no link of the file has it)"),
            std::string::npos)
      << plan;
  EXPECT_NE(plan.find("create-link link/a:eth1--b:eth1"), std::string::npos) << plan;
  EXPECT_EQ(r.plan.adopted, std::vector<std::string>{"b"});
  EXPECT_EQ(IdOf("b"), b) << "b matched: kept";
  auto made = rt_.Get(lab_.ContainerName("a"));
  EXPECT_EQ((*made)->labels.at(kManagedByLabel), kManagedByValue) << "the replacement is labkeeper's own";
  EXPECT_FALSE(links_.Find(nb->name(), "eth5"));
  EXPECT_TRUE(Apply(true).plan.empty());
}

TEST_F(AdoptTest, AHostEndContainerlabMadeIsTakenOverWithItsLinkAndKept) {
  lab_ = LabOf(R"(
name: cl
topology:
  defaults: {kind: linux, image: img:1}
  nodes:
    a: {}
    h: {kind: host}
    n: {network-mode: host}
  links:
    - endpoints: ["a:eth1", "host:cl-a1"]
    - endpoints: ["a:eth2", "h:cl-a2"]
)",
               kFile);
  std::string a = Clab("a", "img:1");
  Clab("n", "img:1");
  auto na = Ns("a");
  auto host = links_.Host();
  for (auto [in_a, on_host] : {std::pair{"eth1", "cl-a1"}, std::pair{"eth2", "cl-a2"}}) {
    ASSERT_TRUE(links_.CreateVeth(*na, {in_a, "", "", ""}, *host, {on_host, "", "", ""}, 9500).ok());
    ASSERT_TRUE(links_.AddAltName(*na, in_a, std::string("clab-o-a-") + in_a).ok());
    ASSERT_TRUE(links_.AddAltName(*host, on_host, std::string("clab-o-h-") + on_host).ok());
  }
  ApplyResult r = Apply(true);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(r.failures());
  EXPECT_EQ(r.plan.str(),
            "adopt-link link/a:eth1--host:cl-a1 (made by containerlab)\n"
            "adopt-link link/a:eth2--h:cl-a2 (made by containerlab)\n");
  EXPECT_EQ(links_.Find(host->name(), "cl-a1")->alias, (IfaceMarker{"cl", "host", "a:eth1--host:cl-a1"}.adopted()));
  EXPECT_EQ(links_.Find(host->name(), "cl-a2")->alias, (IfaceMarker{"cl", "h", "a:eth2--h:cl-a2"}.adopted()));
  EXPECT_TRUE(Apply(true).plan.empty());
  EXPECT_EQ(IdOf("a"), a);
  // Another lab's interface in the host's namespace, which n (network-mode host) shares, is not
  // this lab's to touch.
  ASSERT_TRUE(links_.CreateVeth(*host, {"other-x", "", "", ""}, *host, {"other-y", "", "", ""}, 9500).ok());
  ASSERT_TRUE(links_.AddAltName(*host, "other-x", "clab-o-other").ok());
  ASSERT_TRUE(links_.CreateVeth(*Ns("n"), {"eth9", "", "", ""}, *host, {"other-z", "", "", ""}, 9500).ok());
  ASSERT_TRUE(links_.AddAltName(*Ns("n"), "eth9", "clab-o-other-n").ok());
  EXPECT_TRUE(Apply(true).plan.empty());
  EXPECT_TRUE(links_.Find(host->name(), "other-x"));
}

TEST_F(AdoptTest, OnlyContainersOfThisFileAreAdopted) {
  Clab("a", "img:1", "/elsewhere/cl.clab.yml");
  ApplyResult r = Apply(true);
  std::string plan = r.plan.str();
  EXPECT_NE(plan.find("conflict node/a (container clab-cl-a exists and is not managed by labkeeper: containerlab made "
                      "it for lab cl from /elsewhere/cl.clab.yml, not this file's to adopt"),
            std::string::npos)
      << plan;
}

TEST_F(AdoptTest, AdoptedOrphansArePrunedAndDestroyTakesTheAdoptedFile) {
  std::string a = Clab("a", "img:1");
  Clab("b", "img:1");
  std::string gone = Clab("c", "img:1");  // a node the file no longer has
  ObservedLab o = Observer(rt_, links_).Observe(lab_, true);
  ASSERT_EQ(o.orphans.size(), 1u);
  EXPECT_EQ(o.orphans[0].id, gone);
  EXPECT_TRUE(o.nodes.at("a").containerlab);
  EXPECT_FALSE(o.nodes.at("a").owned);
  EXPECT_TRUE(Observer(rt_, links_).Observe(lab_, false).orphans.empty()) << "not asked: not ours";

  // The lab's containers, as its status, metrics and files see them: containerlab's of the file
  // only when adopting.
  EXPECT_TRUE(LabContainers(rt_, "cl")->empty());
  EXPECT_EQ(LabContainers(rt_, "cl", AdoptedFile(lab_, true))->size(), 3u);
  EXPECT_TRUE(LabContainers(rt_, "cl", "/elsewhere/cl.clab.yml")->empty());
  EXPECT_EQ(AdoptedFile(lab_, false), "");

  Applier applier(rt_, links_, env_, {2, "tester"}, nullptr, nullptr);
  EXPECT_EQ(applier.Destroy("cl", "").containers, 0) << "without the file, containerlab's containers stay";
  DestroyResult d = applier.Destroy("cl", "", kFile);
  EXPECT_EQ(d.containers, 3);
  EXPECT_FALSE(*rt_.Get(lab_.ContainerName("a")));
}

TEST_F(AdoptTest, ALabResourceAsksForItWithSpecAdopt) {
  LabSpec lab = LabOf(R"(
apiVersion: labkeeper.dev/v1alpha1
kind: Lab
metadata: {name: cl}
spec:
  adopt: true
  topology:
    nodes:
      a: {kind: linux, image: img:1}
)",
                      "/labs/cl.lab.yml");
  EXPECT_TRUE(lab.adopt);
  lab_ = lab;
  std::string a = Clab("a", "img:1");
  ApplyResult r = Applier(rt_, links_, env_, {2, "tester"}, nullptr, nullptr).Apply(lab_);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(r.failures());
  EXPECT_EQ(r.plan.adopted, std::vector<std::string>{"a"});
  EXPECT_EQ(IdOf("a"), a);
}

}  // namespace
}  // namespace lk::test
