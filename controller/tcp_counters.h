// What the kernel counts of one TCP connection (Linux's tcp_info, which glibc's header cuts
// short): bytes received and bytes acknowledged, and how long since data last moved.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lk {

struct TcpCounters {
  uint64_t cookie = 0;          // SO_COOKIE: the socket's id, never reused while the system runs
  uint64_t bytes_received = 0;  // from the peer
  uint64_t bytes_acked = 0;     // sent to the peer and acknowledged by it
  uint32_t ms_since_recv = 0;   // since data last arrived
  uint32_t ms_since_sent = 0;   // since data was last sent
};

// The counters of socket `fd`, or nullopt when it is not a TCP socket.
std::optional<TcpCounters> ReadTcpCounters(int fd);

// The TCP connections accepted in this network namespace since it was made (PassiveOpens, both
// IPv4 and IPv6), from the text of /proc/net/snmp; nullopt when the text has no such counter.
std::optional<uint64_t> ParsePassiveOpens(std::string_view snmp);

// The same, read again and again through one descriptor of /proc/self/net/snmp (the network
// namespace this process was in when it was made): no path walk and no allocation per read.
class PassiveOpensReader {
 public:
  PassiveOpensReader();
  ~PassiveOpensReader();
  PassiveOpensReader(const PassiveOpensReader&) = delete;
  PassiveOpensReader& operator=(const PassiveOpensReader&) = delete;
  std::optional<uint64_t> Read();

 private:
  int fd_ = -1;
  std::string buf_;
};

}  // namespace lk
