// Runs inside a small VM whose kernel has netem (tests/vm/run-netem-vm.sh, the test
// NetemVm.* of tests/e2e/netem_vm_test.cc): labkeeper's own link manager and planner, linked
// statically, make two namespaces joined by a veth and show what an impairment does to the RTT of
// pings across it. Prints "ok ..." or "FAIL ..." per check, then "netem-vm: every check held" or
// "netem-vm: N failures". Needs root, the veth and sch_netem modules loaded, /run writable.
#include <arpa/inet.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "api/impairment.h"
#include "controller/link_manager.h"
#include "controller/planner.h"

namespace lk {
namespace {

int failures = 0;

void Check(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
  std::fflush(stdout);
  if (!ok) ++failures;
}

uint16_t Checksum(const void* data, size_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += (p[i] << 8) | p[i + 1];
  if (len % 2) sum += p[len - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons(static_cast<uint16_t>(~sum));
}

// Round trips in ms of `count` echo requests from inside `ns` to `to`, one at a time (a lost one:
// -1 after a 1 s wait).
std::vector<double> Ping(const NetNs& ns, const char* to, int count) {
  std::vector<double> rtts;
  int fd = -1;
  RunInNetns(ns, [&] { fd = ::socket(AF_INET, SOCK_RAW, IPPROTO_ICMP); });
  if (fd < 0) {
    std::printf("raw socket: %s\n", std::strerror(errno));
    return std::vector<double>(count, -1);
  }
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  inet_pton(AF_INET, to, &dst.sin_addr);
  for (int seq = 1; seq <= count; ++seq) {
    icmphdr req{};
    req.type = ICMP_ECHO;
    req.un.echo.id = htons(0x1ab);
    req.un.echo.sequence = htons(static_cast<uint16_t>(seq));
    req.checksum = Checksum(&req, sizeof req);
    auto sent = std::chrono::steady_clock::now();
    ::sendto(fd, &req, sizeof req, 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
    double rtt = -1;
    while (rtt < 0) {
      auto waited = std::chrono::steady_clock::now() - sent;
      int left = 1000 - static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(waited).count());
      pollfd p{fd, POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, left) <= 0) break;
      char buf[1500];
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n < 20) continue;
      size_t ihl = (buf[0] & 0x0f) * 4;
      if (static_cast<size_t>(n) < ihl + sizeof(icmphdr)) continue;
      icmphdr rep;
      std::memcpy(&rep, buf + ihl, sizeof rep);
      if (rep.type == ICMP_ECHOREPLY && ntohs(rep.un.echo.sequence) == seq && ntohs(rep.un.echo.id) == 0x1ab)
        rtt = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent).count();
    }
    rtts.push_back(rtt);
  }
  ::close(fd);
  return rtts;
}

// The median of the answered ones (-1 when none was).
double Median(std::vector<double> v) {
  v.erase(std::remove(v.begin(), v.end(), -1.0), v.end());
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string Ms(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", v);
  return buf;
}

const Iface* Find(const std::vector<Iface>& ifaces, const std::string& name) {
  for (const auto& i : ifaces)
    if (i.name == name) return &i;
  return nullptr;
}

Impairment Declared(std::initializer_list<std::pair<const char*, const char*>> values) {
  Impairment imp;
  for (const auto& [k, v] : values) SetImpairmentValue(&imp, k, v);
  return imp;
}

int Run() {
  auto links = MakeNetlinkLinkManager();
  auto a = links->MakeNamed("lkvm-a");
  auto b = links->MakeNamed("lkvm-b");
  if (!a || !b) {
    std::printf("FAIL namespaces: %s\n", (!a ? a.error() : b.error()).c_str());
    return 1;
  }
  // The link as a lab declares it (its a end impaired), made as labkeeper makes it.
  LinkConfig link;
  link.type = "veth";
  link.a = Endpoint{"a", "eth1", "02:00:00:00:01:0a", "10.99.0.1/24", "", "", Declared({{"delay", "50ms"}})};
  link.b = Endpoint{"b", "eth1", "02:00:00:00:01:0b", "10.99.0.2/24", "", "", std::nullopt};
  auto make = [&] {
    Status s = links->CreateVeth(*a, {"eth1", link.a.mac, "m", ""}, *b, {"eth1", link.b.mac, "m", ""}, 1500);
    if (s) s = links->AddAddress(*a, "eth1", link.a.ipv4);
    if (s) s = links->AddAddress(*b, "eth1", link.b.ipv4);
    return s;
  };
  // One pass over the a end's impairment: the planner's action for what is seen, carried out.
  auto pass = [&]() -> std::string {
    auto seen = links->List(*a);
    if (!seen) return "list: " + seen.error();
    auto action = ImpairmentAction(link, link.a, Find(*seen, "eth1"));
    if (!action) return "in sync";
    Status s = link.a.impair ? links->SetImpairment(*a, "eth1", *link.a.impair) : links->ClearImpairment(*a, "eth1");
    return action->reason + (s ? "" : ": " + s.message());
  };
  auto read_back = [&]() -> std::optional<Impairment> {
    auto seen = links->List(*a);
    const Iface* i = seen ? Find(*seen, "eth1") : nullptr;
    return i && i->qdisc_handle == 0x01ab0000 ? i->netem : std::nullopt;
  };

  Status made = make();
  Check(made.ok(), "a veth between two namespaces" + (made ? "" : ": " + made.message()));
  if (!made) return 1;
  Ping(*a, "10.99.0.2", 3);  // neighbour discovery out of the way
  double base = Median(Ping(*a, "10.99.0.2", 5));
  Check(base >= 0, "base RTT " + Ms(base));

  std::string did = pass();
  Check(did == "impairment missing: delay 50ms", "the planner asks for the declared impairment: " + did);
  auto back = read_back();
  Check(back && *back == *link.a.impair, "read back through netlink: " + (back ? back->str() : std::string("none")));
  double delayed = Median(Ping(*a, "10.99.0.2", 5));
  Check(delayed >= base + 45, "delay 50ms adds at least 45 ms: " + Ms(base) + " -> " + Ms(delayed));
  Check(pass() == "in sync", "the next pass finds it in sync");

  link.a.impair = Declared({{"delay", "100ms"}});
  did = pass();
  Check(did == "impairment delay 50ms != delay 100ms", "a changed value is changed in place: " + did);
  double more = Median(Ping(*a, "10.99.0.2", 5));
  Check(more >= base + 95, "delay 100ms takes effect: " + Ms(more));

  link.a.impair = Declared({{"loss", "100"}});
  pass();
  auto lost = Ping(*a, "10.99.0.2", 5);
  Check(std::count(lost.begin(), lost.end(), -1.0) == 5, "loss 100% drops everything");

  link.a.impair.reset();
  did = pass();
  Check(did == "impairment no longer declared (was loss 100%)", "a removed one is removed: " + did);
  double after = Median(Ping(*a, "10.99.0.2", 5));
  Check(after >= 0 && after < base + 20, "the base RTT is back: " + Ms(after));
  Check(!read_back(), "no qdisc of labkeeper's is left");

  link.a.impair = Declared({{"delay", "50ms"}});
  pass();
  Status gone = links->Delete(*a, "eth1");
  made = gone ? make() : gone;
  Check(made.ok(), "the veth deleted and made again" + (made ? "" : ": " + made.message()));
  did = pass();
  Check(did == "impairment missing: delay 50ms", "the recreated end's impairment is missing, and made: " + did);
  double again = Median(Ping(*a, "10.99.0.2", 5));
  Check(again >= base + 45, "the recreated veth has its impairment back: " + Ms(again));

  if (failures)
    std::printf("netem-vm: %d failures\n", failures);
  else
    std::printf("netem-vm: every check held\n");
  std::fflush(stdout);
  return failures ? 1 : 0;
}

}  // namespace
}  // namespace lk

int main() {
  return lk::Run();
}
