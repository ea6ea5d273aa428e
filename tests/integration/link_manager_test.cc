// The netlink link manager against the real kernel, in network namespaces this test makes.
#include "controller/link_manager.h"

#include "api/impairment.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "tests/support/support.h"

namespace lk {
namespace {

class LinkManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to make network namespaces";
    a_ = std::make_unique<test::ScopedNetns>("lktest-lm-a");
    b_ = std::make_unique<test::ScopedNetns>("lktest-lm-b");
    links_ = MakeNetlinkLinkManager();
  }
  const Iface* Find(const std::vector<Iface>& ifaces, const std::string& name) {
    for (const auto& i : ifaces)
      if (i.name == name) return &i;
    return nullptr;
  }
  std::unique_ptr<test::ScopedNetns> a_, b_;
  std::unique_ptr<LinkManager> links_;
};

// What every link manager does is in tests/contract/link_contract.h (run against netlink in
// link_contract_netlink_test.cc); here, what only the kernel shows.
TEST_F(LinkManagerTest, TheKernelAgreesSeenThroughIproute2) {
  Status s = links_->CreateVeth(a_->ns(), {"eth1", "02:00:00:00:00:0a", "labkeeper lab=t node=a link=x", ""}, b_->ns(),
                                {"e1-b", "02:00:00:00:00:0b", "labkeeper lab=t node=b link=x", ""}, 9000);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_NE(test::Sh("ip -n lktest-lm-a -d link show eth1").find("mtu 9000"), std::string::npos);
  EXPECT_NE(test::Sh("ip -n lktest-lm-b link show e1-b").find("02:00:00:00:00:0b"), std::string::npos);
  EXPECT_NE(test::Sh("ip -n lktest-lm-a link show eth1").find("alias labkeeper lab=t node=a link=x"),
            std::string::npos);
  test::Sh("ip -n lktest-lm-a link set eth1 down");
  ASSERT_TRUE(links_->SetUp(a_->ns(), "eth1").ok());
  EXPECT_NE(test::Sh("ip -n lktest-lm-a link show eth1").find(",UP"), std::string::npos);
}

TEST_F(LinkManagerTest, NameClashIsAClearError) {
  test::Sh("ip -n lktest-lm-a link add eth1 type veth peer name other");
  Status s = links_->CreateVeth(a_->ns(), {"eth1", "", "m", ""}, b_->ns(), {"eth1", "", "m", ""}, 1500);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("already exists"), std::string::npos) << s.message();
}

TEST_F(LinkManagerTest, TemporaryNamesAreRenamedMarkedAndUp) {
  IfaceSpec a{"eth7", "", "labkeeper lab=t node=a link=y", "lkt000000000001"};
  IfaceSpec b{"eth7", "", "labkeeper lab=t node=b link=y", "lkt000000000002"};
  ASSERT_TRUE(links_->CreateVeth(a_->ns(), a, b_->ns(), b, 1500).ok());
  auto la = links_->List(a_->ns());
  const Iface* e = Find(*la, "eth7");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->alias, a.marker);
  EXPECT_TRUE(e->admin_up);
  EXPECT_EQ(Find(*la, "lkt000000000001"), nullptr);
  auto lb = links_->List(b_->ns());
  EXPECT_NE(Find(*lb, "eth7"), nullptr);
}

TEST_F(LinkManagerTest, HostEndInThisNamespace) {
  auto host = NetNs::Host();
  ASSERT_TRUE(host.ok());
  ASSERT_TRUE(links_->CreateVeth(a_->ns(), {"eth5", "", "m", ""}, *host, {"lktest-h1", "", "m", ""}, 1500).ok());
  EXPECT_NE(test::Sh("ip link show lktest-h1").find("lktest-h1"), std::string::npos);
  ASSERT_TRUE(links_->Delete(*host, "lktest-h1").ok());
}

// Impairments (#20) on this kernel: it may lack netem (this machine's has no modules): then the
// request fails with that reason and the interface is as it was; with netem, the qdisc is read
// back as set. A root qdisc someone else put (tbf, which this kernel has) is read as theirs, and
// labkeeper's removal is refused by the kernel: it is never touched.
TEST_F(LinkManagerTest, AnImpairmentIsANetemRootQdiscOrSaysWhyNot) {
  ASSERT_TRUE(links_->CreateVeth(a_->ns(), {"eth1", "", "m", ""}, b_->ns(), {"eth1", "", "m", ""}, 1500).ok());
  Impairment imp;
  ASSERT_EQ(SetImpairmentValue(&imp, "delay", "50ms"), "");
  ASSERT_EQ(SetImpairmentValue(&imp, "loss", "10"), "");
  ASSERT_EQ(SetImpairmentValue(&imp, "rate", "1000"), "");
  Status s = links_->SetImpairment(a_->ns(), "eth1", imp);
  auto la = links_->List(a_->ns());
  ASSERT_TRUE(la) << la.error();
  const Iface* e = Find(*la, "eth1");
  ASSERT_NE(e, nullptr);
  if (s.ok()) {
    EXPECT_EQ(e->qdisc, "netem");
    EXPECT_EQ(e->qdisc_handle, 0x01ab0000u);
    ASSERT_TRUE(e->netem);
    EXPECT_EQ(*e->netem, imp) << e->netem->str();
    EXPECT_TRUE(links_->ClearImpairment(a_->ns(), "eth1").ok());
  } else {
    EXPECT_NE(s.message().find("this kernel has no netem qdisc"), std::string::npos) << s.message();
    EXPECT_EQ(e->qdisc_handle, 0u) << "nothing was put: " << e->qdisc;
    EXPECT_FALSE(e->netem);
  }
  // Someone else's root qdisc.
  ASSERT_EQ(test::Sh("ip netns exec lktest-lm-b tc qdisc add dev eth1 root handle 77: tbf rate 1mbit burst 32kb "
                     "latency 400ms && echo ok"),
            "ok\n");
  auto lb = links_->List(b_->ns());
  ASSERT_TRUE(lb) << lb.error();
  e = Find(*lb, "eth1");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->qdisc, "tbf");
  EXPECT_EQ(e->qdisc_handle, 0x00770000u);
  EXPECT_FALSE(links_->ClearImpairment(b_->ns(), "eth1").ok()) << "the kernel refuses: not labkeeper's";
  EXPECT_NE(test::Sh("ip netns exec lktest-lm-b tc qdisc show dev eth1").find("tbf 77:"), std::string::npos);
  if (!s.ok()) GTEST_SKIP() << "the effect of netem is not shown here: " << s.message();
}

}  // namespace
}  // namespace lk
