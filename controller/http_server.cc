// Boost 1.74's headers, pulled in by cpprestsdk, need <utility> first under C++20.
#include <utility>

#include "controller/http_server.h"

#include <cpprest/http_listener.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace lk {

using web::http::http_request;
using web::http::http_response;

bool IsLoopbackListen(const std::string& listen) {
  std::string host = listen.substr(0, listen.rfind(':'));
  if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
  return host.rfind("127.", 0) == 0 || host == "::1" || host == "localhost";
}

namespace {

// The local port of ADDR:PORT.
int PortOf(const std::string& listen) {
  size_t colon = listen.rfind(':');
  try {
    return colon == std::string::npos ? 0 : std::stoi(listen.substr(colon + 1));
  } catch (const std::exception&) {
    return 0;
  }
}

// Shuts down every connection accepted on `port` in this process that has neither received nor
// sent data for `idle`: cpprestsdk's listener has no read timeout, so a client that stalls in
// the middle of a request (or keeps an idle connection) would hold it forever. shutdown() makes
// the peer see the end of the stream and lets the listener close the socket itself.
void CutIdleConnections(int port, std::chrono::milliseconds idle) {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return;
  while (dirent* e = readdir(d)) {
    int fd = std::atoi(e->d_name);
    if (fd <= 2) continue;
    sockaddr_storage local{}, peer{};
    socklen_t len = sizeof local;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) continue;
    int local_port = local.ss_family == AF_INET    ? ntohs(reinterpret_cast<sockaddr_in*>(&local)->sin_port)
                     : local.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&local)->sin6_port)
                                                   : -1;
    if (local_port != port) continue;
    len = sizeof peer;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) continue;  // the listening socket
    tcp_info info{};
    len = sizeof info;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) continue;
    auto ms = static_cast<int64_t>(idle.count());
    if (info.tcpi_last_data_recv > ms && info.tcpi_last_data_sent > ms) shutdown(fd, SHUT_RDWR);
  }
  closedir(d);
}

}  // namespace

struct HttpServer::Impl {
  std::string listen;
  ApiBackend* backend = nullptr;
  ApiOptions opts;
  std::unique_ptr<web::http::experimental::listener::http_listener> listener;
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread reaper;

  void Reap() {
    int port = PortOf(listen);
    std::unique_lock lock(mu);
    while (!stopping) {
      cv.wait_for(lock, std::chrono::seconds(1));
      if (!stopping && port > 0) CutIdleConnections(port, std::chrono::milliseconds(opts.idle_timeout_ms));
    }
  }
  void Reply(http_request& req, const HttpResponse& r) {
    http_response resp(static_cast<web::http::status_code>(r.status));
    for (const auto& [k, v] : r.headers) resp.headers().add(k, v);
    resp.set_body(r.body, r.content_type);
    req.reply(resp).then([](pplx::task<void> t) {
      try {
        t.get();
      } catch (const std::exception&) {  // the client went away: nothing to do
      }
    });
  }

  void Handle(http_request req) {
    HttpRequest r;
    try {
      r.method = req.method();
      r.path = req.request_uri().path();
      r.query = req.request_uri().query();
      auto& h = req.headers();
      if (auto it = h.find("Authorization"); it != h.end()) r.authorization = it->second;
      if (auto it = h.find("Content-Length"); it != h.end()) {
        const std::string& v = it->second;
        if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos)
          return Reply(req, JsonError(400, "Content-Length \"" + v.substr(0, 32) + "\" is not a byte count"));
        r.content_length = std::stoull(v);
      }
    } catch (const std::exception& e) {
      return Reply(req, JsonError(400, std::string("malformed request: ") + e.what()));
    }
    // The body is never read: the API's requests carry none, and one that announces a body is
    // answered from its headers alone (400, or 413 when huge). cpprestsdk's listener has no read
    // timeout, so a body that never arrives must not be waited for.
    Reply(req, Route(r, *backend, opts));
  }
};

HttpServer::HttpServer(std::string listen, ApiBackend& backend, ApiOptions opts) : impl_(std::make_unique<Impl>()) {
  impl_->listen = std::move(listen);
  impl_->backend = &backend;
  impl_->opts = std::move(opts);
}

HttpServer::~HttpServer() {
  Stop();
}

Status HttpServer::Start() {
  try {
    web::http::experimental::listener::http_listener_config config;
    config.set_timeout(std::chrono::seconds(20));
    impl_->listener =
        std::make_unique<web::http::experimental::listener::http_listener>("http://" + impl_->listen, config);
    auto handle = [this](http_request req) { impl_->Handle(std::move(req)); };
    impl_->listener->support(handle);
    // cpprestsdk answers OPTIONS and TRACE itself unless told otherwise: route them too.
    impl_->listener->support(web::http::methods::OPTIONS, handle);
    impl_->listener->support(web::http::methods::TRCE, handle);
    impl_->listener->open().wait();
    impl_->reaper = std::thread([this] { impl_->Reap(); });
  } catch (const std::exception& e) {
    impl_->listener.reset();
    return Status::Fail("cannot listen on " + impl_->listen + ": " + e.what());
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!impl_) return;
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->reaper.joinable()) impl_->reaper.join();
  if (!impl_->listener) return;
  try {
    impl_->listener->close().wait();
  } catch (const std::exception&) {
  }
  impl_->listener.reset();
}

}  // namespace lk
