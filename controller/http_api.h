// The HTTP surface, as plain requests and responses: routing, limits, authentication and the
// JSON error shape, independent of the HTTP library (http_server.cc adapts cpprestsdk to it).
// The JSON documents are described in docs/openapi.yaml.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace lk {

struct HttpRequest {
  std::string method;  // GET, HEAD, POST, ...
  std::string path;    // as sent, percent-encoded
  std::string query;
  std::string authorization;    // the Authorization header
  std::string body;             // the API's requests carry none; kept for the rules' sake
  uint64_t content_length = 0;  // as announced by the client
  size_t header_bytes = 0;      // the header fields, as "Name: value\r\n" lines
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::map<std::string, std::string> headers;
};

// Where a reader of the event stream left off: the seq of the last event it had, and the
// controller run (`boot`) it had it from.
struct EventsFrom {
  uint64_t since = 0;
  std::string boot;
};

// What the API serves; the controller implements it.
class ApiBackend {
 public:
  // kNotSaved: done, but not saved in the state directory, so a restarted controller forgets it.
  enum class Suspend { kOk, kNotSaved, kNoSuchLab, kSuspendedByFile };
  virtual ~ApiBackend() = default;
  virtual std::string Metrics() = 0;
  virtual bool Ready() = 0;
  // {"controller": {...}, "labs": [lab summary, ...]}
  virtual nlohmann::json Labs() = 0;
  // The lab document (spec, status, events); nullopt when there is no such lab.
  virtual std::optional<nlohmann::json> Lab(const std::string& name) = 0;
  // What a pass would do now, observed on demand; nullopt when there is no such lab.
  virtual std::optional<nlohmann::json> Plan(const std::string& name) = 0;
  // The lab's interfaces as the kernel reports them now (state, counters); nullopt when there is
  // no such lab.
  virtual std::optional<nlohmann::json> Interfaces(const std::string& name) = 0;
  // Queues a pass; false when there is no such lab.
  virtual bool Reconcile(const std::string& name) = 0;
  virtual Suspend SetSuspended(const std::string& name, bool suspended) = 0;
  // GET /api/v1/events: from now on, every event of `labs` (empty: all) to `sink`, which must
  // not block and returns false to be dropped; Unsubscribe when the client has gone. With
  // `from`, first what came after it (EventHub::Subscribe).
  using EventSink = std::function<bool(const nlohmann::json& event)>;
  virtual uint64_t SubscribeEvents(const std::set<std::string>& labs, const std::optional<EventsFrom>& from,
                                   EventSink sink) = 0;
  virtual void UnsubscribeEvents(uint64_t id) = 0;
};

struct ApiOptions {
  std::string token;     // "" = no token configured
  bool loopback = true;  // the listener is on a loopback address
  size_t max_body = 64 * 1024;
  size_t max_uri = 4096;
  size_t max_header = 16 * 1024;  // the header fields of one request (431 beyond)
  // A connection that sends more than this without being answered (a request head that never
  // ends) is answered 431 and cut: the listener buffers a request head whole before it parses it.
  size_t max_unanswered = 1024 * 1024;
  // A connection that neither sends nor receives for this long is cut (a client that stalls
  // mid-request, or an idle keep-alive).
  int64_t idle_timeout_ms = 10000;
  // An event stream whose reader falls this many bytes behind (a slow or gone client) is ended
  // with a last line saying so: a reader never grows the controller's memory beyond it.
  size_t max_event_backlog = 1024 * 1024;
  // An event stream gets a newline this often when nothing happens, so the idle cut above never
  // ends it and a client that has gone is noticed.
  int64_t event_heartbeat_ms = 3000;
};

// Whether GET /api/v1/events?lab=A&lab=B&since=SEQ&boot=RUN may be streamed: the labs asked for
// (none: all) and where the reader left off, or the error to answer instead (method, token, a
// malformed lab name, since without boot).
struct EventsRequest {
  std::set<std::string> labs;
  std::optional<HttpResponse> refused;
  std::optional<EventsFrom> from;  // since=SEQ&boot=RUN: where the reader left off
};
EventsRequest CheckEventsRequest(const HttpRequest& req, const ApiOptions& opts);
inline constexpr char kEventsPath[] = "/api/v1/events";

// One request, answered. Never throws: a backend exception is a 500 with a JSON error.
HttpResponse Route(const HttpRequest& req, ApiBackend& backend, const ApiOptions& opts);

// {"error": message, "status": code}
HttpResponse JsonError(int status, const std::string& message);

}  // namespace lk
