#include "controller/workqueue.h"

#include <gtest/gtest.h>

#include <thread>

namespace lk {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(WorkQueue, BurstsCollapseIntoOnePass) {
  FakeClock clock;
  WorkQueue q(clock);
  for (int i = 0; i < 100; ++i) q.Add("lab-a");
  q.Add("lab-b");
  EXPECT_EQ(q.Stats().depth, 2u);
  EXPECT_EQ(q.TryGet(), "lab-a");
  EXPECT_EQ(q.TryGet(), "lab-b");
  EXPECT_EQ(q.TryGet(), std::nullopt);
  EXPECT_EQ(q.Stats().adds, 101u);
}

TEST(WorkQueue, AKeyIsNeverHandedToTwoWorkers) {
  FakeClock clock;
  WorkQueue q(clock);
  q.Add("lab");
  ASSERT_EQ(q.TryGet(), "lab");
  q.Add("lab");  // changes while it is being processed
  q.Add("lab");
  EXPECT_EQ(q.TryGet(), std::nullopt) << "still processing: not handed out again";
  q.Done("lab");
  EXPECT_EQ(q.TryGet(), "lab") << "dirty while processing: one more pass";
  q.Done("lab");
  EXPECT_EQ(q.TryGet(), std::nullopt);
}

TEST(WorkQueue, BackoffDoublesFromOneSecondToFiveMinutesAndResets) {
  FakeClock clock;
  WorkQueue q(clock);
  std::vector<long> delays;
  for (int i = 0; i < 12; ++i) delays.push_back(std::chrono::duration_cast<seconds>(q.AddRateLimited("bad")).count());
  EXPECT_EQ(delays, (std::vector<long>{1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300}));
  q.Forget("bad");
  EXPECT_EQ(q.AddRateLimited("bad"), seconds(1));
}

TEST(WorkQueue, DelayedKeysWaitForTheClockWhileOthersGoOn) {
  FakeClock clock;
  WorkQueue q(clock);
  q.AddRateLimited("bad");  // 1 s
  q.Add("good");
  EXPECT_EQ(q.TryGet(), "good");
  q.Done("good");
  EXPECT_EQ(q.TryGet(), std::nullopt);
  clock.Advance(milliseconds(999));
  EXPECT_EQ(q.TryGet(), std::nullopt);
  clock.Advance(milliseconds(1));
  EXPECT_EQ(q.TryGet(), "bad");
  q.Done("bad");
  q.AddRateLimited("bad");  // 2 s now
  clock.Advance(seconds(1));
  EXPECT_EQ(q.TryGet(), std::nullopt);
  clock.Advance(seconds(1));
  EXPECT_EQ(q.TryGet(), "bad");
}

TEST(WorkQueue, AnAddNowBeatsAPendingDelay) {
  FakeClock clock;
  WorkQueue q(clock);
  q.AddAfter("lab", minutes(5));
  q.Add("lab");
  EXPECT_EQ(q.TryGet(), "lab");
}

TEST(WorkQueue, ShutDownWakesBlockedWorkers) {
  RealClock clock;
  WorkQueue q(clock);
  std::optional<std::string> got = "unset";
  std::thread t([&] { got = q.Get(); });
  std::this_thread::sleep_for(milliseconds(50));
  q.ShutDown();
  t.join();
  EXPECT_EQ(got, std::nullopt);
}

TEST(WorkQueue, BlockingGetHandsOutAddsFromOtherThreads) {
  RealClock clock;
  WorkQueue q(clock);
  std::thread t([&] { q.Add("lab"); });
  EXPECT_EQ(q.Get(), "lab");
  t.join();
}

}  // namespace
}  // namespace lk
