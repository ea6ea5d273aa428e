// Metrics end to end: labkeeper run with frr01, scraped by Debian's real Prometheus server on
// loopback; every family is there and passes promtool; Prometheus sees the lab ready with six
// nodes, a drift counted, traffic on a link; every dashboard query returns data; and a pruned
// lab leaves no series behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/support.h"

namespace lk {
namespace {

namespace fs = std::filesystem;
using test::Sh;

constexpr char kListen[] = "127.0.0.1:29580";
constexpr char kPrometheus[] = "127.0.0.1:29090";

// A Prometheus server of the test's own, scraping labkeeper every second.
class PrometheusProcess {
 public:
  explicit PrometheusProcess(const std::string& dir) : dir_(dir) {
    fs::create_directories(dir_ + "/data");
    std::ofstream(dir_ + "/prometheus.yml") << "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                                               "scrape_configs:\n  - job_name: labkeeper\n    static_configs:\n"
                                               "      - targets: [\""
                                            << kListen << "\"]\n";
    std::string cmd = std::string("exec prometheus --config.file=") + dir_ +
                      "/prometheus.yml --storage.tsdb.path=" + dir_ + "/data --web.listen-address=" + kPrometheus +
                      " >" + dir_ + "/prometheus.log 2>&1";
    pid_ = fork();
    if (pid_ == 0) {
      execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~PrometheusProcess() {
    kill(pid_, SIGTERM);
    int st;
    if (!test::WaitFor([&] { return waitpid(pid_, &st, WNOHANG) == pid_; }, test::kStartBound, 100)) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &st, 0);
    }
  }
  bool WaitReady() {
    return test::WaitFor([] { return Sh(std::string("curl -sf http://") + kPrometheus + "/-/ready") != ""; },
                         test::kStartBound, 500);
  }
  // The JSON answer of an instant query.
  nlohmann::json Query(const std::string& promql) const {
    std::string out = Sh(std::string("curl -s --get --data-urlencode 'query=") + promql + "' http://" + kPrometheus +
                         "/api/v1/query");
    auto j = nlohmann::json::parse(out, nullptr, false);
    return j.is_discarded() ? nlohmann::json({{"status", "unparsable"}, {"raw", out}}) : j;
  }
  // The value of a query that returns one series, or NaN.
  double Value(const std::string& promql) const {
    auto j = Query(promql);
    if (j["status"] != "success" || j["data"]["result"].empty()) return std::nan("");
    return std::stod(j["data"]["result"][0]["value"][1].get<std::string>());
  }
  std::string Log() const { return Sh("tail -20 " + dir_ + "/prometheus.log"); }

 private:
  std::string dir_;
  pid_t pid_ = -1;
};

std::string Scrape() {
  return Sh(std::string("curl -sf http://") + kListen + "/metrics");
}

TEST(Metrics, ScrapedByARealPrometheus) {
  ASSERT_TRUE(test::EngineAnswers());
  ASSERT_TRUE(test::LabContainers("frr01").empty()) << "a lab named frr01 already runs here; not touching it";
  test::TempDir dir;
  fs::create_directories(dir.path() + "/labs");
  fs::copy(test::SharedDir() + "/clab-examples/frr01", dir.path() + "/labs/frr01", fs::copy_options::recursive);
  Sh("chmod -R u+w " + dir.path() + "/labs");
  test::LabGuard guard("frr01");
  test::ControllerProcess c(dir.path() + "/labs", dir.path() + "/state", std::string("--listen ") + kListen);
  c.Start();
  ASSERT_TRUE(c.WaitCondition("frr01", "Ready", "True", test::kStartBound)) << c.Log();

  // 1. /metrics passes promtool and has every family.
  std::string text = Scrape();
  std::ofstream(dir.path() + "/metrics.txt") << text;
  int st = 1;
  std::string check = Sh("promtool check metrics < " + dir.path() + "/metrics.txt", &st);
  EXPECT_EQ(st, 0) << check;
  for (const char* family : {"labkeeper_build_info",
                             "labkeeper_reconcile_total",
                             "labkeeper_reconcile_errors_total",
                             "labkeeper_reconcile_duration_seconds",
                             "labkeeper_workqueue_depth",
                             "labkeeper_workqueue_adds_total",
                             "labkeeper_workqueue_retries_total",
                             "labkeeper_workqueue_queue_duration_seconds",
                             "labkeeper_workqueue_work_duration_seconds",
                             "labkeeper_lab_nodes",
                             "labkeeper_lab_links",
                             "labkeeper_lab_ready",
                             "labkeeper_lab_condition",
                             "labkeeper_manifest_errors",
                             "labkeeper_state_dir_writable",
                             "labkeeper_state_write_failures_total",
                             "labkeeper_node_info",
                             "labkeeper_drift_corrections_total",
                             "labkeeper_interface_receive_bytes_total",
                             "labkeeper_interface_transmit_bytes_total",
                             "labkeeper_interface_receive_packets_total",
                             "labkeeper_interface_transmit_packets_total",
                             "labkeeper_interface_receive_errors_total",
                             "labkeeper_interface_transmit_errors_total",
                             "labkeeper_interface_receive_drops_total",
                             "labkeeper_interface_transmit_drops_total",
                             "labkeeper_interface_oper_up"})
    EXPECT_NE(text.find(std::string("# TYPE ") + family + " "), std::string::npos) << family;
  EXPECT_NE(text.find("labkeeper_reconcile_duration_seconds_bucket{lab=\"frr01\",le=\"0.005\"}"), std::string::npos);
  EXPECT_NE(text.find("labkeeper_reconcile_duration_seconds_bucket{lab=\"frr01\",le=\"60\"}"), std::string::npos);
  EXPECT_EQ(Sh(std::string("curl -s -o /dev/null -w '%{http_code}' http://") + kListen + "/readyz"), "200");
  EXPECT_EQ(Sh(std::string("curl -s -o /dev/null -w '%{http_code}' http://") + kListen + "/healthz"), "200");

  // 2. Through Prometheus: ready with six nodes.
  PrometheusProcess prom(dir.path() + "/prometheus");
  ASSERT_TRUE(prom.WaitReady()) << prom.Log();
  EXPECT_TRUE(
      test::WaitFor([&] { return prom.Value("labkeeper_lab_ready{lab=\"frr01\"}") == 1; }, test::kStartBound, 500))
      << prom.Log();
  EXPECT_EQ(prom.Value("sum(labkeeper_lab_nodes{lab=\"frr01\",state=\"running\"})"), 6);
  EXPECT_EQ(prom.Value("count(labkeeper_node_info{lab=\"frr01\"})"), 6);

  // A forced drift raises the drift counter.
  double drift0 = prom.Value("sum(labkeeper_drift_corrections_total{lab=\"frr01\"}) or vector(0)");
  Sh("docker exec clab-frr01-router3 ip link set eth3 down");
  EXPECT_TRUE(test::WaitFor(
      [&] { return prom.Value("sum(labkeeper_drift_corrections_total{lab=\"frr01\"}) or vector(0)") > drift0; },
      test::kStartBound, 500))
      << "the drift counter did not rise";

  // A ping flood across the PC1--router1 link raises rx bytes on the receiving end (PC1's eth1).
  const std::string rx = "labkeeper_interface_receive_bytes_total{lab=\"frr01\",node=\"PC1\",interface=\"eth1\"}";
  ASSERT_TRUE(test::WaitFor(
      [] {
        int s = 1;
        Sh("docker exec clab-frr01-router1 ping -c 1 -W 1 192.168.11.2", &s);
        return s == 0;
      },
      test::kStartBound, 1000))
      << "router1 cannot reach PC1";
  ASSERT_TRUE(test::WaitFor([&] { return !std::isnan(prom.Value(rx)); }, test::kStartBound, 500));
  double rx0 = prom.Value(rx);
  Sh("docker exec clab-frr01-router1 ping -f -c 3000 -s 1000 -W 1 192.168.11.2");
  EXPECT_TRUE(test::WaitFor([&] { return prom.Value(rx) >= rx0 + 2e6; }, test::kStartBound, 500))
      << "rx bytes " << rx0 << " -> " << prom.Value(rx);

  // 3. Every panel query of the shipped dashboard returns data without error.
  std::this_thread::sleep_for(std::chrono::seconds(3));  // rate() needs two samples
  std::ifstream in(test::SourceDir() + "/telemetry/grafana/labkeeper-dashboard.json");
  auto dash = nlohmann::json::parse(in);
  int queries = 0;
  for (const auto& panel : dash["panels"]) {
    for (const auto& target : panel["targets"]) {
      std::string expr = target["expr"];
      for (size_t p; (p = expr.find("$lab")) != std::string::npos;) expr.replace(p, 4, "frr01");
      auto j = prom.Query(expr);
      EXPECT_EQ(j["status"], "success") << panel["title"] << ": " << expr << "\n" << j.dump();
      EXPECT_FALSE(j["data"]["result"].empty()) << panel["title"] << ": no data for " << expr;
      ++queries;
    }
  }
  EXPECT_GE(queries, 12);

  // 5. A deleted lab file prunes the lab, and no series of it remain.
  fs::remove(dir.path() + "/labs/frr01/frr01.clab.yml");
  ASSERT_TRUE(test::WaitFor([] { return test::LabContainers("frr01").empty(); }, test::kStartBound, 500)) << c.Log();
  EXPECT_TRUE(test::WaitFor([] { return Scrape().find("lab=\"frr01\"") == std::string::npos; }, test::kStartBound, 500))
      << "series of the pruned lab remain";
}

}  // namespace
}  // namespace lk
