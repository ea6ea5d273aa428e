#include "api/topology.h"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "api/kinds.h"
#include "api/strings.h"

namespace lk {

std::string GeneratedMac(const std::string& lab, const std::string& node, const std::string& iface) {
  // containerlab's aa:c1:ab OUI; the rest is a stable hash, so a recreated link gets the same MAC.
  uint64_t h = Fnv1a64({lab, "/", node, "/", iface});
  std::string mac = "aa:c1:ab:00:00:00";
  for (size_t at : {9, 12, 15}) {  // the hash's low three bytes, high first
    unsigned byte = static_cast<unsigned>(h >> (8 * (2 - (at - 9) / 3))) & 0xff;
    mac[at] = "0123456789abcdef"[byte >> 4];
    mac[at + 1] = "0123456789abcdef"[byte & 0xf];
  }
  return mac;
}

std::optional<Diagnostic> PlaceByNodeLabels(LabSpec* lab, const std::string& fallback) {
  for (auto& n : lab->nodes) {
    auto it = n.labels.find(kHostLabel);
    n.host = it == n.labels.end() || it->second.empty() ? fallback : it->second;
  }
  std::set<std::string> hosts = lab->Hosts();
  lab->host = hosts.size() == 1 ? *hosts.begin() : "";
  if (hosts.size() == 1)
    for (auto& n : lab->nodes) n.host = lab->host;  // an unlabelled node goes where the others are
  if (hosts.size() > 1)
    for (const auto& n : lab->nodes)
      if (n.host.empty())
        return Diagnostic{n.pos, "node " + n.name + " is placed on no host (label " + kHostLabel +
                                     ") in a lab spread over hosts " + Join({hosts.begin(), hosts.end()}, ", ") +
                                     ": place every node"};
  return std::nullopt;
}

std::set<std::string> LabSpec::Hosts() const {
  std::set<std::string> hosts;
  for (const auto& n : nodes)
    if (!n.host.empty()) hosts.insert(n.host);
  return hosts;
}

bool LabSpec::Spread() const {
  return Hosts().size() > 1;
}

const std::vector<std::string>& StageNames() {
  static const std::vector<std::string> names = {"create", "create-links", "configure", "healthy", "exit"};
  return names;
}

int StageIndex(const std::string& name) {
  const auto& n = StageNames();
  for (size_t i = 0; i < n.size(); ++i)
    if (n[i] == name) return static_cast<int>(i);
  return -1;
}

std::string SourcePos::str() const {
  std::string s = file;
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on `":" + std::string` at -O2.
  if (line > 0) s.append(1, ':').append(std::to_string(line)).append(1, ':').append(std::to_string(column));
  return s;
}

std::string KernelIfaceName(const std::string& long_name) {
  return long_name.substr(0, 8) + "-" + Hex64(Fnv1a64(long_name)).substr(0, 6);
}

bool NodeConfig::IsContainer() const {
  const KindInfo* k = FindKind(kind);
  return !k || k->RunsContainer();  // an unknown kind is refused before anything runs it
}

std::string NodeConfig::SpecHash() const {
  // Only fields that shape the container; exec runs after creation and does not count.
  nlohmann::json j = {
      {"kind", kind},
      {"type", type},
      {"image", image},
      {"user", user},
      {"hostname", hostname},
      {"network_mode", network_mode},
      {"mgmt_ipv4", mgmt_ipv4},
      {"mgmt_ipv6", mgmt_ipv6},
      {"platform", platform},
      {"cmd", cmd},
      {"entrypoint", entrypoint},
      {"env", env},
      {"labels", labels},
      {"sysctls", sysctls},
      {"binds", binds},
      {"ports", ports},
      {"cap_add", cap_add},
      {"privileged", privileged},
      {"group", group},
      {"cpu", extras.cpu},
      {"cpu_set", extras.cpu_set},
      {"memory", extras.memory},
      {"shm_size", extras.shm_size},
      {"devices", extras.devices},
      {"tmpfs", extras.tmpfs},
      {"security_opts", extras.security_opts},
      {"volumes", extras.volumes},
      {"aliases", extras.aliases},
      {"cgroupns_mode", extras.cgroupns_mode},
      {"cgroup_parent", extras.cgroup_parent},
      {"pid_mode", extras.pid_mode},
      {"restart_policy", extras.restart_policy},
      {"dns", {extras.dns.servers, extras.dns.search, extras.dns.options}},
      {"unapplied", unapplied},
  };
  if (extras.healthcheck) {
    const Healthcheck& h = *extras.healthcheck;
    j["healthcheck"] = {h.test, h.interval, h.timeout, h.retries, h.start_period};
  }
  return Hex64(Fnv1a64(j.dump()));
}

std::string LinkConfig::Id() const {
  if (type == "veth-stitch") return a.node + ":" + a.iface + "--veth-stitch--" + b.node + ":" + b.iface;
  if (!OneEnded() && type != "vxlan-stitch") return a.node + ":" + a.iface + "--" + b.node + ":" + b.iface;
  std::string id = a.node + ":" + a.iface + "--" + type;
  if (!parent.empty()) id.append(1, ':').append(parent);
  if (vni) id.append(1, ':').append(std::to_string(vni));
  return id;
}

namespace {
// containerlab's container name for a node of lab `lab` under `prefix`.
std::string PrefixedName(const std::optional<std::string>& prefix, const std::string& lab, const std::string& node) {
  if (!prefix) return "clab-" + lab + "-" + node;
  if (prefix->empty()) return node;
  if (*prefix == "__lab-name") return lab + "-" + node;
  return *prefix + "-" + lab + "-" + node;
}
}  // namespace

std::string LabSpec::ContainerName(const std::string& node) const {
  const NodeConfig* n = FindNode(node);
  return n ? ContainerName(*n) : PrefixedName(prefix, name, node);
}

std::string LabSpec::ContainerName(const NodeConfig& n) const {
  return n.kind == "ext-container" ? n.name : PrefixedName(prefix, name, n.name);  // its own name
}

std::string VethStitchNetnsPrefix(const std::string& lab) {
  return "lk-" + lab + "-vstitch-";
}

bool IsVethStitchNetnsOf(const std::string& lab, const std::string& netns) {
  std::string prefix = VethStitchNetnsPrefix(lab);
  if (netns.size() != prefix.size() + 6 || netns.compare(0, prefix.size(), prefix) != 0) return false;
  return netns.find_first_not_of("0123456789abcdef", prefix.size()) == std::string::npos;
}

std::string LabSpec::LabDir() const {
  // containerlab's CLAB_LABDIR_BASE puts every lab directory under one base (the files may be in
  // a read-only place: a ConfigMap, a store, someone else's checkout).
  const char* base = std::getenv("CLAB_LABDIR_BASE");
  return (base && *base ? std::string(base) : dir) + "/clab-" + name;
}

const NodeConfig* LabSpec::FindNode(const std::string& n) const {
  for (const auto& node : nodes)
    if (node.name == n) return &node;
  return nullptr;
}

bool LabSpec::EndInHostNamespace(const Endpoint& e) const {
  if (e.node == kHostNode) return true;
  const NodeConfig* n = FindNode(e.node);
  return n && n->InHostNamespace();
}

}  // namespace lk
