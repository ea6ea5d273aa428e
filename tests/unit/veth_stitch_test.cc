// The veth-stitch link type on the in-memory seams: its namespace, the far ends named after
// their nodes and the redirects between them; drift on the stitch side remakes it, a link no
// longer in the file leaves no namespace behind, and destroy removes them all.
#include <gtest/gtest.h>

#include "controller/applier.h"
#include "tests/fakes/fake_env.h"
#include "tests/fakes/fake_links.h"
#include "tests/fakes/fake_runtime.h"
#include "tests/support/lab_text.h"

namespace lk::test {
namespace {

const char kStitched[] = R"(
name: x
topology:
  defaults: {kind: linux, image: img:1}
  nodes:
    a: {}
    b: {}
  links:
    - type: veth-stitch
      endpoints: ["a:eth1", {node: b, interface: eth2}]
      mtu: 9000
)";

class VethStitchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rt_.AddImage("img:1");
    lab_ = LabOf(kStitched);
    ASSERT_EQ(lab_.links.size(), 1u);
    netns_ = lab_.links[0].stitch_netns;
  }
  Applier Make() {
    return Applier(
        rt_, links_, env_, {2, "tester", &cancel_, "warn"}, [](const Event&) {}, [](const std::string&) {});
  }
  std::string Ns(const std::string& node) {
    auto c = rt_.Get(lab_.ContainerName(node));
    return c.ok() && *c ? "pid " + std::to_string((*c)->pid) : "none";
  }
  std::string Stitch() const { return "netns " + netns_; }

  FakeRuntime rt_;
  FakeLinks links_;
  FakeEnv env_;
  std::atomic<bool> cancel_{false};
  LabSpec lab_;
  std::string netns_;
};

TEST_F(VethStitchTest, TheNamespaceAndItsFarEndsAreNamedAsDocumented) {
  EXPECT_TRUE(IsVethStitchNetnsOf("x", netns_)) << netns_;
  EXPECT_EQ(netns_.rfind("lk-x-vstitch-", 0), 0u) << netns_;
  EXPECT_FALSE(IsVethStitchNetnsOf("x", "lk-x-vstitch-12345")) << "6 hex digits";
  EXPECT_FALSE(IsVethStitchNetnsOf("x", "lk-x-b-vstitch-123456")) << "lab x-b's";
  EXPECT_FALSE(IsVethStitchNetnsOf("x-b", "lk-x-vstitch-123456"));
  EXPECT_EQ(lab_.links[0].Id(), "a:eth1--veth-stitch--b:eth2");
  EXPECT_EQ(lab_.links[0].mtu, 9000);
  EXPECT_EQ(LabOf(kStitched).links[0].stitch_netns, netns_) << "stable between loads";
}

TEST_F(VethStitchTest, EachEndIsAVethToItsFarEndAndTheFarEndsRedirectToEachOther) {
  ApplyResult r = Make().Apply(lab_);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(r.failures());
  auto a = links_.Find(Ns("a"), "eth1");
  auto b = links_.Find(Ns("b"), "eth2");
  auto fa = links_.Find(Stitch(), "a");
  auto fb = links_.Find(Stitch(), "b");
  ASSERT_TRUE(a && b && fa && fb) << testing::PrintToString(links_.All());
  EXPECT_EQ(a->peer_ifindex, fa->ifindex);
  EXPECT_EQ(fa->peer_ifindex, a->ifindex);
  EXPECT_EQ(b->peer_ifindex, fb->ifindex);
  EXPECT_EQ(a->mtu, 9000);
  EXPECT_EQ(fb->mtu, 9000);
  EXPECT_EQ(links_.RedirectOf(Stitch(), "a"), "b");
  EXPECT_EQ(links_.RedirectOf(Stitch(), "b"), "a");
  ApplyResult again = Make().Apply(lab_);
  EXPECT_TRUE(again.ok());
  EXPECT_TRUE(again.plan.empty()) << again.plan.str();
}

TEST_F(VethStitchTest, AFarEndDeletedOrDownRemakesTheLinkWhole) {
  ASSERT_TRUE(Make().Apply(lab_).ok());
  links_.DeleteBehindItsBack(Stitch(), "b");  // b's node end goes with it
  ApplyResult r = Make().Apply(lab_);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(r.failures());
  EXPECT_NE(r.plan.str().find("create-link link/a:eth1--veth-stitch--b:eth2 (link missing on b:eth2)"),
            std::string::npos)
      << r.plan.str();
  EXPECT_TRUE(links_.Find(Stitch(), "b") && links_.Find(Ns("b"), "eth2"));
  EXPECT_EQ(links_.RedirectOf(Stitch(), "a"), "b");

  links_.SetDownBehindItsBack(Stitch(), "a");
  r = Make().Apply(lab_);
  EXPECT_NE(r.plan.str().find("(stitch end a down)"), std::string::npos) << r.plan.str();
  EXPECT_TRUE(links_.Find(Stitch(), "a")->admin_up);
  EXPECT_TRUE(Make().Apply(lab_).plan.empty());
}

TEST_F(VethStitchTest, AMissingNamespaceIsMadeAgain) {
  ASSERT_TRUE(Make().Apply(lab_).ok());
  ASSERT_TRUE(links_.DeleteNamed(netns_).ok());  // someone ran `ip netns del`
  EXPECT_FALSE(links_.Find(Ns("a"), "eth1")) << "the node ends die with their far ends";
  ApplyResult r = Make().Apply(lab_);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(r.failures());
  EXPECT_NE(r.plan.str().find("(namespace " + netns_ + " missing)"), std::string::npos) << r.plan.str();
  EXPECT_TRUE(links_.Find(Stitch(), "a") && links_.Find(Ns("a"), "eth1"));
}

TEST_F(VethStitchTest, ALinkNoLongerInTheFileLeavesNoNamespaceAndDestroyRemovesThem) {
  ASSERT_TRUE(Make().Apply(lab_).ok());
  LabSpec unlinked = lab_;
  unlinked.links.clear();
  ApplyResult r = Make().Apply(unlinked);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(r.failures());
  EXPECT_NE(r.plan.str().find("delete-namespace netns/" + netns_ + " (orphan)"), std::string::npos) << r.plan.str();
  EXPECT_TRUE(links_.ListNamed()->empty());
  EXPECT_FALSE(links_.Find(Ns("a"), "eth1"));

  ASSERT_TRUE(Make().Apply(lab_).ok());
  ASSERT_TRUE(links_.MakeNamed("lk-x-b-vstitch-123456").ok());  // another lab's
  DestroyResult d = Make().Destroy("x");
  EXPECT_TRUE(d.failures.empty()) << testing::PrintToString(d.failures);
  EXPECT_EQ(*links_.ListNamed(), std::vector<std::string>{"lk-x-b-vstitch-123456"});
}

}  // namespace
}  // namespace lk::test
