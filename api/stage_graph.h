// The order containerlab's stages impose among a lab's nodes, checked for cycles before anything
// runs: a lab whose stages wait for themselves would hang its first deploy.
#pragma once

#include <string>
#include <vector>

#include "api/topology.h"

namespace lk {

// A node's stage follows its previous stage; a stage follows every stage its wait-for names; a
// node in another node's namespace (network-mode container:NODE) is created after that node.
// When these close a cycle: the node whose wait starts it, and the waits around it ("a create
// waits for b healthy; b create waits for a create"). Otherwise node is empty.
struct StageCycle {
  std::string node, waits;
};
StageCycle FindStageCycle(const std::vector<NodeConfig>& nodes);

}  // namespace lk
