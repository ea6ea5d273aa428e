// What every ContainerRuntime does, stated once and run against each implementation: the fake
// (tests/fakes, in the unit label) and Docker (in the integration label). An implementation's
// test file defines an Env (a runtime, an image it has, and a clean-up) and instantiates the
// suite with it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "controller/runtime.h"

namespace lk::test {

// A container spec of the contract's own: labelled, no network, a process that stays up.
inline ContainerSpec ContractSpec(const std::string& name, const std::string& image) {
  ContainerSpec s;
  s.name = name;
  s.image = image;
  s.cmd = {"sleep", "3600"};
  s.network_mode = "none";
  s.labels = {{"labkeeper.dev/test", "contract"}, {"lktest-contract", name}};
  return s;
}

template <typename Env>
class RuntimeContract : public ::testing::Test {
 protected:
  ContainerRuntime& rt() { return env_.runtime(); }
  std::string image() { return env_.image(); }
  // A name no other run of the suite uses at the same time.
  std::string Name(const std::string& what) { return "lktest-contract-" + what + "-" + std::to_string(getpid()); }
  Env env_;
};

TYPED_TEST_SUITE_P(RuntimeContract);

TYPED_TEST_P(RuntimeContract, ARunContainerIsFoundByNameAndIdRunningWithItsLabels) {
  std::string name = this->Name("run");
  auto id = this->rt().Run(ContractSpec(name, this->image()), nullptr);
  ASSERT_TRUE(id.ok()) << id.error();
  for (const std::string& key : {name, *id}) {
    auto got = this->rt().Get(key);
    ASSERT_TRUE(got.ok()) << got.error();
    ASSERT_TRUE(got->has_value()) << key;
    EXPECT_EQ((*got)->id, *id);
    EXPECT_EQ((*got)->name, name);
    EXPECT_TRUE((*got)->running());
    EXPECT_GT((*got)->pid, 0);
    EXPECT_EQ((*got)->labels.at("lktest-contract"), name);
  }
}

TYPED_TEST_P(RuntimeContract, NamesHoldsEveryContainersNameAndNotARemovedOnes) {
  std::string kept = this->Name("names-kept"), gone = this->Name("names-gone");
  ASSERT_TRUE(this->rt().Run(ContractSpec(kept, this->image()), nullptr).ok());
  auto id = this->rt().Run(ContractSpec(gone, this->image()), nullptr);
  ASSERT_TRUE(id.ok()) << id.error();
  ASSERT_TRUE(this->rt().Remove(*id).ok());
  auto names = this->rt().Names();
  ASSERT_TRUE(names.ok()) << names.error();
  EXPECT_EQ(names->count(kept), 1u);
  EXPECT_EQ(names->count(gone), 0u);
}

TYPED_TEST_P(RuntimeContract, ListFiltersByLabelValueAndByLabelKey) {
  std::string a = this->Name("list-a"), b = this->Name("list-b");
  ASSERT_TRUE(this->rt().Run(ContractSpec(a, this->image()), nullptr).ok());
  ASSERT_TRUE(this->rt().Run(ContractSpec(b, this->image()), nullptr).ok());
  auto one = this->rt().List({{"lktest-contract", a}});
  ASSERT_TRUE(one.ok()) << one.error();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].name, a);
  auto both = this->rt().List({{"lktest-contract", ""}, {"labkeeper.dev/test", "contract"}});
  ASSERT_TRUE(both.ok()) << both.error();
  std::set<std::string> names;
  for (const auto& c : *both) names.insert(c.name);
  EXPECT_TRUE(names.count(a) && names.count(b));
  auto none = this->rt().List({{"lktest-contract", "no-such-value"}});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TYPED_TEST_P(RuntimeContract, ANameIsTakenOnce) {
  std::string name = this->Name("twice");
  ASSERT_TRUE(this->rt().Run(ContractSpec(name, this->image()), nullptr).ok());
  auto again = this->rt().Run(ContractSpec(name, this->image()), nullptr);
  EXPECT_FALSE(again.ok());
  auto list = this->rt().List({{"lktest-contract", name}});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1u);
}

TYPED_TEST_P(RuntimeContract, RemovedIsGoneAndRemovingAgainIsNoError) {
  std::string name = this->Name("remove");
  auto id = this->rt().Run(ContractSpec(name, this->image()), nullptr);
  ASSERT_TRUE(id.ok()) << id.error();
  EXPECT_TRUE(this->rt().Remove(*id).ok());
  auto got = this->rt().Get(name);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  EXPECT_TRUE(this->rt().Remove(*id).ok());
  EXPECT_FALSE(this->rt().Start(*id).ok()) << "a removed container cannot start";
}

TYPED_TEST_P(RuntimeContract, ExecGivesTheExitCodeAndFailsWhereNoContainerIs) {
  std::string name = this->Name("exec");
  ASSERT_TRUE(this->rt().Run(ContractSpec(name, this->image()), nullptr).ok());
  auto ok = this->rt().Exec(name, {"true"});
  ASSERT_TRUE(ok.ok()) << ok.error();
  EXPECT_EQ(ok->exit_code, 0);
  auto bad = this->rt().Exec(name, {"false"});
  ASSERT_TRUE(bad.ok()) << bad.error();
  EXPECT_NE(bad->exit_code, 0);
  EXPECT_FALSE(this->rt().Exec(this->Name("no-such"), {"true"}).ok());
}

TYPED_TEST_P(RuntimeContract, AnImageIsUsedWhenPresentAndNeverPulledUnderNever) {
  auto present = this->rt().EnsureImage(this->image(), "IfNotPresent", "", nullptr);
  ASSERT_TRUE(present.ok()) << present.error();
  EXPECT_EQ(*present, this->image());
  std::string missing = "labkeeper.dev/no-such-image:" + std::to_string(getpid());
  auto never = this->rt().EnsureImage(missing, "Never", "", nullptr);
  ASSERT_FALSE(never.ok());
  EXPECT_NE(never.error().find(missing), std::string::npos) << never.error();
  auto arch = this->rt().ImageArchitecture(missing);
  ASSERT_TRUE(arch.ok());
  EXPECT_EQ(*arch, "") << "no architecture for an absent image";
  EXPECT_FALSE(this->rt().EngineArchitecture().empty());
}

TYPED_TEST_P(RuntimeContract, ANetworkIsMadeOnceAndRemovedOnlyWhenOwnedAndUnused) {
  MgmtNetwork net;
  net.network = this->Name("net");
  net.ipv4_subnet = "10.251.250.0/24";
  net.ipv6_subnet = "";
  ASSERT_EQ(this->rt().EnsureNetwork(net, {{"lktest-owner", "contract"}}).value_or(false), true);
  ASSERT_EQ(this->rt().EnsureNetwork(net, {{"lktest-owner", "contract"}}).value_or(true), false);
  EXPECT_EQ(this->rt().NetworkExists(net.network).value_or(false), true);
  EXPECT_TRUE(this->rt().NetworkBridge(net.network).ok());
  ContainerSpec on = ContractSpec(this->Name("on-net"), this->image());
  on.network_mode = "";
  on.network = net.network;
  auto id = this->rt().Run(on, nullptr);
  ASSERT_TRUE(id.ok()) << id.error();
  using R = NetworkRemoval;
  EXPECT_EQ(this->rt().RemoveNetworkIfUnused(net.network, "lktest-owner").value_or(R::kRemoved), R::kKept) << "in use";
  ASSERT_TRUE(this->rt().Remove(*id).ok());
  EXPECT_EQ(this->rt().RemoveNetworkIfUnused(net.network, "lktest-other-owner").value_or(R::kRemoved), R::kKept)
      << "not its owner";
  EXPECT_EQ(this->rt().RemoveNetworkIfUnused(net.network, "lktest-owner").value_or(R::kKept), R::kRemoved);
  EXPECT_EQ(this->rt().RemoveNetworkIfUnused(net.network, "lktest-owner").value_or(R::kRemoved), R::kKept) << "gone";
  EXPECT_EQ(this->rt().NetworkExists(net.network).value_or(true), false);
}

TYPED_TEST_P(RuntimeContract, AContainerJoinsTheNamespaceOfARunningContainerOnly) {
  std::string host = this->Name("ns-host");
  ContainerSpec early = ContractSpec(this->Name("ns-early"), this->image());
  early.network_mode = "container:" + host;
  EXPECT_FALSE(this->rt().Run(early, nullptr).ok()) << "no container " << host << " yet";
  ASSERT_TRUE(this->rt().Run(ContractSpec(host, this->image()), nullptr).ok());
  ContainerSpec late = ContractSpec(this->Name("ns-late"), this->image());
  late.network_mode = "container:" + host;
  auto id = this->rt().Run(late, nullptr);
  ASSERT_TRUE(id.ok()) << id.error();
  auto got = this->rt().Get(*id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_TRUE((*got)->running());
}

REGISTER_TYPED_TEST_SUITE_P(RuntimeContract, ARunContainerIsFoundByNameAndIdRunningWithItsLabels,
                            NamesHoldsEveryContainersNameAndNotARemovedOnes, ListFiltersByLabelValueAndByLabelKey,
                            ANameIsTakenOnce, RemovedIsGoneAndRemovingAgainIsNoError,
                            ExecGivesTheExitCodeAndFailsWhereNoContainerIs,
                            AnImageIsUsedWhenPresentAndNeverPulledUnderNever,
                            ANetworkIsMadeOnceAndRemovedOnlyWhenOwnedAndUnused,
                            AContainerJoinsTheNamespaceOfARunningContainerOnly);

}  // namespace lk::test
