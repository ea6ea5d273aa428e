// What the kernel counts of one TCP connection (Linux's tcp_info, which glibc's header cuts
// short): bytes received and bytes acknowledged, and how long since data last moved.
#pragma once

#include <cstdint>
#include <optional>

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

}  // namespace lk
