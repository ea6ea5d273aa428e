#include "controller/applier.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "api/strings.h"
#include "controller/observer.h"

namespace lk {
namespace {

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

}  // namespace

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
  s.network_mode = n.network_mode;
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

void Applier::Fail(ApplyResult* r, const std::string& object, const std::string& message) {
  r->failures.push_back(object + ": " + message);
  progress_("  FAILED " + object + ": " + message);
}

ApplyResult Applier::Apply(const LabSpec& lab) {
  auto start = Clock::now();
  ApplyResult r;
  Observer observer(runtime_, links_);
  ObservedLab observed = observer.Observe(lab);
  if (!observed.errors.empty()) {
    r.observe_errors = observed.errors;
    for (const auto& e : observed.errors) progress_("  cannot observe lab " + lab.name + ": " + e);
    r.seconds = Since(start);
    return r;
  }
  r.plan = MakePlan(lab, observed);
  if (r.plan.empty()) {
    r.seconds = Since(start);
    return r;
  }
  progress_("lab " + lab.name + ": " + std::to_string(r.plan.actions.size()) + " actions planned");
  for (const auto& a : r.plan.actions) {
    if (a.kind == ActionKind::kCreateNetwork) {
      std::map<std::string, std::string> labels = {{kManagedByLabel, kManagedByValue}, {kOwnerLabel, opts_.owner}};
      auto created = runtime_.EnsureNetwork(lab.mgmt, labels);
      if (!created) {
        Fail(&r, a.object, created.error());
        r.seconds = Since(start);
        return r;  // no node can attach without it
      }
      ++r.done;
      progress_("  " + a.object + ": created (" + lab.mgmt.ipv4_subnet + ")");
    } else if (a.kind == ActionKind::kConflict) {
      Fail(&r, a.object, a.reason);
    }
  }
  std::set<std::string> failed;
  for (const auto& a : r.plan.actions)
    if (a.kind == ActionKind::kConflict && StartsWith(a.object, "node/")) failed.insert(a.node);
  RunNodes(lab, r.plan, &r, &failed);
  RunLinks(lab, r.plan, failed, &r);
  RunExec(lab, r.plan, failed, &r);
  r.seconds = Since(start);
  return r;
}

void Applier::RunNodes(const LabSpec& lab, const Plan& plan, ApplyResult* r, std::set<std::string>* failed) {
  // Group each node's container actions: they run in order on one worker.
  std::vector<std::vector<const Action*>> groups;
  std::map<std::string, size_t> index;
  for (const auto& a : plan.actions) {
    if (a.kind != ActionKind::kRemoveContainer && a.kind != ActionKind::kCreateContainer &&
        a.kind != ActionKind::kStartContainer)
      continue;
    std::string key = a.node + "/" + a.container_id;  // orphans are keyed by their own id
    if (a.kind != ActionKind::kRemoveContainer || a.reason != "orphan") key = a.node;
    auto [it, fresh] = index.emplace(key, groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(&a);
  }
  std::mutex mu;
  std::atomic<size_t> finished{0};
  ParallelFor(groups.size(), opts_.max_workers, [&](size_t g) {
    auto t0 = Clock::now();
    std::string what, error;
    for (const Action* a : groups[g]) {
      Status s = Status::Ok();
      if (a->kind == ActionKind::kRemoveContainer) {
        s = runtime_.Remove(a->container_id);
        what = a->reason == "orphan" ? "removed (orphan)" : what;
      } else if (a->kind == ActionKind::kStartContainer) {
        s = runtime_.Start(lab.ContainerName(a->node));
        what = "started (" + a->reason + ")";
      } else {
        const NodeConfig* n = lab.FindNode(a->node);
        for (const auto& b : n->binds)
          if (std::string src = b.substr(0, b.find(':')); s && access(src.c_str(), F_OK) != 0)
            s = Status::Fail("bind source " + src + " does not exist");
        if (s)
          s = runtime_.EnsureImage(n->image, n->image_pull_policy, n->platform,
                                   [&] { progress_("  " + a->object + ": pulling image " + n->image); });
        if (s) {
          auto id = runtime_.Run(SpecFor(lab, *n), events_);
          s = id.status();
        }
        what = (a->reason == "missing" ? "created" : "recreated") + std::string(" (") + a->reason + ")";
      }
      if (!s) {
        error = s.message();
        break;
      }
    }
    std::lock_guard lock(mu);
    size_t k = ++finished;
    std::string head = "  [" + std::to_string(k) + "/" + std::to_string(groups.size()) + "] " + groups[g][0]->object;
    if (error.empty()) {
      r->done += static_cast<int>(groups[g].size());
      progress_(head + ": " + what + " in " + Seconds(Since(t0)));
    } else {
      failed->insert(groups[g][0]->node);
      r->failures.push_back(groups[g][0]->object + ": " + error);
      progress_(head + ": FAILED: " + error);
    }
  });
}

void Applier::RunLinks(const LabSpec& lab, const Plan& plan, const std::set<std::string>& failed, ApplyResult* r) {
  std::map<std::string, std::optional<NetNs>> ns_cache;
  std::map<std::string, std::string> ns_error;
  auto ns_of = [&](const std::string& node) -> const NetNs* {
    auto it = ns_cache.find(node);
    if (it != ns_cache.end()) return it->second ? &*it->second : nullptr;
    std::optional<NetNs> ns;
    if (node == kHostNode) {
      auto h = NetNs::Host();
      if (h)
        ns.emplace(std::move(*h));
      else
        ns_error[node] = h.error();
    } else {
      auto c = runtime_.Get(lab.ContainerName(node));
      if (!c) {
        ns_error[node] = c.error();
      } else if (!*c || !(*c)->running()) {
        ns_error[node] = "container " + lab.ContainerName(node) + " is not running";
      } else {
        auto n = NetNs::OfPid((*c)->pid);
        if (n)
          ns.emplace(std::move(*n));
        else
          ns_error[node] = n.error();
      }
    }
    auto& slot = ns_cache[node] = std::move(ns);
    return slot ? &*slot : nullptr;
  };
  std::map<std::string, const LinkConfig*> links;
  for (const auto& l : lab.links) links[l.Id()] = &l;
  for (const auto& a : plan.actions) {
    if (a.kind != ActionKind::kDeleteIface && a.kind != ActionKind::kCreateLink && a.kind != ActionKind::kRepairIface)
      continue;
    if (a.kind == ActionKind::kDeleteIface) {
      const NetNs* ns = ns_of(a.node);
      Status s = ns ? links_.Delete(*ns, a.iface) : Status::Fail(ns_error[a.node]);
      if (s) {
        ++r->done;
        progress_("  " + a.object + ": deleted (" + a.reason + ")");
      } else {
        Fail(r, a.object, s.message());
      }
      continue;
    }
    const LinkConfig& l = *links.at(a.link_id);
    if (a.kind == ActionKind::kRepairIface) {
      const Endpoint& e = l.a.node == a.node && l.a.iface == a.iface ? l.a : l.b;
      const NetNs* ns = ns_of(a.node);
      Status s = !ns                           ? Status::Fail(ns_error[a.node])
                 : StartsWith(a.reason, "mtu") ? links_.SetMtu(*ns, a.iface, l.mtu)
                 : StartsWith(a.reason, "mac") ? links_.SetMac(*ns, a.iface, e.mac)
                                               : links_.SetUp(*ns, a.iface);
      if (s) {
        ++r->done;
        progress_("  " + a.object + ": repaired (" + a.reason + ")");
        events_({"Normal", "InterfaceRepaired", a.object, a.reason});
      } else {
        Fail(r, a.object, s.message());
      }
      continue;
    }
    if (failed.count(l.a.node) || failed.count(l.b.node)) {
      Fail(r, a.object, "not created: node " + (failed.count(l.a.node) ? l.a.node : l.b.node) + " failed");
      continue;
    }
    const NetNs* na = ns_of(l.a.node);
    const NetNs* nb = ns_of(l.b.node);
    if (!na || !nb) {
      Fail(r, a.object, ns_error[na ? l.b.node : l.a.node]);
      continue;
    }
    // Remove what is left of the link (one end, or a pair with the wrong peer), but only
    // interfaces that carry this lab's marker.
    Observer observer(runtime_, links_);
    for (auto [ns, end] : {std::pair{na, &l.a}, std::pair{nb, &l.b}}) {
      auto owned = observer.OwnedIfaces(*ns, lab.name);
      if (!owned) continue;
      for (const auto& i : *owned)
        if (i.name == end->iface) links_.Delete(*ns, i.name);
    }
    auto marker = [&](const Endpoint& e) { return IfaceMarker{lab.name, e.node, l.Id()}.str(); };
    Status s = links_.CreateVeth(*na, {l.a.iface, l.a.mac, marker(l.a)}, *nb, {l.b.iface, l.b.mac, marker(l.b)}, l.mtu);
    if (!s) {
      Fail(r, a.object, s.message());
      continue;
    }
    ++r->done;
    progress_("  " + a.object + ": created (" + a.reason + ")");
  }
}

void Applier::RunExec(const LabSpec& lab, const Plan& plan, const std::set<std::string>& failed, ApplyResult* r) {
  for (const auto& a : plan.actions) {
    if (a.kind != ActionKind::kExec || failed.count(a.node)) continue;
    const NodeConfig* n = lab.FindNode(a.node);
    std::string cname = lab.ContainerName(a.node);
    int ok = 0;
    for (const auto& cmd : n->exec) {
      auto argv = ShellSplit(cmd);
      auto res = argv ? runtime_.Exec(cname, *argv) : Result<ExecResult>(argv.status());
      if (!res) {
        Fail(r, a.object, "exec \"" + cmd + "\": " + res.error());
        break;
      }
      if (res->exit_code != 0) {
        // As containerlab: a failing exec command is reported, and the lab still deploys.
        std::string out = Trim(res->output);
        events_({"Warning", "ExecFailed", a.object,
                 "\"" + cmd + "\" exited with " + std::to_string(res->exit_code) + (out.empty() ? "" : ": " + out)});
      } else {
        ++ok;
      }
    }
    ++r->done;
    progress_("  " + a.object + ": exec " + std::to_string(ok) + "/" + std::to_string(n->exec.size()) +
              " commands succeeded");
  }
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
  // Host ends die with their peers; a leftover host interface of this lab goes too.
  if (auto host = NetNs::Host()) {
    Observer observer(runtime_, links_);
    if (auto ifaces = observer.OwnedIfaces(*host, lab)) {
      for (const auto& i : *ifaces) {
        Status s = links_.Delete(*host, i.name);
        if (s)
          ++d.interfaces;
        else
          d.failures.push_back("host interface " + i.name + ": " + s.message());
      }
    }
  }
  for (const auto& net : networks) {
    auto removed = runtime_.RemoveNetworkIfUnused(net, kManagedByLabel);
    if (!removed)
      d.failures.push_back("network " + net + ": " + removed.error());
    else if (*removed) {
      d.network_removed = true;
      progress_("  network " + net + ": removed (created by labkeeper, no longer used)");
    }
  }
  return d;
}

}  // namespace lk
