// Boost 1.74's headers, pulled in by cpprestsdk, need <utility> first under C++20.
#include <utility>

#include "controller/http_server.h"

#include <cpprest/http_listener.h>

#include <nlohmann/json.hpp>

namespace lk {

using web::http::http_request;
using web::http::methods;
using web::http::status_codes;

bool IsLoopbackListen(const std::string& listen) {
  std::string host = listen.substr(0, listen.rfind(':'));
  if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
  return host.rfind("127.", 0) == 0 || host == "::1" || host == "localhost";
}

struct HttpServer::Impl {
  std::string listen;
  HttpHandlers handlers;
  std::unique_ptr<web::http::experimental::listener::http_listener> listener;

  static void Error(http_request& req, web::http::status_code code, const std::string& message) {
    req.reply(code, nlohmann::json({{"error", message}}).dump() + "\n", "application/json");
  }

  void Handle(http_request req) {
    try {
      std::string path = req.relative_uri().path();
      if (req.method() != methods::GET && req.method() != methods::HEAD)
        return Error(req, status_codes::MethodNotAllowed, req.method() + " is not allowed on " + path);
      if (path == "/metrics") {
        req.reply(status_codes::OK, handlers.metrics(), "text/plain; version=0.0.4; charset=utf-8");
      } else if (path == "/healthz") {
        req.reply(status_codes::OK, "ok\n", "text/plain");
      } else if (path == "/readyz") {
        bool ready = handlers.ready();
        req.reply(ready ? status_codes::OK : status_codes::ServiceUnavailable,
                  ready ? "ok\n" : "not ready: the first pass over every lab is not done\n", "text/plain");
      } else {
        Error(req, status_codes::NotFound, "no such endpoint: " + path + " (try /metrics, /healthz, /readyz)");
      }
    } catch (const std::exception& e) {
      Error(req, status_codes::InternalError, e.what());
    }
  }
};

HttpServer::HttpServer(std::string listen, HttpHandlers handlers) : impl_(std::make_unique<Impl>()) {
  impl_->listen = std::move(listen);
  impl_->handlers = std::move(handlers);
}

HttpServer::~HttpServer() {
  Stop();
}

Status HttpServer::Start() {
  try {
    impl_->listener = std::make_unique<web::http::experimental::listener::http_listener>("http://" + impl_->listen);
    impl_->listener->support([this](http_request req) { impl_->Handle(std::move(req)); });
    impl_->listener->open().wait();
  } catch (const std::exception& e) {
    impl_->listener.reset();
    return Status::Fail("cannot listen on " + impl_->listen + ": " + e.what());
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!impl_ || !impl_->listener) return;
  try {
    impl_->listener->close().wait();
  } catch (const std::exception&) {
  }
  impl_->listener.reset();
}

}  // namespace lk
