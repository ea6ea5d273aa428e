// Boost 1.74's headers, pulled in by cpprestsdk, need <utility> first under C++20.
#include <utility>

#include "controller/http_server.h"

#include <cpprest/http_listener.h>
#include <cpprest/producerconsumerstream.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "controller/tcp_counters.h"
#include "controller/ui_server.h"

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

// What the reaper remembers of one connection, by socket cookie.
struct Seen {
  uint64_t acked = 0;        // bytes acknowledged at the last scan
  uint64_t answered_at = 0;  // bytes received when the server last sent something
};

// The open connections accepted on `port` in this process: (fd, counters).
std::vector<std::pair<int, TcpCounters>> Connections(int port) {
  std::vector<std::pair<int, TcpCounters>> out;
  DIR* d = opendir("/proc/self/fd");
  if (!d) return out;
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
    if (auto c = ReadTcpCounters(fd)) out.emplace_back(fd, *c);
  }
  closedir(d);
  return out;
}

// Whether a tick of the reaper looks at the descriptors. Looking costs (a readdir of
// /proc/self/fd and a getsockname per descriptor, and the controller holds a netlink socket per
// watched namespace), so a tick looks only when there is something to see: connections were open
// at the last look, a connection was accepted in this network namespace within the last second
// (the kernel's PassiveOpens count moved; the descriptor appears when the listener accepts, a
// little after), or a second has gone by since the last look. Without the count, every tick looks.
class LookGate {
 public:
  static constexpr int kTicksPerSecond = 10;
  bool Due(bool connections_open) {
    std::optional<uint64_t> opens = reader_.Read();
    if (!opens || *opens != opens_) recent_ = kTicksPerSecond;
    if (opens) opens_ = *opens;
    bool due = connections_open || recent_ > 0 || ++since_look_ >= kTicksPerSecond;
    if (recent_ > 0) --recent_;
    if (due) since_look_ = 0;
    return due;
  }

 private:
  PassiveOpensReader reader_;
  uint64_t opens_ = 0;
  int recent_ = kTicksPerSecond;  // ticks left that look because of an accepted connection
  int since_look_ = 0;
};

// Answers 431 on a connection whose request head never ends, written straight to its socket
// (the listener is still reading that head and writes nothing meanwhile), and cuts it.
void RefuseEndlessHead(int fd, size_t limit) {
  HttpResponse r = JsonError(431, "the request head is longer than " + std::to_string(limit) + " bytes (the limit)");
  std::string wire = "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: application/json\r\n";
  wire += "Content-Length: " + std::to_string(r.body.size()) + "\r\nConnection: close\r\n\r\n";
  wire += r.body;
  (void)send(fd, wire.data(), wire.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  shutdown(fd, SHUT_RDWR);
}

}  // namespace

// One client of GET /api/v1/events: the lines it has not read yet, in the response body's
// buffer, never more than the backlog bound. Written by the event hub and the heartbeat.
class EventStream {
 public:
  concurrency::streams::istream Body() { return buf_.create_istream(); }
  // False when the stream has ended: now, because the reader is too far behind (it is told so),
  // or before.
  bool Write(const std::string& text, size_t max_backlog) {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    if (buf_.in_avail() + text.size() > max_backlog) {
      Put(nlohmann::json({{"type", "Warning"},
                          {"reason", "StreamOverflow"},
                          {"message", "this reader fell more than " + std::to_string(max_backlog) +
                                          " bytes behind; the stream ends here (connect again to go on)"}})
              .dump() +
          "\n");
      CloseLocked();
      return false;
    }
    Put(text);
    return true;
  }
  void Close() {
    std::lock_guard lock(mu_);
    CloseLocked();
  }
  std::atomic<bool> replied{false};  // the response is over: sent whole, or the client left
  uint64_t id = 0;

 private:
  void Put(const std::string& text) {
    buf_.putn_nocopy(reinterpret_cast<const uint8_t*>(text.data()), text.size()).wait();
    buf_.sync().wait();  // readable now, not when a block fills
  }
  void CloseLocked() {
    if (closed_) return;
    closed_ = true;
    buf_.close(std::ios_base::out).wait();
  }
  std::mutex mu_;
  bool closed_ = false;
  concurrency::streams::producer_consumer_buffer<uint8_t> buf_;
};

struct HttpServer::Impl {
  std::string listen;
  ApiBackend* backend = nullptr;
  ApiOptions opts;
  std::unique_ptr<web::http::experimental::listener::http_listener> listener;
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread reaper;
  std::vector<std::shared_ptr<EventStream>> streams;  // under mu

  // cpprestsdk's listener has no read timeout and no bound on a request head: it buffers the
  // head whole before parsing it. So every 100 ms (while there are any; LookGate) the
  // connections are looked at from outside:
  // one that has sent more than opts.max_unanswered bytes since it was last answered is refused
  // (431) and cut; one that has neither received nor sent data for opts.idle_timeout_ms (a
  // client stalled mid-request, an idle keep-alive) is cut. shutdown() makes the peer see the end
  // of the stream and lets the listener close the socket itself.
  void Reap() {
    int port = PortOf(listen);
    std::unordered_map<uint64_t, Seen> seen;
    LookGate gate;
    std::unique_lock lock(mu);
    auto beat = std::chrono::steady_clock::now();
    while (!stopping) {
      cv.wait_for(lock, std::chrono::milliseconds(100));
      if (stopping || port <= 0) continue;
      if (std::chrono::steady_clock::now() - beat >= std::chrono::milliseconds(opts.event_heartbeat_ms)) {
        beat = std::chrono::steady_clock::now();
        Heartbeat();
      }
      if (!gate.Due(!seen.empty())) continue;
      std::unordered_map<uint64_t, Seen> now;  // only the connections still open
      for (const auto& [fd, c] : Connections(port)) {
        auto old = seen.find(c.cookie);
        bool fresh = old == seen.end();
        Seen& s = now[c.cookie] = fresh ? Seen{} : old->second;
        if (fresh || c.bytes_acked != s.acked) {
          if (!fresh || c.bytes_acked > 0) s.answered_at = c.bytes_received;
          s.acked = c.bytes_acked;
        }
        auto idle = static_cast<uint32_t>(opts.idle_timeout_ms);
        if (c.bytes_received - s.answered_at > opts.max_unanswered) {
          RefuseEndlessHead(fd, opts.max_unanswered);
        } else if (c.ms_since_recv > idle && c.ms_since_sent > idle) {
          shutdown(fd, SHUT_RDWR);
        }
      }
      seen = std::move(now);
    }
  }
  // A newline to every event stream; a stream whose client has gone, or that is too far behind,
  // is dropped.
  void Heartbeat() {
    std::erase_if(streams, [&](const std::shared_ptr<EventStream>& s) {
      if (!s->replied && s->Write("\n", opts.max_event_backlog)) return false;
      s->Close();
      backend->UnsubscribeEvents(s->id);
      return true;
    });
  }

  void StreamEvents(http_request& req, const HttpRequest& r) {
    EventsRequest e = CheckEventsRequest(r, opts);
    if (e.refused) return Reply(req, *e.refused);
    auto s = std::make_shared<EventStream>();
    http_response resp(web::http::status_codes::OK);
    resp.headers().add("Cache-Control", "no-store");
    resp.set_body(s->Body(), "application/x-ndjson");  // no length: chunked, as it comes
    size_t max = opts.max_event_backlog;
    s->id = backend->SubscribeEvents(e.labs, e.from,
                                     [s, max](const nlohmann::json& ev) { return s->Write(ev.dump() + "\n", max); });
    {
      std::lock_guard lock(mu);
      if (stopping) s->Close();
      streams.push_back(s);
    }
    req.reply(resp).then([s](pplx::task<void> t) {
      try {
        t.get();
      } catch (const std::exception&) {  // the client went away
      }
      s->replied = true;
      s->Close();
    });
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
      for (const auto& [name, value] : h) r.header_bytes += name.size() + value.size() + 4;
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
    if (r.path == kEventsPath) return StreamEvents(req, r);
    if (auto page = ServeUi(r)) return Reply(req, *page);
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
  for (auto& s : impl_->streams) {  // the streams end: their responses finish
    s->Close();
    impl_->backend->UnsubscribeEvents(s->id);
  }
  impl_->streams.clear();
  if (!impl_->listener) return;
  try {
    impl_->listener->close().wait();
  } catch (const std::exception&) {
  }
  impl_->listener.reset();
}

}  // namespace lk
