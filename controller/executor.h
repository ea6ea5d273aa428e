// The executor: carries out one plan for one lab, given the observation the plan was made
// from (namespaces included); it never observes again. Nodes in parallel, each node's actions in
// order; containerlab's stages when a node has any (see stage_board.h); then bridges, links and
// exec. A failed node's links and exec are skipped; a failed link's nodes' exec waits for the retry.
#pragma once

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
  void RunNodes();
  bool RunNodeGroup(const std::vector<const Action*>& group, const std::string& counter);
  // Links and exec.
  void RunDeletes();
  void RunLinks();
  void MakeLink(const Action& a);
  void RunExec();
  void RunOneExec(const Action& a);
  // Stages (executor_stages.cc).
  void RunStaged();
  void RunNodeStages(const std::string& node);
  bool EnterStage(const NodeConfig& n, const std::string& stage);
  void StageCommands(const NodeConfig& n, const std::string& stage, const std::string& phase);
  void AwaitHealthy(const std::string& node);

  PassContext ctx_;
  const LabSpec& lab_;
  const ObservedLab& observed_;
  ApplyResult* r_;
  LinkBuilder builder_;
  std::mutex mu_;                         // guards the sets below and r_->outcomes
  std::set<std::string> multi_platform_;  // images some nodes ask for different platforms of
  std::set<std::string> failed_;          // nodes that could not be made: their links and exec are skipped
  std::set<std::string> unlinked_;        // nodes with a link that could not be made: exec is skipped
  std::set<const Action*> handled_;       // actions the staged path took care of
  std::mutex links_mu_;                   // link creation is one at a time
  // The staged path's work, by node: container actions ("orphan/ID" for orphans), links, exec.
  std::map<std::string, std::vector<const Action*>> node_actions_, exec_actions_;
  std::map<std::string, const Action*> link_action_;  // link id -> its create action
  std::map<std::string, const LinkConfig*> links_by_id_;
  std::unique_ptr<StageBoard> board_;
};

// Whether an action is about a node's container (remove, create, start), and how its progress
// line says what became of it.
bool IsNodeAction(ActionKind k);
std::string DescribeNodeAction(const Action& a);
// The key a node action is grouped under: its node, or "orphan/ID" for the orphan it removes.
std::string GroupKey(const Action& a);
// The nodes whose containers a plan removes, creates or starts.
std::set<std::string> RenewedNodes(const Plan& plan);

}  // namespace lk
