// The Env contract against the fake, and the fake's own behaviour.
#include "tests/contract/env_contract.h"
#include "tests/fakes/fake_env.h"

namespace lk::test {
namespace {

class FakeEnvWrap {
 public:
  Env& env() { return env_; }
  std::string dir() { return "/fake/state"; }

 private:
  FakeEnv env_;
};

using Envs = ::testing::Types<FakeEnvWrap>;
INSTANTIATE_TYPED_TEST_SUITE_P(Fake, EnvContract, Envs);

TEST(FakeEnv, ShellCommandsAreRecordedAndAnsweredByTheTest) {
  FakeEnv env;
  EXPECT_EQ(env.Shell("true").exit_code, 0);
  env.OnShell([](const std::string& c) { return ExecResult{c == "false" ? 1 : 0, c}; });
  EXPECT_EQ(env.Shell("false").exit_code, 1);
  EXPECT_EQ(env.ShellCommands(), (std::vector<std::string>{"true", "false"}));
}

TEST(FakeEnv, AFailedWriteLeavesTheOldFile) {
  FakeEnv env;
  env.AddFile("/s/f", "old");
  env.FailNext("WriteFile", "No space left on device");
  EXPECT_EQ(env.WriteFile("/s/f", "new").message(), "No space left on device");
  EXPECT_EQ(*env.File("/s/f"), "old");
}

TEST(FakeEnv, BridgeRulesAreAddedOnceAndRemovedByLab) {
  FakeEnv env;
  ASSERT_TRUE(env.AllowBridgeForwarding("l1", "br1").ok());
  ASSERT_TRUE(env.AllowBridgeForwarding("l1", "br1").ok());
  ASSERT_TRUE(env.AllowBridgeForwarding("l2", "br2").ok());
  EXPECT_EQ(env.ForwardedBridges().size(), 2u);
  ASSERT_TRUE(env.RemoveBridgeRules("l1").ok());
  EXPECT_EQ(env.ForwardedBridges(), std::set<std::string>{"l2/br2"});
}

}  // namespace
}  // namespace lk::test
