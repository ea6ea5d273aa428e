// The controller's one HTTP listener (cpprestsdk's http_listener): /metrics, /healthz, /readyz.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "api/result.h"

namespace lk {

struct HttpHandlers {
  std::function<std::string()> metrics;  // Prometheus text format
  std::function<bool()> ready;           // true once the first pass over every lab is done
};

class HttpServer {
 public:
  // `listen` is ADDR:PORT, e.g. 127.0.0.1:9580.
  HttpServer(std::string listen, HttpHandlers handlers);
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
