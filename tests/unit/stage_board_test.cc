// The stage board: ordering by wait-for, links by the second node to arrive, and waits that
// would never end.
#include "controller/stage_board.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "api/topology.h"

namespace lk {
namespace {

int Stage(const char* name) {
  return StageIndex(name);
}

TEST(StageBoard, NodesNotMadeThisPassCountAsThroughEveryStage) {
  StageBoard board({"a", "b"}, {"a"});
  EXPECT_EQ(board.Done("a"), -1);
  EXPECT_EQ(board.Done("b"), static_cast<int>(StageNames().size()) - 1);
  std::string cycle;
  EXPECT_TRUE(board.Await("a", "b", Stage("exit"), &cycle)) << "returns at once";
}

TEST(StageBoard, AWaitEndsWhenTheOtherNodeFinishesThatStage) {
  StageBoard board({"a", "b"}, {"a", "b"});
  std::atomic<bool> through{false};
  std::thread waiter([&] {
    std::string cycle;
    EXPECT_TRUE(board.Await("a", "b", Stage("configure"), &cycle));
    through = true;
  });
  board.Finish("b", Stage("create-links"));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(through) << "create-links is not configure";
  board.Finish("b", Stage("configure"));
  waiter.join();
  EXPECT_TRUE(through);
}

TEST(StageBoard, FinishingALaterStageCountsForTheEarlierOnesAndNeverGoesBack) {
  StageBoard board({"a"}, {"a"});
  board.Finish("a", Stage("healthy"));
  board.Finish("a", Stage("create"));
  EXPECT_EQ(board.Done("a"), Stage("healthy"));
}

TEST(StageBoard, ANodeWaitingForItselfLaterIsACycle) {
  StageBoard board({"a"}, {"a"});
  std::string cycle;
  EXPECT_FALSE(board.Await("a", "a", Stage("configure"), &cycle));
  EXPECT_EQ(cycle, "a -> a configure");
}

TEST(StageBoard, TwoNodesWaitingForEachOtherAreACycleFoundByTheSecond) {
  StageBoard board({"a", "b"}, {"a", "b"});
  std::atomic<bool> a_through{false};
  std::thread a([&] {
    std::string cycle;
    EXPECT_TRUE(board.Await("a", "b", Stage("create"), &cycle));
    a_through = true;
  });
  while (board.Waiting() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::string cycle;
  EXPECT_FALSE(board.Await("b", "a", Stage("create"), &cycle)) << "b's wait for a closes the cycle";
  EXPECT_EQ(cycle, "b -> a create -> b create");
  board.Finish("b", Stage("exit"));  // b gives up and goes on: a's wait ends
  a.join();
  EXPECT_TRUE(a_through);
}

TEST(StageBoard, AChainOfWaitsIsNoCycle) {
  StageBoard board({"a", "b", "c"}, {"a", "b", "c"});
  std::thread a([&] {
    std::string cycle;
    EXPECT_TRUE(board.Await("a", "b", Stage("create"), &cycle));
  });
  std::thread b([&] {
    std::string cycle;
    EXPECT_TRUE(board.Await("b", "c", Stage("create"), &cycle));
    board.Finish("b", Stage("create"));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  board.Finish("c", Stage("create"));
  b.join();
  a.join();
}

TEST(StageBoard, ALinkIsMadeByTheSecondOfItsNodesToArrive) {
  StageBoard board({"a", "b"}, {"a", "b"});
  board.AddLink("a:e1--b:e1", "a", "b");
  EXPECT_TRUE(board.ReachLinks("a").empty()) << "b is not there yet";
  EXPECT_EQ(board.ReachLinks("b"), std::vector<std::string>{"a:e1--b:e1"});
}

TEST(StageBoard, ALinkToANodeAlreadyRunningOrOneEndedIsMadeAtOnceAndOnce) {
  StageBoard board({"a", "old"}, {"a"});
  board.AddLink("a:e1--old:e1", "a", "old");
  board.AddLink("a:e2", "a", "");
  board.AddLink("a:e3--a:e4", "a", "a");
  auto mine = board.ReachLinks("a");
  EXPECT_EQ(mine, (std::vector<std::string>{"a:e1--old:e1", "a:e2", "a:e3--a:e4"}));
  EXPECT_TRUE(board.ReachLinks("a").empty()) << "each link is handed out once";
}

TEST(StageBoard, LinksOfOtherNodesAreNotHandedOut) {
  StageBoard board({"a", "b", "c"}, {"a", "b", "c"});
  board.AddLink("b:e1--c:e1", "b", "c");
  EXPECT_TRUE(board.ReachLinks("a").empty());
  EXPECT_TRUE(board.ReachLinks("b").empty());
  EXPECT_EQ(board.ReachLinks("c").size(), 1u);
}

}  // namespace
}  // namespace lk
