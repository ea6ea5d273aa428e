#include "controller/ui_server.h"

#include <string>

#include "api/ui_assets.h"

namespace lk {
namespace {

HttpResponse Redirect(const std::string& to) {
  HttpResponse r;
  r.status = 302;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "see " + to + "\n";
  r.headers["Location"] = to;
  return r;
}

}  // namespace

std::optional<HttpResponse> ServeUi(const HttpRequest& req) {
  if (req.path == "/" || req.path == "/ui") return Redirect("/ui/" + (req.query.empty() ? "" : "?" + req.query));
  if (req.path.rfind("/ui/", 0) != 0) return std::nullopt;
  if (req.method != "GET" && req.method != "HEAD") {
    HttpResponse r = JsonError(405, req.method + " is not allowed here (GET, HEAD)");
    r.headers["Allow"] = "GET, HEAD";
    return r;
  }
  std::string path = req.path.substr(4);
  if (path.empty()) path = "index.html";
  for (const auto& a : UiAssets()) {
    if (path != a.path) continue;
    HttpResponse r;
    r.content_type = a.content_type;
    r.body.assign(a.bytes.data(), a.bytes.size());
    r.headers["Cache-Control"] = "no-cache";
    r.headers["X-Content-Type-Options"] = "nosniff";
    // Only this listener: no script, style or connection goes anywhere else.
    r.headers["Content-Security-Policy"] =
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";
    return r;
  }
  return JsonError(404, "no file " + path + " in the page (/ui/ is the live topology page)");
}

}  // namespace lk
