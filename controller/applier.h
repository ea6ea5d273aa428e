// One reconcile pass for one lab: observe, plan, execute. `labkeeper apply` runs it once.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "api/topology.h"
#include "controller/link_manager.h"
#include "controller/planner.h"
#include "controller/runtime.h"

namespace lk {

// Called with one line of progress; may be called from several worker threads at once.
using ProgressSink = std::function<void(const std::string&)>;

struct ApplyOptions {
  int max_workers = 4;     // containers created in parallel
  std::string owner = "";  // labkeeper.dev/owner value; "" = this host's name
};

struct ApplyResult {
  Plan plan;                          // what was planned at the start of the pass
  int done = 0;                       // actions that succeeded
  std::vector<std::string> failures;  // one message per failed action, naming its object
  std::vector<std::string> observe_errors;
  double seconds = 0;
  bool ok() const { return failures.empty() && observe_errors.empty(); }
};

struct DestroyResult {
  int containers = 0, interfaces = 0;
  bool network_removed = false;
  std::vector<std::string> failures;
};

class Applier {
 public:
  Applier(ContainerRuntime& runtime, LinkManager& links, ApplyOptions opts, EventSink events, ProgressSink progress);

  ApplyResult Apply(const LabSpec& lab);
  // Removes every container and host interface labkeeper owns for the lab, then the
  // management network (the containers' own, plus `network` when given) when labkeeper created
  // it and nothing uses it.
  DestroyResult Destroy(const std::string& lab, const std::string& network = "");

  // The container labkeeper makes for a node (exposed for tests).
  ContainerSpec SpecFor(const LabSpec& lab, const NodeConfig& node) const;

 private:
  void RunNodes(const LabSpec& lab, const Plan& plan, ApplyResult* r, std::set<std::string>* failed);
  void RunLinks(const LabSpec& lab, const Plan& plan, const std::set<std::string>& failed, ApplyResult* r);
  void RunExec(const LabSpec& lab, const Plan& plan, const std::set<std::string>& failed, ApplyResult* r);
  void Fail(ApplyResult* r, const std::string& object, const std::string& message);

  ContainerRuntime& runtime_;
  LinkManager& links_;
  ApplyOptions opts_;
  EventSink events_;
  ProgressSink progress_;
};

// Runs fn(i) for i in [0, n) on at most `workers` threads.
void ParallelFor(size_t n, int workers, const std::function<void(size_t)>& fn);

}  // namespace lk
