#include "api/stage_graph.h"

#include <algorithm>

#include <map>

#include "api/strings.h"

namespace lk {

namespace {

struct Edge {
  size_t to;
  bool wait;  // named by the file (wait-for, network-mode), not the node's own stage order
};

}  // namespace

namespace {
// Whether a stage of `n` waits for another node (wait-for, or the namespace it joins).
bool WaitsForAnother(const NodeConfig& n) {
  if (!n.NamespaceOf().empty()) return true;
  for (const auto& [stage, st] : n.stages)
    if (!st.wait_for.empty()) return true;
  return false;
}
}  // namespace

StageCycle FindStageCycle(const std::vector<NodeConfig>& nodes) {
  // A cycle needs a wait between nodes (a stage waits only for its own node's earlier ones):
  // a lab with none has none, and is not walked.
  if (std::none_of(nodes.begin(), nodes.end(), WaitsForAnother)) return {};
  const size_t stages = StageNames().size();
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < nodes.size(); ++i) index.emplace(nodes[i].name, i);
  // Vertex i * stages + s: node i has finished stage s. Its edges point at what it waits for.
  std::vector<std::vector<Edge>> edges(nodes.size() * stages);
  for (size_t i = 0; i < nodes.size(); ++i) {
    const NodeConfig& n = nodes[i];
    for (size_t s = 1; s < stages; ++s) edges[i * stages + s].push_back({i * stages + s - 1, false});
    for (const auto& [stage, st] : n.stages)
      for (const auto& w : st.wait_for) {
        auto on = index.find(w.node);
        int s = StageIndex(stage), t = StageIndex(w.stage);
        if (on != index.end() && s >= 0 && t >= 0) edges[i * stages + s].push_back({on->second * stages + t, true});
      }
    if (!n.NamespaceOf().empty())
      if (auto on = index.find(n.NamespaceOf()); on != index.end())
        edges[i * stages].push_back({on->second * stages, true});
  }
  auto name = [&](size_t v) { return nodes[v / stages].name + " " + StageNames()[v % stages]; };
  // Depth-first, without recursion (a lab may have many thousand nodes): 0 unseen, 1 on the
  // path, 2 done.
  std::vector<int> color(edges.size(), 0);
  std::vector<std::pair<size_t, size_t>> path;  // vertex, next edge to follow
  for (size_t root = 0; root < edges.size(); ++root) {
    if (color[root]) continue;
    path.push_back({root, 0});
    color[root] = 1;
    while (!path.empty()) {
      auto& [v, next] = path.back();
      if (next == edges[v].size()) {
        color[v] = 2;
        path.pop_back();
        continue;
      }
      size_t to = edges[v][next++].to;
      if (color[to] == 0) {
        color[to] = 1;
        path.push_back({to, 0});
      } else if (color[to] == 1) {
        size_t from = 0;
        while (path[from].first != to) ++from;
        StageCycle c;
        std::vector<std::string> waits;
        for (size_t k = from; k < path.size(); ++k) {
          const Edge& e = edges[path[k].first][path[k].second - 1];
          if (!e.wait) continue;
          if (c.node.empty()) c.node = nodes[path[k].first / stages].name;
          waits.push_back(name(path[k].first) + " waits for " + name(e.to));
        }
        c.waits = Join(waits, "; ");
        return c;
      }
    }
  }
  return {};
}

}  // namespace lk
