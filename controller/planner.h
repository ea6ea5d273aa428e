// The planner: a pure function from (desired lab, observed lab) to an ordered plan.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/topology.h"
#include "controller/observed.h"

namespace lk {

enum class ActionKind {
  kCreateNetwork,    // object: network/NAME
  kCreateBridge,     // object: bridge/NODE (a bridge node whose Linux bridge is missing)
  kConflict,         // a node cannot be made: its name is taken by a container labkeeper does not own
  kRemoveContainer,  // object: node/NAME (orphan or spec changed)
  kCreateContainer,  // object: node/NAME
  kStartContainer,   // object: node/NAME
  kDeleteIface,      // object: iface/NODE:IFACE
  kDeleteNetns,      // object: netns/NAME (a veth-stitch's namespace no link wants); iface: NAME
  kCreateLink,       // object: link/ID
  kRepairIface,      // object: iface/NODE:IFACE (admin down, MTU, MAC)
  kImpair,           // object: iface/NODE:IFACE (its netem root qdisc made, changed or removed)
  kAdoptLink,        // object: link/ID (containerlab's interfaces for the link, taken over: marked as the lab's)
  kExec,             // object: node/NAME
};

const char* ActionName(ActionKind k);

// How a kImpair's reason begins when the end's impairment is no longer declared (it is removed).
inline constexpr char kImpairmentUndeclared[] = "impairment no longer declared";

// When an action runs: the planner owns all of the order, the executor follows it. The steps run
// in this order; a step's actions in plan order, except where said.
enum class Step {
  kSetup,    // the management network, then every conflict (recorded; nothing is run)
  kNodes,    // container removals, creates and starts: each group (one node's actions, in order)
             // in parallel with the other groups of its depth; a node in another node's namespace
             // (network-mode container:NODE) is one deeper than that node
  kCleanup,  // stale interfaces, before any link is made: one may hold the name a link needs
  kStaged,   // a lab with stages: the (re)made nodes' container actions, links and exec, each
             // node through containerlab's stages in parallel, entered as the plan's waits allow
  kBridges,  // bridges: a "br|container" bridge needs its container running
  kLinks,    // links made and interfaces repaired
  kExec,     // exec on the nodes whose links were made anew
};
const char* StepName(Step s);

// Whether an action is about a node's container (remove, create, start).
bool IsNodeAction(ActionKind k);

struct Action {
  ActionKind kind{};
  std::string object;        // kind/name, e.g. node/router1, link/a:eth1--b:eth1
  std::string reason;        // missing, exited, spec changed: image, link missing, mtu 1500 != 9500, orphan, ...
  std::string node;          // the node the action is about (or the link's first node)
  std::string container_id;  // for removals
  std::string link_id;       // for links
  std::string iface;         // for interface actions
  Step step = Step::kSetup;  // when it runs
  int depth = 0;             // in kNodes: how many namespaces down the node's is
  std::string group;         // node actions: the node, or "orphan/ID" for the orphan removed
  bool operator==(const Action&) const = default;
};

// A node's stage entered only once another node has finished a stage (indices into StageNames()):
// the lab's wait-for, and a node in another's namespace waiting for that one's create.
struct PlannedWait {
  std::string node;
  int stage = 0;
  std::string on;
  int on_stage = 0;
  bool operator==(const PlannedWait&) const = default;
};

struct Plan {
  std::vector<Action> actions;     // in the order of their steps (and depths)
  std::vector<PlannedWait> waits;  // kStaged: for the nodes it (re)makes
  // Adopting: the nodes whose containerlab-made container is taken over as it is (no action:
  // nothing is done to it; a plan with only these is empty).
  std::vector<std::string> adopted;
  bool empty() const { return actions.empty(); }
  // One line per action: "create-container node/r1 (missing)".
  std::string str() const;
  // [{"action", "object", "reason"}, ...]: `plan -o json` and the API's plan document.
  nlohmann::json json() const;
  // The nodes whose containers it removes, (re)creates or starts (an orphan's removal aside):
  // they get new namespaces, their links are made anew and their exec runs again.
  std::set<std::string> RenewedNodes() const;
};

// Actions in the order of their steps and, within a step, their depths; stable otherwise.
void SortBySteps(std::vector<Action>* actions);

// Actions in the order of their steps (see Step). Nodes whose container is (re)created or
// started get their links created and their exec run; executing the plan and planning again gives
// an empty plan. With `owner` (labkeeper.dev/owner of whoever plans), a container of the lab that
// another controller owns is a conflict, never touched (nor removed as an orphan).
Plan MakePlan(const LabSpec& desired, const ObservedLab& observed, const std::string& owner = "");

// An end's impairment (docs/impairments.md, controller/planner_impairments.cc): labkeeper's netem
// root qdisc made, changed in place or removed (kImpair); `i` null when the end is made in this
// plan. A root qdisc of someone else's is never touched: a kConflict with the reason. None when
// the end is as declared.
std::optional<Action> ImpairmentAction(const LinkConfig& l, const Endpoint& e, const Iface* i);

}  // namespace lk
