// The planner: a pure function from (desired lab, observed lab) to an ordered plan.
#pragma once

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
  kCreateLink,       // object: link/ID
  kRepairIface,      // object: iface/NODE:IFACE (admin down, MTU, MAC)
  kExec,             // object: node/NAME
};

const char* ActionName(ActionKind k);

struct Action {
  ActionKind kind;
  std::string object;        // kind/name, e.g. node/router1, link/a:eth1--b:eth1
  std::string reason;        // missing, exited, spec changed: image, link missing, mtu 1500 != 9500, orphan, ...
  std::string node;          // the node the action is about (or the link's first node)
  std::string container_id;  // for removals
  std::string link_id;       // for links
  std::string iface;         // for interface actions
  bool operator==(const Action&) const = default;
};

struct Plan {
  std::vector<Action> actions;
  bool empty() const { return actions.empty(); }
  // One line per action: "create-container node/r1 (missing)".
  std::string str() const;
  // [{"action", "object", "reason"}, ...]: `plan -o json` and the API's plan document.
  nlohmann::json json() const;
};

// Order: network, conflicts, removals, container creates and starts, stale interfaces, links,
// interface repairs, exec. Nodes whose container is (re)created or started get their links
// created and their exec run; executing the plan and planning again gives an empty plan.
Plan MakePlan(const LabSpec& desired, const ObservedLab& observed);

}  // namespace lk
