// `labkeeper status`: what labkeeper owns, observed directly from the engine.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controller/runtime.h"
#include "controller/status_format.h"

namespace lk {

// Every labkeeper-owned container, of one lab or all; sorted by lab then node.
Result<std::vector<NodeStatus>> CollectStatus(ContainerRuntime& runtime, const std::string& lab = "");

}  // namespace lk
