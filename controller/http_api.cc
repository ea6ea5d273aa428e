#include "controller/http_api.h"

#include <algorithm>
#include <regex>
#include <vector>

namespace lk {

HttpResponse JsonError(int status, const std::string& message) {
  HttpResponse r;
  r.status = status;
  // A message may quote what the client sent, which need not be UTF-8: replaced, never thrown.
  r.body = nlohmann::json({{"error", message}, {"status", status}})
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
           "\n";
  return r;
}

namespace {

HttpResponse Json(int status, const nlohmann::json& j) {
  HttpResponse r;
  r.status = status;
  r.body = j.dump(2) + "\n";
  return r;
}

HttpResponse Text(int status, std::string body, std::string type = "text/plain; charset=utf-8") {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(type);
  return r;
}

// Constant-time comparison, so the token cannot be guessed a byte at a time from timings.
bool SameToken(const std::string& a, const std::string& b) {
  unsigned diff = a.size() != b.size();
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

bool Authorized(const HttpRequest& req, const ApiOptions& opts) {
  const std::string prefix = "Bearer ";
  if (req.authorization.compare(0, prefix.size(), prefix) != 0) return false;
  return SameToken(req.authorization.substr(prefix.size()), opts.token);
}

HttpResponse Unauthorized(const HttpRequest& req) {
  HttpResponse r =
      JsonError(401, req.authorization.empty() ? "this endpoint needs a bearer token (Authorization: Bearer TOKEN)"
                                               : "the bearer token is wrong");
  r.headers["WWW-Authenticate"] = "Bearer realm=\"labkeeper\"";
  return r;
}

HttpResponse MethodNotAllowed(const HttpRequest& req, const std::string& allow) {
  HttpResponse r = JsonError(405, req.method + " is not allowed on " + req.path + " (allowed: " + allow + ")");
  r.headers["Allow"] = allow;
  return r;
}

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

const std::regex kLabName("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$");

HttpResponse RouteApi(const HttpRequest& req, ApiBackend& backend, const ApiOptions& opts) {
  std::vector<std::string> s = Segments(req.path);  // api, v1, labs, NAME, ACTION
  if (s.size() < 3 || s[1] != "v1" || s[2] != "labs" || s.size() > 5)
    return JsonError(404, "no such endpoint: " + req.path + " (the API is under /api/v1/labs)");
  bool read = req.method == "GET" || req.method == "HEAD";
  bool write = req.method == "POST";
  // Reads are open on loopback; writes, and everything off loopback, need the token when one
  // is configured (the controller does not start off loopback without one).
  if (!opts.token.empty() && (write || !opts.loopback) && !Authorized(req, opts)) return Unauthorized(req);
  if (s.size() == 3) {
    if (!read) return MethodNotAllowed(req, "GET, HEAD");
    return Json(200, backend.Labs());
  }
  const std::string& name = s[3];
  if (!std::regex_match(name, kLabName))
    return JsonError(400, "\"" + name + "\" is not a lab name (letters, digits, '_', '.', '-')");
  if (s.size() == 4) {
    if (!read) return MethodNotAllowed(req, "GET, HEAD");
    auto lab = backend.Lab(name);
    return lab ? Json(200, *lab) : JsonError(404, "no lab named " + name);
  }
  const std::string& action = s[4];
  if (action == "plan" || action == "interfaces") {
    if (!read) return MethodNotAllowed(req, "GET, HEAD");
    auto doc = action == "plan" ? backend.Plan(name) : backend.Interfaces(name);
    return doc ? Json(200, *doc) : JsonError(404, "no lab named " + name);
  }
  if (action != "reconcile" && action != "suspend" && action != "resume")
    return JsonError(404, "no such endpoint: " + req.path + " (plan, interfaces, reconcile, suspend, resume)");
  if (!write) return MethodNotAllowed(req, "POST");
  if (req.content_length > 0 || !req.body.empty()) return JsonError(400, "POST " + action + " takes no request body");
  if (action == "reconcile") {
    if (!backend.Reconcile(name)) return JsonError(404, "no lab named " + name);
    return Json(202, {{"lab", name}, {"queued", true}});
  }
  bool suspend = action == "suspend";
  switch (backend.SetSuspended(name, suspend)) {
    case ApiBackend::Suspend::kNoSuchLab:
      return JsonError(404, "no lab named " + name);
    case ApiBackend::Suspend::kSuspendedByFile:
      return JsonError(409, "lab " + name +
                                " is suspended by its file (spec.suspend or the labkeeper.dev/suspend "
                                "annotation); change the file to resume it");
    case ApiBackend::Suspend::kNotSaved:
      return Json(200, {{"lab", name},
                        {"suspended", suspend},
                        {"saved", false},
                        {"warning",
                         "the state directory cannot be written (controller.stateDir in /api/v1/labs says "
                         "why): this holds until the controller restarts"}});
    case ApiBackend::Suspend::kOk:
      break;
  }
  return Json(200, {{"lab", name}, {"suspended", suspend}, {"saved", true}});
}

// The limits every request is held to, whatever it asks for.
std::optional<HttpResponse> OverLimits(const HttpRequest& req, const ApiOptions& opts) {
  if (req.path.size() + req.query.size() > opts.max_uri)
    return JsonError(414, "the request URI is longer than " + std::to_string(opts.max_uri) + " bytes (the limit)");
  if (req.header_bytes > opts.max_header)
    return JsonError(
        431, "the request's header fields are larger than " + std::to_string(opts.max_header) + " bytes (the limit)");
  if (req.content_length > opts.max_body || req.body.size() > opts.max_body)
    return JsonError(413, "the request body is larger than " + std::to_string(opts.max_body) + " bytes (the limit)");
  static const std::vector<std::string> kMethods = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
  if (std::find(kMethods.begin(), kMethods.end(), req.method) == kMethods.end())
    return JsonError(405, "method \"" + req.method.substr(0, 32) + "\" is not allowed here");
  if (req.path.empty() || req.path[0] != '/') return JsonError(400, "the request path must start with /");
  return std::nullopt;
}

}  // namespace

namespace {

constexpr uint64_t kNoSince = UINT64_MAX;

EventsRequest Refused(HttpResponse r) {
  EventsRequest e;
  e.refused = std::move(r);
  return e;
}

// since=SEQ (digits) and boot=RUN (hex) into out->from; the error for a malformed one.
std::optional<HttpResponse> ResumeParam(const std::string& param, EventsRequest* out) {
  bool since = param.rfind("since=", 0) == 0, boot = param.rfind("boot=", 0) == 0;
  if (!since && !boot) return std::nullopt;
  std::string value = param.substr(since ? 6 : 5);
  auto all = [&](const char* set) { return !value.empty() && value.find_first_not_of(set) == std::string::npos; };
  if (!out->from) out->from = EventsFrom{kNoSince, ""};
  if (since) {
    if (!all("0123456789") || value.size() > 19)
      return JsonError(400, "since=\"" + value.substr(0, 32) + "\": expected the seq of an event (digits)");
    out->from->since = std::stoull(value);
  } else {
    if (!all("0123456789abcdef") || value.size() > 64)
      return JsonError(400, "boot=\"" + value.substr(0, 32) + "\": expected the boot of an event (hex digits)");
    out->from->boot = value;
  }
  return std::nullopt;
}

EventsRequest CheckEvents(const HttpRequest& req, const ApiOptions& opts) {
  EventsRequest out;
  if (auto over = OverLimits(req, opts)) return Refused(*over);
  if (req.method != "GET") return Refused(MethodNotAllowed(req, "GET"));
  if (!opts.token.empty() && !opts.loopback && !Authorized(req, opts)) return Refused(Unauthorized(req));
  if (req.content_length > 0) return Refused(JsonError(400, "GET events takes no request body"));
  for (size_t i = 0; i < req.query.size();) {
    size_t amp = req.query.find('&', i);
    std::string param = req.query.substr(i, amp == std::string::npos ? std::string::npos : amp - i);
    i = amp == std::string::npos ? req.query.size() : amp + 1;
    if (param.empty()) continue;
    if (auto refused = ResumeParam(param, &out)) return Refused(*refused);
    if (param.rfind("since=", 0) == 0 || param.rfind("boot=", 0) == 0) continue;
    if (param.rfind("lab=", 0) != 0)
      return Refused(JsonError(400, "unknown query parameter \"" + param.substr(0, 64) +
                                        "\" (lab=NAME, repeatable; since=SEQ with boot=RUN)"));
    std::string name = param.substr(4);
    if (!std::regex_match(name, kLabName))
      return Refused(
          JsonError(400, "\"" + name.substr(0, 64) + "\" is not a lab name (letters, digits, '_', '.', '-')"));
    out.labs.insert(name);
  }
  if (out.from && out.from->boot.empty())
    return Refused(JsonError(400, "since=SEQ needs boot=RUN (both from an event)"));
  if (out.from && out.from->since == kNoSince) return Refused(JsonError(400, "boot=RUN needs since=SEQ"));
  return out;
}

}  // namespace

EventsRequest CheckEventsRequest(const HttpRequest& req, const ApiOptions& opts) {
  try {
    return CheckEvents(req, opts);
  } catch (const std::exception& e) {
    return Refused(JsonError(400, std::string("malformed request: ") + e.what()));
  }
}

HttpResponse Route(const HttpRequest& req, ApiBackend& backend, const ApiOptions& opts) {
  try {
    if (auto over = OverLimits(req, opts)) return *over;
    if (req.path == kEventsPath) {  // streamed by the server (http_server.cc); here only refused
      EventsRequest e = CheckEventsRequest(req, opts);
      return e.refused ? *e.refused : JsonError(500, "the event stream is served by the HTTP server only");
    }
    bool read = req.method == "GET" || req.method == "HEAD";
    if (req.path == "/metrics" || req.path == "/healthz" || req.path == "/readyz") {
      if (!read) return MethodNotAllowed(req, "GET, HEAD");
      if (req.path == "/metrics") return Text(200, backend.Metrics(), "text/plain; version=0.0.4; charset=utf-8");
      if (req.path == "/healthz") return Text(200, "ok\n");
      bool ready = backend.Ready();
      return Text(ready ? 200 : 503, ready ? "ok\n" : "not ready: the first pass over every lab is not done\n");
    }
    if (req.path == "/api" || req.path.rfind("/api/", 0) == 0) return RouteApi(req, backend, opts);
    return JsonError(404, "no such endpoint: " + req.path + " (try /api/v1/labs, /metrics, /healthz, /readyz)");
  } catch (const std::exception& e) {
    return JsonError(500, std::string("internal error: ") + e.what());
  }
}

}  // namespace lk
