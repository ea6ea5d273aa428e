#include "controller/status_format.h"

#include <algorithm>
#include <tuple>

namespace lk {

std::string StatusTable(const std::vector<NodeStatus>& nodes) {
  std::vector<std::vector<std::string>> rows = {
      {"LAB", "NODE", "CONTAINER", "KIND", "IMAGE", "ARCH", "STATE", "IPV4", "IPV6"}};
  for (const auto& n : nodes)
    rows.push_back({n.lab, n.node, n.container, n.kind, n.image,
                    n.arch.empty() ? "-" : n.arch + (n.emulated ? " (emulated)" : " (native)"), n.state,
                    n.ipv4.empty() ? "-" : n.ipv4, n.ipv6.empty() ? "-" : n.ipv6});
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i)
      line += r[i] + std::string(i + 1 < r.size() ? width[i] - r[i].size() + 2 : 0, ' ');
    out += line + "\n";
  }
  return out;
}

nlohmann::json StatusJson(const std::vector<NodeStatus>& nodes) {
  nlohmann::json labs = nlohmann::json::object();
  for (const auto& n : nodes) {
    auto& lab = labs[n.lab];
    if (lab.is_null()) lab = {{"name", n.lab}, {"topoFile", n.topo_file}, {"nodes", nlohmann::json::array()}};
    lab["nodes"].push_back({{"node", n.node},
                            {"container", n.container},
                            {"id", n.id},
                            {"kind", n.kind},
                            {"image", n.image},
                            {"architecture", n.arch},
                            {"emulated", n.emulated},
                            {"execution", n.arch.empty() ? "unknown"
                                          : n.emulated   ? "emulated"
                                                         : "native"},
                            {"state", n.state},
                            {"ipv4", n.ipv4},
                            {"ipv6", n.ipv6}});
  }
  nlohmann::json out = {{"labs", nlohmann::json::array()}};
  for (auto& [name, lab] : labs.items()) out["labs"].push_back(lab);
  return out;
}

std::vector<NodeStatus> NodesFromApi(const std::vector<nlohmann::json>& labs) {
  std::vector<NodeStatus> out;
  for (const auto& lab : labs) {
    for (const auto& n : lab["status"]["nodes"]) {
      NodeStatus s;
      s.lab = lab.value("name", "");
      s.topo_file = lab.value("file", "");
      s.node = n.value("name", "");
      s.container = n.value("container", "");
      s.id = n.value("containerID", "");
      s.kind = n.value("kind", "");
      s.image = n.value("image", "");
      s.arch = n.value("architecture", "");
      s.emulated = n.value("emulated", false);
      s.state = n.value("state", "");
      s.ipv4 = n.value("mgmtIPv4", "");
      s.ipv6 = n.value("mgmtIPv6", "");
      out.push_back(std::move(s));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const NodeStatus& a, const NodeStatus& b) { return std::tie(a.lab, a.node) < std::tie(b.lab, b.node); });
  return out;
}

}  // namespace lk
