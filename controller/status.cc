#include "controller/status.h"

#include <algorithm>
#include <map>

#include "controller/observed.h"

namespace lk {

Result<std::vector<NodeStatus>> CollectStatus(ContainerRuntime& runtime, const std::string& lab) {
  std::map<std::string, std::string> filter = {{kManagedByLabel, kManagedByValue}};
  if (!lab.empty()) filter[kLabLabel] = lab;
  auto list = runtime.List(filter);
  if (!list) return list.status();
  std::map<std::string, std::string> arch_of;
  std::vector<NodeStatus> out;
  for (const auto& c : *list) {
    auto label = [&](const char* k) {
      auto it = c.labels.find(k);
      return it == c.labels.end() ? std::string() : it->second;
    };
    NodeStatus s;
    s.lab = label(kLabLabel);
    s.node = label(kNodeNameLabel);
    s.container = c.name;
    s.id = c.id.substr(0, 12);
    s.kind = label("clab-node-kind");
    s.image = c.image;
    s.state = c.state;
    s.ipv4 = c.ipv4;
    s.ipv6 = c.ipv6;
    s.topo_file = label("clab-topo-file");
    if (!arch_of.count(c.image)) {
      auto arch = runtime.ImageArchitecture(c.image);
      arch_of[c.image] = arch ? *arch : "";
    }
    s.arch = arch_of[c.image];
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(),
            [](const NodeStatus& a, const NodeStatus& b) { return std::tie(a.lab, a.node) < std::tie(b.lab, b.node); });
  return out;
}

std::string StatusTable(const std::vector<NodeStatus>& nodes) {
  std::vector<std::vector<std::string>> rows = {
      {"LAB", "NODE", "CONTAINER", "KIND", "IMAGE", "ARCH", "STATE", "IPV4", "IPV6"}};
  for (const auto& n : nodes)
    rows.push_back({n.lab, n.node, n.container, n.kind, n.image, n.arch.empty() ? "-" : n.arch, n.state,
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
                            {"state", n.state},
                            {"ipv4", n.ipv4},
                            {"ipv6", n.ipv6}});
  }
  nlohmann::json out = {{"labs", nlohmann::json::array()}};
  for (auto& [name, lab] : labs.items()) out["labs"].push_back(lab);
  return out;
}

}  // namespace lk
