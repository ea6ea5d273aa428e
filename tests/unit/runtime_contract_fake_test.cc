// The runtime contract against the fake, and the fake's own fault injection.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/contract/runtime_contract.h"
#include "tests/fakes/fake_runtime.h"
#include "tests/support/support.h"

namespace lk::test {
namespace {

struct FakeEnv {
  FakeEnv() {
    rt.AddImage(kBusyboxImage);
    rt.OnExec([](const std::string&, const std::vector<std::string>& argv) {
      return ExecResult{argv.at(0) == "false" ? 1 : 0, ""};
    });
  }
  ContainerRuntime& runtime() { return rt; }
  std::string image() { return kBusyboxImage; }
  FakeRuntime rt;
};

INSTANTIATE_TYPED_TEST_SUITE_P(Fake, RuntimeContract, FakeEnv);

TEST(FakeRuntime, FailNextFailsThatManyCallsThenGoesBackToWorking) {
  FakeRuntime rt;
  rt.AddImage("img");
  rt.FailNext("Run", "engine on fire", 2);
  EXPECT_EQ(rt.Run(ContractSpec("a", "img"), nullptr).error(), "engine on fire");
  EXPECT_EQ(rt.Run(ContractSpec("a", "img"), nullptr).error(), "engine on fire");
  EXPECT_TRUE(rt.Run(ContractSpec("a", "img"), nullptr).ok());
  EXPECT_EQ(rt.Calls(), (std::vector<std::string>{"Run", "Run", "Run"}));
}

TEST(FakeRuntime, AStalledMethodAnswersLate) {
  FakeRuntime rt;
  rt.Stall("List", std::chrono::milliseconds(50));
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(rt.List({}).ok());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(50));
}

TEST(FakeRuntime, AStoppedContainerRestartsWithANewPidAndAPullAddsTheImage) {
  FakeRuntime rt;
  rt.AddPullable("later");
  EXPECT_FALSE(rt.EnsureImage("later", "Never", "", nullptr).ok());
  std::vector<std::string> progress;
  ASSERT_TRUE(rt.EnsureImage("later", "IfNotPresent", "", [&](const std::string& l) { progress.push_back(l); }).ok());
  EXPECT_FALSE(progress.empty());
  auto id = rt.Run(ContractSpec("a", "later"), nullptr);
  ASSERT_TRUE(id.ok()) << id.error();
  int pid = (*rt.Get("a"))->pid;
  rt.Stop("a");
  EXPECT_FALSE((*rt.Get("a"))->running());
  EXPECT_FALSE(rt.Exec("a", {"true"}).ok()) << "no exec in a stopped container";
  ASSERT_TRUE(rt.Start(*id).ok());
  EXPECT_NE((*rt.Get("a"))->pid, pid);
  EXPECT_EQ(rt.SpecOf("a")->image, "later");
}

}  // namespace
}  // namespace lk::test
