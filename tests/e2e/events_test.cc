// `labkeeper events`, as a user follows a lab: against a real controller and a real lab, a
// container removed behind labkeeper's back shows up live as its repair (in JSON and in text),
// each pass's result comes with it, and the stream ends, and says so, when the controller stops.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/support.h"

namespace lk {
namespace {

using test::Sh;

constexpr int kPort = 29611;

class Events : public test::LabDirTest {};

TEST_F(Events, ARepairIsFollowedLiveAndTheStreamEndsWhenTheControllerStops) {
  const std::string lab = "lkev" + std::to_string(getpid() % 100000);
  test::LabGuard guard(lab);
  std::ofstream(labs() + "/" + lab + ".clab.yml")
      << "name: " << lab << "\ntopology:\n  defaults: {kind: linux, image: " << test::kBusyboxImage
      << ", cmd: sleep 100000}\n  nodes:\n    n1: {}\n    n2: {}\n  links:\n"
      << "    - endpoints: [\"n1:eth1\", \"n2:eth1\"]\n";
  test::ControllerProcess ctl(labs(), state(), "--listen 127.0.0.1:" + std::to_string(kPort));
  ctl.Start();
  ASSERT_TRUE(ctl.WaitCondition(lab, "Ready", "True", test::kStartBound)) << ctl.Log();

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

TEST(EventsCommand, SaysSoWhenNoControllerAnswers) {
  auto r = test::Labkeeper("events --server http://127.0.0.1:29612");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("labkeeper events: "), std::string::npos) << r.out;
}

}  // namespace
}  // namespace lk
