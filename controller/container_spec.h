// The container labkeeper makes for a node: names, labels (ownership included) and settings.
#pragma once

#include <string>

#include "api/topology.h"
#include "controller/runtime.h"

namespace lk {

// `owner` is the labkeeper.dev/owner value.
ContainerSpec ContainerSpecFor(const LabSpec& lab, const NodeConfig& node, const std::string& owner);

}  // namespace lk
