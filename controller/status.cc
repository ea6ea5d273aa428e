#include "controller/status.h"

#include <algorithm>
#include <map>

#include "api/arch.h"
#include "controller/observed.h"

namespace lk {

Result<std::vector<NodeStatus>> CollectStatus(ContainerRuntime& runtime, const std::string& lab) {
  std::map<std::string, std::string> filter = {{kManagedByLabel, kManagedByValue}};
  if (!lab.empty()) filter[kLabLabel] = lab;
  auto list = runtime.List(filter);
  if (!list) return list.status();
  std::map<std::string, std::string> arch_of;
  std::string engine = runtime.EngineArchitecture();
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
    s.image = NodeImage(c);
    s.state = c.state;
    s.ipv4 = c.ipv4;
    s.ipv6 = c.ipv6;
    s.topo_file = label("clab-topo-file");
    std::string key = RunningImage(c);
    if (!arch_of.count(key)) {
      auto arch = runtime.ImageArchitecture(key);
      arch_of[key] = arch ? *arch : "";
    }
    s.arch = arch_of[key];
    s.emulated = IsEmulated(s.arch, engine);
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(),
            [](const NodeStatus& a, const NodeStatus& b) { return std::tie(a.lab, a.node) < std::tie(b.lab, b.node); });
  return out;
}

}  // namespace lk
