// `labkeeper status`: what labkeeper owns, observed directly from the engine.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controller/runtime.h"

namespace lk {

struct NodeStatus {
  std::string lab, node, container, id, kind, image, arch, state, ipv4, ipv6, topo_file;
};

// Every labkeeper-owned container, of one lab or all; sorted by lab then node.
Result<std::vector<NodeStatus>> CollectStatus(ContainerRuntime& runtime, const std::string& lab = "");
// A table in the manner of `containerlab inspect`.
std::string StatusTable(const std::vector<NodeStatus>& nodes);
nlohmann::json StatusJson(const std::vector<NodeStatus>& nodes);

}  // namespace lk
