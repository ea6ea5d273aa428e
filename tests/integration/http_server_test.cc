// The HTTP listener itself (cpprestsdk's, with labkeeper's guards around it) on a loopback port,
// against real sockets: header fields over the limit get 431, a request head that never ends is
// answered 431 and cut while the process's memory stays bounded, and the listener answers
// afterwards. (ApiTest in tests/e2e covers the rules against a real controller.)
#include "controller/http_server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "controller/event_hub.h"
#include "tests/support/support.h"

namespace lk {
namespace {

constexpr int kPort = 29591;

class Backend : public ApiBackend {
 public:
  std::string Metrics() override { return "labkeeper_up 1\n"; }
  bool Ready() override { return true; }
  nlohmann::json Labs() override { return {{"labs", nlohmann::json::array()}}; }
  std::optional<nlohmann::json> Lab(const std::string&) override { return std::nullopt; }
  std::optional<nlohmann::json> Plan(const std::string&) override { return std::nullopt; }
  std::optional<nlohmann::json> Interfaces(const std::string&) override { return std::nullopt; }
  bool Reconcile(const std::string&) override { return false; }
  Suspend SetSuspended(const std::string&, bool) override { return Suspend::kNoSuchLab; }
  uint64_t SubscribeEvents(const std::set<std::string>& labs, const std::optional<EventsFrom>& from,
                           EventSink sink) override {
    std::optional<EventHub::Cursor> cursor;
    if (from) cursor = EventHub::Cursor{from->since, from->boot};
    return hub.Subscribe(labs, std::move(sink), cursor);
  }
  void UnsubscribeEvents(uint64_t id) override { hub.Unsubscribe(id); }
  EventHub hub;
};

int Connect() {
  return test::ConnectLoopback(kPort, 60);
}

// Everything the server sends until it closes the connection (or 60 s pass).
std::string ReadAll(int fd) {
  std::string got;
  char buf[4096];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

std::string Exchange(const std::string& request) {
  int fd = Connect();
  if (fd < 0) return "";
  (void)send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string got = ReadAll(fd);
  close(fd);
  return got;
}

size_t RssBytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<HttpServer>("127.0.0.1:" + std::to_string(kPort), backend_, ApiOptions{});
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.message();
  }
  void TearDown() override { server_.reset(); }
  // A connection that asked for GET /api/v1/events + query, once the server has subscribed it.
  int OpenEvents(const std::string& query) {
    int fd = Connect();
    std::string req = "GET /api/v1/events" + query + " HTTP/1.1\r\nHost: x\r\n\r\n";
    if (fd >= 0) (void)send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    if (!test::WaitFor([&] { return backend_.hub.Subscribers() == 1; }, 60, 20)) return -1;
    return fd;
  }
  // What arrives on `fd` until `marker` has (or 60 s pass, or the connection ends).
  static std::string ReadUntil(int fd, const std::string& marker) {
    std::string got;
    char buf[4096];
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (got.find(marker) == std::string::npos && std::chrono::steady_clock::now() < until) {
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
    return got;
  }
  Backend backend_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, HeaderFieldsOverTheLimitAre431) {
  std::string ok = Exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(ok.rfind("HTTP/1.1 200", 0), 0u) << ok.substr(0, 200);
  std::string big = Exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 * 1024, 'a') +
                             "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(big.rfind("HTTP/1.1 431", 0), 0u) << big.substr(0, 200);
  EXPECT_NE(big.find("16384 bytes (the limit)"), std::string::npos) << big.substr(0, 400);
}

// A client that sends a request head forever: without a guard the listener buffers it all
// (a gigabyte in a few seconds on loopback). It is answered 431 and cut after 1 MiB (read by the
// guard every 100 ms, so a little more arrives first), and the process grows by far less than
// what was sent. The server has sat idle for 2 s first: its guard no longer looks every 100 ms,
// only when a connection was accepted (or once a second), and this connection must wake it.
TEST_F(HttpServerTest, AnEndlessRequestHeadIsRefusedAndCut) {
  std::this_thread::sleep_for(std::chrono::seconds(2));
  size_t rss_before = RssBytes();
  int fd = Connect();
  ASSERT_GE(fd, 0);
  std::atomic<size_t> sent{0};
  std::atomic<size_t> rss_peak{rss_before};
  std::thread sender([&] {
    std::string head = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Endless: ";
    (void)send(fd, head.data(), head.size(), MSG_NOSIGNAL);
    std::string chunk(64 * 1024, 'a');
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < until) {
      ssize_t n = send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
      if (n <= 0) break;  // cut
      sent += static_cast<size_t>(n);
      size_t rss = RssBytes();
      if (rss > rss_peak) rss_peak = rss;
    }
  });
  std::string got = ReadAll(fd);
  shutdown(fd, SHUT_RDWR);
  sender.join();
  close(fd);
  EXPECT_EQ(got.rfind("HTTP/1.1 431", 0), 0u) << got.substr(0, 200);
  EXPECT_NE(got.find("the request head is longer than 1048576 bytes (the limit)"), std::string::npos)
      << got.substr(0, 400);
  // The connection was cut, long before the sender's 60 s were up, and memory stayed bounded.
  EXPECT_LT(rss_peak - rss_before, size_t{256} << 20) << "sent " << sent << " bytes";
  std::string ok = Exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(ok.rfind("HTTP/1.1 200", 0), 0u) << ok.substr(0, 200);
}

// GET /api/v1/events is a chunked stream: what is published for the labs asked for arrives in
// order, a heartbeat keeps it alive, and a client that leaves is unsubscribed.
TEST_F(HttpServerTest, AnEventStreamCarriesTheLabsEventsAndEndsWhenTheClientLeaves) {
  int fd = OpenEvents("?lab=a");
  ASSERT_GE(fd, 0);
  backend_.hub.Publish("b", {{"reason", "NotMine"}});
  backend_.hub.Publish("a", {{"reason", "First"}});
  backend_.hub.Publish("a", {{"reason", "Second"}});
  std::string got = ReadUntil(fd, "Second");
  EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got;
  EXPECT_NE(got.find("Transfer-Encoding: chunked"), std::string::npos) << got;
  EXPECT_NE(got.find("application/x-ndjson"), std::string::npos) << got;
  EXPECT_LT(got.find("\"First\""), got.find("\"Second\"")) << got;
  EXPECT_EQ(got.find("NotMine"), std::string::npos) << "lab b was not asked for";
  // Quiet for longer than the idle cut (10 s): heartbeats keep the stream open.
  std::this_thread::sleep_for(std::chrono::seconds(12));
  backend_.hub.Publish("a", {{"reason", "Third"}});
  std::string later = ReadUntil(fd, "Third");
  EXPECT_NE(later.find("Third"), std::string::npos) << "the stream was cut while quiet";
  close(fd);
  EXPECT_TRUE(test::WaitFor([&] { return backend_.hub.Subscribers() == 0; }, 60, 100))
      << "the client left; its subscription stays";
}

// A reader that comes back (since=SEQ&boot=RUN, from the last event it had) is sent what it
// missed before the live events, over the wire as the page and `labkeeper events` read it.
TEST_F(HttpServerTest, AReaderThatComesBackWithSinceAndBootGetsWhatItMissed) {
  backend_.hub.Publish("a", {{"reason", "One"}});
  backend_.hub.Publish("a", {{"reason", "Two"}});
  backend_.hub.Publish("b", {{"reason", "NotMine"}});
  backend_.hub.Publish("a", {{"reason", "Three"}});
  int fd = OpenEvents("?lab=a&since=1&boot=" + backend_.hub.Boot());
  ASSERT_GE(fd, 0);
  backend_.hub.Publish("a", {{"reason", "Four"}});
  std::string got = ReadUntil(fd, "Four");
  close(fd);
  EXPECT_EQ(got.find("\"One\""), std::string::npos) << "it had One";
  EXPECT_EQ(got.find("NotMine"), std::string::npos);
  ASSERT_NE(got.find("\"Two\""), std::string::npos) << got;
  EXPECT_LT(got.find("\"Two\""), got.find("\"Three\"")) << got;
  EXPECT_LT(got.find("\"Three\""), got.find("\"Four\"")) << got;
}

// A reader that never reads: what it has not read stays bounded (the kernel's socket buffers,
// then ApiOptions::max_event_backlog, 1 MiB), after which its stream is ended with a last line
// that says why and its subscription dropped, instead of the controller's memory growing.
TEST_F(HttpServerTest, AnEventStreamThatIsNotReadIsEndedOnceItFallsTooFarBehind) {
  int fd = OpenEvents("");
  ASSERT_GE(fd, 0);
  size_t rss_before = RssBytes();
  const std::string pad(1000, 'x');
  size_t published = 0;
  while (backend_.hub.Subscribers() == 1 && published < (size_t{512} << 20)) {
    backend_.hub.Publish("a", {{"reason", "Flood"}, {"message", pad}});
    published += pad.size();
  }
  EXPECT_EQ(backend_.hub.Subscribers(), 0u) << "still subscribed after " << published << " bytes";
  EXPECT_LT(published, size_t{128} << 20) << "ended only after " << published << " bytes";
  // As the endless-head test: generous, for ASan's quarantine keeps what the stream freed.
  EXPECT_LT(RssBytes() - rss_before, size_t{256} << 20);
  std::string got = ReadAll(fd);  // what was buffered, then the end of the response
  close(fd);
  size_t last = got.rfind("{\"message\"");
  ASSERT_NE(last, std::string::npos);
  EXPECT_NE(got.find("StreamOverflow", last), std::string::npos) << got.substr(last, 300);
}

}  // namespace
}  // namespace lk
