#include "controller/planner.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "api/addresses.h"
#include "api/strings.h"

namespace lk {

namespace {

const Iface* FindIface(const std::vector<Iface>& ifaces, const std::string& name) {
  for (const auto& i : ifaces)
    if (i.name == name) return &i;
  return nullptr;
}

class Planner {
 public:
  Planner(const LabSpec& d, const ObservedLab& o, std::string owner) : d_(d), o_(o), owner_(std::move(owner)) {
    for (const auto& n : d_.nodes) nodes_.emplace(n.name, &n);
  }

  Plan Make() {
    plan_.actions.reserve(d_.nodes.size() + d_.links.size() + 1);  // a lab made from nothing
    bool needs_network = false;
    for (const auto& n : d_.nodes) needs_network |= n.IsContainer() && n.network_mode.empty();
    if (needs_network && !o_.network_exists)
      Add(ActionKind::kCreateNetwork, "network/" + d_.mgmt.network, "missing", "");
    for (const auto& c : o_.orphans) {
      std::string node = c.labels.count(kNodeNameLabel) ? c.labels.at(kNodeNameLabel) : c.name;
      if (std::string other = OtherOwner(c); !other.empty()) {
        Add(ActionKind::kConflict, "node/" + node, HeldReason(c, other), node);
        continue;
      }
      Action a = Make(ActionKind::kRemoveContainer, "node/" + node, "orphan", node);
      a.container_id = c.id;
      plan_.actions.push_back(a);
    }
    for (const auto& n : d_.nodes) PlanNode(n);
    for (const auto& n : d_.nodes)
      if (n.IsBridge()) {
        bridge_ids_.insert("bridge/" + n.name);
        desired_ifaces_.insert(n.name + ":" + n.BridgeName());
      }
    for (const auto& l : d_.links) {
      // (An end of a host-namespace node sits among the host's interfaces, and is found there
      // by its marker's node.)
      for (const auto* e : {&l.a, &l.b}) desired_ifaces_.insert(e->node + ":" + e->iface);
      if (!l.stitch_vxlan.empty()) desired_ifaces_.insert(std::string(kHostNode) + ":" + l.stitch_vxlan);
    }
    PlanStrays();
    PlanOrphanIfaces();  // before links: a stale interface may hold a name a link needs
    for (const auto& name : o_.stitch_orphans) {
      Action a = Make(ActionKind::kDeleteNetns, "netns/" + name, "orphan", "");
      a.iface = name;
      plan_.actions.push_back(a);
    }
    for (const auto& l : d_.links) PlanLink(l);
    PlanClabLeftovers();
    for (auto& a : repairs_) plan_.actions.push_back(std::move(a));
    // exec configures a node's interfaces, as containerlab runs it after deploy: again when the
    // node is new or restarted, and when any of its links was made anew.
    for (const auto& n : d_.nodes) {
      if (n.exec.empty()) continue;
      if (fresh_.count(n.name))
        Add(ActionKind::kExec, "node/" + n.name, "node started", n.name);
      else if (relinked_.count(n.name))
        Add(ActionKind::kExec, "node/" + n.name, "links recreated", n.name);
    }
    Order();
    return std::move(plan_);
  }

 private:
  Action Make(ActionKind k, std::string object, std::string reason, std::string node) {
    Action a;
    a.kind = k;
    a.object = std::move(object);
    a.reason = std::move(reason);
    a.node = std::move(node);
    return a;
  }
  void Add(ActionKind k, std::string object, std::string reason, std::string node) {
    plan_.actions.push_back(Make(k, std::move(object), std::move(reason), std::move(node)));
  }

  // The controller whose container this is when it is not this one's (labkeeper.dev/owner); ""
  // when it is this one's, or no owner is known.
  std::string OtherOwner(const ContainerState& c) const {
    auto it = c.labels.find(kOwnerLabel);
    if (owner_.empty() || !c.labels.count(kManagedByLabel) || it == c.labels.end() || it->second.empty() ||
        it->second == owner_)
      return "";
    return it->second;
  }
  std::string HeldReason(const ContainerState& c, const std::string& other) const {
    return "container " + c.name + " belongs to controller " + other + " (label labkeeper.dev/owner), not to " +
           owner_ + ": not touched; `labkeeper destroy --lab " + d_.name + "` on " + other +
           " (or docker rm) hands the lab over";
  }

  // Why a container holding a node's name is not touched.
  std::string NotOursReason(const ContainerState& c) const {
    auto lab = c.labels.find(kLabLabel);
    if (lab == c.labels.end() || !c.labels.count(kNodeNameLabel) || c.labels.count(kManagedByLabel))
      return "container " + c.name + " exists and is not managed by labkeeper; remove or rename it";
    auto file = c.labels.find(kTopoFileLabel);
    std::string from = file == c.labels.end() ? "" : " from " + file->second;
    std::string head = "container " + c.name + " exists and is not managed by labkeeper: containerlab made it for ";
    if (lab->second == d_.name && file != c.labels.end() && file->second == d_.file)
      return head + "this lab from this file; apply --adopt (run --adopt, spec.adopt) takes it over";
    return head + "lab " + lab->second + from + ", not this file's to adopt; remove or rename it";
  }

  // bridge, ovs-bridge, host, ext-container: nothing to run; a missing Linux bridge is made,
  // anything else missing blocks the node's links with the reason.
  void PlanAttached(const NodeConfig& n, const ObservedNode* o) {
    std::string object = "node/" + n.name;
    auto block = [&](std::string why) {
      Add(ActionKind::kConflict, object, std::move(why), n.name);
      blocked_.insert(n.name);
    };
    // A bridge inside a lab node's container is made once that container runs.
    const NodeConfig* holder = n.IsBridge() && !n.BridgeHolder().empty() ? Node(n.BridgeHolder()) : nullptr;
    bool in_lab_node = holder && holder->IsContainer();
    if (o && !o->unreachable.empty() && !in_lab_node) return block(o->unreachable);
    if (!n.IsBridge() || (o && o->bridge_present)) return;
    if (n.kind == "ovs-bridge")
      return block("Open vSwitch bridge " + n.BridgeName() +
                   " does not exist; labkeeper does not create ovs-bridges (ovs-vsctl add-br " + n.BridgeName() + ")");
    Add(ActionKind::kCreateBridge, "bridge/" + n.name, "missing", n.name);
    fresh_.insert(n.name);
  }

  void PlanNode(const NodeConfig& n) {
    const ObservedNode* o = nullptr;
    if (auto it = o_.nodes.find(n.name); it != o_.nodes.end()) o = &it->second;
    if (!n.IsContainer()) return PlanAttached(n, o);
    std::string object = "node/" + n.name;
    if (!o || !o->container) {
      Add(ActionKind::kCreateContainer, object, "missing", n.name);
      fresh_.insert(n.name);
      return;
    }
    const ContainerState& c = *o->container;
    if (!o->owned && !o->containerlab) {
      Add(ActionKind::kConflict, object, NotOursReason(c), n.name);
      blocked_.insert(n.name);
      return;
    }
    if (std::string other = OtherOwner(c); !other.empty()) {
      Add(ActionKind::kConflict, object, HeldReason(c, other), n.name);
      blocked_.insert(n.name);
      return;
    }
    std::string mismatch = o->containerlab ? AdoptionMismatch(c, n) : "";
    auto hash = c.labels.find(kSpecHashLabel);
    if (o->containerlab && mismatch.empty()) {
      plan_.adopted.push_back(n.name);
      adopted_.insert(n.name);
    } else if (o->containerlab || hash == c.labels.end() || hash->second != n.SpecHash()) {
      std::string why = o->containerlab ? "made by containerlab, not the node's spec: " + mismatch : "spec changed";
      if (!o->containerlab && c.image != n.image) why += ": image";
      Action rm = Make(ActionKind::kRemoveContainer, object, why, n.name);
      rm.container_id = c.id;
      plan_.actions.push_back(rm);
      Add(ActionKind::kCreateContainer, object, why, n.name);
      fresh_.insert(n.name);
      return;
    }
    if (!c.running()) {
      Add(ActionKind::kStartContainer, object, Lower(c.state.empty() ? "not running" : c.state), n.name);
      fresh_.insert(n.name);
    }
  }

  const std::vector<Iface>* IfacesOf(const std::string& node) const {
    if (node == kHostNode) return &o_.host_ifaces;
    if (const NodeConfig* n = Node(node); n && n->InHostNamespace()) return &o_.host_ifaces;
    auto it = o_.nodes.find(node);
    return it == o_.nodes.end() ? nullptr : &it->second.ifaces;
  }

  void PlanLink(const LinkConfig& l) {
    const std::string id = l.Id();  // made once: every look at a marker compares with it
    std::string object = "link/" + id;
    std::function<void(std::string)> create = [&](std::string reason) {
      Action a = Make(ActionKind::kCreateLink, object, std::move(reason), l.a.node);
      a.link_id = id;
      plan_.actions.push_back(std::move(a));
      relinked_.insert(l.a.node);
      relinked_.insert(l.b.node);
      for (const Endpoint* e : {&l.a, &l.b})  // made after the link (repairs_ are)
        if (auto imp = ImpairmentAction(l, *e, nullptr)) repairs_.push_back(*imp);
    };
    for (const auto* end : {&l.a, &l.b}) {
      if (blocked_.count(end->node)) {
        Action a = Make(ActionKind::kConflict, object, "node " + end->node + " cannot be made", end->node);
        a.link_id = id;
        plan_.actions.push_back(std::move(a));
        return;
      }
    }
    if (fresh_.count(l.a.node) || fresh_.count(l.b.node)) return create("link missing");
    const std::vector<Iface>* ia = IfacesOf(l.a.node);
    const Iface* a = ia ? FindIface(*ia, l.a.iface) : nullptr;
    auto marked = [&](const Iface* i, const Endpoint& e) {
      auto m = i ? IfaceMarker::Parse(i->alias) : std::nullopt;
      return m && m->link == id && m->node == e.node;
    };
    if (l.OneEnded()) {  // macvlan, dummy, vxlan: one interface, no peer
      if (marked(a, l.a) && l.type == "vxlan" && !a->remote.empty() && !SameAddress(a->remote, l.remote))
        return create("remote " + a->remote + " != " + l.remote);  // a peer host that moved, say
      if (marked(a, l.a)) return RepairEnd(l, l.a, *a);
      if (!TakeOver(l, nullptr, nullptr, create)) create("link missing");
      return;
    }
    if (!l.stitch_netns.empty()) {  // veth-stitch: anything amiss remakes it whole
      if (std::string why = StitchProblem(l, marked); !why.empty()) return create(why);
      RepairEnd(l, l.a, *a);
      return RepairEnd(l, l.b, *FindIface(*IfacesOf(l.b.node), l.b.iface));
    }
    const std::vector<Iface>* ib = IfacesOf(l.b.node);
    const Iface* b = ib ? FindIface(*ib, l.b.iface) : nullptr;
    bool has_a = marked(a, l.a), has_b = marked(b, l.b);
    if (TakeOver(l, has_a ? a : nullptr, has_b ? b : nullptr, create)) return;
    if (!has_a && !has_b) return create("link missing");
    if (!has_a) return create("link missing on " + l.a.node + ":" + l.a.iface);
    if (!has_b) return create("link missing on " + l.b.node + ":" + l.b.iface);
    if (a->peer_ifindex != b->ifindex || b->peer_ifindex != a->ifindex) return create("peer mismatch");
    if (!l.stitch_vxlan.empty()) {
      const Iface* vx = FindIface(o_.host_ifaces, l.stitch_vxlan);
      if (!marked(vx, l.b)) return create("vxlan " + l.stitch_vxlan + " missing");
      if (!vx->admin_up) {
        Action a = Make(ActionKind::kRepairIface, "iface/host:" + l.stitch_vxlan, "interface down", kHostNode);
        a.link_id = l.Id();
        a.iface = l.stitch_vxlan;
        repairs_.push_back(a);
      }
    }
    RepairEnd(l, l.a, *a);
    RepairEnd(l, l.b, *b);
  }

  // A link of which containerlab made an end (`a`, `b`: the ends labkeeper marked as the link's,
  // or null) is taken over when its ends are each other's peers, else made anew (containerlab's
  // ends go first, with the reason). False when containerlab made none of its ends.
  bool TakeOver(const LinkConfig& l, const Iface* a, const Iface* b, const std::function<void(std::string)>& create) {
    const Iface* ca = a ? nullptr : ClabEnd(l.a);
    const Iface* cb = b || l.OneEnded() ? nullptr : ClabEnd(l.b);
    if (!ca && !cb) return false;
    const Iface* ea = a ? a : ca;
    const Iface* eb = b ? b : cb;
    std::string why;
    if (l.OneEnded() && ca->kind != l.type)
      why = "made by containerlab as " + ca->kind + ", the link is " + l.type;
    else if (!l.OneEnded() && !(ea && eb && ea->peer_ifindex == eb->ifindex && eb->peer_ifindex == ea->ifindex &&
                                l.stitch_vxlan.empty()))
      why = "made by containerlab, not this link's pair";
    if (!why.empty()) {
      for (auto [c, e] : {std::pair{ca, &l.a}, std::pair{cb, &l.b}})
        if (c) clab_why_[ClabKey(*e)] = why;
      create(l.OneEnded() ? "containerlab's interface is not the link's"
                          : "containerlab's ends are not the link's pair");
      return true;
    }
    Adopt(l);
    RepairEnd(l, l.a, *ea);
    if (!l.OneEnded()) RepairEnd(l, l.b, *eb);
    return true;
  }

  bool InHostNamespace(const Endpoint& e) const {
    const NodeConfig* n = Node(e.node);
    return e.node == kHostNode || (n && n->InHostNamespace());
  }
  // The lab's node of that name, or null: looked up, not searched (a plan of a large lab asks per
  // node and per link end).
  const NodeConfig* Node(const std::string& name) const {
    auto it = nodes_.find(name);
    return it == nodes_.end() ? nullptr : it->second;
  }
  // "node:iface" of containerlab's interface for an end, as PlanClabLeftovers names it.
  std::string ClabKey(const Endpoint& e) const { return (InHostNamespace(e) ? kHostNode : e.node) + ":" + e.iface; }

  // containerlab's interface for an end, in a node adopted as it is (or the host's namespace).
  const Iface* ClabEnd(const Endpoint& e) const {
    if (InHostNamespace(e)) return FindIface(o_.host_clab_ifaces, e.iface);
    auto it = o_.nodes.find(e.node);
    if (it == o_.nodes.end() || !adopted_.count(e.node) || fresh_.count(e.node)) return nullptr;
    // (A node sharing a namespace has none: its links are made anew.)
    return FindIface(it->second.clab_ifaces, e.iface);
  }

  // A link containerlab made, taken over as it is: its ends get labkeeper's marker.
  void Adopt(const LinkConfig& l) {
    Action a = Make(ActionKind::kAdoptLink, "link/" + l.Id(), "made by containerlab", l.a.node);
    a.link_id = l.Id();
    plan_.actions.push_back(a);
    taken_.insert(ClabKey(l.a));
    if (!l.OneEnded()) taken_.insert(ClabKey(l.b));
  }

  // containerlab's interfaces no link takes over go, before any link is made: one may hold the
  // name a link needs.
  void PlanClabLeftovers() {
    auto check = [&](const std::string& node, const std::vector<Iface>& ifaces) {
      for (const auto& i : ifaces) {
        std::string key = node + ":" + i.name;
        if (taken_.count(key)) continue;
        auto why = clab_why_.find(key);
        Action a =
            Make(ActionKind::kDeleteIface, "iface/" + key,
                 why != clab_why_.end() ? why->second : "made by containerlab; no link of the file has it", node);
        a.iface = i.name;
        plan_.actions.push_back(a);
      }
    };
    for (const auto& [name, o] : o_.nodes)
      if (adopted_.count(name) && !fresh_.count(name)) check(name, o.clab_ifaces);
    check(kHostNode, o_.host_clab_ifaces);
  }

  // What is wrong with a veth-stitch: each node end's peer is its far end, named after its node,
  // in the link's namespace, marked and up; "" when nothing is.
  std::string StitchProblem(const LinkConfig& l, const std::function<bool(const Iface*, const Endpoint&)>& marked) {
    auto ns = o_.stitch_ns.find(l.stitch_netns);
    if (ns == o_.stitch_ns.end()) return "namespace " + l.stitch_netns + " missing";
    for (const Endpoint* e : {&l.a, &l.b}) {
      const std::vector<Iface>* in = IfacesOf(e->node);
      const Iface* end = in ? FindIface(*in, e->iface) : nullptr;
      const Iface* far = FindIface(ns->second.ifaces, e->node);
      if (!marked(end, *e)) return "link missing on " + e->node + ":" + e->iface;
      if (!marked(far, *e)) return "stitch end " + e->node + " missing in " + l.stitch_netns;
      if (end->peer_ifindex != far->ifindex || far->peer_ifindex != end->ifindex) return "peer mismatch on " + e->node;
      if (!far->admin_up) return "stitch end " + e->node + " down";
    }
    return "";
  }

  void RepairEnd(const LinkConfig& l, const Endpoint& e, const Iface& i) {
    std::string object = "iface/" + e.node + ":" + e.iface;
    auto add = [&](std::string reason) {
      Action a = Make(ActionKind::kRepairIface, object, std::move(reason), e.node);
      a.link_id = l.Id();
      a.iface = e.iface;
      repairs_.push_back(a);
    };
    if (l.mtu != 0 && i.mtu != l.mtu) add("mtu " + std::to_string(i.mtu) + " != " + std::to_string(l.mtu));
    // An interface containerlab made keeps the MAC it was given unless the file names one.
    bool clab_made = IfaceMarker::IsAdopted(i.alias) || (i.alias.empty() && HasClabOwnershipAltName(i.altnames));
    bool file_mac = Lower(e.mac) != GeneratedMac(d_.name, e.node, e.iface);
    if (Lower(i.mac) != Lower(e.mac) && (file_mac || !clab_made)) add("mac " + i.mac + " != " + Lower(e.mac));
    if (!i.admin_up) add("interface down");
    if (!e.altname.empty() && std::find(i.altnames.begin(), i.altnames.end(), e.altname) == i.altnames.end())
      add("altname " + e.altname + " missing");
    for (const std::string* want : {&e.ipv4, &e.ipv6})
      if (!want->empty() && std::find(i.addresses.begin(), i.addresses.end(), *want) == i.addresses.end())
        add("address " + *want + " missing");
    if (auto imp = ImpairmentAction(l, e, &i)) repairs_.push_back(*imp);  // a conflict goes first (Order)
  }

  void PlanStrays() {
    auto add = [&](const std::string& node, const std::string& name) {
      Action a = Make(ActionKind::kDeleteIface, "iface/" + node + ":" + name, "interrupted creation", node);
      a.iface = name;
      plan_.actions.push_back(a);
    };
    for (const auto& [name, o] : o_.nodes)
      if (!fresh_.count(name))
        for (const auto& s : o.strays) add(name, s);
    for (const auto& s : o_.host_strays) add(kHostNode, s);
  }

  void PlanOrphanIfaces() {
    std::set<std::string> links;
    for (const auto& l : d_.links) links.insert(l.Id());
    auto check = [&](const std::string& node, const std::vector<Iface>& ifaces) {
      for (const auto& i : ifaces) {
        auto m = IfaceMarker::Parse(i.alias);
        // Desired by the end it was made for (a bridge node's ends live in another node's
        // namespace, or the host's).
        if (!m || ((links.count(m->link) || bridge_ids_.count(m->link)) &&
                   (desired_ifaces_.count(m->node + ":" + i.name) || desired_ifaces_.count(node + ":" + i.name))))
          continue;
        Action a = Make(ActionKind::kDeleteIface, "iface/" + node + ":" + i.name, "orphan", node);
        a.iface = i.name;
        plan_.actions.push_back(a);
      }
    };
    for (const auto& [name, o] : o_.nodes)
      if (!fresh_.count(name)) check(name, o.ifaces);
    check(kHostNode, o_.host_ifaces);
  }

  // Every action gets its step (and group and depth); then the plan is put in step order.
  void Order() {
    bool staged = false;
    for (const auto& n : d_.nodes) staged |= !n.stages.empty();
    std::set<std::string> renewed = plan_.RenewedNodes();  // containers (re)made or started
    std::unordered_map<std::string, const LinkConfig*> links;
    links.reserve(d_.links.size());
    for (const auto& l : d_.links) links.emplace(l.Id(), &l);
    for (auto& a : plan_.actions) {
      if (!IsNodeAction(a.kind)) continue;
      a.group = a.reason == "orphan" ? "orphan/" + a.container_id : a.node;
    }
    for (auto& a : plan_.actions) {
      bool fresh = renewed.count(a.node) > 0;
      switch (a.kind) {
        case ActionKind::kCreateNetwork:
        case ActionKind::kConflict:
          a.step = Step::kSetup;
          break;
        case ActionKind::kRemoveContainer:
        case ActionKind::kCreateContainer:
        case ActionKind::kStartContainer:
          a.step = staged && a.reason != "orphan" ? Step::kStaged : Step::kNodes;
          a.depth = a.step == Step::kNodes ? Depth(a.node) : 0;
          break;
        case ActionKind::kDeleteIface:
        case ActionKind::kDeleteNetns:
          a.step = Step::kCleanup;
          break;
        case ActionKind::kCreateBridge:
          a.step = Step::kBridges;
          break;
        case ActionKind::kCreateLink: {
          // In a lab with stages, a link to a node being made is made at that node's create-links.
          const LinkConfig* l = links.at(a.link_id);
          bool b_fresh = !l->OneEnded() && renewed.count(l->b.node);
          a.step = staged && (fresh || b_fresh) ? Step::kStaged : Step::kLinks;
          break;
        }
        case ActionKind::kRepairIface:
        case ActionKind::kImpair:
        case ActionKind::kAdoptLink:
          a.step = Step::kLinks;
          break;
        case ActionKind::kExec:
          a.step = staged && fresh ? Step::kStaged : Step::kExec;
          break;
      }
    }
    SortBySteps(&plan_.actions);
    if (staged) PlanWaits(renewed);
  }

  // How many namespaces down a node's is: a node in another lab node's (network-mode
  // container:NODE) waits for that node. A cycle stops at the lab's size (the engine refuses it).
  int Depth(const std::string& node) const {
    int depth = 0;
    for (const NodeConfig* n = Node(node); n && !n->NamespaceOf().empty();) {
      n = Node(n->NamespaceOf());
      if (!n || depth > static_cast<int>(d_.nodes.size())) break;
      ++depth;
    }
    return depth;
  }

  // The waits of the nodes a staged plan (re)makes: the lab's wait-for, and a node in another's
  // namespace waiting for that one's create.
  void PlanWaits(const std::set<std::string>& renewed) {
    for (const auto& name : renewed) {
      const NodeConfig& n = *Node(name);
      for (const auto& [stage, st] : n.stages)
        for (const auto& w : st.wait_for) plan_.waits.push_back({name, StageIndex(stage), w.node, StageIndex(w.stage)});
      if (std::string on = n.NamespaceOf(); !on.empty() && Node(on)) plan_.waits.push_back({name, 0, on, 0});
    }
  }

  const LabSpec& d_;
  const ObservedLab& o_;
  std::map<std::string, const NodeConfig*> nodes_;  // d_'s nodes by name
  Plan plan_;
  std::vector<Action> repairs_;
  std::set<std::string> fresh_;                     // nodes whose container is (re)created or started: no links yet
  std::set<std::string> blocked_;                   // nodes that cannot be made
  std::set<std::string> relinked_;                  // nodes that get a link made anew
  std::unordered_set<std::string> desired_ifaces_;  // looked up, never listed
  std::unordered_set<std::string> bridge_ids_;      // markers of the bridges labkeeper made for bridge nodes
  std::set<std::string> adopted_;                   // nodes whose containerlab-made container is taken over as it is
  std::set<std::string> taken_;                     // "node:iface": containerlab's interfaces taken over as links
  std::map<std::string, std::string> clab_why_;     // "node:iface": why containerlab's interface is not
  std::string owner_;                               // this controller's id ("" = no owner fence)
};

}  // namespace

Plan MakePlan(const LabSpec& desired, const ObservedLab& observed, const std::string& owner) {
  return Planner(desired, observed, owner).Make();
}

}  // namespace lk
