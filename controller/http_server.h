// The controller's one HTTP listener (cpprestsdk's http_listener): the API under /api/v1, and
// /metrics, /healthz, /readyz. Routing and rules live in api.h; this adapts cpprestsdk to them.
#pragma once

#include <memory>
#include <string>

#include "api/result.h"
#include "controller/http_api.h"

namespace lk {

class HttpServer {
 public:
  // `listen` is ADDR:PORT, e.g. 127.0.0.1:9580. `backend` must outlive the server.
  HttpServer(std::string listen, ApiBackend& backend, ApiOptions opts);
  ~HttpServer();
  Status Start();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True when ADDR:PORT names a loopback address (127.0.0.0/8, ::1, localhost).
bool IsLoopbackListen(const std::string& listen);

}  // namespace lk
