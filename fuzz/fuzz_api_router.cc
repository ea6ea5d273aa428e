// One HTTP request as the API router sees it: method, path, query, authorization header and
// body, one per line of the input, with a backend that knows one lab.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "controller/http_api.h"

namespace {
class Backend : public lk::ApiBackend {
 public:
  std::string Metrics() override { return "labkeeper_up 1\n"; }
  bool Ready() override { return true; }
  nlohmann::json Labs() override { return {{"labs", nlohmann::json::array({{{"name", "a"}}})}}; }
  std::optional<nlohmann::json> Lab(const std::string& n) override {
    return n == "a" ? std::optional<nlohmann::json>(nlohmann::json{{"name", "a"}}) : std::nullopt;
  }
  std::optional<nlohmann::json> Plan(const std::string& n) override { return Lab(n); }
  std::optional<nlohmann::json> Interfaces(const std::string& n) override { return Lab(n); }
  bool Reconcile(const std::string& n) override { return n == "a"; }
  Suspend SetSuspended(const std::string& n, bool) override { return n == "a" ? Suspend::kOk : Suspend::kNoSuchLab; }
  // The stream is served by the HTTP server, not the router: never reached here.
  uint64_t SubscribeEvents(const std::set<std::string>&, const std::optional<lk::EventsFrom>&, EventSink) override {
    __builtin_trap();
  }
  void UnsubscribeEvents(uint64_t) override {}
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  lk::HttpRequest req;
  std::getline(in, req.method);
  std::getline(in, req.path);
  std::getline(in, req.query);
  std::getline(in, req.authorization);
  std::string rest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  req.body = rest;
  req.content_length = rest.size();
  Backend backend;
  for (bool loopback : {true, false}) {
    lk::HttpResponse r = lk::Route(req, backend, lk::ApiOptions{"s3cret", loopback});
    if (r.status < 100 || r.status > 599) __builtin_trap();
    lk::EventsRequest e = lk::CheckEventsRequest(req, lk::ApiOptions{"s3cret", loopback});
    if (e.refused && (e.refused->status < 400 || e.refused->status > 499)) __builtin_trap();
  }
  return 0;
}
