// Interfaces inside network namespaces, through netlink (libnl-route).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/impairment.h"
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
  int peer_ifindex = 0;               // IFLA_LINK: the veth peer's index in its own namespace
  std::string kind;                   // "veth", "bridge", ... ("" for devices without link info)
  std::string alias;                  // ownership marker when labkeeper made it
  std::vector<std::string> altnames;  // filled by the observer from AltNames, where a lab needs them
  int mtu = 0;
  std::string mac;
  std::string remote;                  // vxlan: the remote VTEP it sends to ("" when none)
  std::vector<std::string> addresses;  // "address/prefix", IPv4 and global IPv6
  bool admin_up = false;
  bool oper_up = false;
  // Its root qdisc: kind ("noqueue", "netem", ...), handle (0: the kernel's default; 1ab: labkeeper's,
  // kOwnQdiscHandle) and, for netem, what it does.
  std::string qdisc;
  uint32_t qdisc_handle = 0;
  std::optional<Impairment> netem;
  // Counters as the kernel keeps them (IFLA_STATS64).
  uint64_t rx_bytes = 0, tx_bytes = 0, rx_packets = 0, tx_packets = 0, rx_errors = 0, tx_errors = 0, rx_dropped = 0,
           tx_dropped = 0;
};

// What makes a one-ended interface what it is.
struct SingleLinkSpec {
  std::string kind;             // macvlan | dummy | vxlan
  std::string parent;           // macvlan: the host interface it sits on
  std::string mode = "bridge";  // macvlan mode
  std::string remote;           // vxlan: the remote VTEP
  uint32_t vni = 0;
  uint16_t port = 14789;  // vxlan: UDP destination port (containerlab's default)
  int mtu = 0;            // 0: the kernel's default for the kind
};

// The seam between the controller and the kernel's links. Each namespace is given by a NetNs
// this link manager handed out; implementations must not move the caller's thread between
// namespaces.
class LinkManager {
 public:
  virtual ~LinkManager() = default;
  // The network namespace of a running process (a container's), and this process's own.
  virtual Result<NetNs> OfPid(int pid) = 0;
  virtual Result<NetNs> Host() = 0;
  // Creates a veth pair with one end created directly in each namespace (no move afterwards),
  // both ends up, with the MTU, MACs and markers given. On failure nothing is left behind.
  virtual Status CreateVeth(const NetNs& ns_a, const IfaceSpec& a, const NetNs& ns_b, const IfaceSpec& b, int mtu) = 0;
  // Creates a one-ended interface of `kind` (macvlan, dummy, vxlan) straight in `target`; for
  // macvlan and vxlan the parent / underlay is in `underlay`. Named, marked and brought up.
  virtual Status CreateSingle(const NetNs& underlay, const NetNs& target, const IfaceSpec& spec,
                              const struct SingleLinkSpec& link) = 0;
  // Sends every frame that arrives on `from` out of `to` (tc ingress, mirred egress redirect),
  // both in `ns`: half of a vxlan-stitch, whose veth end and VXLAN device are joined this way.
  virtual Status Redirect(const NetNs& ns, const std::string& from, const std::string& to) = 0;
  // Adds an address ("192.168.0.1/24", "2001:db8::1/64") to interface `name` in `ns`; an
  // address that is there already is fine.
  virtual Status AddAddress(const NetNs& ns, const std::string& name, const std::string& cidr) = 0;
  // Enslaves interface `name` to bridge `master` (both in `ns`).
  virtual Status SetMaster(const NetNs& ns, const std::string& name, const std::string& master) = 0;
  virtual Result<std::vector<Iface>> List(const NetNs& ns) = 0;
  virtual Status Delete(const NetNs& ns, const std::string& name) = 0;
  virtual Status SetUp(const NetNs& ns, const std::string& name) = 0;
  virtual Status SetMtu(const NetNs& ns, const std::string& name, int mtu) = 0;
  virtual Status SetMac(const NetNs& ns, const std::string& name, const std::string& mac) = 0;
  // Makes interface `name`'s root qdisc labkeeper's netem doing `imp` (changed in place when it
  // is labkeeper's already). A kernel without netem: "this kernel has no netem qdisc ...".
  virtual Status SetImpairment(const NetNs& ns, const std::string& name, const Impairment& imp) = 0;
  // Removes labkeeper's root qdisc from `name`; a root qdisc of someone else's is refused.
  virtual Status ClearImpairment(const NetNs& ns, const std::string& name) = 0;
  // Gives an existing interface an ownership marker (its alias): how an adopted one becomes the lab's.
  virtual Status Mark(const NetNs& ns, const std::string& name, const std::string& marker) = 0;
  // Gives interface `name` in `ns` the alternative name `altname`, which `ip` and the kernel
  // resolve like a name (up to 127 bytes): how a name longer than Linux's 15 characters is kept.
  // An alternative name it has already is fine.
  virtual Status AddAltName(const NetNs& ns, const std::string& name, const std::string& altname) = 0;
  // The alternative names of the interfaces in `ns` that have any, by interface name: a listing
  // of its own, asked for only where a lab has such names (List does not report them).
  virtual Result<std::map<std::string, std::vector<std::string>>> AltNames(const NetNs& ns) = 0;
  // Named network namespaces (/run/netns/NAME, as `ip netns` keeps them), which a veth-stitch's
  // far ends live in: the one of that name, made when absent; the one of that name if it exists;
  // every name; removal, with every interface in it (an absent one is fine).
  virtual Result<NetNs> MakeNamed(const std::string& name) = 0;
  virtual Result<std::optional<NetNs>> FindNamed(const std::string& name) = 0;
  virtual Result<std::vector<std::string>> ListNamed() = 0;
  virtual Status DeleteNamed(const std::string& name) = 0;
};

std::unique_ptr<LinkManager> MakeNetlinkLinkManager();

}  // namespace lk
