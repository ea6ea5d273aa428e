// The plan's value type: names of actions and steps, and the plan printed and as JSON.
#include "controller/planner.h"

namespace lk {

const char* ActionName(ActionKind k) {
  switch (k) {
    case ActionKind::kCreateNetwork:
      return "create-network";
    case ActionKind::kCreateBridge:
      return "create-bridge";
    case ActionKind::kConflict:
      return "conflict";
    case ActionKind::kRemoveContainer:
      return "remove-container";
    case ActionKind::kCreateContainer:
      return "create-container";
    case ActionKind::kStartContainer:
      return "start-container";
    case ActionKind::kDeleteIface:
      return "delete-interface";
    case ActionKind::kDeleteNetns:
      return "delete-namespace";
    case ActionKind::kCreateLink:
      return "create-link";
    case ActionKind::kRepairIface:
      return "repair-interface";
    case ActionKind::kAdoptLink:
      return "adopt-link";
    case ActionKind::kExec:
      return "exec";
  }
  return "?";
}

const char* StepName(Step s) {
  switch (s) {
    case Step::kSetup:
      return "setup";
    case Step::kNodes:
      return "nodes";
    case Step::kCleanup:
      return "cleanup";
    case Step::kStaged:
      return "staged";
    case Step::kBridges:
      return "bridges";
    case Step::kLinks:
      return "links";
    case Step::kExec:
      return "exec";
  }
  return "?";
}

std::string Plan::str() const {
  std::string out;
  for (const auto& a : actions) out += std::string(ActionName(a.kind)) + " " + a.object + " (" + a.reason + ")\n";
  return out;
}

nlohmann::json Plan::json() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& a : actions)
    out.push_back({{"action", ActionName(a.kind)}, {"object", a.object}, {"reason", a.reason}});
  return out;
}

bool IsNodeAction(ActionKind k) {
  return k == ActionKind::kRemoveContainer || k == ActionKind::kCreateContainer || k == ActionKind::kStartContainer;
}

std::set<std::string> Plan::RenewedNodes() const {
  std::set<std::string> out;
  for (const auto& a : actions)
    if (IsNodeAction(a.kind) && a.reason != "orphan") out.insert(a.node);
  return out;
}

}  // namespace lk
