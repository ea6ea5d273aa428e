#include "controller/executor.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <sstream>

#include "api/arch.h"
#include "api/strings.h"
#include "controller/container_spec.h"

namespace lk {
namespace {

std::string SubnetsText(const MgmtNetwork& m) {
  std::vector<std::string> parts;
  for (const std::string* s : {&m.ipv4_subnet, &m.ipv6_subnet})
    if (!s->empty()) parts.push_back(*s);
  return Join(parts, ", ");
}

std::string Seconds(Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", std::chrono::duration<double>(d).count());
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

}  // namespace

std::string DescribeNodeAction(const Action& a) {
  switch (a.kind) {
    case ActionKind::kRemoveContainer:
      return "removed (" + a.reason + ")";
    case ActionKind::kStartContainer:
      return "started (" + a.reason + ")";
    default:
      return (a.reason == "missing" ? "created" : "recreated") + std::string(" (") + a.reason + ")";
  }
}

Executor::Executor(const PassContext& ctx, const LabSpec& lab, const ObservedLab& observed, ApplyResult* result)
    : ctx_(ctx),
      lab_(lab),
      r_(result),
      builder_(ctx.runtime, ctx.links, ctx.env, lab, observed, result->plan.RenewedNodes()) {
  std::map<std::string, std::set<std::string>> platforms;
  for (const auto& n : lab_.nodes)
    if (n.IsContainer()) platforms[n.image].insert(n.platform);
  for (const auto& [image, p] : platforms)
    if (p.size() > 1) multi_platform_.insert(image);
  for (const auto& l : lab_.links) links_by_id_[l.Id()] = &l;
  std::set<std::string> groups;
  for (const auto& a : r_->plan.actions)
    if (a.step == Step::kNodes) groups.insert(a.group);
  node_groups_ = groups.size();
}

// The plan's steps in its order, each run as its step says (planner.h).
void Executor::Run() {
  const auto& acts = r_->plan.actions;
  for (size_t i = 0, j = 0; i < acts.size(); i = j) {
    std::vector<const Action*> step;
    for (j = i; j < acts.size() && acts[j].step == acts[i].step && acts[j].depth == acts[i].depth; ++j)
      step.push_back(&acts[j]);
    if (!RunStep(acts[i].step, step)) return;
  }
}

bool Executor::RunStep(Step step, const std::vector<const Action*>& acts) {
  if (step == Step::kNodes) return RunNodes(acts), true;
  if (step == Step::kStaged) return RunStaged(acts), true;
  for (const Action* a : acts) {
    if (Cancelled()) return false;
    switch (a->kind) {
      case ActionKind::kCreateNetwork: {
        std::map<std::string, std::string> labels = {{kManagedByLabel, kManagedByValue},
                                                     {kOwnerLabel, ctx_.opts.owner}};
        auto created = ctx_.runtime.EnsureNetwork(lab_.mgmt, labels);
        Record(*a, created.status(), "created (" + SubnetsText(lab_.mgmt) + ")");
        if (!created) return false;  // no node can attach without it
        break;
      }
      case ActionKind::kConflict:
        Record(*a, Status::Fail(a->reason), "");
        if (StartsWith(a->object, "node/")) Fail(a->node);
        break;
      case ActionKind::kDeleteIface:
        Record(*a, builder_.DeleteIface(a->node, a->iface), "deleted (" + a->reason + ")");
        break;
      case ActionKind::kDeleteNetns:
        Record(*a, builder_.DeleteNetns(a->iface), "deleted (" + a->reason + ")");
        break;
      case ActionKind::kCreateBridge: {
        Status s = builder_.MakeBridge(*lab_.FindNode(a->node));
        if (!s) Fail(a->node);
        Record(*a, s, "created (missing)");
        break;
      }
      case ActionKind::kCreateLink:
        MakeLink(*a);
        break;
      case ActionKind::kRepairIface:
        Record(*a, builder_.Repair(*a, *links_by_id_.at(a->link_id)), "repaired (" + a->reason + ")");
        break;
      case ActionKind::kImpair:
        Record(*a, builder_.Impair(*a, *links_by_id_.at(a->link_id)), "done (" + a->reason + ")");
        break;
      case ActionKind::kAdoptLink:
        Record(*a, builder_.Adopt(*links_by_id_.at(a->link_id)), "taken over (made by containerlab)");
        break;
      case ActionKind::kExec:
        RunOneExec(*a);
        break;
      default:  // node actions are their steps' own
        break;
    }
  }
  return true;
}

bool Executor::Cancelled() {
  std::lock_guard lock(mu_);
  if (ctx_.opts.cancel && ctx_.opts.cancel->load()) r_->cancelled = true;
  return r_->cancelled;
}

void Executor::Record(const Action& a, const Status& s, const std::string& what) {
  std::lock_guard lock(mu_);
  r_->outcomes.push_back({a, s.ok(), s.ok() ? "" : s.message()});
  if (s.ok()) {
    if (!what.empty()) ctx_.progress("  " + a.object + ": " + what);
  } else {
    ctx_.progress("  FAILED " + a.object + ": " + s.message());
  }
}

void Executor::Fail(const std::string& node) {
  std::lock_guard lock(mu_);
  failed_.insert(node);
}

bool Executor::Failed(const std::string& node) {
  std::lock_guard lock(mu_);
  return failed_.count(node) > 0;
}

Status Executor::RunNodeAction(const Action& a) {
  if (a.kind == ActionKind::kRemoveContainer) return ctx_.runtime.Remove(a.container_id);
  if (a.kind == ActionKind::kStartContainer) return ctx_.runtime.Start(lab_.ContainerName(a.node));
  return CreateContainer(a, *lab_.FindNode(a.node));
}

Status Executor::CreateContainer(const Action& a, const NodeConfig& n) {
  for (const auto& b : n.binds)
    if (std::string src = b.substr(0, b.find(':')); !ctx_.env.Exists(src))
      return Status::Fail("bind source " + src + " does not exist");
  if (n.startup_delay > 0) {
    ctx_.progress("  " + a.object + ": waiting " + std::to_string(n.startup_delay) + " s (startup-delay)");
    ctx_.env.Sleep(std::chrono::seconds(n.startup_delay));
  }
  // A tag holds one architecture at a time: nodes that want different platforms of one image
  // take turns between pulling their variant and creating from its id.
  std::string platform = EffectivePlatform(n);
  std::unique_lock<std::mutex> turn;
  if (multi_platform_.count(n.image)) turn = std::unique_lock(ImageMutex(n.image));
  auto image = ctx_.runtime.EnsureImage(n.image, n.image_pull_policy, platform,
                                        [&](const std::string& line) { ctx_.progress("  " + a.object + ": " + line); });
  if (!image) return image.status();
  if (Status s = CheckEmulation(a, n, *image); !s) return s;
  ContainerSpec spec = ContainerSpecFor(lab_, n, ctx_.opts.owner);
  spec.image = *image;
  spec.platform = platform;
  spec.labels[kImageLabel] = n.image;
  return ctx_.runtime.Run(spec, ctx_.events).status();
}

// The platform a node's image is pulled and created for: its own `platform`, else, when
// another node of the lab asks the same image for a platform, the engine's own.
std::string Executor::EffectivePlatform(const NodeConfig& n) {
  if (!n.platform.empty()) return n.platform;
  if (!multi_platform_.count(n.image)) return "";
  std::string engine = ctx_.runtime.EngineArchitecture();
  return engine.empty() ? "" : "linux/" + engine;
}

// --emulation (or the lab's spec.emulation): allow, warn (a Warning event), deny (the node
// fails; the rest of the lab goes on).
Status Executor::CheckEmulation(const Action& a, const NodeConfig& n, const std::string& image) {
  std::string engine = ctx_.runtime.EngineArchitecture();
  auto arch = ctx_.runtime.ImageArchitecture(image);
  if (!arch || !IsEmulated(*arch, engine)) return Status::Ok();
  std::string policy = lab_.emulation.empty() ? ctx_.opts.emulation : lab_.emulation;
  std::string what = "image " + n.image + " is " + *arch + " and the engine is " + engine;
  if (policy == "deny") return Status::Fail(what + ": emulated nodes are denied (emulation: deny)");
  if (policy == "warn")
    ctx_.events({"Warning", "EmulatedNode", a.object,
                 what + ": the node runs under emulation, often too slowly to be useful; an " + engine +
                     " image (or platform: linux/" + engine + ") runs natively"});
  return Status::Ok();
}

// One depth of node actions: a group's actions in order on one worker, groups in parallel.
void Executor::RunNodes(const std::vector<const Action*>& acts) {
  std::vector<std::vector<const Action*>> groups;
  std::map<std::string, size_t> index;
  for (const Action* a : acts) {
    auto [it, fresh] = index.emplace(a->group, groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(a);
  }
  auto run_group = [&](size_t g) {
    auto t0 = ctx_.env.Now();
    for (const Action* a : groups[g]) {
      if (Cancelled()) return;
      Status s = RunNodeAction(*a);
      bool last = a == groups[g].back() || !s;
      std::string what;  // appended piece by piece: GCC 12 -O2 warns falsely on "lit" + std::string here
      if (last) {
        what += '[';
        what += std::to_string(++nodes_done_);
        what += '/';
        what += std::to_string(node_groups_);
        what += "] ";
        what += DescribeNodeAction(*a);
        what += " in ";
        what += Seconds(ctx_.env.Now() - t0);
      }
      Record(*a, s, what);
      if (!s) return Fail(a->node);
    }
  };
  ParallelFor(groups.size(), ctx_.opts.max_workers, run_group);
}

void Executor::MakeLink(const Action& a) {
  const LinkConfig& l = *links_by_id_.at(a.link_id);
  Status s = Status::Ok();
  for (const auto* end : {&l.a, &l.b})
    if (s && Failed(end->node)) s = Status::Fail("not created: node " + end->node + " failed");
  if (s) {
    std::lock_guard lock(links_mu_);
    s = builder_.Create(l);
  }
  if (!s) {
    std::lock_guard lock(mu_);
    unlinked_.insert({l.a.node, l.b.node});  // their exec waits for the retry
  }
  Record(a, s, "created (" + a.reason + ")");
}

void Executor::RunOneExec(const Action& a) {
  {
    std::lock_guard lock(mu_);
    if (failed_.count(a.node) || unlinked_.count(a.node)) return;
  }
  const NodeConfig* n = lab_.FindNode(a.node);
  std::string cname = lab_.ContainerName(a.node);
  int ok = 0;
  Status st = Status::Ok();
  for (const auto& cmd : n->exec) {
    auto argv = ShellSplit(cmd);
    auto res = argv ? ctx_.runtime.Exec(cname, *argv) : Result<ExecResult>(argv.status());
    if (!res) {
      st = Status::Fail("exec \"" + cmd + "\": " + res.error());
      break;
    }
    // As containerlab does, each command's output is shown.
    std::string shown = "  " + a.object + ": exec \"" + cmd + "\" exited with " + std::to_string(res->exit_code);
    std::istringstream lines(res->output);
    for (std::string line; std::getline(lines, line);) shown += "\n    | " + line;
    ctx_.progress(shown);
    if (res->exit_code == 0) {
      ++ok;
      continue;
    }
    // As containerlab: a failing exec command is reported, and the lab still deploys.
    std::string out = Trim(res->output);
    ctx_.events({"Warning", "ExecFailed", a.object,
                 "\"" + cmd + "\" exited with " + std::to_string(res->exit_code) + (out.empty() ? "" : ": " + out)});
  }
  Record(a, st, "exec " + std::to_string(ok) + "/" + std::to_string(n->exec.size()) + " commands succeeded");
}

}  // namespace lk
