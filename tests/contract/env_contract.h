// What every Env does, stated once: the fake (unit label) and the real host (integration
// label). An implementation's test file defines an Env wrapper with env(), a directory dir() it
// may write in, and the clean-up, and instantiates the suite.
#pragma once

#include <gtest/gtest.h>

#include <set>
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

TYPED_TEST_P(EnvContract, AWalkListsTheFilesBelowButNoHiddenOne) {
  ASSERT_TRUE(this->env().MakeDirectories(this->Path("sub")).ok());
  ASSERT_TRUE(this->env().MakeDirectories(this->Path(".hidden")).ok());
  EXPECT_TRUE(this->env().IsDirectory(this->Path("sub")));
  for (const char* f : {"top.clab.yml", "sub/a.clab.yml", ".hidden/h.clab.yml", ".dot.clab.yml"})
    ASSERT_TRUE(this->env().WriteFile(this->Path(f), f).ok()) << f;
  std::set<std::string> files;
  for (const auto& e : this->env().Walk(this->t_.dir()))
    if (e.kind == Env::Entry::kFile) files.insert(e.path);
  EXPECT_EQ(files, (std::set<std::string>{this->Path("sub/a.clab.yml"), this->Path("top.clab.yml")}));
}

TYPED_TEST_P(EnvContract, AReadWithALimitStopsThere) {
  std::string p = this->Path("big");
  ASSERT_TRUE(this->env().WriteFile(p, "abcdef").ok());
  EXPECT_EQ(*this->env().ReadFile(p, 3), "abc");
  EXPECT_EQ(*this->env().ReadFile(p, 100), "abcdef");
}

REGISTER_TYPED_TEST_SUITE_P(EnvContract, AFileWrittenIsReadBackWholeAndExists, ReadingAMissingFileIsAnErrorNamingIt,
                            TheSteadyClockNeverGoesBackAndASleepMovesIt, TheHostHasAName,
                            AWalkListsTheFilesBelowButNoHiddenOne, AReadWithALimitStopsThere);

}  // namespace lk::test
