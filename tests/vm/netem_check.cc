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
#include <memory>
#include <optional>
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

// Two namespaces joined by a veth, the link as a lab declares it (its a end impaired), made as
// labkeeper makes it; a pass over the a end's impairment is the planner's action for what is seen,
// carried out.
class VmLab {
 public:
  bool Open() {
    auto a = links_->MakeNamed("lkvm-a"), b = links_->MakeNamed("lkvm-b");
    Check(a && b, "two namespaces" + (a && b ? "" : ": " + (!a ? a.error() : b.error())));
    if (!a || !b) return false;
    a_.emplace(std::move(*a));
    b_.emplace(std::move(*b));
    link.type = "veth";
    link.a = Endpoint{"a", "eth1", "02:00:00:00:01:0a", "10.99.0.1/24", "", "", Declared({{"delay", "50ms"}})};
    link.b = Endpoint{"b", "eth1", "02:00:00:00:01:0b", "10.99.0.2/24", "", "", std::nullopt};
    return true;
  }
  Status Make() {
    Status s = links_->CreateVeth(*a_, {"eth1", link.a.mac, "m", ""}, *b_, {"eth1", link.b.mac, "m", ""}, 1500);
    if (s) s = links_->AddAddress(*a_, "eth1", link.a.ipv4);
    if (s) s = links_->AddAddress(*b_, "eth1", link.b.ipv4);
    return s;
  }
  Status Delete() { return links_->Delete(*a_, "eth1"); }
  std::string Pass() {
    auto seen = links_->List(*a_);
    if (!seen) return "list: " + seen.error();
    auto action = ImpairmentAction(link, link.a, Find(*seen, "eth1"));
    if (!action) return "in sync";
    Status s =
        link.a.impair ? links_->SetImpairment(*a_, "eth1", *link.a.impair) : links_->ClearImpairment(*a_, "eth1");
    return action->reason + (s ? "" : ": " + s.message());
  }
  // labkeeper's netem on the a end as the kernel has it.
  std::optional<Impairment> ReadBack() {
    auto seen = links_->List(*a_);
    const Iface* i = seen ? Find(*seen, "eth1") : nullptr;
    return i && i->qdisc_handle == 0x01ab0000 ? i->netem : std::nullopt;
  }
  double Rtt() { return Median(Ping(*a_, "10.99.0.2", 5)); }
  int Lost() {
    auto rtts = Ping(*a_, "10.99.0.2", 5);
    return static_cast<int>(std::count(rtts.begin(), rtts.end(), -1.0));
  }

  LinkConfig link;

 private:
  std::unique_ptr<LinkManager> links_ = MakeNetlinkLinkManager();
  std::optional<NetNs> a_, b_;
};

// Made, read back, measured; then changed in place.
void DelayAndChange(VmLab& lab, double base) {
  std::string did = lab.Pass();
  Check(did == "impairment missing: delay 50ms", "the planner asks for the declared impairment: " + did);
  auto back = lab.ReadBack();
  Check(back && *back == *lab.link.a.impair,
        "read back through netlink: " + (back ? back->str() : std::string("none")));
  double delayed = lab.Rtt();
  Check(delayed >= base + 45, "delay 50ms adds at least 45 ms: " + Ms(base) + " -> " + Ms(delayed));
  Check(lab.Pass() == "in sync", "the next pass finds it in sync");
  lab.link.a.impair = Declared({{"delay", "100ms"}});
  did = lab.Pass();
  Check(did == "impairment delay 50ms != delay 100ms", "a changed value is changed in place: " + did);
  double more = lab.Rtt();
  Check(more >= base + 95, "delay 100ms takes effect: " + Ms(more));
}

// Loss, then none declared: removed.
void LossAndRemoval(VmLab& lab, double base) {
  lab.link.a.impair = Declared({{"loss", "100"}});
  lab.Pass();
  Check(lab.Lost() == 5, "loss 100% drops everything");
  lab.link.a.impair.reset();
  std::string did = lab.Pass();
  Check(did == "impairment no longer declared (was loss 100%)", "a removed one is removed: " + did);
  double after = lab.Rtt();
  Check(after >= 0 && after < base + 20, "the base RTT is back: " + Ms(after));
  Check(!lab.ReadBack(), "no qdisc of labkeeper's is left");
}

// The veth made again: the next pass finds the impairment missing and makes it.
void Recreated(VmLab& lab, double base) {
  lab.link.a.impair = Declared({{"delay", "50ms"}});
  lab.Pass();
  Status gone = lab.Delete();
  Status made = gone ? lab.Make() : gone;
  Check(made.ok(), "the veth deleted and made again" + (made ? "" : ": " + made.message()));
  std::string did = lab.Pass();
  Check(did == "impairment missing: delay 50ms", "the recreated end's impairment is missing, and made: " + did);
  double again = lab.Rtt();
  Check(again >= base + 45, "the recreated veth has its impairment back: " + Ms(again));
}

int Run() {
  VmLab lab;
  if (!lab.Open()) return 1;
  Status made = lab.Make();
  Check(made.ok(), "a veth between two namespaces" + (made ? "" : ": " + made.message()));
  if (!made) return 1;
  lab.Rtt();  // neighbour discovery out of the way
  double base = lab.Rtt();
  Check(base >= 0, "base RTT " + Ms(base));
  DelayAndChange(lab, base);
  LossAndRemoval(lab, base);
  Recreated(lab, base);
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
