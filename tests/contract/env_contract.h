// What every Env does, stated once: the fake (unit label) and the real host (integration
// label). An implementation's test file defines an Env wrapper with env(), a directory dir() it
// may write in, and the clean-up, and instantiates the suite.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "controller/env.h"

namespace lk::test {

template <typename T>
class EnvContract : public ::testing::Test {
 protected:
  Env& env() { return t_.env(); }
  std::string Path(const std::string& name) { return t_.dir() + "/" + name; }
  T t_;
};

TYPED_TEST_SUITE_P(EnvContract);

TYPED_TEST_P(EnvContract, AFileWrittenIsReadBackWholeAndExists) {
  std::string p = this->Path("status.json");
  EXPECT_FALSE(this->env().Exists(p));
  ASSERT_TRUE(this->env().WriteFile(p, "{\"a\": 1}\n").ok());
  EXPECT_TRUE(this->env().Exists(p));
  auto got = this->env().ReadFile(p);
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(*got, "{\"a\": 1}\n");
  ASSERT_TRUE(this->env().WriteFile(p, "x").ok());
  EXPECT_EQ(*this->env().ReadFile(p), "x") << "a write replaces the file whole";
}

TYPED_TEST_P(EnvContract, ReadingAMissingFileIsAnErrorNamingIt) {
  auto got = this->env().ReadFile(this->Path("absent"));
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().find("absent"), std::string::npos) << got.error();
}

TYPED_TEST_P(EnvContract, TheSteadyClockNeverGoesBackAndASleepMovesIt) {
  TimePoint t0 = this->env().Now();
  this->env().Sleep(std::chrono::milliseconds(20));
  TimePoint t1 = this->env().Now();
  EXPECT_GE(t1 - t0, std::chrono::milliseconds(20));
  EXPECT_GT(this->env().WallNow().time_since_epoch().count(), 0);
}

TYPED_TEST_P(EnvContract, TheHostHasAName) {
  EXPECT_FALSE(this->env().HostName().empty());
}

REGISTER_TYPED_TEST_SUITE_P(EnvContract, AFileWrittenIsReadBackWholeAndExists, ReadingAMissingFileIsAnErrorNamingIt,
                            TheSteadyClockNeverGoesBackAndASleepMovesIt, TheHostHasAName);

}  // namespace lk::test
