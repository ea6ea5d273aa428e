// One lab across hosts: each host's controller makes the nodes placed on it (NodeConfig::host)
// and its end of every link between hosts, as a VXLAN tunnel: a VXLAN device in the node's
// namespace under the node's interface name, MAC and MTU, its UDP socket in the host's namespace,
// sending to the peer host's underlay address. Both hosts derive the same VNI from the lab and
// the link. LocalView is this host's share of a lab as a plain LabSpec: its nodes, the links
// between them, and each cross-host link as a one-ended vxlan link, which the observer, planner
// and executor treat like any containerlab vxlan link (marked, observed, repaired, removed).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "api/topology.h"

namespace lk {

// Where the other hosts are: --peer HOST=ADDRESS (and --host-address for this one), and a Lab
// resource's spec.hosts, which wins for its lab.
struct HostTable {
  std::string me;                            // this controller's id
  std::map<std::string, std::string> peers;  // host id -> underlay address
  int port = 14789;                          // the tunnels' UDP port (--vxlan-port)
  int underlay_mtu = 1500;                   // the path's MTU between hosts (--underlay-mtu)
};

// The VNI of a link between hosts: from the lab's name and the link's id, the same on every host
// (1 .. 2^24-2).
uint32_t CrossHostVni(const std::string& lab, const std::string& link_id);

// A link between hosts, from this host's side.
struct Tunnel {
  std::string link;       // the file's link id (a:eth1--b:eth1)
  std::string local_end;  // node:iface on this host
  std::string peer_host, peer_end, remote;
  uint32_t vni = 0;
  int port = 0;
  std::string vxlan_id;  // the local link's id (LinkConfig::Id of its vxlan link)
  std::string problem;   // why it is not made ("" when it is)
  // The link's MTU against the underlay's less VXLAN's 50 bytes (70 over IPv6): whether its
  // frames cross whole or fragmented between the hosts.
  std::string mtu;
};

struct LocalLab {
  LabSpec spec;                                     // what this host makes
  std::vector<Tunnel> tunnels;                      // every link between this host and another
  std::map<std::string, std::string> remote_nodes;  // node -> host, for nodes placed elsewhere
  std::vector<std::string> Problems() const;
};

// This host's share of `lab`. A lab on one host is itself. `taken`: VNIs claimed on this host by
// other labs' links (VNI -> "lab link"), whose tunnels yield (VniConflicts).
LocalLab LocalView(const LabSpec& lab, const HostTable& hosts, const std::map<uint32_t, std::string>& taken = {});

// The VNIs `labs` use on this host (their vxlan links' and their tunnels'), each with the first
// (lab, link) by name that claims it: what LocalView of each lab is given to find its collisions.
std::map<uint32_t, std::string> VniClaims(const std::vector<const LabSpec*>& labs, const HostTable& hosts);

}  // namespace lk
