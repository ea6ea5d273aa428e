#include "controller/applier.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "api/arch.h"
#include "api/strings.h"
#include "controller/firewall.h"
#include "controller/observer.h"

namespace lk {
namespace {

std::string SubnetsText(const MgmtNetwork& m) {
  std::vector<std::string> parts;
  for (const std::string* s : {&m.ipv4_subnet, &m.ipv6_subnet})
    if (!s->empty()) parts.push_back(*s);
  return Join(parts, ", ");
}

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

std::string HostName() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

// One lock per image reference, for nodes that want different platforms of it (any lab).
std::mutex& ImageMutex(const std::string& ref) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<std::mutex>> locks;
  std::lock_guard lock(mu);
  auto& m = locks[ref];
  if (!m) m = std::make_unique<std::mutex>();
  return *m;
}

bool IsNodeAction(ActionKind k) {
  return k == ActionKind::kRemoveContainer || k == ActionKind::kCreateContainer || k == ActionKind::kStartContainer;
}

}  // namespace

int ApplyResult::done() const {
  int n = 0;
  for (const auto& o : outcomes) n += o.ok;
  return n;
}

std::vector<std::string> ApplyResult::failures() const {
  std::vector<std::string> out;
  for (const auto& o : outcomes)
    if (!o.ok) out.push_back(o.action.object + ": " + o.error);
  return out;
}

void ParallelFor(size_t n, int workers, const std::function<void(size_t)>& fn) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  size_t threads = std::min<size_t>(n, static_cast<size_t>(std::max(1, workers)));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

// One execution of one plan: the state that lives for a single pass.
class Applier::Pass {
 public:
  Pass(Applier& a, const LabSpec& lab, ApplyResult* r) : a_(a), lab_(lab), r_(r) {
    std::map<std::string, std::set<std::string>> platforms;
    for (const auto& n : lab_.nodes)
      if (n.IsContainer()) platforms[n.image].insert(n.platform);
    for (const auto& [image, p] : platforms)
      if (p.size() > 1) multi_platform_.insert(image);
  }

  void Run() {
    for (const auto& a : r_->plan.actions) {
      if (a.kind == ActionKind::kCreateNetwork) {
        std::map<std::string, std::string> labels = {{kManagedByLabel, kManagedByValue}, {kOwnerLabel, a_.opts_.owner}};
        auto created = a_.runtime_.EnsureNetwork(lab_.mgmt, labels);
        Record(a, created.status(), "created (" + SubnetsText(lab_.mgmt) + ")");
        if (!created) return;  // no node can attach without it
      } else if (a.kind == ActionKind::kConflict) {
        Record(a, Status::Fail(a.reason), "");
        if (StartsWith(a.object, "node/")) failed_.insert(a.node);
      }
    }
    bool staged = false;
    for (const auto& n : lab_.nodes) staged |= !n.stages.empty();
    if (staged) {
      RunDeletes();
      RunStaged();
    } else {
      RunNodes();
    }
    // Bridges after the nodes: a "br|container" bridge needs its container running.
    for (const auto& a : r_->plan.actions)
      if (a.kind == ActionKind::kCreateBridge && !Cancelled())
        Record(a, MakeBridge(*lab_.FindNode(a.node)), "created (missing)");
    RunLinks();
    RunExec();
  }

 private:
  bool Cancelled() {
    if (a_.opts_.cancel && a_.opts_.cancel->load()) r_->cancelled = true;
    return r_->cancelled;
  }

  void Record(const Action& a, const Status& s, const std::string& what) {
    std::lock_guard lock(mu_);
    r_->outcomes.push_back({a, s.ok(), s.ok() ? "" : s.message()});
    if (s.ok()) {
      if (!what.empty()) a_.progress_("  " + a.object + ": " + what);
    } else {
      a_.progress_("  FAILED " + a.object + ": " + s.message());
    }
  }

  Status RunNodeAction(const Action& a) {
    if (a.kind == ActionKind::kRemoveContainer) return a_.runtime_.Remove(a.container_id);
    if (a.kind == ActionKind::kStartContainer) return a_.runtime_.Start(lab_.ContainerName(a.node));
    const NodeConfig* n = lab_.FindNode(a.node);
    for (const auto& b : n->binds)
      if (std::string src = b.substr(0, b.find(':')); access(src.c_str(), F_OK) != 0)
        return Status::Fail("bind source " + src + " does not exist");
    if (n->startup_delay > 0) {
      a_.progress_("  " + a.object + ": waiting " + std::to_string(n->startup_delay) + " s (startup-delay)");
      std::this_thread::sleep_for(std::chrono::seconds(n->startup_delay));
    }
    // A tag holds one architecture at a time: nodes that want different platforms of one image
    // take turns between pulling their variant and creating from its id.
    std::string platform = EffectivePlatform(*n);
    std::unique_lock<std::mutex> turn;
    if (multi_platform_.count(n->image)) turn = std::unique_lock(ImageMutex(n->image));
    auto image = a_.runtime_.EnsureImage(n->image, n->image_pull_policy, platform,
                                         [&](const std::string& line) { a_.progress_("  " + a.object + ": " + line); });
    if (!image) return image.status();
    if (Status s = CheckEmulation(a, *n, *image); !s) return s;
    ContainerSpec spec = a_.SpecFor(lab_, *n);
    spec.image = *image;
    spec.platform = platform;
    spec.labels[kImageLabel] = n->image;
    return a_.runtime_.Run(spec, a_.events_).status();
  }

  // The platform a node's image is pulled and created for: its own `platform`, else, when
  // another node of the lab asks the same image for a platform, the engine's own.
  std::string EffectivePlatform(const NodeConfig& n) {
    if (!n.platform.empty()) return n.platform;
    if (!multi_platform_.count(n.image)) return "";
    std::string engine = a_.runtime_.EngineArchitecture();
    return engine.empty() ? "" : "linux/" + engine;
  }

  // --emulation (or the lab's spec.emulation): allow, warn (a Warning event), deny (the node
  // fails; the rest of the lab goes on).
  Status CheckEmulation(const Action& a, const NodeConfig& n, const std::string& image) {
    std::string engine = a_.runtime_.EngineArchitecture();
    auto arch = a_.runtime_.ImageArchitecture(image);
    if (!arch || !IsEmulated(*arch, engine)) return Status::Ok();
    std::string policy = lab_.emulation.empty() ? a_.opts_.emulation : lab_.emulation;
    std::string what = "image " + n.image + " is " + *arch + " and the engine is " + engine;
    if (policy == "deny") return Status::Fail(what + ": emulated nodes are denied (emulation: deny)");
    if (policy == "warn")
      a_.events_({"Warning", "EmulatedNode", a.object,
                  what + ": the node runs under emulation, often too slowly to be useful; an " + engine +
                      " image (or platform: linux/" + engine + ") runs natively"});
    return Status::Ok();
  }

  static std::string Describe(const Action& a) {
    switch (a.kind) {
      case ActionKind::kRemoveContainer:
        return "removed (" + a.reason + ")";
      case ActionKind::kStartContainer:
        return "started (" + a.reason + ")";
      default:
        return (a.reason == "missing" ? "created" : "recreated") + std::string(" (") + a.reason + ")";
    }
  }

  void RunNodes() {
    // A node's container actions run in order on one worker; nodes run in parallel.
    std::vector<std::vector<const Action*>> groups;
    std::map<std::string, size_t> index;
    for (const auto& a : r_->plan.actions) {
      if (!IsNodeAction(a.kind)) continue;
      std::string key = a.reason == "orphan" ? "orphan/" + a.container_id : a.node;
      auto [it, fresh] = index.emplace(key, groups.size());
      if (fresh) groups.emplace_back();
      groups[it->second].push_back(&a);
    }
    // A node in another node's namespace (network-mode container:NODE) comes after the others.
    std::stable_partition(groups.begin(), groups.end(), [&](const std::vector<const Action*>& g) {
      const NodeConfig* n = lab_.FindNode(g[0]->node);
      return !n || !StartsWith(n->network_mode, "container:");
    });
    size_t first_dependent = 0;
    while (first_dependent < groups.size()) {
      const NodeConfig* n = lab_.FindNode(groups[first_dependent][0]->node);
      if (n && StartsWith(n->network_mode, "container:")) break;
      ++first_dependent;
    }
    std::atomic<size_t> finished{0};
    auto run_group = [&](size_t g) {
      auto t0 = Clock::now();
      for (const Action* a : groups[g]) {
        if (Cancelled()) return;
        Status s = RunNodeAction(*a);
        bool last = a == groups[g].back() || !s;
        std::string what;
        if (last) {
          size_t k = ++finished;
          what = "[" + std::to_string(k) + "/" + std::to_string(groups.size()) + "] " + Describe(*a) + " in " +
                 Seconds(Since(t0));
        }
        Record(*a, s, last ? what : "");
        if (!s) {
          std::lock_guard lock(mu_);
          failed_.insert(a->node);
          return;
        }
      }
    };
    ParallelFor(first_dependent, a_.opts_.max_workers, run_group);
    for (size_t g = first_dependent; g < groups.size(); ++g) run_group(g);
  }

  // A bridge node's Linux bridge, marked as the lab's so destroy removes it (a bridge that was
  // there before is never touched).
  Status MakeBridge(const NodeConfig& n) {
    const NetNs* ns = NsOf(n.name);
    if (!ns) {
      failed_.insert(n.name);
      return NsFail(n.name);
    }
    SingleLinkSpec bridge;
    bridge.kind = "bridge";
    IfaceSpec spec{n.BridgeName(), "", IfaceMarker{lab_.name, n.name, "bridge/" + n.name}.str(), ""};
    Status s = a_.links_.CreateSingle(*ns, *ns, spec, bridge);  // forwarding is opened as ports join
    if (!s) failed_.insert(n.name);
    return s;
  }

  const NetNs* NsOf(const std::string& node) {
    auto it = ns_cache_.find(node);
    if (it != ns_cache_.end()) return it->second ? &*it->second : nullptr;
    std::optional<NetNs> ns;
    const NodeConfig* attached = lab_.FindNode(node);
    if (attached && attached->IsContainer()) attached = nullptr;
    std::string holder = attached ? HolderContainer(lab_, *attached) : "";
    if (node == kHostNode || (attached && holder.empty())) {
      auto h = NetNs::Host();
      if (h)
        ns.emplace(std::move(*h));
      else
        ns_error_[node] = h.error();
    } else {
      std::string name = attached ? holder : lab_.ContainerName(node);
      auto c = a_.runtime_.Get(name);
      if (!c) {
        ns_error_[node] = c.error();
      } else if (!*c || !(*c)->running()) {
        ns_error_[node] = "container " + name + " is not running";
      } else if (auto n = NetNs::OfPid((*c)->pid)) {
        ns.emplace(std::move(*n));
      } else {
        ns_error_[node] = n.error();
      }
    }
    auto& slot = ns_cache_[node] = std::move(ns);
    return slot ? &*slot : nullptr;
  }

  Status NsFail(const std::string& node) { return Status::Fail(ns_error_[node]); }

  Status CreateOneEnded(const LinkConfig& l, const NetNs& na) {
    const NetNs* host = NsOf(kHostNode);
    if (!host) return NsFail(kHostNode);
    Observer observer(a_.runtime_, a_.links_);
    if (auto owned = observer.OwnedIfaces(na, lab_.name))
      for (const auto& i : *owned)
        if (i.name == l.a.iface) a_.links_.Delete(na, i.name);
    SingleLinkSpec single;
    single.kind = l.type;
    single.parent = l.parent;
    single.mode = l.mode;
    single.remote = l.remote;
    single.vni = static_cast<uint32_t>(l.vni);
    single.port = static_cast<uint16_t>(l.dst_port);
    single.mtu = l.mtu;
    IfaceSpec spec{l.a.iface, l.a.mac, IfaceMarker{lab_.name, l.a.node, l.Id()}.str(),
                   TempIfaceName(lab_.name, l, l.a)};
    Status s = a_.links_.CreateSingle(*host, na, spec, single);
    return s ? Addresses(l.a, na) : s;
  }

  Status CreateLink(const LinkConfig& l) {
    for (const auto* end : {&l.a, &l.b})
      if (failed_.count(end->node)) return Status::Fail("not created: node " + end->node + " failed");
    const NetNs* na = NsOf(l.a.node);
    if (!na) return NsFail(l.a.node);
    if (l.OneEnded()) return CreateOneEnded(l, *na);
    const NetNs* nb = NsOf(l.b.node);
    if (!nb) return NsFail(l.b.node);
    // Remove what is left of the link (one end, or a pair with the wrong peer): only
    // interfaces that carry this lab's marker.
    Observer observer(a_.runtime_, a_.links_);
    for (auto [ns, end] : {std::pair{na, &l.a}, std::pair{nb, &l.b}}) {
      auto owned = observer.OwnedIfaces(*ns, lab_.name);
      if (!owned) continue;
      for (const auto& i : *owned)
        if (i.name == end->iface || (ns == nb && i.name == l.stitch_vxlan)) a_.links_.Delete(*ns, i.name);
    }
    auto spec = [&](const Endpoint& e) {
      return IfaceSpec{e.iface, e.mac, IfaceMarker{lab_.name, e.node, l.Id()}.str(), TempIfaceName(lab_.name, l, e)};
    };
    Status s = a_.links_.CreateVeth(*na, spec(l.a), *nb, spec(l.b), l.mtu);
    if (s && l.type == "mgmt-net") {
      // The host end joins the management network's bridge.
      auto bridge = a_.runtime_.NetworkBridge(lab_.mgmt.network);
      s = bridge ? a_.links_.SetMaster(*nb, l.b.iface, *bridge) : bridge.status();
    }
    // An end on a bridge node becomes its port; a host bridge (made here or found) also needs
    // forwarding opened in Docker's firewall.
    for (auto [ns, end] : {std::pair{na, &l.a}, std::pair{nb, &l.b}}) {
      const NodeConfig* n = lab_.FindNode(end->node);
      if (!s || !n || !n->IsBridge()) continue;
      s = a_.links_.SetMaster(*ns, end->iface, n->BridgeName());
      if (s && n->InHostNamespace()) s = AllowBridgeForwarding(lab_.name, n->BridgeName());
    }
    if (s && !l.stitch_vxlan.empty()) s = Stitch(l, *nb);
    if (s) s = Addresses(l.a, *na);
    if (s) s = Addresses(l.b, *nb);
    return s;
  }

  // The ipv4 / ipv6 the file gives an endpoint, on its interface.
  Status Addresses(const Endpoint& e, const NetNs& ns) {
    for (const std::string* cidr : {&e.ipv4, &e.ipv6})
      if (!cidr->empty())
        if (Status s = a_.links_.AddAddress(ns, e.iface, *cidr); !s) return s;
    return Status::Ok();
  }

  // The VXLAN half of a vxlan-stitch: the device in the host namespace, and a redirect each way
  // between it and the veth's host end. On failure the link is removed whole.
  Status Stitch(const LinkConfig& l, const NetNs& host) {
    SingleLinkSpec vx;
    vx.kind = "vxlan";
    vx.remote = l.remote;
    vx.vni = static_cast<uint32_t>(l.vni);
    vx.port = static_cast<uint16_t>(l.dst_port);
    IfaceSpec spec{l.stitch_vxlan, "", IfaceMarker{lab_.name, l.b.node, l.Id()}.str(),
                   TempIfaceName(lab_.name, l, StitchEnd(l))};
    Status s = a_.links_.CreateSingle(host, host, spec, vx);
    if (s) s = a_.links_.Redirect(host, l.b.iface, l.stitch_vxlan);
    if (s) s = a_.links_.Redirect(host, l.stitch_vxlan, l.b.iface);
    if (!s) {
      a_.links_.Delete(host, l.stitch_vxlan);
      a_.links_.Delete(host, l.b.iface);
    }
    return s;
  }

  Status Repair(const Action& a, const LinkConfig& l) {
    const Endpoint& e = l.a.node == a.node && l.a.iface == a.iface ? l.a : l.b;
    const NetNs* ns = NsOf(a.node);
    if (!ns) return NsFail(a.node);
    if (StartsWith(a.reason, "mtu")) return a_.links_.SetMtu(*ns, a.iface, l.mtu);
    if (StartsWith(a.reason, "mac")) return a_.links_.SetMac(*ns, a.iface, e.mac);
    if (StartsWith(a.reason, "address "))
      return a_.links_.AddAddress(*ns, a.iface, a.reason.substr(8, a.reason.find(' ', 8) - 8));
    return a_.links_.SetUp(*ns, a.iface);
  }

  void RunDeletes() {
    for (const auto& a : r_->plan.actions) {
      if (a.kind != ActionKind::kDeleteIface || Cancelled()) continue;
      const NetNs* ns = NsOf(a.node);
      Record(a, ns ? a_.links_.Delete(*ns, a.iface) : NsFail(a.node), "deleted (" + a.reason + ")");
      handled_.insert(&a);
    }
  }

  // Runs a stage's commands of one phase; failures are warnings, as exec's are.
  void StageCommands(const NodeConfig& n, const std::string& stage, const std::string& phase) {
    auto it = n.stages.find(stage);
    if (it == n.stages.end()) return;
    for (const auto& e : it->second.exec) {
      if (e.phase != phase) continue;
      std::string object = "node/" + n.name;
      int code = 0;
      std::string out;
      if (e.target == "host") {
        std::string cmd = e.command + " 2>&1";
        FILE* p = popen(cmd.c_str(), "r");
        char buf[4096];
        size_t k;
        while (p && (k = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, k);
        code = p ? pclose(p) : -1;
      } else {
        auto argv = ShellSplit(e.command);
        auto res = argv ? a_.runtime_.Exec(lab_.ContainerName(n.name), *argv) : Result<ExecResult>(argv.status());
        code = res ? res->exit_code : -1;
        out = res ? res->output : res.error();
      }
      a_.progress_("  " + object + ": stage " + stage + " " + phase + " " + e.target + " exec \"" + e.command + "\"" +
                   (code == 0 ? "" : " exited with " + std::to_string(code)));
      if (code != 0)
        a_.events_({"Warning", "ExecFailed", object,
                    "stage " + stage + " " + phase + ": \"" + e.command + "\" exited with " + std::to_string(code) +
                        (Trim(out).empty() ? "" : ": " + Trim(out))});
    }
  }

  // containerlab's stages: every node that is (re)created in this pass goes through create,
  // create-links, configure, healthy and exit on its own thread; a stage is entered once the
  // stages it waits for are done. Nodes that already run count as through every stage.
  void RunStaged() {
    std::mutex m;
    std::condition_variable cv;
    std::map<std::string, int> done;  // node -> last stage completed
    std::map<std::string, std::vector<const Action*>> node_actions, link_actions, exec_actions;
    for (const auto& a : r_->plan.actions) {
      if (IsNodeAction(a.kind)) node_actions[a.reason == "orphan" ? "orphan/" + a.container_id : a.node].push_back(&a);
    }
    std::vector<std::string> fresh;
    for (const auto& [key, acts] : node_actions)
      if (key.rfind("orphan/", 0) != 0) fresh.push_back(key);
    const int last = static_cast<int>(StageNames().size()) - 1;
    for (const auto& n : lab_.nodes) done[n.name] = last;
    for (const auto& f : fresh) done[f] = -1;
    std::map<std::string, const LinkConfig*> by_id;
    for (const auto& l : lab_.links) by_id[l.Id()] = &l;
    for (const auto& a : r_->plan.actions) {
      if (a.kind == ActionKind::kCreateLink) {
        const LinkConfig& l = *by_id.at(a.link_id);
        // Made by whichever of its fresh nodes reaches create-links second.
        if (done[l.a.node] < 0 || (!l.OneEnded() && done[l.b.node] < 0)) {
          link_actions[l.a.node].push_back(&a);
          if (!l.OneEnded() && l.b.node != l.a.node) link_actions[l.b.node].push_back(&a);
          handled_.insert(&a);
        }
      } else if (a.kind == ActionKind::kExec && done[a.node] < 0) {
        exec_actions[a.node].push_back(&a);
        handled_.insert(&a);
      }
    }
    for (const auto& [key, acts] : node_actions)
      for (const Action* a : acts) handled_.insert(a);
    std::set<const Action*> links_made;
    std::set<std::string> at_links;  // fresh nodes that have reached create-links
    auto reach = [&](const std::string& node, int stage) {
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return done[node] >= stage; });
    };
    auto finish = [&](const std::string& node, int stage) {
      std::lock_guard lock(m);
      done[node] = stage;
      cv.notify_all();
    };
    auto run_node = [&](const std::string& name) {
      const NodeConfig& n = *lab_.FindNode(name);
      bool ok = true;
      for (int s = 0; s <= last; ++s) {
        const std::string& stage = StageNames()[s];
        if (auto it = n.stages.find(stage); it != n.stages.end())
          for (const auto& w : it->second.wait_for) reach(w.node, StageIndex(w.stage));
        if (ok && !Cancelled()) {
          StageCommands(n, stage, "on-enter");
          if (stage == "create") {
            for (const Action* a : node_actions[name]) {
              Status st = RunNodeAction(*a);
              Record(*a, st, st ? Describe(*a) : "");
              if (!st) {
                std::lock_guard lock(mu_);
                failed_.insert(name);
                ok = false;
                break;
              }
            }
          } else if (stage == "create-links") {
            // A link is made by the second of its two nodes to reach create-links (a node that
            // already ran counts as there): waiting for the other could deadlock on wait-for.
            std::vector<const Action*> mine;
            {
              std::lock_guard lock(links_mu_);
              at_links.insert(name);
              for (const Action* a : link_actions[name]) {
                const LinkConfig& l = *by_id.at(a->link_id);
                const std::string& peer = l.a.node == name ? l.b.node : l.a.node;
                bool peer_ready = l.OneEnded() || peer == name || at_links.count(peer) || !node_actions.count(peer);
                if (peer_ready && links_made.insert(a).second) mine.push_back(a);
              }
            }
            for (const Action* a : mine) {
              const LinkConfig& l = *by_id.at(a->link_id);
              Status st = CreateLink(l);
              if (!st) {
                std::lock_guard lock(mu_);
                unlinked_.insert({l.a.node, l.b.node});
              }
              Record(*a, st, "created (" + a->reason + ")");
            }
          } else if (stage == "configure") {
            for (const Action* a : exec_actions[name]) RunOneExec(*a);
          } else if (stage == "healthy" && n.extras.healthcheck) {
            bool healthy = false;
            for (int i = 0; i < 600 && !Cancelled(); ++i) {
              if (a_.runtime_.Healthy(lab_.ContainerName(name))) {
                healthy = true;
                break;
              }
              std::this_thread::sleep_for(std::chrono::milliseconds(500));
            }
            if (!healthy) a_.events_({"Warning", "Unhealthy", "node/" + name, "not healthy after 300 s"});
          }
          StageCommands(n, stage, "on-exit");
        }
        finish(name, s);
      }
    };
    std::vector<std::thread> threads;
    for (const auto& f : fresh) threads.emplace_back(run_node, f);
    // Orphans go in parallel with the rest.
    for (const auto& [key, acts] : node_actions)
      if (key.rfind("orphan/", 0) == 0)
        for (const Action* a : acts) Record(*a, RunNodeAction(*a), "removed (orphan)");
    for (auto& t : threads) t.join();
  }

  void RunLinks() {
    std::map<std::string, const LinkConfig*> links;
    for (const auto& l : lab_.links) links[l.Id()] = &l;
    for (const auto& a : r_->plan.actions) {
      if (Cancelled()) return;
      if (handled_.count(&a)) continue;
      if (a.kind == ActionKind::kDeleteIface) {
        const NetNs* ns = NsOf(a.node);
        Record(a, ns ? a_.links_.Delete(*ns, a.iface) : NsFail(a.node), "deleted (" + a.reason + ")");
      } else if (a.kind == ActionKind::kCreateLink) {
        const LinkConfig& l = *links.at(a.link_id);
        Status s = CreateLink(l);
        if (!s) unlinked_.insert({l.a.node, l.b.node});  // their exec waits for the retry
        Record(a, s, "created (" + a.reason + ")");
      } else if (a.kind == ActionKind::kRepairIface) {
        Record(a, Repair(a, *links.at(a.link_id)), "repaired (" + a.reason + ")");
      }
    }
  }

  void RunExec() {
    for (const auto& a : r_->plan.actions) {
      if (a.kind != ActionKind::kExec || handled_.count(&a)) continue;
      if (Cancelled()) return;
      RunOneExec(a);
    }
  }

  void RunOneExec(const Action& a) {
    if (failed_.count(a.node) || unlinked_.count(a.node)) return;
    {
      const NodeConfig* n = lab_.FindNode(a.node);
      std::string cname = lab_.ContainerName(a.node);
      int ok = 0;
      Status st = Status::Ok();
      for (const auto& cmd : n->exec) {
        auto argv = ShellSplit(cmd);
        auto res = argv ? a_.runtime_.Exec(cname, *argv) : Result<ExecResult>(argv.status());
        if (!res) {
          st = Status::Fail("exec \"" + cmd + "\": " + res.error());
          break;
        }
        // As containerlab does, each command's output is shown.
        std::string shown = "  " + a.object + ": exec \"" + cmd + "\" exited with " + std::to_string(res->exit_code);
        std::istringstream lines(res->output);
        for (std::string line; std::getline(lines, line);) shown += "\n    | " + line;
        a_.progress_(shown);
        if (res->exit_code != 0) {
          // As containerlab: a failing exec command is reported, and the lab still deploys.
          std::string out = Trim(res->output);
          a_.events_(
              {"Warning", "ExecFailed", a.object,
               "\"" + cmd + "\" exited with " + std::to_string(res->exit_code) + (out.empty() ? "" : ": " + out)});
        } else {
          ++ok;
        }
      }
      Record(a, st, "exec " + std::to_string(ok) + "/" + std::to_string(n->exec.size()) + " commands succeeded");
    }
  }

  Applier& a_;
  const LabSpec& lab_;
  ApplyResult* r_;
  std::mutex mu_;
  std::set<std::string> multi_platform_;  // images some nodes ask for different platforms of
  std::set<std::string> failed_;          // nodes that could not be made: their links and exec are skipped
  std::set<std::string> unlinked_;        // nodes with a link that could not be made: exec is skipped
  std::set<const Action*> handled_;       // actions the staged path took care of
  std::mutex links_mu_;                   // link creation is one at a time
  std::map<std::string, std::optional<NetNs>> ns_cache_;
  std::map<std::string, std::string> ns_error_;
};

Applier::Applier(ContainerRuntime& runtime, LinkManager& links, ApplyOptions opts, EventSink events,
                 ProgressSink progress)
    : runtime_(runtime),
      links_(links),
      opts_(std::move(opts)),
      events_(std::move(events)),
      progress_(std::move(progress)) {
  if (opts_.owner.empty()) opts_.owner = HostName();
  if (!events_) events_ = [](const Event&) {};
  if (!progress_) progress_ = [](const std::string&) {};
}

ContainerSpec Applier::SpecFor(const LabSpec& lab, const NodeConfig& n) const {
  ContainerSpec s;
  s.name = lab.ContainerName(n.name);
  s.image = n.image;
  s.platform = n.platform;
  s.hostname = n.hostname.empty() ? n.name : n.hostname;
  s.user = n.user;
  s.cmd = n.cmd;
  s.entrypoint = n.entrypoint;
  s.env = n.env;
  s.sysctls = n.sysctls;
  s.binds = n.binds;
  s.ports = n.ports;
  s.cap_add = n.cap_add;
  s.privileged = n.privileged;
  s.extras = n.extras;
  s.network_mode = n.network_mode;
  // network-mode container:NODE names a node of this lab: its container, by containerlab's name.
  if (StartsWith(n.network_mode, "container:") && lab.FindNode(n.network_mode.substr(10)))
    s.network_mode = "container:" + lab.ContainerName(n.network_mode.substr(10));
  if (n.network_mode.empty()) s.network = lab.mgmt.network;
  s.mgmt_ipv4 = n.mgmt_ipv4;
  s.mgmt_ipv6 = n.mgmt_ipv6;
  s.labels = n.labels;
  s.labels[kLabLabel] = lab.name;
  s.labels[kNodeNameLabel] = n.name;
  s.labels["clab-node-longname"] = s.name;
  s.labels["clab-node-kind"] = n.kind;
  s.labels["clab-node-type"] = n.type;
  s.labels["clab-node-group"] = n.group;
  s.labels["clab-topo-file"] = lab.file;
  s.labels["clab-node-lab-dir"] = lab.LabDir() + "/" + n.name;
  s.labels[kManagedByLabel] = kManagedByValue;
  s.labels[kOwnerLabel] = opts_.owner;
  s.labels[kSpecHashLabel] = n.SpecHash();
  s.labels[kMgmtNetworkLabel] = lab.mgmt.network;
  return s;
}

ApplyResult Applier::Apply(const LabSpec& lab, bool dry_run) {
  auto start = Clock::now();
  ApplyResult r;
  Observer observer(runtime_, links_);
  ObservedLab observed = observer.Observe(lab);
  if (!observed.errors.empty()) {
    r.observe_errors = observed.errors;
    for (const auto& e : observed.errors) progress_("  cannot observe lab " + lab.name + ": " + e);
  } else {
    r.plan = MakePlan(lab, observed);
    if (!r.plan.empty() && !dry_run) {
      progress_("  " + std::to_string(r.plan.actions.size()) + " actions planned");
      Pass(*this, lab, &r).Run();
    }
  }
  r.seconds = Since(start);
  return r;
}

DestroyResult Applier::Destroy(const std::string& lab, const std::string& network) {
  DestroyResult d;
  auto owned = runtime_.List({{kLabLabel, lab}, {kManagedByLabel, kManagedByValue}});
  if (!owned) {
    d.failures.push_back(owned.error());
    return d;
  }
  std::set<std::string> networks;
  if (!network.empty()) networks.insert(network);
  std::mutex mu;
  ParallelFor(owned->size(), opts_.max_workers, [&](size_t i) {
    const ContainerState& c = (*owned)[i];
    Status s = runtime_.Remove(c.id);
    std::lock_guard lock(mu);
    if (auto it = c.labels.find(kMgmtNetworkLabel); it != c.labels.end()) networks.insert(it->second);
    if (s) {
      ++d.containers;
      progress_("  container " + c.name + ": removed");
    } else {
      d.failures.push_back("container " + c.name + ": " + s.message());
    }
  });
  if (Status s = RemoveBridgeRules(lab); !s) d.failures.push_back(s.message());
  // Only interfaces carrying this lab's marker are removed; failures are reported for the host's.
  Observer observer(runtime_, links_);
  auto remove_marked = [&](const NetNs& ns, bool report) {
    auto ifaces = observer.OwnedIfaces(ns, lab);
    if (!ifaces) return;
    for (const auto& i : *ifaces) {
      Status s = links_.Delete(ns, i.name);
      if (s)
        ++d.interfaces;
      else if (report)
        d.failures.push_back("host interface " + i.name + ": " + s.message());
    }
  };
  // Links to containers labkeeper does not own (ext-container, bridges inside them) leave
  // marked ends in those containers.
  if (auto all = runtime_.List({}))
    for (const auto& c : *all)
      if (c.running() && c.pid > 0)
        if (auto ns = NetNs::OfPid(c.pid)) remove_marked(*ns, false);
  // Host ends die with their peers; a leftover host interface of this lab goes too.
  if (auto host = NetNs::Host()) remove_marked(*host, true);
  for (const auto& net : networks) {
    auto removed = runtime_.RemoveNetworkIfUnused(net, kManagedByLabel);
    if (!removed) {
      d.failures.push_back("network " + net + ": " + removed.error());
    } else if (*removed) {
      d.network_removed = true;
      progress_("  network " + net + ": removed (created by labkeeper, no longer used)");
    }
  }
  return d;
}

}  // namespace lk
