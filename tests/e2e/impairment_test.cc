// Impairments (#20) against a real controller, engine and kernel. This machine's kernel has no
// netem qdisc: the lab's nodes and links converge, the impairment fails with that reason (an
// event, the status, `labkeeper status`, the metrics) and is retried; the effect itself is shown
// on a kernel that has netem only (then this test checks the qdisc, and its return after a
// `tc qdisc del`). On any kernel: a root qdisc someone else put is never touched, and an
// impairment declared on its interface is a conflict that says so.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/support.h"

namespace lk {
namespace {

using test::Sh;

constexpr int kImpPort = 29614;

class Impairments : public test::LabDirTest {
 protected:
  std::string Server() const { return "http://127.0.0.1:" + std::to_string(kImpPort); }
  nlohmann::json Doc(const std::string& lab) {
    auto j = nlohmann::json::parse(Sh("curl -sf " + Server() + "/api/v1/labs/" + lab), nullptr, false);
    return j.is_discarded() ? nlohmann::json::object() : j;
  }
  // "REASON OBJECT: MESSAGE" of the lab's events, one a line.
  std::string Events(const std::string& lab) {
    std::string out;
    for (const auto& e : Doc(lab).value("events", nlohmann::json::array()))
      out += e.value("reason", "") + " " + e.value("object", "") + ": " + e.value("message", "") + "\n";
    return out;
  }
  static std::string Tc(const std::string& container, const std::string& args) {
    std::string pid = test::Trim(Sh("docker inspect -f '{{.State.Pid}}' " + container));
    return Sh("nsenter -t " + pid + " -n tc " + args + " 2>&1");
  }
  void WriteLab(const std::string& lab, const std::string& c_end) {
    std::ofstream(labs() + "/" + lab + ".clab.yml")
        << "name: " << lab << "\ntopology:\n  defaults: {kind: linux, image: " << test::kBusyboxImage
        << ", cmd: sleep 100000}\n  nodes: {a: {}, b: {}, c: {}}\n  links:\n"
        << "    - endpoints: [\"a:eth1\", \"b:eth1\"]\n      ipv4: [\"192.0.2.1/30\", \"192.0.2.2/30\"]\n"
        << "      vars: {netem: {delay: 50ms, loss: 1}}\n"
        << "    - type: veth\n      endpoints:\n        - {node: b, interface: eth2}\n"
        << "        - {node: c, interface: eth1" << c_end << "}\n";
  }
};

TEST_F(Impairments, TheyAreKeptOrSayWhyNotAndNeverTouchAnothersQdisc) {
  const std::string lab = "lkimp" + std::to_string(getpid() % 100000);
  const std::string a = "clab-" + lab + "-a", c = "clab-" + lab + "-c";
  test::LabGuard guard(lab);
  WriteLab(lab, "");
  test::ControllerProcess ctl(labs(), state(), "--listen 127.0.0.1:" + std::to_string(kImpPort));
  ctl.Start();

  // The nodes and links converge whatever becomes of the impairment.
  ASSERT_TRUE(test::WaitFor(
      [&] {
        return Sh("docker exec " + a + " ip -o -4 addr show dev eth1 2>/dev/null").find("192.0.2.1/30") !=
               std::string::npos;
      },
      test::kStartBound, 250))
      << ctl.Log();
  EXPECT_TRUE(test::WaitFor(
      [&] { return Sh("docker exec " + a + " ping -c 1 -W 2 192.0.2.2 >/dev/null && echo ok") == "ok\n"; },
      test::kPassBound))
      << "the impaired link carries traffic";
  std::string events;
  ASSERT_TRUE(test::WaitFor(
      [&] {
        events = Events(lab);
        return events.find("ImpairmentApplied iface/a:eth1") != std::string::npos ||
               events.find("ImpairmentAppliedFailed iface/a:eth1") != std::string::npos;
      },
      test::kStartBound, 250))
      << events << ctl.Log();
  bool netem = events.find("ImpairmentAppliedFailed iface/a:eth1") == std::string::npos;
  std::string why;
  if (netem) {
    EXPECT_TRUE(ctl.WaitCondition(lab, "Ready", "True", test::kStartBound)) << ctl.Log();
    EXPECT_NE(Tc(a, "qdisc show dev eth1").find("netem 1ab: root"), std::string::npos) << Tc(a, "qdisc show dev eth1");
    Tc(a, "qdisc del dev eth1 root");
    EXPECT_TRUE(test::WaitFor([&] { return Tc(a, "qdisc show dev eth1").find("netem 1ab: root") != std::string::npos; },
                              test::kPassBound))
        << "a tc qdisc del by hand: the impairment comes back\n"
        << ctl.Log();
  } else {
    // Said with the reason: the event, the lab's condition, the status and the metrics; retried.
    EXPECT_NE(events.find("this kernel has no netem qdisc"), std::string::npos) << events;
    auto doc = Doc(lab);
    std::string ready;
    for (const auto& cond : doc["status"]["conditions"])
      if (cond["type"] == "Ready") ready = cond.value("status", "") + " " + cond.value("message", "");
    EXPECT_NE(ready.find("False"), std::string::npos) << ready;
    EXPECT_NE(ready.find("no netem qdisc"), std::string::npos) << ready;
    std::string status = test::Labkeeper("status --server " + Server() + " " + lab).out;
    EXPECT_NE(status.find("impaired: link a:eth1--b:eth1, end a:eth1: delay 50ms loss 1% (not made: "),
              std::string::npos)
        << status;
    std::string metrics = Sh("curl -sf " + Server() + "/metrics");
    EXPECT_NE(metrics.find("labkeeper_interface_impairment{interface=\"eth1\",lab=\"" + lab +
                           "\",node=\"a\",param=\"delay\",state=\"declared\"} 0.05"),
              std::string::npos)
        << metrics.substr(0, 4000);
    EXPECT_EQ(metrics.find("state=\"applied\""), std::string::npos) << "nothing is applied";
    auto failures = [&] {
      std::string ev = Events(lab);
      size_t n = 0;
      for (size_t at = ev.find("ImpairmentAppliedFailed iface/a:eth1"); at != std::string::npos;
           at = ev.find("ImpairmentAppliedFailed iface/a:eth1", at + 1))
        ++n;
      return n;
    };
    size_t before = failures();
    EXPECT_TRUE(test::WaitFor([&] { return failures() > before; }, test::kPassBound)) << "retried with backoff";
    why = events.substr(events.find("this kernel has no netem qdisc"));
    why = why.substr(0, why.find('\n'));
  }

  // Someone else's root qdisc on c:eth1 (which declares nothing): left as it is, pass after pass.
  ASSERT_EQ(Tc(c, "qdisc add dev eth1 root handle 77: tbf rate 1mbit burst 32kb latency 400ms"), "");
  test::Labkeeper("reconcile " + lab + " --server " + Server());
  uint64_t passes = Doc(lab)["status"].value("reconciles", uint64_t{0});
  ASSERT_TRUE(test::WaitFor([&] { return Doc(lab)["status"].value("reconciles", uint64_t{0}) >= passes + 2; },
                            test::kPassBound));
  EXPECT_NE(Tc(c, "qdisc show dev eth1").find("qdisc tbf 77: root"), std::string::npos) << Tc(c, "qdisc show dev eth1");
  // Declared there now: a conflict that says whose it is; the tbf stays.
  WriteLab(lab, ", vars: {netem: {rate: 500}}");
  ASSERT_TRUE(test::WaitFor(
      [&] {
        return Events(lab).find(
                   "ImpairmentBlocked iface/c:eth1: root qdisc tbf 77: is not labkeeper's: left as it is, "
                   "impairment rate 500kbit not made") != std::string::npos;
      },
      test::kStartBound, 250))
      << Events(lab) << ctl.Log();
  EXPECT_NE(Tc(c, "qdisc show dev eth1").find("qdisc tbf 77: root"), std::string::npos) << Tc(c, "qdisc show dev eth1");
  if (!netem) GTEST_SKIP() << "the effect of netem is not checked on this kernel: " << why;
}

}  // namespace
}  // namespace lk
