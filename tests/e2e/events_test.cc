// `labkeeper events`, as a user follows a lab: against a real controller and a real lab, a
// container removed behind labkeeper's back shows up live as its repair (in JSON and in text),
// each pass's result comes with it, and the stream ends, and says so, when the controller stops;
// --since/--boot replay what came before, --reconnect follows across a controller restart.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/support.h"

namespace lk {
namespace {

using test::Sh;

constexpr int kPort = 29611;

class Events : public test::LabDirTest {
 protected:
  // A lab of two nodes and a link, and the controller started on it, Ready.
  void StartLab(const std::string& lab, test::ControllerProcess& ctl) {
    std::ofstream(labs() + "/" + lab + ".clab.yml")
        << "name: " << lab << "\ntopology:\n  defaults: {kind: linux, image: " << test::kBusyboxImage
        << ", cmd: sleep 100000}\n  nodes:\n    n1: {}\n    n2: {}\n  links:\n"
        << "    - endpoints: [\"n1:eth1\", \"n2:eth1\"]\n";
    ctl.Start();
    ASSERT_TRUE(ctl.WaitCondition(lab, "Ready", "True", test::kStartBound)) << ctl.Log();
  }
};

TEST_F(Events, ARepairIsFollowedLiveAndTheStreamEndsWhenTheControllerStops) {
  const std::string lab = "lkev" + std::to_string(getpid() % 100000);
  test::LabGuard guard(lab);
  test::ControllerProcess ctl(labs(), state(), "--listen 127.0.0.1:" + std::to_string(kPort));
  StartLab(lab, ctl);
  if (HasFatalFailure()) return;

  test::Background json(
      test::LabkeeperBin() + " events --server http://127.0.0.1:" + std::to_string(kPort) + " " + lab + " -o json",
      dir_.path() + "/events.json");
  test::Background text(test::LabkeeperBin() + " events --server http://127.0.0.1:" + std::to_string(kPort),
                        dir_.path() + "/events.txt");  // every lab's
  // Connected once a pass's result arrives: ask for one.
  ASSERT_TRUE(test::WaitFor(
      [&] {
        test::Labkeeper("reconcile " + lab + " --server http://127.0.0.1:" + std::to_string(kPort));
        return json.out().find("\"Reconciled\"") != std::string::npos &&
               text.out().find(" Reconciled lab/" + lab) != std::string::npos;
      },
      test::kPassBound))
      << json.out() << json.err() << text.err();

  Sh("docker rm -f clab-" + lab + "-n1");
  ASSERT_TRUE(test::WaitFor([&] { return text.out().find(" ContainerCreated node/n1: missing") != std::string::npos; },
                            test::kStartBound))
      << text.out() << ctl.Log();
  // In JSON: one object a line, numbered, the repair then a pass that says it converged.
  ASSERT_TRUE(test::WaitFor(
      [&] {
        std::string out = json.out();
        size_t created = out.find("\"reason\":\"ContainerCreated\"");
        return created != std::string::npos && out.find("\"success: ", created) != std::string::npos;
      },
      test::kStartBound))
      << json.out();
  uint64_t last_seq = 0;
  bool link = false;
  std::istringstream lines(json.out());
  for (std::string line; std::getline(lines, line);) {
    auto e = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(e.is_discarded()) << line;
    EXPECT_EQ(e["lab"], lab);
    EXPECT_GT(e["seq"].get<uint64_t>(), last_seq) << "numbered in order";
    last_seq = e["seq"];
    for (const char* key : {"time", "type", "reason", "object", "message"}) EXPECT_TRUE(e.contains(key)) << line;
    link |= e["reason"] == "LinkCreated" && e["object"] == "link/n1:eth1--n2:eth1";
  }
  EXPECT_TRUE(link) << "the recreated node's link comes back too:\n" << json.out();

  ctl.Signal(SIGTERM);
  EXPECT_EQ(ctl.Wait(), 0);
  EXPECT_TRUE(test::WaitFor([&] { return !json.Running() && !text.Running(); }, test::kPassBound));
  EXPECT_NE(json.err().find("the controller ended the stream"), std::string::npos) << json.err();
}

// The events of one stream's output, parsed (lines that are no JSON are skipped).
std::vector<nlohmann::json> Parsed(const std::string& out) {
  std::vector<nlohmann::json> events;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    auto e = nlohmann::json::parse(line, nullptr, false);
    if (!e.is_discarded()) events.push_back(std::move(e));
  }
  return events;
}

TEST_F(Events, ItResumesFromASequenceNumberAndAcrossAControllerRestart) {
  const std::string lab = "lkevr" + std::to_string(getpid() % 10000);
  const std::string server = " --server http://127.0.0.1:" + std::to_string(kPort);
  test::LabGuard guard(lab);
  test::ControllerProcess ctl(labs(), state(), "--listen 127.0.0.1:" + std::to_string(kPort));
  StartLab(lab, ctl);
  if (HasFatalFailure()) return;

  // A follower that reconnects, and one that does not.
  test::Background follow(test::LabkeeperBin() + " events --reconnect -o json " + lab + server,
                          dir_.path() + "/follow.json");
  test::Background once(test::LabkeeperBin() + " events -o json " + lab + server, dir_.path() + "/once.json");
  ASSERT_TRUE(test::WaitFor(
      [&] {
        test::Labkeeper("reconcile " + lab + server);
        return follow.out().find("\"Reconciled\"") != std::string::npos &&
               once.out().find("\"Reconciled\"") != std::string::npos;
      },
      test::kPassBound))
      << follow.err() << once.err();
  nlohmann::json first = Parsed(follow.out()).front();
  const std::string boot = first["boot"];

  // From a sequence number of this run: what came before the follower connected (the lab's
  // making), in order, then live.
  test::Background replay(test::LabkeeperBin() + " events -o json --since 0 --boot " + boot + " " + lab + server,
                          dir_.path() + "/replay.json");
  ASSERT_TRUE(test::WaitFor(
      [&] {
        for (const auto& e : Parsed(replay.out()))
          if (e["seq"] == first["seq"]) return true;
        return false;
      },
      test::kPassBound))
      << replay.out() << replay.err();
  auto replayed = Parsed(replay.out());
  EXPECT_EQ(replayed.front()["seq"], 1) << replay.out();
  bool made = false;
  for (const auto& e : replayed) made |= e["reason"] == "ContainerCreated" && e["seq"] < first["seq"];
  EXPECT_TRUE(made) << "the lab's making, before the follower connected, is replayed:\n" << replay.out();
  for (size_t i = 1; i < replayed.size(); ++i) EXPECT_GT(replayed[i]["seq"], replayed[i - 1]["seq"]) << replay.out();

  // The controller restarted: the one that does not reconnect ends and says how to resume; the
  // other is told of the gap (a new run) and goes on with the new run's events.
  ctl.Signal(SIGTERM);
  ASSERT_EQ(ctl.Wait(), 0);
  ASSERT_TRUE(test::WaitFor([&] { return !once.Running(); }, test::kPassBound));
  uint64_t last = Parsed(once.out()).back()["seq"];
  EXPECT_NE(once.err().find("the controller ended the stream (--since " + std::to_string(last) + " --boot " + boot +
                            " resumes here)"),
            std::string::npos)
      << once.err();
  ctl.Start();
  ASSERT_TRUE(test::WaitFor(
      [&] {
        test::Labkeeper("reconcile " + lab + server);
        auto events = Parsed(follow.out());
        bool gap = false;
        for (const auto& e : events) {
          gap |= e["reason"] == "StreamGap" && e["boot"] != boot;
          if (gap && e["reason"] == "Reconciled" && e["boot"] != boot) return true;
        }
        return false;
      },
      test::kStartBound))
      << follow.out() << follow.err() << ctl.Log();
  EXPECT_TRUE(follow.Running()) << "--reconnect follows until interrupted";
  EXPECT_NE(follow.err().find("reconnecting"), std::string::npos) << follow.err();
  ASSERT_TRUE(ctl.WaitCondition(lab, "Ready", "True", test::kStartBound)) << ctl.Log();
}

TEST(EventsCommand, SaysSoWhenNoControllerAnswers) {
  auto r = test::Labkeeper("events --server http://127.0.0.1:29612");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("labkeeper events: "), std::string::npos) << r.out;
}

}  // namespace
}  // namespace lk
