// The executor: carries out one plan for one lab, given the observation the plan was made
// from (namespaces included); it never observes again. It runs the plan's steps in the plan's
// order, as each step says (planner.h): the order is all the planner's. What it decides is what
// happens on failure: a failed node's links and exec are skipped; a failed link's nodes' exec
// waits for the retry; a cancelled pass starts nothing more.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "controller/applier.h"
#include "controller/link_builder.h"
#include "controller/stage_board.h"

namespace lk {

// What a pass works with: the seams, the options and where it reports.
struct PassContext {
  ContainerRuntime& runtime;
  LinkManager& links;
  Env& env;
  const ApplyOptions& opts;
  const EventSink& events;
  const ProgressSink& progress;
};

class Executor {
 public:
  Executor(const PassContext& ctx, const LabSpec& lab, const ObservedLab& observed, ApplyResult* result);
  void Run();

 private:
  bool Cancelled();
  void Record(const Action& a, const Status& s, const std::string& what);
  void Fail(const std::string& node);
  bool Failed(const std::string& node);
  // Node actions.
  Status RunNodeAction(const Action& a);
  Status CreateContainer(const Action& a, const NodeConfig& n);
  std::string EffectivePlatform(const NodeConfig& n);
  Status CheckEmulation(const Action& a, const NodeConfig& n, const std::string& image);
  bool RunStep(Step step, const std::vector<const Action*>& acts);  // false: the pass stops
  void RunNodes(const std::vector<const Action*>& acts);
  // Links and exec.
  void MakeLink(const Action& a);
  void RunOneExec(const Action& a);
  // Stages (executor_stages.cc).
  void RunStaged(const std::vector<const Action*>& acts);
  void RunNodeStages(const std::string& node);
  bool EnterStage(const NodeConfig& n, const std::string& stage);
  void StageCommands(const NodeConfig& n, const std::string& stage, const std::string& phase);
  void AwaitHealthy(const std::string& node);

  PassContext ctx_;
  const LabSpec& lab_;
  ApplyResult* r_;
  LinkBuilder builder_;
  std::mutex mu_;                         // guards the sets below and r_->outcomes
  std::set<std::string> multi_platform_;  // images some nodes ask for different platforms of
  std::set<std::string> failed_;          // nodes that could not be made: their links and exec are skipped
  std::set<std::string> unlinked_;        // nodes with a link that could not be made: exec is skipped
  size_t node_groups_ = 0;                // groups of node actions in kNodes, for the [k/N] counter
  std::atomic<size_t> nodes_done_{0};
  std::mutex links_mu_;  // link creation is one at a time
  // The staged step's work, by node: container actions and exec; its waits, by node and stage.
  std::map<std::string, std::vector<const Action*>> node_actions_, exec_actions_;
  std::map<std::pair<std::string, int>, std::vector<std::pair<std::string, int>>> waits_;  // (node, stage) -> on
  std::map<std::string, const Action*> link_action_;  // link id -> its create action
  std::map<std::string, const LinkConfig*> links_by_id_;
  std::unique_ptr<StageBoard> board_;
};

// How a node action's progress line says what became of it.
std::string DescribeNodeAction(const Action& a);

}  // namespace lk
