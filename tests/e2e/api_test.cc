// The HTTP API end to end, against `labkeeper run` with the frr01 lab on the real engine:
// every documented operation answers as docs/openapi.yaml says (checked by an independent
// validator), the CLI's status agrees with the API and with `docker ps`, the security rules
// hold, a few hundred malformed requests get 4xx answers or are cut off while the controller
// keeps repairing the lab, and the client-only build's status works against it. Everything
// listens and connects on loopback only.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support/support.h"

namespace lk {
namespace {

namespace fs = std::filesystem;
using test::Sh;

constexpr int kPort = 29581;
const std::string kServer = "http://127.0.0.1:" + std::to_string(kPort);
constexpr char kToken[] = "lktest-token-7f3a9c";

int Connect() {
  return test::ConnectLoopback(kPort, 30);  // longer than the listener's idle timeout (10 s)
}

// Sends raw bytes; returns the status code of the answer, or 0 when the server closed the
// connection without one (cut off).
int Raw(const std::string& bytes) {
  int fd = Connect();
  if (fd < 0) return -1;
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server stopped reading: fine, look for its answer
    sent += static_cast<size_t>(n);
  }
  std::string got;
  char buf[4096];
  while (got.find("\r\n") == std::string::npos) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  if (got.rfind("HTTP/1.", 0) != 0 || got.size() < 12) return 0;
  return std::stoi(got.substr(9, 3));
}

std::string Curl(const std::string& args) {
  return Sh("curl -s --max-time 30 " + args);
}

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(test::EngineAnswers());
    ASSERT_TRUE(test::LabContainers("frr01").empty()) << "a lab named frr01 already runs here; not touching it";
    dir_ = new test::TempDir();
    fs::create_directories(dir_->path() + "/labs");
    fs::copy(test::SharedDir() + "/clab-examples/frr01", dir_->path() + "/labs/frr01", fs::copy_options::recursive);
    Sh("chmod -R u+w " + dir_->path() + "/labs");
    std::ofstream(dir_->path() + "/token") << kToken << "\n";
    guard_ = new test::LabGuard("frr01");
    c_ = new test::ControllerProcess(
        dir_->path() + "/labs", dir_->path() + "/state",
        "--listen 127.0.0.1:" + std::to_string(kPort) + " --token-file " + dir_->path() + "/token --resync 5s");
    c_->Start();
    ASSERT_TRUE(c_->WaitCondition("frr01", "Ready", "True", test::kStartBound)) << c_->Log();
  }
  static void TearDownTestSuite() {
    delete c_;
    delete guard_;
    delete dir_;
  }
  static std::string Cli(const std::string& args) {
    return Sh(test::LabkeeperBin() + " " + args + " --server " + kServer);
  }
  static test::TempDir* dir_;
  static test::LabGuard* guard_;
  static test::ControllerProcess* c_;
};
test::TempDir* ApiTest::dir_ = nullptr;
test::LabGuard* ApiTest::guard_ = nullptr;
test::ControllerProcess* ApiTest::c_ = nullptr;

// 1. Every endpoint, for frr01, as the OpenAPI document says.
TEST_F(ApiTest, EveryEndpointAnswersAsDocumented) {
  int st = 1;
  std::string out = Sh("/usr/bin/python3 " + test::SourceDir() + "/tests/api/check_openapi.py " + test::SourceDir() +
                           "/docs/openapi.yaml " + kServer + " frr01 " + kToken,
                       &st);
  EXPECT_EQ(st, 0) << out;
  auto doc = nlohmann::json::parse(Curl(kServer + "/api/v1/labs/frr01"));
  EXPECT_EQ(doc["spec"]["nodes"].size(), 6u);
  EXPECT_EQ(doc["spec"]["links"].size(), 6u);
  EXPECT_EQ(doc["status"]["nodes"].size(), 6u);
  bool ready = false;
  for (const auto& c : doc["status"]["conditions"]) ready |= c["type"] == "Ready" && c["status"] == "True";
  EXPECT_TRUE(ready);
  EXPECT_FALSE(doc["events"].empty());
}

// 2. `status` and `status -o json` agree with the API and with docker ps.
TEST_F(ApiTest, StatusAgreesWithTheApiAndDockerPs) {
  auto api = nlohmann::json::parse(Curl(kServer + "/api/v1/labs/frr01"));
  auto cli = nlohmann::json::parse(Cli("status frr01 -o json"));
  EXPECT_EQ(cli["source"], "controller");
  ASSERT_EQ(cli["labs"].size(), 1u);
  std::map<std::string, std::string> from_api, from_cli, from_docker;
  for (const auto& n : api["status"]["nodes"])
    from_api[n["container"]] = n["containerID"].get<std::string>() + " " + n["state"].get<std::string>();
  for (const auto& n : cli["labs"][0]["nodes"])
    from_cli[n["container"]] = n["id"].get<std::string>() + " " + n["state"].get<std::string>();
  std::istringstream ps(Sh("docker ps -a --filter label=containerlab=frr01 --format '{{.Names}} {{.ID}} {{.State}}'"));
  std::string name, id, state;
  while (ps >> name >> id >> state) from_docker[name] = id + " " + state;
  EXPECT_EQ(from_api.size(), 6u);
  EXPECT_EQ(from_cli, from_api);
  EXPECT_EQ(from_cli, from_docker);
  std::string table = Cli("status frr01");
  for (const auto& [container, _] : from_docker) EXPECT_NE(table.find(container), std::string::npos) << table;
  EXPECT_NE(table.find("Ready=True"), std::string::npos) << table;
  // plan --server: in sync.
  int st = 1;
  std::string plan = Sh(test::LabkeeperBin() + " plan --server " + kServer + " frr01", &st);
  EXPECT_EQ(st, 0) << plan;
  EXPECT_NE(plan.find("lab frr01: in sync, no changes"), std::string::npos) << plan;
}

// 3a. Off loopback without a token: refused, with the reason.
TEST_F(ApiTest, ANonLoopbackListenerWithoutATokenIsRefused) {
  int st = 0;
  std::string out = Sh(test::LabkeeperBin() + " run --dir " + dir_->path() + "/labs --state-dir " + dir_->path() +
                           "/state2 --listen 0.0.0.0:29583",
                       &st);
  EXPECT_EQ(st, 2) << out;
  EXPECT_NE(out.find("--listen 0.0.0.0:29583 is not a loopback address; give --token-file too"), std::string::npos)
      << out;
}

// 3b. With a token, a write without it (or with a wrong one) is 401 and changes nothing.
TEST_F(ApiTest, WritesWithoutTheTokenAre401AndChangeNothing) {
  for (const std::string& auth : {std::string(), std::string("-H 'Authorization: Bearer wrong'")}) {
    std::string code =
        Curl("-o /dev/null -w '%{http_code}' -X POST " + auth + " " + kServer + "/api/v1/labs/frr01/suspend");
    EXPECT_EQ(code, "401") << auth;
  }
  auto body = nlohmann::json::parse(Curl("-X POST " + kServer + "/api/v1/labs/frr01/suspend"));
  EXPECT_EQ(body["status"], 401);
  EXPECT_FALSE(body["error"].get<std::string>().empty());
  auto doc = nlohmann::json::parse(Curl(kServer + "/api/v1/labs/frr01"));
  EXPECT_EQ(doc["status"]["suspended"], false);
  EXPECT_FALSE(fs::exists(dir_->path() + "/state/suspended.json") &&
               Sh("cat " + dir_->path() + "/state/suspended.json").find("frr01") != std::string::npos);
  // The CLI with the token does it, and undoes it.
  std::string tok = " --token-file " + dir_->path() + "/token";
  EXPECT_NE(Cli("suspend frr01" + tok).find("lab frr01: suspended"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(Curl(kServer + "/api/v1/labs/frr01"))["status"]["suspendedBy"], "api");
  EXPECT_NE(Cli("resume frr01" + tok).find("lab frr01: resumed"), std::string::npos);
  EXPECT_NE(Cli("reconcile frr01" + tok).find("lab frr01: reconcile queued"), std::string::npos);
  EXPECT_NE(Cli("reconcile frr01").find("needs a bearer token"), std::string::npos) << "the CLI shows the 401";
}

// 3c. Hundreds of malformed requests, a stalled client among them; the controller keeps
// reconciling throughout (a link deleted meanwhile is repaired) and answers afterwards.
TEST_F(ApiTest, MalformedRequestsGet4xxOrAreCutOffAndReconcilingGoesOn) {
  // Clients that stall mid-request: headers promising a body that never comes, and headers
  // that never end.
  std::vector<int> stalled;
  for (int i = 0; i < 6; ++i) {
    int fd = Connect();
    ASSERT_GE(fd, 0);
    std::string partial = i % 2 ? "GET /api/v1/labs HTTP/1.1\r\nHost: x\r\nX-Unfinished: "
                                : "POST /api/v1/labs/frr01/reconcile HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                      std::string(kToken) + "\r\nContent-Length: 100\r\n\r\n{\"a\":";
    send(fd, partial.data(), partial.size(), MSG_NOSIGNAL);
    stalled.push_back(fd);
  }
  uint64_t drift0 = c_->Drift("frr01", "link", "link missing");
  Sh("docker exec clab-frr01-router1 ip link del eth1");

  std::string auth = "Authorization: Bearer " + std::string(kToken) + "\r\n";
  std::vector<std::string> bad;
  for (int i = 0; i < 80; ++i)
    bad.push_back("POST /api/v1/labs/frr01/reconcile HTTP/1.1\r\nHost: x\r\n" + auth +
                  "Content-Type: application/json\r\nContent-Length: 9\r\n\r\n{not json");
  for (std::string p : {"/api/v2/labs", "/api/v1/labs/frr01/a/b", "/api/v1/labs/%2e%2e%2f", "/nope",
                        "/api/v1/labs/frr01/explode", "/api/v1/labs/bad%20name", "/api"})
    for (int i = 0; i < 10; ++i) bad.push_back("GET " + p + " HTTP/1.1\r\nHost: x\r\n\r\n");
  for (int i = 0; i < 10; ++i) bad.push_back("GET /" + std::string(5000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
  for (int i = 0; i < 10; ++i)
    bad.push_back("GET /api/v1/labs HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'h') + "\r\n\r\n");
  for (int i = 0; i < 30; ++i)
    bad.push_back("POST /api/v1/labs/frr01/reconcile HTTP/1.1\r\nHost: x\r\n" + auth +
                  "Content-Length: 100000000\r\n\r\n" + std::string(1024, 'x'));
  for (std::string m : {"BREW", "DELETE", "PUT", "PATCH", "OPTIONS", "TRACE"})
    for (int i = 0; i < 10; ++i) bad.push_back(m + " /api/v1/labs/frr01 HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n");
  for (int i = 0; i < 10; ++i) bad.push_back("POST /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  for (const std::string& g : {std::string("\x01\x02garbage\r\n\r\n", 13), std::string("GET\r\n\r\n"),
                               std::string("GET / HTTP/9.9\r\nbroken header line\r\n\r\n"),
                               std::string("POST /api/v1/labs/frr01/suspend HTTP/1.1\r\nContent-Length: -5\r\n\r\n")})
    for (int i = 0; i < 10; ++i) bad.push_back(g);
  ASSERT_GE(bad.size(), 300u);
  // Sent 50 at a time: requests that stall are only cut off by the listener's idle timeout.
  std::map<int, int> codes;
  for (size_t from = 0; from < bad.size(); from += 50) {
    std::vector<std::future<int>> answers;
    for (size_t i = from; i < std::min(bad.size(), from + 50); ++i)
      answers.push_back(std::async(std::launch::async, Raw, bad[i]));
    for (size_t i = 0; i < answers.size(); ++i) {
      int code = answers[i].get();
      ++codes[code];
      EXPECT_TRUE(code == 0 || (code >= 400 && code < 500))
          << "answered " << code << " to: " << bad[from + i].substr(0, 80);
    }
  }
  std::string summary;
  for (auto [code, n] : codes) summary += std::to_string(code) + "x" + std::to_string(n) + " ";
  std::cout << "malformed requests: " << bad.size() << " sent; answers (0 = cut off): " << summary << "\n";

  // The controller kept reconciling: the deleted link is back, counted as drift.
  EXPECT_TRUE(test::WaitFor([&] { return c_->Drift("frr01", "link", "link missing") > drift0; }, test::kStartBound))
      << c_->Log();
  EXPECT_NE(Sh("docker exec clab-frr01-router1 ip link show eth1").find("eth1@"), std::string::npos);
  // Nothing was suspended, and the API still answers.
  EXPECT_EQ(nlohmann::json::parse(Curl(kServer + "/api/v1/labs/frr01"))["status"]["suspended"], false);
  EXPECT_EQ(Curl("-o /dev/null -w '%{http_code}' " + kServer + "/healthz"), "200");
  // The stalled clients: answered or cut off by the listener's timeout, never left hanging.
  for (int fd : stalled) {
    timeval tv{40, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[512];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    std::string got = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
    EXPECT_TRUE(n == 0 || got.rfind("HTTP/1.1 4", 0) == 0 || (n < 0 && errno == ECONNRESET))
        << "a stalled client was neither answered with 4xx nor cut off: " << n << " " << got;
    close(fd);
  }
}

// 4. The client-only build (no Docker client, no netlink) and its status against the controller.
TEST_F(ApiTest, TheClientOnlyBuildsStatusWorks) {
  std::string bin = LK_CLIENT_ONLY_BIN;
  ASSERT_TRUE(fs::exists(bin)) << bin << " was not built";
  std::string libs = Sh("ldd " + bin);
  EXPECT_EQ(libs.find("libnl"), std::string::npos) << libs;
  EXPECT_EQ(libs.find("libcurl"), std::string::npos) << libs;
  EXPECT_EQ(libs.find("libyaml-cpp"), std::string::npos) << libs;
  auto direct = nlohmann::json::parse(Cli("status frr01 -o json"));
  auto client = nlohmann::json::parse(Sh(bin + " status frr01 -o json --server " + kServer));
  EXPECT_EQ(client["labs"], direct["labs"]);
  std::string table = Sh(bin + " status --server " + kServer);
  EXPECT_NE(table.find("clab-frr01-router1"), std::string::npos) << table;
  std::string help = Sh(bin + " --help");
  EXPECT_EQ(help.find("apply"), std::string::npos) << "the client-only build offers only client commands";
  int st = 0;
  std::string none = Sh(bin + " status --server http://127.0.0.1:29599", &st);
  EXPECT_NE(st, 0);
  EXPECT_NE(none.find("no labkeeper controller answers at http://127.0.0.1:29599"), std::string::npos) << none;
}

}  // namespace
}  // namespace lk
