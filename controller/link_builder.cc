#include "controller/link_builder.h"

#include "api/strings.h"

namespace lk {

LinkBuilder::LinkBuilder(ContainerRuntime& runtime, LinkManager& links, Env& env, const LabSpec& lab,
                         const ObservedLab& observed, std::set<std::string> renewed)
    : runtime_(runtime), links_(links), env_(env), lab_(lab), observed_(observed), renewed_(std::move(renewed)) {}

std::shared_ptr<const NetNs> LinkBuilder::LookUp(const std::string& node) {
  const NodeConfig* attached = lab_.FindNode(node);
  if (attached && attached->IsContainer()) attached = nullptr;
  std::string holder = attached ? HolderContainer(lab_, *attached) : "";
  bool in_host = node == kHostNode || (attached && holder.empty());
  if (in_host) {
    if (!observed_.host_ns) why_[node] = "the host's network namespace could not be opened";
    return observed_.host_ns;
  }
  auto o = observed_.nodes.find(node);
  bool holder_renewed = attached && lab_.FindNode(attached->BridgeHolder()) && renewed_.count(attached->BridgeHolder());
  if (o != observed_.nodes.end() && o->second.ns && !renewed_.count(node) && !holder_renewed) return o->second.ns;
  // A container this pass made or started, or one the observation could not reach.
  std::string name = attached ? holder : lab_.ContainerName(node);
  auto c = runtime_.Get(name);
  if (!c) {
    why_[node] = c.error();
  } else if (!*c || !(*c)->running()) {
    why_[node] = "container " + name + " is not running";
  } else if (auto ns = links_.OfPid((*c)->pid)) {
    return std::make_shared<const NetNs>(std::move(*ns));
  } else {
    why_[node] = ns.error();
  }
  return nullptr;
}

const NetNs* LinkBuilder::NsOf(const std::string& node) {
  std::lock_guard lock(mu_);
  auto it = ns_.find(node);
  if (it == ns_.end()) it = ns_.emplace(node, LookUp(node)).first;
  return it->second.get();
}

Status LinkBuilder::Why(const std::string& node) {
  std::lock_guard lock(mu_);
  return Status::Fail(why_[node]);
}

std::vector<Iface> LinkBuilder::OwnedIn(const std::string& node) const {
  const NodeConfig* n = lab_.FindNode(node);
  bool in_host = node == kHostNode || (n && !n->IsContainer() && HolderContainer(lab_, *n).empty());
  if (in_host) return observed_.host_ifaces;
  if (renewed_.count(node)) return {};
  auto o = observed_.nodes.find(node);
  return o == observed_.nodes.end() ? std::vector<Iface>{} : o->second.ifaces;
}

void LinkBuilder::RemoveLeftovers(const std::string& node, const NetNs& ns, const std::set<std::string>& names) {
  for (const auto& i : OwnedIn(node))
    if (names.count(i.name)) links_.Delete(ns, i.name);
}

Status LinkBuilder::DeleteIface(const std::string& node, const std::string& iface) {
  const NetNs* ns = NsOf(node);
  return ns ? links_.Delete(*ns, iface) : Why(node);
}

Status LinkBuilder::MakeBridge(const NodeConfig& n) {
  const NetNs* ns = NsOf(n.name);
  if (!ns) return Why(n.name);
  SingleLinkSpec bridge;
  bridge.kind = "bridge";
  IfaceSpec spec{n.BridgeName(), "", IfaceMarker{lab_.name, n.name, "bridge/" + n.name}.str(), ""};
  return links_.CreateSingle(*ns, *ns, spec, bridge);  // forwarding is opened as ports join
}

Status LinkBuilder::CreateOneEnded(const LinkConfig& l, const NetNs& na) {
  const NetNs* host = NsOf(kHostNode);
  if (!host) return Why(kHostNode);
  RemoveLeftovers(l.a.node, na, {l.a.iface});
  SingleLinkSpec single;
  single.kind = l.type;
  single.parent = l.parent;
  single.mode = l.mode;
  single.remote = l.remote;
  single.vni = static_cast<uint32_t>(l.vni);
  single.port = static_cast<uint16_t>(l.dst_port);
  single.mtu = l.mtu;
  IfaceSpec spec{l.a.iface, l.a.mac, IfaceMarker{lab_.name, l.a.node, l.Id()}.str(), TempIfaceName(lab_.name, l, l.a)};
  Status s = links_.CreateSingle(*host, na, spec, single);
  return s ? Addresses(l.a, na) : s;
}

Status LinkBuilder::Create(const LinkConfig& l) {
  const NetNs* na = NsOf(l.a.node);
  if (!na) return Why(l.a.node);
  if (l.OneEnded()) return CreateOneEnded(l, *na);
  const NetNs* nb = NsOf(l.b.node);
  if (!nb) return Why(l.b.node);
  if (!l.stitch_netns.empty()) return CreateVethStitch(l, *na, *nb);
  // What is left of the link (one end, or a pair with the wrong peer): only interfaces that
  // carry this lab's marker.
  RemoveLeftovers(l.a.node, *na, {l.a.iface});
  std::set<std::string> b_names = {l.b.iface};
  if (!l.stitch_vxlan.empty()) b_names.insert(l.stitch_vxlan);
  RemoveLeftovers(l.b.node, *nb, b_names);
  Status s = links_.CreateVeth(*na, Spec(l, l.a), *nb, Spec(l, l.b), l.mtu);
  for (auto [ns, end] : {std::pair{na, &l.a}, std::pair{nb, &l.b}})
    if (s && !end->altname.empty()) s = links_.AddAltName(*ns, end->iface, end->altname);
  if (s) s = Join(l, *na, *nb);
  if (s && !l.stitch_vxlan.empty()) s = Stitch(l, *nb);
  if (s) s = Addresses(l.a, *na);
  if (s) s = Addresses(l.b, *nb);
  return s;
}

IfaceSpec LinkBuilder::Spec(const LinkConfig& l, const Endpoint& e) const {
  return IfaceSpec{e.iface, e.mac, IfaceMarker{lab_.name, e.node, l.Id()}.str(), TempIfaceName(lab_.name, l, e)};
}

// A veth-stitch: its namespace (made when absent; what is left of the link in it goes), a veth
// from each node end to its far end there, and a redirect each way between the far ends. On
// failure, what this made goes again.
Status LinkBuilder::CreateVethStitch(const LinkConfig& l, const NetNs& na, const NetNs& nb) {
  auto ns = links_.MakeNamed(l.stitch_netns);
  if (!ns) return ns.status();
  RemoveLeftovers(l.a.node, na, {l.a.iface});
  RemoveLeftovers(l.b.node, nb, {l.b.iface});
  if (auto seen = observed_.stitch_ns.find(l.stitch_netns); seen != observed_.stitch_ns.end()) {
    for (const auto& i : seen->second.ifaces) links_.Delete(*ns, i.name);
    for (const auto& name : seen->second.strays) links_.Delete(*ns, name);
  }
  std::vector<std::pair<const NetNs*, std::string>> made;
  Status s = Status::Ok();
  for (auto [node_ns, e] : {std::pair{&na, &l.a}, std::pair{&nb, &l.b}}) {
    if (s) s = links_.CreateVeth(*node_ns, Spec(l, *e), *ns, Spec(l, FarEnd(*e)), l.mtu);
    if (s) made.emplace_back(node_ns, e->iface);
  }
  if (s) s = links_.Redirect(*ns, l.a.node, l.b.node);
  if (s) s = links_.Redirect(*ns, l.b.node, l.a.node);
  if (s) s = Join(l, na, nb);
  if (!s)
    for (const auto& [where, name] : made) links_.Delete(*where, name);  // its far end goes with it
  return s;
}

Status LinkBuilder::Join(const LinkConfig& l, const NetNs& na, const NetNs& nb) {
  Status s = Status::Ok();
  if (l.type == "mgmt-net") {
    // The host end joins the management network's bridge.
    auto bridge = runtime_.NetworkBridge(lab_.mgmt.network);
    s = bridge ? links_.SetMaster(nb, l.b.iface, *bridge) : bridge.status();
  }
  // An end on a bridge node becomes its port; a host bridge (made here or found) also needs
  // forwarding opened in Docker's firewall.
  for (auto [ns, end] : {std::pair{&na, &l.a}, std::pair{&nb, &l.b}}) {
    const NodeConfig* n = lab_.FindNode(end->node);
    if (!s || !n || !n->IsBridge()) continue;
    s = links_.SetMaster(*ns, end->iface, n->BridgeName());
    if (s && n->InHostNamespace()) s = env_.AllowBridgeForwarding(lab_.name, n->BridgeName());
  }
  return s;
}

Status LinkBuilder::Addresses(const Endpoint& e, const NetNs& ns) {
  for (const std::string* cidr : {&e.ipv4, &e.ipv6})
    if (!cidr->empty())
      if (Status s = links_.AddAddress(ns, e.iface, *cidr); !s) return s;
  return Status::Ok();
}

// The VXLAN half of a vxlan-stitch: the device in the host namespace, and a redirect each way
// between it and the veth's host end. On failure the link is removed whole.
Status LinkBuilder::Stitch(const LinkConfig& l, const NetNs& host) {
  SingleLinkSpec vx;
  vx.kind = "vxlan";
  vx.remote = l.remote;
  vx.vni = static_cast<uint32_t>(l.vni);
  vx.port = static_cast<uint16_t>(l.dst_port);
  IfaceSpec spec{l.stitch_vxlan, "", IfaceMarker{lab_.name, l.b.node, l.Id()}.str(),
                 TempIfaceName(lab_.name, l, StitchEnd(l))};
  Status s = links_.CreateSingle(host, host, spec, vx);
  if (s) s = links_.Redirect(host, l.b.iface, l.stitch_vxlan);
  if (s) s = links_.Redirect(host, l.stitch_vxlan, l.b.iface);
  if (!s) {
    links_.Delete(host, l.stitch_vxlan);
    links_.Delete(host, l.b.iface);
  }
  return s;
}

Status LinkBuilder::Adopt(const LinkConfig& l) {
  for (const Endpoint* e : {&l.a, &l.b}) {
    if (e == &l.b && l.OneEnded()) break;
    const NetNs* ns = NsOf(e->node);
    if (!ns) return Why(e->node);
    if (Status s = links_.Mark(*ns, e->iface, IfaceMarker{lab_.name, e->node, l.Id()}.adopted()); !s) return s;
  }
  return Status::Ok();
}

Status LinkBuilder::Repair(const Action& a, const LinkConfig& l) {
  const Endpoint& e = l.a.node == a.node && l.a.iface == a.iface ? l.a : l.b;
  const NetNs* ns = NsOf(a.node);
  if (!ns) return Why(a.node);
  if (StartsWith(a.reason, "mtu")) return links_.SetMtu(*ns, a.iface, l.mtu);
  if (StartsWith(a.reason, "mac")) return links_.SetMac(*ns, a.iface, e.mac);
  if (StartsWith(a.reason, "altname")) return links_.AddAltName(*ns, a.iface, e.altname);
  if (StartsWith(a.reason, "address "))
    return links_.AddAddress(*ns, a.iface, a.reason.substr(8, a.reason.find(' ', 8) - 8));
  return links_.SetUp(*ns, a.iface);
}

Status LinkBuilder::Impair(const Action& a, const LinkConfig& l) {
  const Endpoint& e = l.a.node == a.node && l.a.iface == a.iface ? l.a : l.b;
  const NetNs* ns = NsOf(a.node);
  if (!ns) return Why(a.node);
  return e.impair ? links_.SetImpairment(*ns, a.iface, *e.impair) : links_.ClearImpairment(*ns, a.iface);
}

}  // namespace lk
