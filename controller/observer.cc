#include "controller/observer.h"

#include <optional>
#include <set>

#include "api/strings.h"

namespace lk {

Result<std::vector<Iface>> Observer::OwnedIfaces(const NetNs& ns, const std::string& lab) {
  auto all = links_.List(ns);
  if (!all) return all.status();
  std::vector<Iface> out;
  for (auto& i : *all) {
    auto m = IfaceMarker::Parse(i.alias);
    if (m && m->lab == lab) out.push_back(std::move(i));
  }
  return out;
}

Status Observer::Scan(const NetNs& ns, const LabSpec& lab, std::vector<Iface>* owned,
                      std::vector<std::string>* strays) {
  auto all = links_.List(ns);
  if (!all) return all.status();
  Classify(std::move(*all), lab, owned, strays);
  return Status::Ok();
}

void Observer::Classify(std::vector<Iface> all, const LabSpec& lab, std::vector<Iface>* owned,
                        std::vector<std::string>* strays) {
  // The lab's temporary names (each "lkt" and a hash), made only when an interface of the
  // namespace could be one: every namespace of a pass used to hash every link of the lab again.
  std::optional<std::set<std::string>> temp;
  auto temporary = [&](const std::string& name) {
    if (name.rfind(kTempIfacePrefix, 0) != 0) return false;
    if (!temp) {
      temp.emplace();
      for (const auto& l : lab.links) {
        for (const auto* e : {&l.a, &l.b}) temp->insert(TempIfaceName(lab.name, l, *e));
        if (!l.stitch_vxlan.empty()) temp->insert(TempIfaceName(lab.name, l, StitchEnd(l)));
        if (!l.stitch_netns.empty())
          for (const auto* e : {&l.a, &l.b}) temp->insert(TempIfaceName(lab.name, l, FarEnd(*e)));
      }
    }
    return temp->count(name) > 0;
  };
  for (auto& i : all) {
    auto m = IfaceMarker::Parse(i.alias);
    if (m && m->lab == lab.name)
      owned->push_back(std::move(i));
    else if (temporary(i.name))
      strays->push_back(i.name);
  }
}

std::string HolderContainer(const LabSpec& lab, const NodeConfig& n) {
  if (n.kind == "ext-container") return n.name;
  std::string holder = n.IsBridge() ? n.BridgeHolder() : "";
  if (holder.empty()) return "";
  const NodeConfig* h = lab.FindNode(holder);
  return h && h->IsContainer() ? lab.ContainerName(holder) : holder;
}

namespace {

bool HasHostAltNames(const LabSpec& lab) {
  for (const auto& l : lab.links)
    if (!l.b.altname.empty() && l.b.node == kHostNode) return true;
  return false;
}

bool HasBridge(const std::vector<Iface>& ifaces, const std::string& name) {
  for (const auto& i : ifaces)
    if (i.name == name && i.kind == "bridge") return true;
  return false;
}

}  // namespace

void Observer::ObserveAttached(const LabSpec& lab, const NodeConfig& n, ObservedNode* on, ObservedLab* o) {
  std::string holder = HolderContainer(lab, n);
  if (holder.empty()) {
    if (!n.IsBridge()) return;
    auto all = o->host_ns ? links_.List(*o->host_ns) : Result<std::vector<Iface>>(Status::Fail("no host namespace"));
    on->bridge_present = all && HasBridge(*all, n.BridgeName());
    on->ns = o->host_ns;
    return;
  }
  auto c = runtime_.Get(holder);
  if (!c) {
    o->errors.push_back(c.error());
    return;
  }
  if (!*c || !(*c)->running()) {
    on->unreachable = "container " + holder + (*c ? " is not running" : " does not exist");
    return;
  }
  on->container = **c;
  auto ns = links_.OfPid((*c)->pid);
  if (!ns) {
    on->unreachable = "container " + holder + ": " + ns.error();
    return;
  }
  on->ns = std::make_shared<const NetNs>(std::move(*ns));
  // One listing of the namespace: the bridge, and this node's ends (a bridge shares its
  // namespace with the container's own interfaces).
  auto listed = links_.List(*on->ns);
  if (!listed) {
    o->errors.push_back("node " + n.name + ": " + listed.error());
    return;
  }
  if (n.IsBridge()) on->bridge_present = HasBridge(*listed, n.BridgeName());
  std::vector<Iface> owned;
  Classify(std::move(*listed), lab, &owned, &on->strays);
  for (auto& i : owned)
    if (auto m = IfaceMarker::Parse(i.alias); m && m->node == n.name) on->ifaces.push_back(std::move(i));
}

void Observer::ObserveStitches(const LabSpec& lab, ObservedLab* o) {
  std::set<std::string> wanted;
  for (const auto& l : lab.links)
    if (!l.stitch_netns.empty()) wanted.insert(l.stitch_netns);
  auto names = links_.ListNamed();
  if (!names) {
    o->errors.push_back("named namespaces: " + names.error());
    return;
  }
  for (const auto& name : *names) {
    if (!IsVethStitchNetnsOf(lab.name, name)) continue;
    if (!wanted.count(name)) {
      o->stitch_orphans.push_back(name);
      continue;
    }
    auto ns = links_.FindNamed(name);
    if (!ns || !*ns) {
      if (!ns) o->errors.push_back("namespace " + name + ": " + ns.error());
      continue;
    }
    ObservedStitch& s = o->stitch_ns[name];
    s.ns = std::make_shared<const NetNs>(std::move(**ns));
    if (Status st = Scan(*s.ns, lab, &s.ifaces, &s.strays); !st)
      o->errors.push_back("namespace " + name + ": " + st.message());
  }
}

void Observer::AdoptableHostEnds(const LabSpec& lab, ObservedLab* o) {
  std::set<std::string> ends;
  for (const auto& l : lab.links)
    for (const auto* e : {&l.a, &l.b})
      if (lab.EndInHostNamespace(*e)) ends.insert(e->iface);
  if (ends.empty()) return;
  auto all = links_.List(*o->host_ns);
  Status s = all ? ClabIfaces(*o->host_ns, *all, &ends, &o->host_clab_ifaces) : all.status();
  if (!s) o->errors.push_back("host: " + s.message());
}

Status Observer::ClabIfaces(const NetNs& ns, const std::vector<Iface>& all, const std::set<std::string>* names,
                            std::vector<Iface>* out) {
  auto alt = links_.AltNames(ns);
  if (!alt) return alt.status();
  for (const auto& i : all) {
    auto it = alt->find(i.name);
    if (it == alt->end() || IfaceMarker::Parse(i.alias) || !HasClabOwnershipAltName(it->second)) continue;
    if (names && !names->count(i.name)) continue;
    out->push_back(i);
    out->back().altnames = it->second;
  }
  return Status::Ok();
}

void Observer::ScanNode(const LabSpec& lab, const std::string& node, ObservedNode* on, ObservedLab* o) {
  auto ns = links_.OfPid(on->container->pid);
  if (!ns) {
    on->container->state = "exited";  // it died between the listing and now
    return;
  }
  on->ns = std::make_shared<const NetNs>(std::move(*ns));
  auto all = links_.List(*on->ns);
  Status s = all.status();
  if (all) {
    // Not in a namespace it shares: there, containerlab's interfaces may be another lab's.
    if (on->containerlab && !lab.FindNode(node)->SharesNamespace())
      s = ClabIfaces(*on->ns, *all, nullptr, &on->clab_ifaces);
    Classify(std::move(*all), lab, &on->ifaces, &on->strays);
  }
  if (!s) o->errors.push_back("node " + node + ": " + s.message());
}

// Each node of the lab with its container: the lab's own, containerlab's (adopting), another's
// of the same name, or none; what is left of the lab's own is an orphan.
void Observer::MatchNodes(const LabSpec& lab, ObservedLab* o) {
  // labkeeper's own, and (adopting) containerlab's of this file
  std::map<std::string, ContainerState> by_name, clab_by_name;
  for (const auto& c : o->listed) (c.labels.count(kManagedByLabel) ? by_name : clab_by_name)[c.name] = c;
  // Every container's name, listed once on the first node the lab has no container for (a lab
  // being made has none: one listing instead of one inspection per node).
  std::optional<Result<std::set<std::string>>> names;
  auto name_taken = [&](const std::string& name) -> Result<bool> {
    if (!names) names = runtime_.Names();
    if (!*names) return names->status();
    return (*names)->count(name) > 0;
  };

  for (const auto& n : lab.nodes) {
    ObservedNode& on = o->nodes[n.name];
    if (!n.IsContainer()) {
      ObserveAttached(lab, n, &on, o);
      continue;
    }
    std::string cname = lab.ContainerName(n);
    if (auto it = by_name.find(cname); it != by_name.end()) {
      on.container = it->second;
      on.owned = true;
      by_name.erase(it);
    } else if (auto cl = clab_by_name.find(cname); cl != clab_by_name.end()) {
      on.container = cl->second;
      on.containerlab = MadeByContainerlabFor(cl->second, lab, n.name);
      clab_by_name.erase(cl);
    } else if (auto taken = name_taken(cname); !taken) {
      o->errors.push_back(taken.error());
    } else if (!*taken) {
      // no container of that name: nothing to ask the engine about
    } else if (auto c = runtime_.Get(cname); !c) {
      o->errors.push_back(c.error());
    } else if (*c) {
      on.container = **c;  // exists, but not ours for this lab
      on.owned = false;
    }
    if ((on.owned || on.containerlab) && on.container->running()) ScanNode(lab, n.name, &on, o);
  }
  for (auto& [name, c] : by_name) o->orphans.push_back(c);
  for (auto& [name, c] : clab_by_name)  // containerlab's, of this lab and file, for a node the file no longer has
    if (!lab.FindNode(c.labels.at(kNodeNameLabel))) o->orphans.push_back(c);
}

ObservedLab Observer::Observe(const LabSpec& lab, bool adopt) {
  ObservedLab o;
  o.lab = lab.name;
  auto host = links_.Host();
  if (host) o.host_ns = std::make_shared<const NetNs>(std::move(*host));
  if (auto n = runtime_.NetworkExists(lab.mgmt.network))
    o.network_exists = *n;
  else
    o.errors.push_back(n.error());

  auto listed = LabContainers(runtime_, lab.name, adopt ? lab.file : "");
  if (!listed) {
    o.errors.push_back(listed.error());
    return o;
  }
  o.listed = *listed;
  MatchNodes(lab, &o);

  Status s = o.host_ns ? Scan(*o.host_ns, lab, &o.host_ifaces, &o.host_strays) : host.status();
  if (!s) o.errors.push_back("host: " + s.message());
  ObserveStitches(lab, &o);
  if (s && o.host_ns && adopt) AdoptableHostEnds(lab, &o);
  if (s && o.host_ns && HasHostAltNames(lab)) {  // a listing of its own: only for labs that need it
    auto alt = links_.AltNames(*o.host_ns);
    if (!alt) o.errors.push_back("host: " + alt.error());
    for (auto& i : o.host_ifaces)
      if (alt)
        if (auto it = alt->find(i.name); it != alt->end()) i.altnames = it->second;
  }
  return o;
}

}  // namespace lk
