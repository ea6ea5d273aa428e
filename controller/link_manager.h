// Interfaces inside network namespaces, through netlink (libnl-route).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/result.h"
#include "controller/netns.h"

namespace lk {

// What one end of a veth pair should look like when created.
struct IfaceSpec {
  std::string name;
  std::string mac;     // empty: kernel-chosen
  std::string marker;  // ownership marker, stored as the interface alias
  // When set, the end is created under this name and renamed, marked and brought up in one
  // request afterwards, so an interrupted creation leaves only names the caller recognises.
  std::string temp_name;
};

// An interface as the kernel reports it.
struct Iface {
  std::string name;
  int ifindex = 0;
  int peer_ifindex = 0;  // IFLA_LINK: the veth peer's index in its own namespace
  std::string kind;      // "veth", "bridge", ... ("" for devices without link info)
  std::string alias;     // ownership marker when labkeeper made it
  int mtu = 0;
  std::string mac;
  bool admin_up = false;
  bool oper_up = false;
  // Counters as the kernel keeps them (IFLA_STATS64).
  uint64_t rx_bytes = 0, tx_bytes = 0, rx_packets = 0, tx_packets = 0, rx_errors = 0, tx_errors = 0, rx_dropped = 0,
           tx_dropped = 0;
};

// The seam between the controller and the kernel's links. Each namespace is given by an
// open NetNs; implementations must not move the caller's thread between namespaces.
class LinkManager {
 public:
  virtual ~LinkManager() = default;
  // Creates a veth pair with one end created directly in each namespace (no move afterwards),
  // both ends up, with the MTU, MACs and markers given. On failure nothing is left behind.
  virtual Status CreateVeth(const NetNs& ns_a, const IfaceSpec& a, const NetNs& ns_b, const IfaceSpec& b, int mtu) = 0;
  virtual Result<std::vector<Iface>> List(const NetNs& ns) = 0;
  virtual Status Delete(const NetNs& ns, const std::string& name) = 0;
  virtual Status SetUp(const NetNs& ns, const std::string& name) = 0;
  virtual Status SetMtu(const NetNs& ns, const std::string& name, int mtu) = 0;
  virtual Status SetMac(const NetNs& ns, const std::string& name, const std::string& mac) = 0;
};

std::unique_ptr<LinkManager> MakeNetlinkLinkManager();

}  // namespace lk
