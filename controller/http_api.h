// The HTTP surface, as plain requests and responses: routing, limits, authentication and the
// JSON error shape, independent of the HTTP library (http_server.cc adapts cpprestsdk to it).
// The JSON documents are described in docs/openapi.yaml.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
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
  // Queues a pass; false when there is no such lab.
  virtual bool Reconcile(const std::string& name) = 0;
  virtual Suspend SetSuspended(const std::string& name, bool suspended) = 0;
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
};

// One request, answered. Never throws: a backend exception is a 500 with a JSON error.
HttpResponse Route(const HttpRequest& req, ApiBackend& backend, const ApiOptions& opts);

// {"error": message, "status": code}
HttpResponse JsonError(int status, const std::string& message);

}  // namespace lk
