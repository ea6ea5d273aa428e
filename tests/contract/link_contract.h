// What every LinkManager does, stated once and run against each implementation: the in-memory
// fake (tests/fakes, unit label) and netlink in real namespaces (integration label). An
// implementation's test file defines an Env with links(), two namespaces a() and b(), the
// clean-up, and Unavailable() (why it cannot run here, or ""), and instantiates the suite.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "controller/link_manager.h"

namespace lk::test {

inline std::optional<Iface> FindIface(const Result<std::vector<Iface>>& list, const std::string& name) {
  if (!list) return std::nullopt;
  for (const auto& i : *list)
    if (i.name == name) return i;
  return std::nullopt;
}

template <typename Env>
class LinkContract : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = env_.Unavailable(); !why.empty()) GTEST_SKIP() << why;
  }
  LinkManager& lm() { return env_.links(); }
  const NetNs& a() { return env_.a(); }
  const NetNs& b() { return env_.b(); }
  std::optional<Iface> In(const NetNs& ns, const std::string& name) { return FindIface(lm().List(ns), name); }
  Status Pair(const std::string& in_a, const std::string& in_b, int mtu = 1500) {
    return lm().CreateVeth(a(), {in_a, "", "labkeeper lab=c node=a link=l", ""}, b(),
                           {in_b, "", "labkeeper lab=c node=b link=l", ""}, mtu);
  }
  Env env_;
};

TYPED_TEST_SUITE_P(LinkContract);

TYPED_TEST_P(LinkContract, AVethHasItsEndsInBothNamespacesWithNamesMtuMacsMarkersAndPeers) {
  Status s = this->lm().CreateVeth(this->a(), {"eth1", "02:00:00:00:0c:0a", "labkeeper lab=c node=a link=x", ""},
                                   this->b(), {"eth9", "02:00:00:00:0c:0b", "labkeeper lab=c node=b link=x", ""}, 9000);
  ASSERT_TRUE(s.ok()) << s.message();
  auto ea = this->In(this->a(), "eth1");
  auto eb = this->In(this->b(), "eth9");
  ASSERT_TRUE(ea && eb);
  EXPECT_EQ(ea->kind, "veth");
  EXPECT_EQ(ea->mtu, 9000);
  EXPECT_EQ(eb->mtu, 9000);
  EXPECT_EQ(ea->mac, "02:00:00:00:0c:0a");
  EXPECT_EQ(eb->mac, "02:00:00:00:0c:0b");
  EXPECT_EQ(ea->alias, "labkeeper lab=c node=a link=x");
  EXPECT_EQ(eb->alias, "labkeeper lab=c node=b link=x");
  EXPECT_TRUE(ea->admin_up && eb->admin_up);
  EXPECT_EQ(ea->peer_ifindex, eb->ifindex);
  EXPECT_EQ(eb->peer_ifindex, ea->ifindex);
  EXPECT_FALSE(this->In(this->b(), "eth1")) << "each end is made in its own namespace";
}

TYPED_TEST_P(LinkContract, DeletingOneEndRemovesThePairAndDeletingAgainIsNoError) {
  ASSERT_TRUE(this->Pair("eth1", "eth1").ok());
  ASSERT_TRUE(this->lm().Delete(this->a(), "eth1").ok());
  EXPECT_FALSE(this->In(this->a(), "eth1"));
  EXPECT_FALSE(this->In(this->b(), "eth1"));
  EXPECT_TRUE(this->lm().Delete(this->a(), "eth1").ok());
}

TYPED_TEST_P(LinkContract, ATakenNameIsAnErrorNamingItAndLeavesNothingBehind) {
  ASSERT_TRUE(this->Pair("eth1", "eth1").ok());
  Status s = this->Pair("eth1", "eth2");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("eth1"), std::string::npos) << s.message();
  EXPECT_FALSE(this->In(this->b(), "eth2")) << "no half-made pair";
  EXPECT_TRUE(this->In(this->b(), "eth1")) << "the pair that was there is untouched";
}

TYPED_TEST_P(LinkContract, RepairsOfMtuMacStateAndAddressesShowInTheListing) {
  ASSERT_TRUE(this->Pair("eth1", "eth1").ok());
  ASSERT_TRUE(this->lm().SetMtu(this->a(), "eth1", 4000).ok());
  ASSERT_TRUE(this->lm().SetMac(this->a(), "eth1", "02:00:00:00:01:01").ok());
  ASSERT_TRUE(this->lm().SetUp(this->a(), "eth1").ok());
  ASSERT_TRUE(this->lm().AddAddress(this->a(), "eth1", "192.0.2.1/24").ok());
  EXPECT_TRUE(this->lm().AddAddress(this->a(), "eth1", "192.0.2.1/24").ok()) << "an address there already is fine";
  auto e = this->In(this->a(), "eth1");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->mtu, 4000);
  EXPECT_EQ(e->mac, "02:00:00:00:01:01");
  EXPECT_TRUE(e->admin_up);
  EXPECT_EQ(std::count(e->addresses.begin(), e->addresses.end(), "192.0.2.1/24"), 1);
}

TYPED_TEST_P(LinkContract, ChangesToAMissingInterfaceFail) {
  EXPECT_FALSE(this->lm().SetMtu(this->a(), "nope0", 1400).ok());
  EXPECT_FALSE(this->lm().SetUp(this->a(), "nope0").ok());
  EXPECT_FALSE(this->lm().AddAddress(this->a(), "nope0", "192.0.2.1/24").ok());
}

TYPED_TEST_P(LinkContract, ABridgeIsMadeMarkedAndTakesPortsButNotOnAMissingBridge) {
  SingleLinkSpec bridge;
  bridge.kind = "bridge";
  Status s =
      this->lm().CreateSingle(this->a(), this->a(), {"br-c", "", "labkeeper lab=c node=br link=bridge/br", ""}, bridge);
  ASSERT_TRUE(s.ok()) << s.message();
  auto br = this->In(this->a(), "br-c");
  ASSERT_TRUE(br);
  EXPECT_EQ(br->kind, "bridge");
  EXPECT_EQ(br->alias, "labkeeper lab=c node=br link=bridge/br");
  ASSERT_TRUE(this->Pair("p1", "eth1").ok());
  EXPECT_TRUE(this->lm().SetMaster(this->a(), "p1", "br-c").ok());
  EXPECT_FALSE(this->lm().SetMaster(this->a(), "p1", "br-none").ok());
}

TYPED_TEST_P(LinkContract, AVxlanMadeFromOneNamespaceIntoAnotherListsItsRemote) {
  SingleLinkSpec vx;
  vx.kind = "vxlan";
  vx.remote = "198.51.100.7";
  vx.vni = 4242;
  vx.mtu = 1450;
  Status s = this->lm().CreateSingle(this->a(), this->b(), {"vx1", "", "labkeeper lab=c node=b link=v", ""}, vx);
  if (!s.ok() && s.message().find("no vxlan support") != std::string::npos) GTEST_SKIP() << s.message();
  ASSERT_TRUE(s.ok()) << s.message();
  auto made = this->In(this->b(), "vx1");
  ASSERT_TRUE(made);
  EXPECT_EQ(made->kind, "vxlan");
  EXPECT_EQ(made->remote, "198.51.100.7");
  EXPECT_EQ(made->mtu, 1450);
  EXPECT_EQ(made->alias, "labkeeper lab=c node=b link=v");
  EXPECT_FALSE(this->In(this->a(), "vx1")) << "made straight into the target's namespace";
}

TYPED_TEST_P(LinkContract, TemporaryNamesAreGoneOnceTheEndsAreMade) {
  Status s = this->lm().CreateVeth(this->a(), {"eth3", "", "labkeeper lab=c node=a link=t", "lktc0000000a"}, this->b(),
                                   {"eth3", "", "labkeeper lab=c node=b link=t", "lktc0000000b"}, 1500);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(this->In(this->a(), "eth3"));
  EXPECT_TRUE(this->In(this->b(), "eth3"));
  EXPECT_FALSE(this->In(this->a(), "lktc0000000a"));
  EXPECT_FALSE(this->In(this->b(), "lktc0000000b"));
}

TYPED_TEST_P(LinkContract, ALongNameIsKeptAsAnAlternativeNameListedOnItsOwn) {
  ASSERT_TRUE(this->Pair("eth1", "some_ver-0a1b2c").ok());
  const std::string alt = "some_very_long_node_name_l1_eth1";
  Status s = this->lm().AddAltName(this->b(), "some_ver-0a1b2c", alt);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(this->lm().AddAltName(this->b(), "some_ver-0a1b2c", alt).ok()) << "one it has already is fine";
  auto names = this->lm().AltNames(this->b());
  ASSERT_TRUE(names) << names.error();
  ASSERT_TRUE(names->count("some_ver-0a1b2c"));
  EXPECT_EQ(names->at("some_ver-0a1b2c"), std::vector<std::string>{alt});
  EXPECT_FALSE(names->count("lo"));
  auto listed = this->In(this->b(), "some_ver-0a1b2c");
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->altnames.empty()) << "List does not ask for them";
  EXPECT_FALSE(this->lm().AddAltName(this->b(), "nope0", alt).ok());
  EXPECT_FALSE(this->lm().AddAltName(this->b(), "some_ver-0a1b2c", std::string(128, 'x')).ok()) << "at most 127";
}

TYPED_TEST_P(LinkContract, AnInterfaceMadeWithoutAMarkerIsMarkedInPlace) {
  ASSERT_TRUE(this->lm().CreateVeth(this->a(), {"eth6", "", "", ""}, this->b(), {"eth6", "", "", ""}, 1500).ok());
  auto before = this->In(this->a(), "eth6");
  ASSERT_TRUE(before);
  EXPECT_EQ(before->alias, "");
  const std::string marker = "labkeeper lab=c node=a link=adopted";
  Status s = this->lm().Mark(this->a(), "eth6", marker);
  ASSERT_TRUE(s.ok()) << s.message();
  auto after = this->In(this->a(), "eth6");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->alias, marker);
  EXPECT_EQ(after->ifindex, before->ifindex) << "the same interface, not a new one";
  EXPECT_EQ(after->peer_ifindex, before->peer_ifindex);
  EXPECT_FALSE(this->lm().Mark(this->a(), "nope0", marker).ok());
}

TYPED_TEST_P(LinkContract, ANamedNamespaceIsMadeOnceFoundListedAndRemovedWithWhatIsInIt) {
  const std::string name = "lktest-contract-stitch";
  LinkManager& lm = this->lm();
  ASSERT_TRUE(lm.DeleteNamed(name).ok());
  auto absent = lm.FindNamed(name);
  ASSERT_TRUE(absent) << absent.error();
  EXPECT_FALSE(absent->has_value());
  {
    auto made = lm.MakeNamed(name);
    ASSERT_TRUE(made) << made.error();
    Status s = lm.CreateVeth(this->a(), {"eth5", "", "labkeeper lab=c node=a link=s", ""}, *made,
                             {"a", "", "labkeeper lab=c node=a link=s", ""}, 1500);
    ASSERT_TRUE(s.ok()) << s.message();
    auto again = lm.MakeNamed(name);
    ASSERT_TRUE(again) << again.error();
    EXPECT_TRUE(this->In(*again, "a")) << "made only when absent: the same namespace";
    auto found = lm.FindNamed(name);
    ASSERT_TRUE(found && *found);
    EXPECT_TRUE(this->In(**found, "a"));
  }  // nothing holds it open now
  auto names = lm.ListNamed();
  ASSERT_TRUE(names) << names.error();
  EXPECT_NE(std::find(names->begin(), names->end(), name), names->end());
  ASSERT_TRUE(lm.DeleteNamed(name).ok());
  EXPECT_FALSE(lm.FindNamed(name)->has_value());
  // The kernel takes a namespace apart a moment after its last reference goes.
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone = !this->In(this->a(), "eth5");
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(gone) << "its veth ends go with it";
  EXPECT_TRUE(lm.DeleteNamed(name).ok()) << "an absent one is fine";
  EXPECT_FALSE(lm.MakeNamed("no/slash").ok());
}

REGISTER_TYPED_TEST_SUITE_P(LinkContract, AVethHasItsEndsInBothNamespacesWithNamesMtuMacsMarkersAndPeers,
                            DeletingOneEndRemovesThePairAndDeletingAgainIsNoError,
                            ATakenNameIsAnErrorNamingItAndLeavesNothingBehind,
                            RepairsOfMtuMacStateAndAddressesShowInTheListing, ChangesToAMissingInterfaceFail,
                            ABridgeIsMadeMarkedAndTakesPortsButNotOnAMissingBridge,
                            AVxlanMadeFromOneNamespaceIntoAnotherListsItsRemote,
                            TemporaryNamesAreGoneOnceTheEndsAreMade, ALongNameIsKeptAsAnAlternativeNameListedOnItsOwn,
                            AnInterfaceMadeWithoutAMarkerIsMarkedInPlace,
                            ANamedNamespaceIsMadeOnceFoundListedAndRemovedWithWhatIsInIt);

}  // namespace lk::test
