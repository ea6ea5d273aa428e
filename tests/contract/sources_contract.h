// What every set of event sources does, stated once and run against the fake (unit label) and
// the real sources (integration label: inotify, the Docker engine's events, netlink link events
// in a namespace of the test's own). An implementation's test file defines an Env with
// sources(), Unavailable() (why it cannot run here, or ""), and the pokes: ChangeDir(),
// ChangeLabContainer(lab), a watched Namespace(), ChangeLinksIn(it), ChangeAddressesIn(it) and
// ChangeQdiscsIn(it).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "controller/event_sources.h"

namespace lk::test {

template <typename Env>
class SourcesContract : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = env_.Unavailable(); !why.empty()) GTEST_SKIP() << why;
  }
  void TearDown() override { env_.sources().Stop(); }
  void Start() {
    Status s = env_.sources().Start(
        [this] {
          std::lock_guard lock(mu_);
          ++dir_calls_;
        },
        [this](const std::string& lab) {
          std::lock_guard lock(mu_);
          labs_.insert(lab);
        });
    ASSERT_TRUE(s.ok()) << s.message();
  }
  int DirCalls() {
    std::lock_guard lock(mu_);
    return dir_calls_;
  }
  bool Named(const std::string& lab) {
    std::lock_guard lock(mu_);
    return labs_.count(lab) > 0;
  }
  void Forget() {
    std::lock_guard lock(mu_);
    dir_calls_ = 0;
    labs_.clear();
  }
  // Pokes until `said` holds (a source that is still connecting may miss a poke), up to a bound
  // generous for a loaded machine.
  bool Until(const std::function<void()>& poke, const std::function<bool()>& said) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < until) {
      poke();
      for (int i = 0; i < 40; ++i) {
        if (said()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    return said();
  }
  Env env_;
  std::mutex mu_;
  int dir_calls_ = 0;
  std::set<std::string> labs_;
};

TYPED_TEST_SUITE_P(SourcesContract);

TYPED_TEST_P(SourcesContract, AChangeInTheDirectoryIsSaid) {
  this->Start();
  EXPECT_TRUE(this->Until([&] { this->env_.ChangeDir(); }, [&] { return this->DirCalls() > 0; }));
}

TYPED_TEST_P(SourcesContract, AChangeToALabsContainerNamesTheLab) {
  this->Start();
  const std::string lab = "lkc-sources-" + std::to_string(::getpid());
  EXPECT_TRUE(this->Until([&] { this->env_.ChangeLabContainer(lab); }, [&] { return this->Named(lab); }));
}

TYPED_TEST_P(SourcesContract, AChangeInAWatchedNamespaceNamesItsLabAndAnUnwatchedOneDoesNot) {
  this->Start();
  auto held = this->env_.Namespace();  // (clang 14 cannot capture a structured binding)
  const std::string container = held.first;
  const int pid = held.second;
  EXPECT_TRUE(this->env_.sources().Watch("lkc-watched", {{container, pid}})) << "every namespace given is watched";
  EXPECT_TRUE(this->Until([&] { this->env_.ChangeLinksIn(pid); }, [&] { return this->Named("lkc-watched"); }));
  this->env_.sources().Watch("lkc-watched", {});
  this->Forget();
  this->env_.ChangeLinksIn(pid);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_FALSE(this->Named("lkc-watched")) << "no longer watched";
}

// An address added or removed is a change too (a link's ipv4/ipv6 is part of the lab).
TYPED_TEST_P(SourcesContract, AnAddressChangeInAWatchedNamespaceNamesItsLab) {
  this->Start();
  auto held = this->env_.Namespace();
  const std::string container = held.first;
  const int pid = held.second;
  ASSERT_TRUE(this->env_.sources().Watch("lkc-addr", {{container, pid}}));
  EXPECT_TRUE(this->Until([&] { this->env_.ChangeAddressesIn(pid); }, [&] { return this->Named("lkc-addr"); }));
  this->env_.sources().Watch("lkc-addr", {});
}

// A root qdisc put or removed is a change too (an end's impairment is part of the lab, and a
// `tc qdisc del` by hand is drift: docs/impairments.md).
TYPED_TEST_P(SourcesContract, AQdiscChangeInAWatchedNamespaceNamesItsLab) {
  this->Start();
  auto held = this->env_.Namespace();
  ASSERT_TRUE(this->env_.sources().Watch("lkc-qdisc", {{held.first, held.second}}));
  EXPECT_TRUE(this->Until([&] { this->env_.ChangeQdiscsIn(held.second); }, [&] { return this->Named("lkc-qdisc"); }));
  this->env_.sources().Watch("lkc-qdisc", {});
}

// A watcher's own bookkeeping after a change (re-reading the tree) is no change: once the
// change is said, a directory nobody touches stays quiet (a rescan per debounce, forever, was
// most of an idle controller's cost).
TYPED_TEST_P(SourcesContract, AfterAChangeIsSaidAnUntouchedDirectoryStaysQuiet) {
  this->Start();
  ASSERT_TRUE(this->Until([&] { this->env_.ChangeDir(); }, [&] { return this->DirCalls() > 0; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(800));  // a poke still in flight is said
  this->Forget();
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));  // many times any debounce here
  EXPECT_EQ(this->DirCalls(), 0);
}

TYPED_TEST_P(SourcesContract, NothingIsSaidAfterStop) {
  this->Start();
  this->env_.sources().Stop();
  this->Forget();
  this->env_.ChangeDir();
  std::this_thread::sleep_for(std::chrono::milliseconds(800));  // longer than any debounce here
  EXPECT_EQ(this->DirCalls(), 0);
}

REGISTER_TYPED_TEST_SUITE_P(SourcesContract, AChangeInTheDirectoryIsSaid, AChangeToALabsContainerNamesTheLab,
                            AChangeInAWatchedNamespaceNamesItsLabAndAnUnwatchedOneDoesNot,
                            AnAddressChangeInAWatchedNamespaceNamesItsLab, AQdiscChangeInAWatchedNamespaceNamesItsLab,
                            AfterAChangeIsSaidAnUntouchedDirectoryStaysQuiet, NothingIsSaidAfterStop);

}  // namespace lk::test
