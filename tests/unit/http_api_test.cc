// Routing, limits and authentication of the HTTP surface, with a backend that records calls.
// (ApiTest in tests/e2e checks the same rules through cpprestsdk against the real controller.)
#include "controller/http_api.h"

#include <gtest/gtest.h>

namespace lk {
namespace {

class FakeBackend : public ApiBackend {
 public:
  std::string Metrics() override { return "labkeeper_build_info 1\n"; }
  bool Ready() override { return ready; }
  nlohmann::json Labs() override { return {{"labs", nlohmann::json::array({{{"name", "a"}}})}}; }
  std::optional<nlohmann::json> Lab(const std::string& n) override {
    if (n != "a") return std::nullopt;
    return nlohmann::json{{"name", "a"}};
  }
  std::optional<nlohmann::json> Plan(const std::string& n) override {
    if (n != "a") return std::nullopt;
    return nlohmann::json{{"lab", "a"}, {"inSync", true}};
  }
  std::optional<nlohmann::json> Interfaces(const std::string& n) override {
    if (n != "a") return std::nullopt;
    return nlohmann::json{{"lab", "a"}, {"interfaces", nlohmann::json::array()}};
  }
  bool Reconcile(const std::string& n) override {
    reconciles += n == "a";
    return n == "a";
  }
  Suspend SetSuspended(const std::string& n, bool s) override {
    if (n == "file-suspended" && !s) return Suspend::kSuspendedByFile;
    if (n != "a" && n != "file-suspended") return Suspend::kNoSuchLab;
    suspended = s;
    return Suspend::kOk;
  }
  uint64_t SubscribeEvents(const std::set<std::string>&, const std::optional<EventsFrom>&, EventSink) override {
    return 0;
  }
  void UnsubscribeEvents(uint64_t) override {}
  bool ready = true, suspended = false;
  int reconciles = 0;
};

HttpRequest Req(std::string method, std::string path, std::string auth = "", std::string body = "") {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.authorization = std::move(auth);
  r.body = std::move(body);
  r.content_length = r.body.size();
  return r;
}

HttpRequest WithHeaderBytes(HttpRequest r, size_t n) {
  r.header_bytes = n;
  return r;
}

struct Row {
  const char* what;
  HttpRequest req;
  int status;
};

TEST(ApiRoute, OneRowPerRule) {
  const std::string tok = "Bearer s3cret";
  Row rows[] = {
      {"health", Req("GET", "/healthz"), 200},
      {"metrics", Req("GET", "/metrics"), 200},
      {"HEAD is a read", Req("HEAD", "/api/v1/labs"), 200},
      {"list", Req("GET", "/api/v1/labs"), 200},
      {"list with trailing slash", Req("GET", "/api/v1/labs/"), 200},
      {"one lab", Req("GET", "/api/v1/labs/a"), 200},
      {"unknown lab", Req("GET", "/api/v1/labs/zzz"), 404},
      {"bad lab name", Req("GET", "/api/v1/labs/bad%20name"), 400},
      {"plan", Req("GET", "/api/v1/labs/a/plan"), 200},
      {"plan of unknown lab", Req("GET", "/api/v1/labs/zzz/plan"), 404},
      {"interfaces", Req("GET", "/api/v1/labs/a/interfaces"), 200},
      {"interfaces of unknown lab", Req("GET", "/api/v1/labs/zzz/interfaces"), 404},
      {"POST on interfaces", Req("POST", "/api/v1/labs/a/interfaces", tok), 405},
      {"unknown action", Req("POST", "/api/v1/labs/a/explode", tok), 404},
      {"too deep", Req("GET", "/api/v1/labs/a/plan/x"), 404},
      {"other version", Req("GET", "/api/v2/labs"), 404},
      {"unknown path", Req("GET", "/nope"), 404},
      {"relative path", Req("GET", "nope"), 400},
      {"write without token", Req("POST", "/api/v1/labs/a/reconcile"), 401},
      {"write with wrong token", Req("POST", "/api/v1/labs/a/reconcile", "Bearer nope"), 401},
      {"write with basic auth", Req("POST", "/api/v1/labs/a/reconcile", "Basic czNjcmV0"), 401},
      {"reconcile", Req("POST", "/api/v1/labs/a/reconcile", tok), 202},
      {"reconcile unknown lab", Req("POST", "/api/v1/labs/zzz/reconcile", tok), 404},
      {"bad JSON body", Req("POST", "/api/v1/labs/a/reconcile", tok, "{not json"), 400},
      {"any body at all", Req("POST", "/api/v1/labs/a/reconcile", tok, "{}"), 400},
      {"GET on a write", Req("GET", "/api/v1/labs/a/reconcile", tok), 405},
      {"POST on a read", Req("POST", "/api/v1/labs/a", tok), 405},
      {"POST on metrics", Req("POST", "/metrics"), 405},
      {"DELETE", Req("DELETE", "/api/v1/labs/a", tok), 405},
      {"unknown method", Req("BREW", "/api/v1/labs"), 405},
      {"suspend", Req("POST", "/api/v1/labs/a/suspend", tok), 200},
      {"resume", Req("POST", "/api/v1/labs/a/resume", tok), 200},
      {"resume what the file suspends", Req("POST", "/api/v1/labs/file-suspended/resume", tok), 409},
      {"suspend unknown lab", Req("POST", "/api/v1/labs/zzz/suspend", tok), 404},
      {"URI too long", Req("GET", "/api/v1/labs/" + std::string(5000, 'a')), 414},
      {"header fields too large", WithHeaderBytes(Req("GET", "/api/v1/labs"), 16 * 1024 + 1), 431},
      {"header fields at the limit", WithHeaderBytes(Req("GET", "/api/v1/labs"), 16 * 1024), 200},
  };
  for (const auto& row : rows) {
    FakeBackend b;
    HttpResponse r = Route(row.req, b, ApiOptions{"s3cret", true});
    EXPECT_EQ(r.status, row.status) << row.what << ": " << r.body;
    if (r.status >= 400) {
      auto j = nlohmann::json::parse(r.body, nullptr, false);
      ASSERT_TRUE(j.is_object()) << row.what;
      EXPECT_EQ(j["status"], r.status) << row.what;
      EXPECT_FALSE(j["error"].get<std::string>().empty()) << row.what;
    }
    if (r.status == 401) {
      EXPECT_EQ(r.headers["WWW-Authenticate"], "Bearer realm=\"labkeeper\"") << row.what;
    }
    if (r.status == 405 && row.req.method != "BREW") {
      EXPECT_FALSE(r.headers["Allow"].empty()) << row.what;
    }
  }
}

TEST(ApiRoute, RefusedWritesChangeNothing) {
  FakeBackend b;
  Route(Req("POST", "/api/v1/labs/a/suspend"), b, ApiOptions{"s3cret", true});
  Route(Req("POST", "/api/v1/labs/a/reconcile", "Bearer wrong"), b, ApiOptions{"s3cret", true});
  Route(Req("POST", "/api/v1/labs/a/reconcile", "Bearer s3cret", "{bad"), b, ApiOptions{"s3cret", true});
  EXPECT_FALSE(b.suspended);
  EXPECT_EQ(b.reconciles, 0);
}

TEST(ApiRoute, HugeBodiesAreRefusedBeforeAnythingElse) {
  FakeBackend b;
  HttpRequest r = Req("POST", "/api/v1/labs/a/reconcile", "Bearer s3cret");
  r.content_length = 100 * 1000 * 1000;
  EXPECT_EQ(Route(r, b, ApiOptions{"s3cret", true}).status, 413);
  EXPECT_EQ(b.reconciles, 0);
}

TEST(ApiRoute, OffLoopbackReadsNeedTheTokenToo) {
  FakeBackend b;
  ApiOptions off{"s3cret", false};
  EXPECT_EQ(Route(Req("GET", "/api/v1/labs"), b, off).status, 401);
  EXPECT_EQ(Route(Req("GET", "/api/v1/labs", "Bearer s3cret"), b, off).status, 200);
  EXPECT_EQ(Route(Req("GET", "/metrics"), b, off).status, 200) << "Prometheus scrapes without a token";
  // Without a token configured (loopback only), writes are open.
  EXPECT_EQ(Route(Req("POST", "/api/v1/labs/a/reconcile"), b, ApiOptions{"", true}).status, 202);
}

TEST(ApiRoute, ReadyzSaysWhenNotReady) {
  FakeBackend b;
  b.ready = false;
  EXPECT_EQ(Route(Req("GET", "/readyz"), b, ApiOptions{}).status, 503);
}

}  // namespace
}  // namespace lk
