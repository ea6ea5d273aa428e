// The link manager contract against netlink, in two network namespaces this test makes.
#include <unistd.h>

#include <memory>

#include "tests/contract/link_contract.h"
#include "tests/support/support.h"

namespace lk::test {
namespace {

class NetlinkEnv {
 public:
  NetlinkEnv() {
    if (geteuid() != 0) return;
    a_ = std::make_unique<ScopedNetns>("lktest-lc-a-" + std::to_string(getpid()));
    b_ = std::make_unique<ScopedNetns>("lktest-lc-b-" + std::to_string(getpid()));
    links_ = MakeNetlinkLinkManager();
  }
  std::string Unavailable() const { return links_ ? "" : "needs root to make network namespaces"; }
  LinkManager& links() { return *links_; }
  const NetNs& a() { return a_->ns(); }
  const NetNs& b() { return b_->ns(); }

 private:
  std::unique_ptr<ScopedNetns> a_, b_;
  std::unique_ptr<LinkManager> links_;
};

using Envs = ::testing::Types<NetlinkEnv>;
INSTANTIATE_TYPED_TEST_SUITE_P(Netlink, LinkContract, Envs);

}  // namespace
}  // namespace lk::test
