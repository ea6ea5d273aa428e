// The plan's value type: names of actions and steps, and the plan printed and as JSON.
#include "controller/planner.h"

#include <algorithm>

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
    case ActionKind::kImpair:
      return "impair-interface";
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
  nlohmann::json::array_t out;  // built in place: a plan of a large lab has tens of thousands
  out.reserve(actions.size());
  for (const auto& a : actions) {
    nlohmann::json::object_t o;
    o.emplace("action", ActionName(a.kind));
    o.emplace("object", a.object);
    o.emplace("reason", a.reason);
    out.emplace_back(std::move(o));
  }
  return out;
}

void SortBySteps(std::vector<Action>* actions) {
  // Their keys sorted, each action then moved once: an action is seven strings, and sorting them
  // in place moved each a dozen times in a lab of thousands (#18's plan profile).
  std::vector<std::pair<std::pair<Step, int>, size_t>> order;
  order.reserve(actions->size());
  for (size_t i = 0; i < actions->size(); ++i) order.push_back({{(*actions)[i].step, (*actions)[i].depth}, i});
  std::stable_sort(order.begin(), order.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<Action> sorted;
  sorted.reserve(order.size());
  for (const auto& [key, i] : order) sorted.push_back(std::move((*actions)[i]));
  *actions = std::move(sorted);
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
