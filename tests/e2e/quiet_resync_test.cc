// Quiet resyncs against a real controller, engine and kernel: once a lab is in sync, its resyncs
// make no pass (they are counted), and every drift the events report is still repaired at once:
// a container restarted, a link deleted inside a node, an address removed from a link's end.
// The resync runs every second and the deep one never comes within the test (--deep-resync 1h),
// so each repair here was made by an event, not by a resync.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/support.h"

namespace lk {
namespace {

using test::Sh;

constexpr int kQuietPort = 29613;

class QuietResync : public test::LabDirTest {
 protected:
  nlohmann::json Api(const std::string& lab) {
    std::string out = Sh("curl -sf http://127.0.0.1:" + std::to_string(kQuietPort) + "/api/v1/labs/" + lab);
    auto j = nlohmann::json::parse(out, nullptr, false);
    return j.is_discarded() ? nlohmann::json() : j;
  }
  uint64_t Quiet(const std::string& lab) { return Api(lab).value("/status/quietResyncs"_json_pointer, uint64_t{0}); }
  uint64_t Passes(const std::string& lab) { return Api(lab).value("/status/reconciles"_json_pointer, uint64_t{0}); }
  static std::string Addresses(const std::string& container) {
    return Sh("docker exec " + container + " ip -o -4 addr show dev eth1 2>/dev/null");
  }
};

TEST_F(QuietResync, AnInSyncLabsResyncsAreQuietAndEventsStillRepairAtOnce) {
  const std::string lab = "lkqr" + std::to_string(getpid() % 100000);
  const std::string n1 = "clab-" + lab + "-n1";
  test::LabGuard guard(lab);
  std::ofstream(labs() + "/" + lab + ".clab.yml")
      << "name: " << lab << "\ntopology:\n  defaults: {kind: linux, image: " << test::kBusyboxImage
      << ", cmd: sleep 100000}\n  nodes:\n    n1: {}\n    n2: {}\n  links:\n"
      << "    - endpoints: [\"n1:eth1\", \"n2:eth1\"]\n      ipv4: [\"192.0.2.1/30\", \"192.0.2.2/30\"]\n";
  test::ControllerProcess ctl(labs(), state(),
                              "--listen 127.0.0.1:" + std::to_string(kQuietPort) + " --resync 1s --deep-resync 1h");
  ctl.Start();
  ASSERT_TRUE(ctl.WaitCondition(lab, "Ready", "True", test::kStartBound)) << ctl.Log();

  // In sync: resyncs go on, passes do not. An event may still ask for a pass early on (the
  // kernel finishing IPv6 duplicate address detection on the new links sends an address event
  // a second or two later, later on a loaded machine), and that pass is right to happen: so
  // the test waits for a run of 3 resyncs with no pass between them. If resyncs made passes,
  // no such run would ever come.
  ASSERT_TRUE(test::WaitFor([&] { return Quiet(lab) >= 3; }, test::kStartBound, 250)) << ctl.Log();
  uint64_t passes = 0, quiet = 0;
  EXPECT_TRUE(test::WaitFor(
      [&] {
        passes = Passes(lab), quiet = Quiet(lab);
        if (!test::WaitFor([&] { return Quiet(lab) >= quiet + 3; }, 30, 250)) return false;
        return Passes(lab) == passes;
      },
      test::kStartBound, 0))
      << "resyncs of an untouched, in-sync lab kept making passes (last run: " << passes << " -> " << Passes(lab)
      << ")\n"
      << ctl.Log();

  // Each drift an event reports is repaired by the pass the event asks for.
  ASSERT_EQ(Sh("docker exec " + n1 + " ip link del eth1 && echo ok"), "ok\n");
  EXPECT_TRUE(
      test::WaitFor([&] { return Addresses(n1).find("192.0.2.1/30") != std::string::npos; }, test::kStartBound, 100))
      << "link deleted: not repaired\n"
      << ctl.Log();
  ASSERT_EQ(Sh("docker exec " + n1 + " ip addr del 192.0.2.1/30 dev eth1 && echo ok"), "ok\n");
  EXPECT_TRUE(
      test::WaitFor([&] { return Addresses(n1).find("192.0.2.1/30") != std::string::npos; }, test::kStartBound, 100))
      << "address removed: not repaired\n"
      << ctl.Log();
  ASSERT_EQ(Sh("docker restart -t 1 " + n1 + " >/dev/null && echo ok"), "ok\n");
  EXPECT_TRUE(
      test::WaitFor([&] { return Addresses(n1).find("192.0.2.1/30") != std::string::npos; }, test::kStartBound, 100))
      << "container restarted: its link not repaired\n"
      << ctl.Log();
  EXPECT_TRUE(ctl.WaitCondition(lab, "Ready", "True", test::kStartBound));

  // And quiet again once in sync.
  quiet = Quiet(lab);
  EXPECT_TRUE(test::WaitFor([&] { return Quiet(lab) >= quiet + 3; }, test::kStartBound, 250)) << ctl.Log();
}

TEST(QuietResyncFlags, ADeepResyncIsADurationOrZero) {
  auto bad = test::Labkeeper("run --dir /nonexistent --deep-resync soon");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.out.find("labkeeper run: --deep-resync: duration \"soon\""), std::string::npos) << bad.out;
  auto help = test::Labkeeper("run --help");
  EXPECT_NE(help.out.find("--deep-resync TEXT=5m"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("(0: every resync is whole)"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace lk
