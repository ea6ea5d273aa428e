#include "controller/tcp_counters.h"

#include <linux/tcp.h>  // the whole struct tcp_info; glibc's <netinet/tcp.h> must not be included here
#include <netinet/in.h>
#include <sys/socket.h>

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

}  // namespace lk
