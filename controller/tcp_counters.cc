#include "controller/tcp_counters.h"

#include <linux/tcp.h>  // the whole struct tcp_info; glibc's <netinet/tcp.h> must not be included here
#include <netinet/in.h>
#include <sys/socket.h>

#include <fcntl.h>
#include <unistd.h>

namespace lk {

std::optional<TcpCounters> ReadTcpCounters(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return std::nullopt;
  TcpCounters c;
  // Kernels before 4.1 fill less of the struct: what they leave out stays 0.
  c.bytes_received = info.tcpi_bytes_received;
  c.bytes_acked = info.tcpi_bytes_acked;
  c.ms_since_recv = info.tcpi_last_data_recv;
  c.ms_since_sent = info.tcpi_last_data_sent;
  uint64_t cookie = 0;
  len = sizeof cookie;
  if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len) == 0) c.cookie = cookie;
  return c;
}

namespace {

// The next space-separated word of `line` from `*at`, or "" at its end.
std::string_view NextWord(std::string_view line, size_t* at) {
  size_t b = line.find_first_not_of(' ', *at);
  if (b == std::string_view::npos) {
    *at = line.size();
    return {};
  }
  size_t e = line.find(' ', b);
  if (e == std::string_view::npos) e = line.size();
  *at = e;
  return line.substr(b, e - b);
}

// The `column`-th word of `line` (0 is the "Tcp:" label).
std::string_view Word(std::string_view line, size_t column) {
  size_t at = 0;
  std::string_view w;
  for (size_t i = 0; i <= column; ++i) w = NextWord(line, &at);
  return w;
}

}  // namespace

// /proc/net/snmp holds each protocol as two lines: "Tcp: NAME NAME ..." then "Tcp: VALUE ...".
std::optional<uint64_t> ParsePassiveOpens(std::string_view snmp) {
  std::optional<size_t> column;
  while (!snmp.empty()) {
    size_t nl = snmp.find('\n');
    std::string_view line = snmp.substr(0, nl);
    snmp = nl == std::string_view::npos ? std::string_view() : snmp.substr(nl + 1);
    if (line.substr(0, 4) != "Tcp:") continue;
    if (!column) {
      size_t at = 0;
      for (size_t i = 0;; ++i) {
        std::string_view w = NextWord(line, &at);
        if (w.empty()) return std::nullopt;
        if (w == "PassiveOpens") {
          column = i;
          break;
        }
      }
      continue;
    }
    std::string_view v = Word(line, *column);
    if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    uint64_t n = 0;
    for (char c : v) n = n * 10 + static_cast<uint64_t>(c - '0');
    return n;
  }
  return std::nullopt;
}

PassiveOpensReader::PassiveOpensReader() : fd_(::open("/proc/self/net/snmp", O_RDONLY | O_CLOEXEC)) {
  buf_.resize(16 * 1024);
}

PassiveOpensReader::~PassiveOpensReader() {
  if (fd_ >= 0) ::close(fd_);
}

// A read at offset 0 makes the kernel print the file afresh (seq_file).
std::optional<uint64_t> PassiveOpensReader::Read() {
  if (fd_ < 0) return std::nullopt;
  ssize_t n = ::pread(fd_, buf_.data(), buf_.size(), 0);
  if (n <= 0) return std::nullopt;
  return ParsePassiveOpens(std::string_view(buf_.data(), static_cast<size_t>(n)));
}

}  // namespace lk
