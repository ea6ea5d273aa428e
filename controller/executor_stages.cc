// The executor's staged step: containerlab's stages. Every node (re)created in this pass goes
// through create, create-links, configure, healthy and exit on its own thread; a stage is
// entered once the stages the plan says it waits for are done. Nodes that already run count as
// through every stage.
#include <thread>

#include "api/strings.h"
#include "controller/executor.h"

namespace lk {

void Executor::RunStaged(const std::vector<const Action*>& acts) {
  for (const Action* a : acts) {
    if (IsNodeAction(a->kind)) node_actions_[a->group].push_back(a);
    if (a->kind == ActionKind::kExec) exec_actions_[a->node].push_back(a);
  }
  std::set<std::string> fresh;
  for (const auto& [node, unused] : node_actions_) {
    fresh.insert(node);
    exec_actions_[node];  // every node's entry made now: the node threads only read the maps
  }
  std::vector<std::string> all;
  for (const auto& n : lab_.nodes) all.push_back(n.name);
  board_ = std::make_unique<StageBoard>(all, fresh);
  // Each link is made by whichever of its fresh nodes reaches create-links second.
  for (const Action* a : acts) {
    if (a->kind != ActionKind::kCreateLink) continue;
    const LinkConfig& l = *links_by_id_.at(a->link_id);
    board_->AddLink(a->link_id, l.a.node, l.OneEnded() ? "" : l.b.node);
    link_action_[a->link_id] = a;
  }
  for (const auto& w : r_->plan.waits) waits_[{w.node, w.stage}].emplace_back(w.on, w.on_stage);
  std::vector<std::thread> threads;
  for (const auto& f : fresh) threads.emplace_back([this, f] { RunNodeStages(f); });
  for (auto& t : threads) t.join();
}

void Executor::RunNodeStages(const std::string& name) {
  const NodeConfig& n = *lab_.FindNode(name);
  bool ok = true;
  for (int s = 0; s < static_cast<int>(StageNames().size()); ++s) {
    const std::string& stage = StageNames()[s];
    static const std::vector<std::pair<std::string, int>> kNone;
    auto waits = waits_.find({name, s});
    for (const auto& [on, on_stage] : waits == waits_.end() ? kNone : waits->second) {
      std::string cycle;
      if (board_->Await(name, on, on_stage, &cycle) || !ok) continue;
      ok = false;
      Fail(name);
      std::string why = "stage " + stage + " waits for a stage that waits for it: " + cycle;
      ctx_.events({"Warning", "StageCycle", "node/" + name, why});
      // Before create, the node is not made: that is its failure; a later stage's cycle leaves
      // the node made, its later stages skipped, and the warning.
      if (s == 0)
        for (const Action* a : node_actions_[name]) Record(*a, Status::Fail("not made: " + why), "");
    }
    if (ok && !Cancelled()) ok = EnterStage(n, stage);
    board_->Finish(name, s);
  }
}

// One stage of one node, with its on-enter and on-exit commands; false when the node failed.
bool Executor::EnterStage(const NodeConfig& n, const std::string& stage) {
  StageCommands(n, stage, "on-enter");
  if (stage == "create") {
    for (const Action* a : node_actions_[n.name]) {
      Status st = RunNodeAction(*a);
      Record(*a, st, st ? DescribeNodeAction(*a) : "");
      if (!st) {
        Fail(n.name);
        return false;
      }
    }
  } else if (stage == "create-links") {
    // A link is made by the second of its two nodes to reach create-links (a node that already
    // ran counts as there): waiting for the other could deadlock on wait-for.
    for (const auto& id : board_->ReachLinks(n.name)) MakeLink(*link_action_.at(id));
  } else if (stage == "configure") {
    for (const Action* a : exec_actions_[n.name]) RunOneExec(*a);
  } else if (stage == "healthy" && n.extras.healthcheck) {
    AwaitHealthy(n.name);
  }
  StageCommands(n, stage, "on-exit");
  return true;
}

void Executor::AwaitHealthy(const std::string& node) {
  for (int i = 0; i < 600 && !Cancelled(); ++i) {
    if (ctx_.runtime.Healthy(lab_.ContainerName(node))) return;
    ctx_.env.Sleep(std::chrono::milliseconds(500));
  }
  ctx_.events({"Warning", "Unhealthy", "node/" + node, "not healthy after 300 s"});
}

// Runs a stage's commands of one phase; failures are warnings, as exec's are.
void Executor::StageCommands(const NodeConfig& n, const std::string& stage, const std::string& phase) {
  auto it = n.stages.find(stage);
  if (it == n.stages.end()) return;
  for (const auto& e : it->second.exec) {
    if (e.phase != phase) continue;
    std::string object = "node/" + n.name;
    ExecResult res;
    if (e.target == "host") {
      res = ctx_.env.Shell(e.command);
    } else {
      auto argv = ShellSplit(e.command);
      auto got = argv ? ctx_.runtime.Exec(lab_.ContainerName(n.name), *argv) : Result<ExecResult>(argv.status());
      res = got ? *got : ExecResult{-1, got.error()};
    }
    ctx_.progress("  " + object + ": stage " + stage + " " + phase + " " + e.target + " exec \"" + e.command + "\"" +
                  (res.exit_code == 0 ? "" : " exited with " + std::to_string(res.exit_code)));
    if (res.exit_code != 0)
      ctx_.events({"Warning", "ExecFailed", object,
                   "stage " + stage + " " + phase + ": \"" + e.command + "\" exited with " +
                       std::to_string(res.exit_code) + (Trim(res.output).empty() ? "" : ": " + Trim(res.output))});
  }
}

}  // namespace lk
