// The lab reconciler: one pass over one lab is observe (observer.h), plan (planner.h), execute
// (executor.h). `labkeeper apply` runs it once and `labkeeper run` runs it for every lab whenever
// something may have changed. Destroy (destroy.cc) removes what a lab owns.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/topology.h"
#include "controller/env.h"
#include "controller/link_manager.h"
#include "controller/planner.h"
#include "controller/runtime.h"

namespace lk {

// Called with one line of progress; may be called from several worker threads at once.
using ProgressSink = std::function<void(const std::string&)>;

struct ApplyOptions {
  int max_workers = 4;     // containers created in parallel
  std::string owner = "";  // labkeeper.dev/owner value; "" = this host's name
  // When set and true, actions not yet started are skipped (graceful shutdown).
  const std::atomic<bool>* cancel = nullptr;
  std::string emulation = "warn";  // allow | warn | deny: what an emulated node gets (a lab may override)
  // Take over what containerlab runs for a lab from its file (a lab's spec.adopt asks for it too).
  bool adopt = false;
};

// What became of one planned action.
struct Outcome {
  Action action;
  bool ok = false;
  std::string error;  // when !ok
};

struct ApplyResult {
  Plan plan;                      // what was planned at the start of the pass
  std::vector<Outcome> outcomes;  // every action tried, in the order they finished
  std::vector<std::string> observe_errors;
  // The lab's containers as observed at the start; when no action ran, still what the engine has.
  std::optional<std::vector<ContainerState>> listed;
  bool cancelled = false;
  double seconds = 0;
  int done() const;                           // actions that succeeded
  std::vector<std::string> failures() const;  // "object: error" per failed action
  bool ok() const { return failures().empty() && observe_errors.empty() && !cancelled; }
};

struct DestroyResult {
  int containers = 0, interfaces = 0;
  bool network_removed = false;
  std::vector<std::string> failures;
  std::vector<std::string> warnings;  // what is left that labkeeper cannot remove, and why
};

class Applier {
 public:
  Applier(ContainerRuntime& runtime, LinkManager& links, Env& env, ApplyOptions opts, EventSink events,
          ProgressSink progress);

  // Observes the lab, plans, and executes the plan (unless `dry_run`).
  ApplyResult Apply(const LabSpec& lab, bool dry_run = false);
  // Removes every container and host interface labkeeper owns for the lab, then the
  // management network (the containers' own, plus `network` when given) when labkeeper created
  // it and nothing uses it.
  // `adopted_file`: containerlab's containers of the lab made from that file go too (a lab that
  // was adopted).
  DestroyResult Destroy(const std::string& lab, const std::string& network = "", const std::string& adopted_file = "");

  // The container labkeeper makes for a node (exposed for tests).
  ContainerSpec SpecFor(const LabSpec& lab, const NodeConfig& node) const;

 private:
  ContainerRuntime& runtime_;
  LinkManager& links_;
  Env& env_;
  ApplyOptions opts_;
  EventSink events_;
  ProgressSink progress_;
};

// Runs fn(i) for i in [0, n) on at most `workers` threads.
void ParallelFor(size_t n, int workers, const std::function<void(size_t)>& fn);

}  // namespace lk
