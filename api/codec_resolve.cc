#include "api/codec_internal.h"
#include "api/topology_codec.h"

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "api/gotemplate.h"
#include "api/kinds.h"
#include "api/stage_graph.h"
#include "api/strings.h"

namespace fs = std::filesystem;

namespace lk::codec {
namespace {

// --- Resolution: inheritance and validation -------------------------------------------------

template <typename T>
std::optional<T> First(std::initializer_list<const std::optional<T>*> levels) {
  for (const auto* l : levels)
    if (l && *l) return **l;
  return std::nullopt;
}

std::string BindTarget(const std::string& bind) {
  size_t c = bind.find(':');
  if (c == std::string::npos) return bind;
  size_t c2 = bind.find(':', c + 1);
  return bind.substr(c + 1, c2 == std::string::npos ? std::string::npos : c2 - c - 1);
}

// Binds from the least to the most specific level; a later one replaces an earlier one with
// the same container path. Relative sources are made absolute against their file's directory.
std::vector<std::string> MergeBinds(const std::vector<const NodeDefinition*>& levels) {
  std::vector<std::string> out;
  for (const auto* l : levels) {
    if (!l) continue;
    for (const auto& b : l->binds) {
      std::string bind = b;
      size_t c = bind.find(':');
      std::string src = bind.substr(0, c);
      if (StartsWith(src, "~/")) {
        const char* home = std::getenv("HOME");
        src = std::string(home ? home : "/root") + src.substr(1);
      } else if (!src.empty() && src[0] != '/') {
        src = (fs::path(l->base_dir) / src).lexically_normal().string();
      }
      bind = src + (c == std::string::npos ? "" : bind.substr(c));
      std::string target = BindTarget(bind);
      out.erase(std::remove_if(out.begin(), out.end(), [&](const std::string& o) { return BindTarget(o) == target; }),
                out.end());
      out.push_back(bind);
    }
  }
  return out;
}

std::vector<std::string> Concat(const std::vector<const NodeDefinition*>& levels,
                                std::vector<std::string> NodeDefinition::*field) {
  std::vector<std::string> out;
  for (const auto* l : levels) {
    if (!l) continue;
    for (const auto& v : l->*field)
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  }
  return out;
}

std::map<std::string, std::string> MergeMaps(const std::vector<const NodeDefinition*>& levels,
                                             std::map<std::string, std::string> NodeDefinition::*field) {
  std::map<std::string, std::string> out;
  for (const auto* l : levels)
    if (l)
      for (const auto& [k, v] : l->*field) out[k] = v;
  return out;
}

// A size as Docker reads it: a number and an optional 1024-based unit (b, k, m, g, t), an
// optional trailing b; "1G", "512Mb", "100m".
std::optional<int64_t> ParseBytes(const std::string& s) {
  static const std::regex re("^\\s*([0-9]+(\\.[0-9]+)?)\\s*([bBkKmMgGtTpP]?)[bB]?\\s*$");
  std::smatch m;
  if (!std::regex_match(s, m, re)) return std::nullopt;
  double v = std::stod(m[1].str());
  std::string unit = m[3].str();
  const std::string units = "bkmgtp";
  size_t p = unit.empty() ? 0 : units.find(static_cast<char>(std::tolower(static_cast<unsigned char>(unit[0]))));
  for (size_t i = 0; i < p; ++i) v *= 1024;
  return static_cast<int64_t>(v);
}

bool ValidMac(const std::string& mac) {
  static const std::regex re("^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$");
  return std::regex_match(mac, re);
}

// [A-Za-z0-9_][A-Za-z0-9_.-]* (by hand: a std::regex match per node was a tenth of resolving).
bool ValidName(const std::string& s) {
  auto word = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  };
  if (s.empty() || !word(s[0])) return false;
  return std::all_of(s.begin() + 1, s.end(), [&](char c) { return word(c) || c == '.' || c == '-'; });
}

class Resolver {
 public:
  Resolver(const TopologyFile& f, std::vector<Diagnostic>* errors, std::set<std::string>* inputs, FileReader* files)
      : f_(f), errors_(errors), inputs_(inputs), files_(files) {}

  LabSpec Resolve() {
    LabSpec lab;
    lab.name = f_.name;
    lab.prefix = f_.prefix;
    lab.file = f_.path;
    lab.dir = fs::path(f_.path).parent_path().string();
    lab.mgmt = f_.mgmt;
    if (!f_.name.empty() && !ValidName(f_.name))
      Error(f_.name_pos, "name \"" + f_.name + "\": only letters, digits, '_', '.' and '-' are allowed");
    std::map<std::string, std::string> expanded;  // an SR-SIM node of components: its first
    lab.nodes.reserve(f_.nodes.size());           // more only for SR-SIM components
    lab.links.reserve(f_.links.size());
    for (const auto& [name, def] : f_.nodes) {
      NodeConfig c = ResolveNode(name, def);
      const std::vector<ComponentDefinition>* components = Components(name, def, c);
      if (!components) {
        lab.nodes.push_back(std::move(c));
        continue;
      }
      for (auto& n : ExpandComponents(c, *components)) lab.nodes.push_back(std::move(n));
      if (components->size() > 1) expanded[name] = lab.nodes[lab.nodes.size() - components->size()].name;
    }
    // Looked up by name for every link end and wait-for: an index, not a scan per look-up.
    for (const auto& n : lab.nodes)
      if (!by_name_.emplace(n.name, &n).second)
        Error(n.pos, "node \"" + n.name + "\": the name is taken (by a node or an SR-SIM component)");
    for (const auto& [name, first] : expanded) by_name_.emplace(name, by_name_.at(first));
    for (auto& n : lab.nodes)  // a wait for a distributed SR-SIM is a wait for its first component
      for (auto& [stage, st] : n.stages)
        for (auto& w : st.wait_for)
          if (const NodeConfig* on = Find(w.node))
            w.node = on->name;
          else
            Error(n.pos,
                  "node \"" + n.name + "\": stages." + stage + ".wait-for: node \"" + w.node + "\" does not exist");
    if (StageCycle c = FindStageCycle(lab.nodes); !c.node.empty())
      Error(Find(c.node)->pos, "node \"" + c.node + "\": its stages wait for themselves (" + c.waits +
                                   "): the lab could never be deployed");
    std::unordered_set<std::string> used;  // looked up, never listed
    used.reserve(2 * f_.links.size());
    for (const auto& l : f_.links) ResolveLink(lab, l, &used);
    ApplyLabDefaults(&lab);
    return lab;
  }

 private:
  void Error(const SourcePos& pos, std::string msg) { errors_->push_back({pos, std::move(msg)}); }

  // Where the value of `key` a node got was written: the most specific level (of `levels`, least
  // specific first) that wrote it; `fallback` when none did.
  static SourcePos At(const std::vector<const NodeDefinition*>& levels, const std::string& key,
                      const SourcePos& fallback) {
    for (auto l = levels.rbegin(); l != levels.rend(); ++l)
      if (*l)
        if (auto it = (*l)->written.at.find(key); it != (*l)->written.at.end()) return it->second;
    return fallback;
  }

  // The node's name checked, its group and kind found (and checked); the kind's defaults in the
  // file (topology.kinds), when it has any.
  const NodeDefinition* ResolveGroupAndKind(const std::string& name, const NodeDefinition& node,
                                            const std::string& what, NodeConfig* c, const NodeDefinition** group) {
    size_t bar = name.find('|');
    if (!ValidName(name.substr(0, bar)) || (bar != std::string::npos && !ValidName(name.substr(bar + 1))))
      Error(node.pos,
            what + ": only letters, digits, '_', '.' and '-' are allowed in node names" +
                std::string(bar == std::string::npos ? "" : " (a bridge may be written \"bridge|container\")"));
    std::string group_name = First<std::string>({&node.group, &f_.defaults.group}).value_or("");
    // A group with no entry in topology.groups gives nothing to inherit: as for containerlab,
    // it is then only the node's group label (clab-node-group).
    if (auto it = f_.groups.find(group_name); !group_name.empty() && it != f_.groups.end()) *group = &it->second;
    c->group = group_name;
    c->kind = First<std::string>({&node.kind, *group ? &(*group)->kind : nullptr, &f_.defaults.kind}).value_or("");
    const NodeDefinition* kind = nullptr;
    if (auto it = f_.kinds.find(c->kind); it != f_.kinds.end()) kind = &it->second;
    if (bar != std::string::npos && !c->kind.empty() && !c->IsBridge())
      Error(node.pos, what + ": only a bridge node may be written \"bridge|container\" (kind is " + c->kind + ")");
    if (c->kind.empty()) {
      Error(node.pos, what + ": \"kind\" is not set on the node, its group or topology.defaults");
    } else if (!FindKind(c->kind)) {
      Error(At({&f_.defaults, *group, &node}, "kind", node.pos),
            what + ": kind \"" + c->kind + "\" is not supported by labkeeper (known: " + KnownKinds() + ")");
    } else if (c->IsBridge() && c->BridgeName().size() > 15) {
      Error(node.pos, what + ": bridge name \"" + c->BridgeName() + "\" is longer than 15 characters");
    }
    return kind;
  }

  // What a resolved node must hold: an image where its kind needs one, binds of the form
  // source:target, exec commands that split; each bind and command checked where it is written.
  void CheckNode(const NodeConfig& c, const std::vector<const NodeDefinition*>& levels, const SourcePos& pos,
                 const std::string& what) {
    const KindInfo* k = FindKind(c.kind);
    if (c.image.empty() && k && k->RunsContainer())
      Error(pos, what + ": \"image\" is not set on the node, its group, its kind or topology.defaults");
    for (const NodeDefinition* l : levels) {
      if (!l) continue;
      for (size_t i = 0; i < l->binds.size(); ++i)  // a missing source is found at deploy time, as containerlab does
        if (l->binds[i].find(':') == std::string::npos)
          Error(l->written.Of("binds[" + std::to_string(i) + "]", pos),
                what + ": bind \"" + l->binds[i] + "\" is not of the form source:target[:options]");
      for (size_t i = 0; i < l->exec.size(); ++i)
        if (auto argv = ShellSplit(l->exec[i]); !argv)
          Error(l->written.Of("exec[" + std::to_string(i) + "]", pos), what + ": exec: " + argv.error());
    }
  }

  // A node's SR-SIM components; nullptr for a node that lists none.
  const std::vector<ComponentDefinition>* Components(const std::string& name, const NodeDefinition& node,
                                                     const NodeConfig& c) {
    if (node.components.empty()) return nullptr;
    if (const KindInfo* k = FindKind(c.kind); k && k->has_components) return &node.components;
    Error(node.written.Of("components", node.pos),
          "node \"" + name + "\": components: only nokia_srsim nodes have components (kind is " + c.kind + ")");
    return nullptr;
  }

  NodeConfig ResolveNode(const std::string& name, const NodeDefinition& node) {
    std::string what = "node \"" + name + "\"";
    NodeConfig c;
    c.name = name;
    c.pos = node.pos;
    const NodeDefinition* group = nullptr;
    const NodeDefinition* kind = ResolveGroupAndKind(name, node, what, &c, &group);
    // Most specific first, for scalars; least specific first, for merges.
    auto pick = [&](std::optional<std::string> NodeDefinition::*field) {
      return First<std::string>({&(node.*field), group ? &(group->*field) : nullptr, kind ? &(kind->*field) : nullptr,
                                 &(f_.defaults.*field)});
    };
    std::vector<const NodeDefinition*> levels = {&f_.defaults, kind, group, &node};
    c.type = pick(&NodeDefinition::type).value_or("");
    c.image = pick(&NodeDefinition::image).value_or("");
    c.image_pull_policy = pick(&NodeDefinition::image_pull_policy).value_or("IfNotPresent");
    c.user = pick(&NodeDefinition::user).value_or("");
    c.hostname = pick(&NodeDefinition::hostname).value_or("");
    c.network_mode = pick(&NodeDefinition::network_mode).value_or("");
    c.platform = pick(&NodeDefinition::platform).value_or("");
    c.mgmt_ipv4 = node.mgmt_ipv4.value_or("");
    c.mgmt_ipv6 = node.mgmt_ipv6.value_or("");
    c.privileged = First<bool>({&node.privileged, group ? &group->privileged : nullptr,
                                kind ? &kind->privileged : nullptr, &f_.defaults.privileged})
                       .value_or(true);
    for (auto [field, out, key] : {std::tuple{&NodeDefinition::cmd, &c.cmd, "cmd"},
                                   std::tuple{&NodeDefinition::entrypoint, &c.entrypoint, "entrypoint"}}) {
      if (auto v = pick(field); v && !v->empty()) {
        auto argv = ShellSplit(*v);
        if (argv)
          *out = *argv;
        else
          Error(At(levels, key, node.pos), what + ": " + key + ": " + argv.error());
      }
    }
    c.env = EnvFromFiles(levels, what, node.pos);
    for (const auto& [k, v] : MergeMaps(levels, &NodeDefinition::env)) c.env[k] = v;
    ResolveExtras(node, group, kind, levels, what, &c);
    c.labels = MergeMaps(levels, &NodeDefinition::labels);
    c.sysctls = MergeMaps(levels, &NodeDefinition::sysctls);
    if (const KindInfo* info = FindKind(c.kind)) {
      ApplyKindDefaults(*info, &c);
      if (auto refused = TypeRefusal(*info, c.type)) Error(At(levels, "type", node.pos), what + ": " + *refused);
    }
    // containerlab enables IPv6 on every node that has its own namespace.
    if (c.IsContainer() && c.network_mode != "host" && !c.sysctls.count("net.ipv6.conf.all.disable_ipv6"))
      c.sysctls["net.ipv6.conf.all.disable_ipv6"] = "0";
    c.binds = MergeBinds(levels);
    c.exec = Concat(levels, &NodeDefinition::exec);
    c.ports = Concat(levels, &NodeDefinition::ports);
    c.cap_add = Concat(levels, &NodeDefinition::cap_add);
    CheckNode(c, levels, node.pos, what);
    return c;
  }

  // env-files of every level (relative to its file), read now: their content is part of the spec.
  std::map<std::string, std::string> EnvFromFiles(const std::vector<const NodeDefinition*>& levels,
                                                  const std::string& what, const SourcePos& pos) {
    std::map<std::string, std::string> env;
    for (const auto* l : levels) {
      if (!l) continue;
      for (size_t i = 0; i < l->env_files.size(); ++i) {
        const std::string& f = l->env_files[i];
        const SourcePos& at = l->written.Of("env-files[" + std::to_string(i) + "]", pos);
        std::string path = f[0] == '/' ? f : (fs::path(l->base_dir) / f).lexically_normal().string();
        inputs_->insert(path);  // read or not, its content is part of the lab
        auto text = files_->Read(path, kMaxFileBytes + 1);
        if (!text) {  // the reader never opens what is no regular file: a FIFO would block it
          Error(at, what + ": env-files: " + text.error());
          continue;
        }
        if (text->size() > kMaxFileBytes) {
          Error(at, what + ": env-files: " + path + " is over the limit of " + std::to_string(kMaxFileBytes >> 20) +
                        " MiB");
          continue;
        }
        std::istringstream in(*text);
        std::string line;
        while (std::getline(in, line)) {
          std::string t = Trim(line);
          if (t.empty() || t[0] == '#') continue;
          size_t eq = t.find('=');
          if (eq == std::string::npos)
            env[t] = "";
          else
            env[t.substr(0, eq)] = t.substr(eq + 1);
        }
      }
    }
    return env;
  }

  void ResolveExtras(const NodeDefinition& node, const NodeDefinition* group, const NodeDefinition* kind,
                     const std::vector<const NodeDefinition*>& levels, const std::string& what, NodeConfig* c) {
    auto pick = [&](std::optional<std::string> NodeDefinition::*field) {
      return First<std::string>({&(node.*field), group ? &(group->*field) : nullptr, kind ? &(kind->*field) : nullptr,
                                 &(f_.defaults.*field)})
          .value_or("");
    };
    ContainerExtras& x = c->extras;
    x.cpu = First<double>({&node.cpu, group ? &group->cpu : nullptr, kind ? &kind->cpu : nullptr, &f_.defaults.cpu})
                .value_or(0);
    x.cpu_set = pick(&NodeDefinition::cpu_set);
    x.cgroupns_mode = pick(&NodeDefinition::cgroupns_mode);
    x.cgroup_parent = pick(&NodeDefinition::cgroup_parent);
    x.pid_mode = pick(&NodeDefinition::pid_mode);
    x.restart_policy = pick(&NodeDefinition::restart_policy);
    for (auto [field, out, key] : {std::tuple{&NodeDefinition::memory, &x.memory, "memory"},
                                   std::tuple{&NodeDefinition::shm_size, &x.shm_size, "shm-size"}}) {
      std::string v = pick(field);
      if (v.empty()) continue;
      auto bytes = ParseBytes(v);
      if (bytes)
        *out = *bytes;
      else
        Error(At(levels, key, node.pos), what + ": " + key + " \"" + v + "\" is not a size (such as 512Mb, 1G)");
    }
    if (x.restart_policy.size() &&
        !std::set<std::string>{"no", "always", "on-failure", "unless-stopped"}.count(x.restart_policy))
      Error(At(levels, "restart-policy", node.pos),
            what + ": restart-policy \"" + x.restart_policy + "\": expected no, always, on-failure or unless-stopped");
    x.devices = Concat(levels, &NodeDefinition::devices);
    x.tmpfs = Concat(levels, &NodeDefinition::tmpfs);
    x.security_opts = Concat(levels, &NodeDefinition::security_opts);
    x.volumes = Concat(levels, &NodeDefinition::volumes);
    x.aliases = node.aliases;  // as mgmt addresses: only from the node
    auto dns =
        First<DnsConfig>({&node.dns, group ? &group->dns : nullptr, kind ? &kind->dns : nullptr, &f_.defaults.dns});
    if (dns) x.dns = *dns;
    x.healthcheck = First<Healthcheck>({&node.healthcheck, group ? &group->healthcheck : nullptr,
                                        kind ? &kind->healthcheck : nullptr, &f_.defaults.healthcheck});
    c->startup_delay = First<int>({&node.startup_delay, group ? &group->startup_delay : nullptr,
                                   kind ? &kind->startup_delay : nullptr, &f_.defaults.startup_delay})
                           .value_or(0);
    for (const auto* l : levels)
      if (l)
        for (const auto& [k, v] : l->unapplied) c->unapplied[k] = v;
    // Stages: a more specific level's stage replaces the same stage of a less specific one.
    for (const auto* l : levels)
      if (l)
        for (const auto& [name, st] : l->stages) c->stages[name] = st;
    for (const auto& w : node.wait_for) c->stages["create"].wait_for.push_back({w, "create"});
  }

  void CheckEndpoint(const EndpointDefinition& e, const std::string& what, std::unordered_set<std::string>* used) {
    if (e.node.empty() || e.iface.empty()) return;  // already reported by the parser
    if (!Find(e.node)) {
      Error(e.written.Of("node", e.pos), what + ": node \"" + e.node + "\" does not exist in topology.nodes");
    }
    const NodeConfig* node = Find(e.node);
    std::string iface = node ? LinuxIfaceName(node->kind, e.iface) : e.iface;
    if (auto why = InvalidIfaceName(iface))
      Error(e.written.Of("interface", e.pos), what + ": interface \"" + e.iface + "\" " + *why);
    else if (auto refused = node ? KindRefusesIface(node->kind, iface) : std::nullopt)
      Error(e.written.Of("interface", e.pos), what + ": interface \"" + e.iface + "\" " + *refused);
    if (const KindInfo* k = node ? FindKind(node->kind) : nullptr; k && k->packaging == Packaging::kExternal)
      Error(e.written.Of("node", e.pos), what + ": node \"" + e.node + "\" is a " + k->name +
                                             " cluster: links attach to its nodes, as ext-container nodes");
    if (!e.mac.empty() && !ValidMac(e.mac))
      Error(e.written.Of("mac", e.pos), what + ": mac \"" + e.mac + "\" is not a MAC address (aa:bb:cc:dd:ee:ff)");
    if (!used->insert((node ? node->name : e.node) + ":" + iface).second)  // as resolved: aliases meet
      Error(e.pos, what + ": endpoint " + e.node + ":" + e.iface + " is used by more than one link");
  }

  // The host end of a host or mgmt-net link. A name longer than Linux allows is kept as the
  // interface's altname, as containerlab does, of a short kernel name.
  Endpoint HostEnd(const LabSpec& lab, const LinkDefinition& l, const std::string& what,
                   std::unordered_set<std::string>* used) {
    const std::string& name = l.host_interface;
    if (auto why = InvalidHostIfaceName(name); why && !name.empty())
      Error(l.written.Of("host-interface", l.pos), what + ": host-interface \"" + name + "\" " + *why);
    if (!used->insert(std::string(kHostNode) + ":" + name).second)
      Error(l.pos, what + ": host interface " + name + " is used by more than one link");
    bool long_name = name.size() > 15;
    std::string kernel = long_name ? KernelIfaceName(name) : name;
    return Endpoint{kHostNode, kernel, GeneratedMac(lab.name, kHostNode, name), "", "", long_name ? name : "", {}};
  }

  void ResolveLink(LabSpec& lab, const LinkDefinition& l, std::unordered_set<std::string>* used) {
    std::string what = "link " + std::to_string(&l - f_.links.data());
    LinkConfig c;
    c.type = l.type;
    c.pos = l.pos;
    // containerlab's 9500 for veth pairs; a mgmt-net end joins a 1500-byte bridge; the others
    // take their kind's default (a macvlan cannot exceed its parent, a vxlan leaves room).
    c.mtu = l.mtu.value_or(l.type == "veth" || l.type == "veth-stitch" || l.type == "host" ? 9500
                           : l.type == "mgmt-net"                                          ? 1500
                                                                                           : 0);
    c.parent = l.type == "macvlan" ? l.host_interface : "";
    if (!l.mode.empty()) c.mode = l.mode;
    c.remote = l.remote;
    c.vni = l.vni.value_or(0);
    c.dst_port = l.dst_port.value_or(14789);
    if (c.vni < 0 || c.vni > 16777215)
      Error(l.written.Of("vni", l.pos), what + ": vni " + std::to_string(c.vni) + " is outside 1..16777215");
    if (c.dst_port < 1 || c.dst_port > 65535)
      Error(l.written.Of(l.written.at.count("dst-port") ? "dst-port" : "udp-port", l.pos),
            what + ": dst-port " + std::to_string(c.dst_port) + " is outside 1..65535");
    if (c.mtu != 0 && (c.mtu < 68 || c.mtu > 65535))
      Error(l.written.Of("mtu", l.pos), what + ": mtu " + std::to_string(c.mtu) + " is outside 68..65535");
    size_t before = errors_->size();
    for (const auto& e : l.endpoints) CheckEndpoint(e, what, used);
    if (l.endpoints.empty()) return;
    auto end = [&](const EndpointDefinition& e) {
      const NodeConfig* node = Find(e.node);
      std::string iface = node ? LinuxIfaceName(node->kind, e.iface) : e.iface;
      std::string name = node ? node->name : e.node;  // an SR-SIM node's links are its first component's
      std::string mac = e.mac.empty() ? GeneratedMac(lab.name, name, iface) : e.mac;
      return Endpoint{name, iface, mac, e.ipv4, e.ipv6, "", e.netem ? e.netem : l.netem};
    };
    c.a = end(l.endpoints[0]);
    if (l.type == "macvlan") {
      if (auto why = InvalidIfaceName(l.host_interface); why && !l.host_interface.empty())
        Error(l.written.Of("host-interface", l.pos), what + ": macvlan parent \"" + l.host_interface + "\" " + *why);
    } else if (l.type == "host" || l.type == "mgmt-net") {
      c.b = HostEnd(lab, l, what, used);
    } else if (l.type == "vxlan-stitch") {
      // containerlab's names for the stitch's host side.
      for (auto* end : {&c.b.iface, &c.stitch_vxlan}) {
        *end = VxlanStitchHostName(lab.name, c.a, end == &c.b.iface ? "ve-" : "vx-");
        if (!used->insert(std::string(kHostNode) + ":" + *end).second)
          Error(l.pos, what + ": host interface " + *end + " is used by more than one link");
      }
      c.b.node = kHostNode;
      c.b.mac = GeneratedMac(lab.name, kHostNode, c.b.iface);
      // The veth carries what the VXLAN device can: 1450 leaves room for the encapsulation.
      if (!l.mtu) c.mtu = 1450;
    } else if (l.type == "veth-stitch" && l.endpoints.size() == 2) {
      c.b = end(l.endpoints[1]);
      for (const auto& [pos, text] : VethStitchRefusals(l, c.a.node, c.b.node)) Error(pos, what + ": " + text);
      c.stitch_netns = VethStitchNetns(lab.name, l);
    } else if (l.endpoints.size() == 2) {
      c.b = end(l.endpoints[1]);
    }
    if (errors_->size() == before) lab.links.push_back(std::move(c));
  }

  const TopologyFile& f_;
  std::vector<Diagnostic>* errors_;
  std::set<std::string>* inputs_;                               // other files read: env-files
  FileReader* files_;                                           // how they are read
  std::unordered_map<std::string, const NodeConfig*> by_name_;  // into the resolved lab's nodes

  const NodeConfig* Find(const std::string& name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
  }
};

}  // namespace

LabSpec Resolve(const TopologyFile& f, std::vector<Diagnostic>* errors, std::set<std::string>* inputs,
                FileReader* files) {
  return Resolver(f, errors, inputs, files).Resolve();
}

}  // namespace lk::codec
