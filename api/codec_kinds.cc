// Resolving, the part that depends on a node's kind: containerlab's defaults per kind, what it
// derives from the whole lab, and SR-SIM's components.
#include <algorithm>

#include "api/codec_internal.h"
#include "api/strings.h"

namespace lk::codec {

void ApplyKindDefaults(const KindInfo& k, NodeConfig* c) {
  c->kind = k.name;  // short names (srl, ceos, vr-sros, ...) as containerlab's long names
  if (c->cmd.empty() && c->entrypoint.empty()) c->cmd = k.cmd;
  if (c->user.empty()) c->user = k.user;
  if (k.from_node) k.from_node(c);
  for (const auto& [key, v] : k.env) c->env.emplace(key, v);
  for (const auto& [key, v] : k.sysctls) c->sysctls.emplace(key, v);
}

std::optional<std::string> TypeRefusal(const KindInfo& k, const std::string& type) {
  if (k.types.empty() || type.empty()) return std::nullopt;
  std::string t = Lower(type);
  if (std::find(k.types.begin(), k.types.end(), t) != k.types.end()) return std::nullopt;
  std::string known;
  for (const auto& kt : k.types) known += (known.empty() ? "" : ", ") + kt;
  return "type \"" + type + "\" is not a type of " + k.name + " (" + known + ")";
}

namespace {

// vrnetlab's launch.py arguments, as containerlab passes them.
void LaunchVm(const KindInfo& k, const LabSpec& lab, size_t nics, NodeConfig* n) {
  n->env.emplace("CLAB_INTFS", std::to_string(nics));  // the VM is started with that many NICs
  if (!lab.mgmt.ipv4_subnet.empty()) n->env.emplace("DOCKER_NET_V4_ADDR", lab.mgmt.ipv4_subnet);
  if (!lab.mgmt.ipv6_subnet.empty()) n->env.emplace("DOCKER_NET_V6_ADDR", lab.mgmt.ipv6_subnet);
  if (n->cmd.empty() && n->entrypoint.empty())
    n->cmd = {"--username",
              n->env.count("USERNAME") ? n->env["USERNAME"] : k.username,
              "--password",
              n->env.count("PASSWORD") ? n->env["PASSWORD"] : k.password,
              "--hostname",
              n->name,
              "--connection-mode",
              n->env.count("CONNECTION_MODE") ? n->env["CONNECTION_MODE"] : "tc",
              "--trace"};
}

}  // namespace

void ApplyLabDefaults(LabSpec* lab) {
  auto lab_wide = [](const NodeConfig& n) {
    const KindInfo* k = FindKind(n.kind);
    return k && (k->IsVm() || k->from_lab);
  };
  if (std::none_of(lab->nodes.begin(), lab->nodes.end(), lab_wide)) return;  // no kind here needs the lab
  std::map<std::string, size_t> ends;
  for (const auto& l : lab->links)
    for (const Endpoint* e : {&l.a, &l.b})
      if (!e->node.empty()) ++ends[e->node];
  // The kinds' lab-wide values (IOL's process id, SR-SIM's MAC) number the nodes by name.
  std::vector<std::string> names;
  for (const auto& n : lab->nodes) names.push_back(n.name);
  std::sort(names.begin(), names.end());
  NodeIndex index = [&](const std::string& name) {
    return static_cast<size_t>(std::lower_bound(names.begin(), names.end(), name) - names.begin());
  };
  for (auto& n : lab->nodes) {
    const KindInfo* k = FindKind(n.kind);
    if (!k) continue;
    if (k->IsVm()) LaunchVm(*k, *lab, ends[n.name], &n);
    if (k->from_lab) k->from_lab(lab->name, index, &n);
  }
}

std::vector<NodeConfig> ExpandComponents(const NodeConfig& c, const std::vector<ComponentDefinition>& components) {
  auto apply = [](const ComponentDefinition& comp, NodeConfig* n) {
    for (const auto& [k, v] : comp.env) n->env[k] = v;
    if (!comp.type.empty()) n->env["NOKIA_SROS_CARD"] = comp.type;
    if (!comp.slot.empty()) n->env["NOKIA_SROS_SLOT"] = comp.slot;
  };
  if (components.size() <= 1) {
    NodeConfig n = c;
    if (!components.empty()) apply(components[0], &n);
    return {n};
  }
  std::vector<NodeConfig> out;
  for (const auto& comp : components) {
    NodeConfig n = c;
    n.name = c.name + "-" + Lower(comp.slot);
    n.pos = comp.pos;
    n.labels["labkeeper.dev/srsim-node"] = c.name;
    apply(comp, &n);
    if (!out.empty()) {
      n.network_mode = "container:" + out.front().name;  // one namespace for the whole system
      n.ports.clear();                                   // published once, by the first
      n.extras.dns = {};
    }
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace lk::codec
