// What every Env does, stated once: the fake (unit label) and the real host (integration
// label). An implementation's test file defines an Env wrapper with env(), a directory dir() it
// may write in, and the clean-up, and instantiates the suite.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

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
  std::string large(200000, 'x');  // longer than any piece a reader reads at once
  large[150000] = 'y';
  ASSERT_TRUE(this->env().WriteFile(p, large).ok());
  EXPECT_EQ(*this->env().ReadFile(p, 150001), large.substr(0, 150001));
  EXPECT_EQ(*this->env().ReadFile(p, 8u << 20), large);
}

TYPED_TEST_P(EnvContract, DeletingAFileOrATreeRemovesItAndAnAbsentOneIsNoError) {
  std::string f = this->Path("gone"), tree = this->Path("tree");
  ASSERT_TRUE(this->env().WriteFile(f, "x").ok());
  EXPECT_TRUE(this->env().Delete(f).ok());
  EXPECT_FALSE(this->env().Exists(f));
  EXPECT_TRUE(this->env().Delete(f).ok()) << "already absent";
  ASSERT_TRUE(this->env().MakeDirectories(tree + "/a/b").ok());
  ASSERT_TRUE(this->env().WriteFile(tree + "/a/b/c", "x").ok());
  ASSERT_TRUE(this->env().WriteFile(this->Path("treehouse"), "kept").ok());
  EXPECT_TRUE(this->env().DeleteTree(tree).ok());
  EXPECT_FALSE(this->env().Exists(tree + "/a/b/c"));
  EXPECT_FALSE(this->env().IsDirectory(tree));
  EXPECT_TRUE(this->env().Exists(this->Path("treehouse"))) << "a name that only begins the same";
  EXPECT_TRUE(this->env().DeleteTree(tree).ok()) << "already absent";
}

TYPED_TEST_P(EnvContract, AnEditReadsChangesAndWritesTheFileWholeOrNotAtAll) {
  std::string p = this->Path("hosts"), lock = this->Path("hosts.lock");
  auto append = [](const std::string& line) {
    return [line](const std::string& cur) -> Result<std::string> { return cur + line; };
  };
  ASSERT_TRUE(this->env().EditFile(p, lock, append("a\n")).ok()) << "a missing file reads as empty";
  ASSERT_TRUE(this->env().EditFile(p, lock, append("b\n")).ok());
  EXPECT_EQ(*this->env().ReadFile(p), "a\nb\n");
  Status refused = this->env().EditFile(
      p, lock, [](const std::string&) -> Result<std::string> { return Status::Fail("no, thanks"); });
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(refused.message(), "no, thanks");
  EXPECT_EQ(*this->env().ReadFile(p), "a\nb\n") << "a refused edit writes nothing";
  // Edits from many threads at once: each one sees the others' (the lock), none is lost.
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] { this->env().EditFile(p, lock, append(std::to_string(i) + "\n")); });
  for (auto& t : threads) t.join();
  std::string all = *this->env().ReadFile(p);
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 10) << all;
}

REGISTER_TYPED_TEST_SUITE_P(EnvContract, AFileWrittenIsReadBackWholeAndExists, ReadingAMissingFileIsAnErrorNamingIt,
                            TheSteadyClockNeverGoesBackAndASleepMovesIt, TheHostHasAName,
                            AWalkListsTheFilesBelowButNoHiddenOne, AReadWithALimitStopsThere,
                            DeletingAFileOrATreeRemovesItAndAnAbsentOneIsNoError,
                            AnEditReadsChangesAndWritesTheFileWholeOrNotAtAll);

}  // namespace lk::test
