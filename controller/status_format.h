// How `labkeeper status` shows nodes, whether they come from the engine or from a controller's
// API. Needs neither the Docker client nor netlink: the client-only build uses it too.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lk {

struct NodeStatus {
  std::string lab, node, container, id, kind, image, arch, state, ipv4, ipv6, topo_file;
  bool emulated = false;
};

// A table in the manner of `containerlab inspect`.
std::string StatusTable(const std::vector<NodeStatus>& nodes);
// {"labs": [{"name", "topoFile", "nodes": [...]}]}, the shape of `status -o json`.
nlohmann::json StatusJson(const std::vector<NodeStatus>& nodes);
// The nodes of GET /api/v1/labs/{name} documents (each with "name", "file", "status.nodes").
std::vector<NodeStatus> NodesFromApi(const std::vector<nlohmann::json>& labs);

}  // namespace lk
