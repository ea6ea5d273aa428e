// The link manager contract against the in-memory fake, and the fake's own faults.
#include "tests/contract/link_contract.h"
#include "tests/fakes/fake_links.h"

namespace lk::test {
namespace {

class FakeLinksEnv {
 public:
  std::string Unavailable() const { return ""; }
  LinkManager& links() { return links_; }
  const NetNs& a() { return a_; }
  const NetNs& b() { return b_; }

 private:
  FakeLinks links_;
  NetNs a_ = NetNs::Named("pid 11"), b_ = NetNs::Named("pid 12");
};

using Envs = ::testing::Types<FakeLinksEnv>;
INSTANTIATE_TYPED_TEST_SUITE_P(Fake, LinkContract, Envs);

TEST(FakeLinks, NamespacesAreNamedAsTheKernelsAreAndNeedAProcess) {
  FakeLinks links;
  auto ns = links.OfPid(42);
  ASSERT_TRUE(ns.ok());
  EXPECT_EQ(ns->name(), "pid 42");
  EXPECT_EQ(links.Host()->name(), "host");
  EXPECT_FALSE(links.OfPid(0).ok());
}

TEST(FakeLinks, AFailedCallFailsOnceAndDriftsMadeBehindItsBackShow) {
  FakeLinks links;
  NetNs a = NetNs::Named("pid 1"), b = NetNs::Named("pid 2");
  links.FailNext("CreateVeth", "boom");
  EXPECT_EQ(links.CreateVeth(a, {"e1", "", "m", ""}, b, {"e1", "", "m", ""}, 1500).message(), "boom");
  ASSERT_TRUE(links.CreateVeth(a, {"e1", "", "m", ""}, b, {"e1", "", "m", ""}, 1500).ok());
  links.SetDownBehindItsBack("pid 1", "e1");
  links.SetMtuBehindItsBack("pid 2", "e1", 1400);
  EXPECT_FALSE(links.Find("pid 1", "e1")->admin_up);
  EXPECT_EQ(links.Find("pid 2", "e1")->mtu, 1400);
  links.DeleteBehindItsBack("pid 2", "e1");
  EXPECT_EQ(links.All(), std::vector<std::string>{}) << "the peer went with it";
}

}  // namespace
}  // namespace lk::test
