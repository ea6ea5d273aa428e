#include "controller/multi_host.h"

#include "api/strings.h"

namespace lk {

uint32_t CrossHostVni(const std::string& lab, const std::string& link_id) {
  return 1 + static_cast<uint32_t>(Fnv1a64(lab + "\n" + link_id) % 16777214u);
}

std::vector<std::string> LocalLab::Problems() const {
  std::vector<std::string> out;
  for (const auto& t : tunnels)
    if (!t.problem.empty()) out.push_back("link/" + t.link + ": " + t.problem);
  return out;
}

namespace {

std::string HostOf(const LabSpec& lab, const std::string& node) {
  const NodeConfig* n = lab.FindNode(node);
  return n ? n->host : "";
}

// Where a host is: the lab's own spec.hosts first, then the controller's table.
std::string AddressOf(const LabSpec& lab, const HostTable& hosts, const std::string& host) {
  if (auto it = lab.host_addresses.find(host); it != lab.host_addresses.end()) return it->second;
  if (auto it = hosts.peers.find(host); it != hosts.peers.end()) return it->second;
  return "";
}

std::string Claimant(const LabSpec& lab, const std::string& link) {
  return "lab " + lab.name + " link " + link;
}

// A link between two nodes on different hosts, this host's end of it made a one-ended vxlan link.
LinkConfig TunnelEnd(const LinkConfig& l, const Endpoint& local, const Tunnel& t) {
  LinkConfig vx;
  vx.type = "vxlan";
  vx.a = local;
  vx.mtu = l.mtu;
  vx.remote = t.remote;
  vx.vni = static_cast<int>(t.vni);
  vx.dst_port = t.port;
  vx.pos = l.pos;
  return vx;
}

}  // namespace

LocalLab LocalView(const LabSpec& lab, const HostTable& hosts, const std::map<uint32_t, std::string>& taken) {
  LocalLab out;
  out.spec = lab;
  if (!lab.Spread()) return out;
  out.spec.nodes.clear();
  out.spec.links.clear();
  for (const auto& n : lab.nodes) {
    if (n.host == hosts.me)
      out.spec.nodes.push_back(n);
    else
      out.remote_nodes[n.name] = n.host;
  }
  for (const auto& l : lab.links) {
    std::string ha = HostOf(lab, l.a.node), hb = l.OneEnded() || l.b.node == kHostNode ? ha : HostOf(lab, l.b.node);
    if (ha != hosts.me && hb != hosts.me) continue;  // another host's
    if (ha == hb) {
      out.spec.links.push_back(l);
      continue;
    }
    bool a_here = ha == hosts.me;
    const Endpoint& local = a_here ? l.a : l.b;
    const Endpoint& far = a_here ? l.b : l.a;
    Tunnel t;
    t.link = l.Id();
    t.local_end = local.node + ":" + local.iface;
    t.peer_host = a_here ? hb : ha;
    t.peer_end = far.node + ":" + far.iface;
    t.remote = AddressOf(lab, hosts, t.peer_host);
    t.vni = CrossHostVni(lab.name, t.link);
    t.port = hosts.port;
    if (l.type != "veth")
      t.problem = "a " + l.type + " link cannot cross hosts (only a veth link between two nodes becomes a tunnel)";
    else if (!l.stitch_netns.empty() || !l.stitch_vxlan.empty())
      t.problem = "a stitched link cannot cross hosts";
    else if (t.remote.empty())
      t.problem = "host " + t.peer_host + " has no underlay address: give --peer " + t.peer_host +
                  "=ADDRESS (or spec.hosts in a Lab resource)";
    else if (auto c = taken.find(t.vni); c != taken.end() && c->second != Claimant(lab, t.link))
      t.problem = "its VNI " + std::to_string(t.vni) + " is taken on this host by " + c->second;
    int overhead = t.remote.find(':') == std::string::npos ? 50 : 70, room = hosts.underlay_mtu - overhead;
    int mtu = l.mtu > 0 ? l.mtu : 1500;
    t.mtu = mtu <= room ? "MTU " + std::to_string(mtu) + " fits the underlay's " + std::to_string(hosts.underlay_mtu) +
                              " with VXLAN's " + std::to_string(overhead) + " bytes"
                        : "MTU " + std::to_string(mtu) + " is kept on the tunnel end (the file's); frames over " +
                              std::to_string(room) + " bytes (the underlay's " + std::to_string(hosts.underlay_mtu) +
                              " less VXLAN's " + std::to_string(overhead) +
                              ") cross the underlay fragmented; set the link's mtu to " + std::to_string(room) +
                              " to avoid that";
    if (t.problem.empty()) {
      LinkConfig vx = TunnelEnd(l, local, t);
      t.vxlan_id = vx.Id();
      out.spec.links.push_back(std::move(vx));
    }
    out.tunnels.push_back(std::move(t));
  }
  return out;
}

std::map<uint32_t, std::string> VniClaims(const std::vector<const LabSpec*>& labs, const HostTable& hosts) {
  std::map<uint32_t, std::string> claims;
  // The file's own vxlan links first (their VNIs are written down), then the derived ones.
  for (const LabSpec* lab : labs)
    for (const auto& l : lab->links)
      if (l.vni > 0) claims.emplace(static_cast<uint32_t>(l.vni), Claimant(*lab, l.Id()));
  for (const LabSpec* lab : labs) {
    if (!lab->Spread()) continue;
    for (const auto& t : LocalView(*lab, hosts).tunnels)
      if (t.problem.empty()) claims.emplace(t.vni, Claimant(*lab, t.link));
  }
  return claims;
}

}  // namespace lk
