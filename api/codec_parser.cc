#include "api/codec_internal.h"
#include "api/topology_codec.h"

#include <yaml-cpp/depthguard.h>
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
#include <string_view>
#include <tuple>
#include <unordered_map>

#include <arpa/inet.h>

#include "api/gotemplate.h"
#include "api/kinds.h"
#include "api/strings.h"

namespace lk::codec {
namespace {

// Every node key containerlab knows, plus labkeeper's `platform`. Keys in kAppliedNodeKeys shape
// the container in this version; the rest are accepted, validated as YAML and ignored.
const std::set<std::string> kNodeKeys = {"kind",
                                         "group",
                                         "type",
                                         "image",
                                         "image-pull-policy",
                                         "license",
                                         "position",
                                         "entrypoint",
                                         "cmd",
                                         "startup-config",
                                         "startup-delay",
                                         "enforce-startup-config",
                                         "suppress-startup-config",
                                         "auto-remove",
                                         "restart-policy",
                                         "config",
                                         "exec",
                                         "binds",
                                         "volumes",
                                         "ports",
                                         "mgmt-ipv4",
                                         "mgmt-ipv6",
                                         "publish",
                                         "env",
                                         "env-files",
                                         "labels",
                                         "user",
                                         "hostname",
                                         "network-mode",
                                         "cpu",
                                         "cpu-set",
                                         "memory",
                                         "shm-size",
                                         "sysctls",
                                         "extras",
                                         "wait-for",
                                         "dns",
                                         "certificate",
                                         "healthcheck",
                                         "aliases",
                                         "devices",
                                         "components",
                                         "stages",
                                         "cap-add",
                                         "security-opts",
                                         "tmpfs",
                                         "cgroup-parent",
                                         "privileged",
                                         "cgroupns-mode",
                                         "pid-mode",
                                         "credentials",
                                         "link-apply-mode",
                                         "platform",
                                         "runtime"};
// Node keys this version applies to the container; the other known keys are kept unapplied.
const std::set<std::string> kAppliedNodeKeys = {
    "kind",       "group",         "type",          "image",         "image-pull-policy", "cmd",
    "entrypoint", "user",          "hostname",      "network-mode",  "mgmt-ipv4",         "mgmt-ipv6",
    "platform",   "privileged",    "env",           "labels",        "sysctls",           "binds",
    "exec",       "ports",         "cap-add",       "cpu",           "cpu-set",           "memory",
    "shm-size",   "cgroupns-mode", "cgroup-parent", "pid-mode",      "restart-policy",    "startup-delay",
    "env-files",  "devices",       "tmpfs",         "security-opts", "volumes",           "aliases",
    "dns",        "healthcheck",   "runtime"};
const std::set<std::string> kDnsKeys = {"servers", "search", "options"};
const std::set<std::string> kHealthcheckKeys = {"test", "start-period", "retries", "interval", "timeout"};
const std::set<std::string> kTopLevelKeys = {"name", "prefix", "mgmt", "topology", "settings", "debug"};
const std::set<std::string> kTopologyKeys = {"defaults", "kinds", "groups", "nodes", "links"};
const std::set<std::string> kMgmtKeys = {"network",     "ipv4-subnet",     "ipv4-gw",    "ipv4-range",
                                         "ipv6-subnet", "ipv6-gw",         "ipv6-range", "mtu",
                                         "bridge",      "external-access", "driver"};
const std::set<std::string> kBriefLinkKeys = {"endpoints", "mtu", "vars", "labels", "ipv4", "ipv6"};
const std::set<std::string> kVethLinkKeys = {"type", "endpoints", "mtu", "vars", "labels"};
const std::set<std::string> kHostLinkKeys = {"type", "host-interface", "endpoint", "mtu", "vars", "labels"};
const std::set<std::string> kMacvlanLinkKeys = {"type", "host-interface", "endpoint", "mode", "mtu", "vars", "labels"};
const std::set<std::string> kDummyLinkKeys = {"type", "endpoint", "mtu", "vars", "labels"};
const std::set<std::string> kVxlanLinkKeys = {"type",     "endpoint", "remote", "vni",  "dst-port",
                                              "src-port", "udp-port", "mtu",    "vars", "labels"};
const std::set<std::string> kEndpointKeys = {"node", "interface", "mac", "vars", "labels", "ipv4", "ipv6"};

}  // namespace

NodeDefinition Parser::Node(const yaml::Node& n, const std::string& what) {
  NodeDefinition d;
  d.pos = Pos(n);
  d.base_dir = dir_;
  if (!n || n.IsNull()) return d;  // `n1:` with no body is a valid node
  if (!IsMap(n, what)) return d;
  d.written = Written(n);
  CheckKeys(n, kNodeKeys, what);
  d.kind = Str(n, "kind", what);
  d.group = Str(n, "group", what);
  d.type = Str(n, "type", what);
  d.image = Str(n, "image", what);
  d.image_pull_policy = Str(n, "image-pull-policy", what);
  d.cmd = Str(n, "cmd", what);
  d.entrypoint = Str(n, "entrypoint", what);
  d.user = Str(n, "user", what);
  d.hostname = Str(n, "hostname", what);
  d.network_mode = Str(n, "network-mode", what);
  d.mgmt_ipv4 = MgmtAddress(n, "mgmt-ipv4", AF_INET, what);
  d.mgmt_ipv6 = MgmtAddress(n, "mgmt-ipv6", AF_INET6, what);
  d.platform = Str(n, "platform", what);
  d.privileged = As<bool>(n, "privileged", what, "expected true or false");
  d.env = Map(n, "env", what);
  d.labels = Map(n, "labels", what);
  d.sysctls = Map(n, "sysctls", what);
  d.binds = List(n, "binds", what);
  d.exec = List(n, "exec", what);
  d.ports = List(n, "ports", what);
  d.cap_add = List(n, "cap-add", what);
  d.cpu = As<double>(n, "cpu", what, "expected a number of CPUs, such as 1.5");
  d.cpu_set = Str(n, "cpu-set", what);
  d.memory = Str(n, "memory", what);
  d.shm_size = Str(n, "shm-size", what);
  d.cgroupns_mode = Str(n, "cgroupns-mode", what);
  d.cgroup_parent = Str(n, "cgroup-parent", what);
  d.pid_mode = Str(n, "pid-mode", what);
  d.restart_policy = Str(n, "restart-policy", what);
  d.startup_delay = Int(n, "startup-delay", what);
  d.env_files = List(n, "env-files", what);
  d.devices = List(n, "devices", what);
  d.tmpfs = List(n, "tmpfs", what);
  d.security_opts = List(n, "security-opts", what);
  d.volumes = List(n, "volumes", what);
  d.aliases = List(n, "aliases", what);
  // containerlab's per-node container runtime: labkeeper's nodes all run on its Docker engine.
  if (auto rt = Str(n, "runtime", what); rt && !rt->empty() && *rt != "docker")
    Error(Field(n, "runtime"),
          what + ".runtime: \"" + *rt + "\": labkeeper runs every node on its Docker engine (runtime docker)");
  NodeSections(n, what, &d);
  CheckNodeValues(n, d, what);
  return d;
}

// A node's nested sections (dns, healthcheck, stages, wait-for); keys accepted but not applied.
void Parser::NodeSections(const yaml::Node& n, const std::string& what, NodeDefinition* d) {
  if (yaml::Node dns = Field(n, "dns"); dns && IsMap(dns, what + ".dns")) {
    CheckKeys(dns, kDnsKeys, what + ".dns");
    d->dns = DnsConfig{List(dns, "servers", what + ".dns"), List(dns, "search", what + ".dns"),
                       List(dns, "options", what + ".dns")};
  }
  if (yaml::Node hc = Field(n, "healthcheck"); hc && IsMap(hc, what + ".healthcheck")) {
    std::string w = what + ".healthcheck";
    CheckKeys(hc, kHealthcheckKeys, w);
    Healthcheck h;
    if (yaml::Node t = Field(hc, "test"); t && t.IsScalar())
      h.test = {"CMD-SHELL", t.Scalar()};
    else
      h.test = List(hc, "test", w);
    h.start_period = Int(hc, "start-period", w).value_or(0);
    h.retries = Int(hc, "retries", w).value_or(0);
    h.interval = Int(hc, "interval", w).value_or(0);
    h.timeout = Int(hc, "timeout", w).value_or(0);
    d->healthcheck = h;
  }
  if (yaml::Node st = Field(n, "stages"); st && IsMap(st, what + ".stages")) {
    for (auto it = st.begin(); it != st.end(); ++it) {
      std::string name = it->first.Scalar(), w = what + ".stages." + name;
      if (StageIndex(name) < 0) {
        Error(it->first, w + ": unknown stage (expected create, create-links, configure, healthy or exit)");
        continue;
      }
      d->stages[name] = ParseStage(it->second, w);
    }
  }
  if (yaml::Node wf = Field(n, "wait-for"); wf && !wf.IsNull()) d->wait_for = List(n, "wait-for", what);
  Components(n, what, d);
  for (auto it = n.begin(); it != n.end(); ++it) {
    std::string key = it->first.Scalar();
    if (kNodeKeys.count(key) && !kAppliedNodeKeys.count(key))
      d->unapplied[key] = YAML::Dump(yaml::ToYamlCpp(it->second));
  }
}

Stage Parser::ParseStage(const yaml::Node& n, const std::string& what) {
  Stage stage;
  if (!n || n.IsNull() || !IsMap(n, what)) return stage;
  CheckKeys(n, {"wait-for", "exec"}, what);
  if (yaml::Node wf = Field(n, "wait-for"); wf && wf.IsSequence()) {
    for (const auto& item : wf) {
      if (!IsMap(item, what + ".wait-for")) continue;
      CheckKeys(item, {"node", "stage"}, what + ".wait-for");
      StageWait wait{Str(item, "node", what + ".wait-for").value_or(""),
                     Str(item, "stage", what + ".wait-for").value_or("create")};
      if (wait.node.empty()) Error(item, what + ".wait-for: \"node\" is required");
      if (StageIndex(wait.stage) < 0)
        Error(Field(item, "stage"), what + ".wait-for: unknown stage \"" + wait.stage + "\"");
      stage.wait_for.push_back(wait);
    }
  } else if (wf) {
    Error(wf, what + ".wait-for: expected a list of {node, stage}");
  }
  if (yaml::Node ex = Field(n, "exec"); ex && ex.IsSequence()) {
    for (const auto& item : ex) {
      StageExec e;
      if (item.IsScalar()) {
        e.command = item.Scalar();
      } else if (IsMap(item, what + ".exec")) {
        CheckKeys(item, {"command", "phase", "target"}, what + ".exec");
        e.command = Str(item, "command", what + ".exec").value_or("");
        e.phase = Str(item, "phase", what + ".exec").value_or("on-enter");
        e.target = Str(item, "target", what + ".exec").value_or("container");
        if (e.phase != "on-enter" && e.phase != "on-exit")
          Error(Field(item, "phase"), what + ".exec: phase \"" + e.phase + "\": expected on-enter or on-exit");
        if (e.target != "container" && e.target != "host")
          Error(Field(item, "target"), what + ".exec: target \"" + e.target + "\": expected container or host");
      }
      if (e.command.empty()) Error(item, what + ".exec: \"command\" is required");
      stage.exec.push_back(e);
    }
  } else if (ex) {
    Error(ex, what + ".exec: expected a list");
  }
  return stage;
}

void Parser::Mgmt(const yaml::Node& n, MgmtNetwork* m) {
  if (!n || n.IsNull() || !IsMap(n, "mgmt")) return;
  CheckKeys(n, kMgmtKeys, "mgmt");
  if (auto v = Str(n, "network", "mgmt")) m->network = *v;
  auto v4 = Str(n, "ipv4-subnet", "mgmt");
  auto v6 = Str(n, "ipv6-subnet", "mgmt");
  if (v4 || v6) {
    m->ipv4_subnet = v4.value_or("");
    m->ipv6_subnet = v6.value_or("");
  }
  if (auto v = Str(n, "ipv4-gw", "mgmt")) m->ipv4_gw = *v;
  if (auto v = Str(n, "ipv6-gw", "mgmt")) m->ipv6_gw = *v;
  if (auto v = Str(n, "bridge", "mgmt")) m->bridge = *v;
  if (auto v = Int(n, "mtu", "mgmt")) m->mtu = *v;
  MgmtAddresses(n);
}

EndpointDefinition Parser::BriefEndpoint(const yaml::Node& n, const std::string& what) {
  EndpointDefinition e;
  e.pos = Pos(n);
  if (!n.IsScalar()) {
    Error(n, what + ": expected \"node:interface\"");
    return e;
  }
  const std::string& s = n.Scalar();
  size_t colon = s.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size()) {
    Error(n, what + ": endpoint \"" + s + "\" is not of the form node:interface");
    return e;
  }
  e.node = s.substr(0, colon);
  e.iface = s.substr(colon + 1);
  return e;
}

EndpointDefinition Parser::ExtEndpoint(const yaml::Node& n, const std::string& what) {
  EndpointDefinition e;
  e.pos = Pos(n);
  if (!IsMap(n, what)) return e;
  e.written = Written(n);
  CheckKeys(n, kEndpointKeys, what);
  e.node = Str(n, "node", what).value_or("");
  e.iface = Str(n, "interface", what).value_or("");
  e.mac = Str(n, "mac", what).value_or("");
  e.ipv4 = Address(Field(n, "ipv4"), AF_INET, what + ".ipv4");
  e.ipv6 = Address(Field(n, "ipv6"), AF_INET6, what + ".ipv6");
  e.netem = Netem(n, what);
  if (e.node.empty()) Error(n, what + ": \"node\" is required");
  if (e.iface.empty()) Error(n, what + ": \"interface\" is required");
  return e;
}

void Parser::Link(const yaml::Node& n, size_t index, std::vector<LinkDefinition>* out) {
  std::string what = "links[" + std::to_string(index) + "]";
  if (!IsMap(n, what)) return;
  LinkDefinition l;
  l.pos = Pos(n);
  l.written = Written(n);
  yaml::Node type = Field(n, "type");
  if (!(type ? ExtendedLink(n, type, what, &l) : BriefLink(n, what, &l))) return;
  l.mtu = Int(n, "mtu", what);
  l.netem = Netem(n, what);
  if (auto why = NetemRefusal(l)) Error(l.written.Of("vars", l.pos), what + ": " + *why);
  out->push_back(std::move(l));
}

// The brief form: {endpoints: ["a:eth1", "b:eth1"]}, with containerlab's special nodes.
bool Parser::BriefLink(const yaml::Node& n, const std::string& what, LinkDefinition* l) {
  CheckKeys(n, kBriefLinkKeys, what);
  yaml::Node eps = Field(n, "endpoints");
  if (!eps || !eps.IsSequence() || eps.size() != 2) {
    Error(eps ? eps : n, what + ": \"endpoints\" must be a list of two \"node:interface\" strings");
    return false;
  }
  l->type = "veth";
  for (size_t i = 0; i < 2; ++i)
    l->endpoints.push_back(BriefEndpoint(eps[i], what + ".endpoints[" + std::to_string(i) + "]"));
  // ipv4 / ipv6: addresses in the order of the endpoints; a shorter list leaves the rest bare.
  for (auto [key, family] : {std::pair{"ipv4", AF_INET}, std::pair{"ipv6", AF_INET6}}) {
    yaml::Node list = Field(n, key);
    if (!list || list.IsNull()) continue;
    if (!list.IsSequence() || list.size() > 2) {
      Error(list, what + "." + key + ": expected a list of at most two addresses, one per endpoint");
      continue;
    }
    for (size_t i = 0; i < list.size(); ++i) {
      std::string a = Address(list[i], family, what + "." + key + "[" + std::to_string(i) + "]");
      (family == AF_INET ? l->endpoints[i].ipv4 : l->endpoints[i].ipv6) = a;
    }
  }
  // containerlab's special brief endpoints: "host:ifname" makes a host link.
  for (size_t i = 0; i < 2; ++i) {
    const std::string& node = l->endpoints[i].node;
    if (node == "host") {
      l->type = "host";
      l->host_interface = l->endpoints[i].iface;
      l->written.at["host-interface"] = l->endpoints[i].pos;
      l->endpoints.erase(l->endpoints.begin() + static_cast<long>(i));
      break;
    }
    if (node == "mgmt-net" || node == "macvlan") {
      // "mgmt-net:IFACE": a veth whose host end joins the management bridge;
      // "macvlan:PARENT": a macvlan on that host interface.
      l->type = node;
      l->host_interface = l->endpoints[i].iface;
      l->written.at["host-interface"] = l->endpoints[i].pos;
      l->endpoints.erase(l->endpoints.begin() + static_cast<long>(i));
      break;
    }
  }
  return true;
}

// The extended form: {type: veth|veth-stitch|host|mgmt-net|macvlan|dummy|vxlan|vxlan-stitch, ...}.
bool Parser::ExtendedLink(const yaml::Node& n, const yaml::Node& type, const std::string& what, LinkDefinition* l) {
  std::string t = type.IsScalar() ? type.Scalar() : "";
  l->type = t;
  if (t == "veth" || t == "veth-stitch") {
    CheckKeys(n, kVethLinkKeys, what);
    yaml::Node eps = Field(n, "endpoints");
    if (!eps || !eps.IsSequence() || eps.size() != 2) {
      Error(eps ? eps : n, what + ": a " + t + " link needs \"endpoints\" with exactly two entries");
      return false;
    }
    for (size_t i = 0; i < 2; ++i) {  // a veth-stitch end may also be written "node:interface"
      std::string at = what + ".endpoints[" + std::to_string(i) + "]";
      l->endpoints.push_back(t != "veth" && eps[i].IsScalar() ? BriefEndpoint(eps[i], at) : ExtEndpoint(eps[i], at));
    }
  } else if (t == "host" || t == "mgmt-net" || t == "macvlan" || t == "dummy" || t == "vxlan" || t == "vxlan-stitch") {
    bool vx = t == "vxlan" || t == "vxlan-stitch";
    CheckKeys(n,
              t == "macvlan" ? kMacvlanLinkKeys
              : t == "dummy" ? kDummyLinkKeys
              : vx           ? kVxlanLinkKeys
                             : kHostLinkKeys,
              what);
    if (t == "host" || t == "mgmt-net" || t == "macvlan") {
      l->host_interface = Str(n, "host-interface", what).value_or("");
      if (l->host_interface.empty()) Error(n, what + ": a " + t + " link needs \"host-interface\"");
    }
    l->mode = Str(n, "mode", what).value_or("");
    if (vx) {
      l->remote = Str(n, "remote", what).value_or("");
      if (l->remote.empty()) Error(n, what + ": a " + t + " link needs \"remote\"");
      l->vni = Int(n, "vni", what);
      if (!l->vni) Error(n, what + ": a " + t + " link needs \"vni\"");
      l->dst_port = Int(n, Field(n, "dst-port") ? "dst-port" : "udp-port", what);
    }
    yaml::Node ep = Field(n, "endpoint");
    if (!ep) {
      Error(n, what + ": a " + t + " link needs \"endpoint\"");
      return false;
    }
    l->endpoints.push_back(ExtEndpoint(ep, what + ".endpoint"));
  } else {
    Error(type, what + ": unknown link type \"" + t +
                    "\" (expected veth, veth-stitch, host, mgmt-net, macvlan, dummy, vxlan or vxlan-stitch)");
    return false;
  }
  return true;
}

TopologyFile Parser::File(const yaml::Node& root) {
  TopologyFile f;
  f.path = path_;
  if (!root || root.IsNull()) {
    Error(SourcePos{path_, 1, 1}, "the file is empty; expected a containerlab topology with \"name\" and \"topology\"");
    return f;
  }
  if (!IsMap(root, "topology file")) return f;
  CheckKeys(root, kTopLevelKeys, "topology file");
  if (auto name = Str(root, "name", "topology file")) {
    f.name = *name;
    f.name_pos = Pos(Field(root, "name"));
  } else {
    Error(root, "\"name\" is required");
  }
  if (yaml::Node p = Field(root, "prefix")) f.prefix = p.IsNull() ? std::string() : p.Scalar();
  Mgmt(Field(root, "mgmt"), &f.mgmt);
  yaml::Node topo = Field(root, "topology");
  if (!topo) {
    Error(root, "\"topology\" is required");
    return f;
  }
  if (!IsMap(topo, "topology")) return f;
  CheckKeys(topo, kTopologyKeys, "topology");
  if (yaml::Node d = Field(topo, "defaults")) f.defaults = Node(d, "topology.defaults");
  NamedDefs(Field(topo, "kinds"), "topology.kinds", &f.kinds);
  NamedDefs(Field(topo, "groups"), "topology.groups", &f.groups);
  if (yaml::Node nodes = Field(topo, "nodes"); nodes && !nodes.IsNull() && IsMap(nodes, "topology.nodes")) {
    size_t count = 0;
    f.nodes.reserve(std::min(nodes.size(), kMaxNodes));  // a node is large: never moved to grow
    for (auto it = nodes.begin(); it != nodes.end(); ++it) {
      if (++count > kMaxNodes) {
        Error(it->first, LimitMessage(kMaxNodes, "nodes"));
        break;
      }
      std::string name = it->first.Scalar();
      NodeDefinition d = Node(it->second, "node \"" + name + "\"");
      d.pos = Pos(it->first);
      f.nodes.emplace_back(name, std::move(d));
    }
  }
  if (yaml::Node links = Field(topo, "links"); links && !links.IsNull()) {
    if (!links.IsSequence()) {
      Error(links, "topology.links: expected a list");
    } else {
      f.links.reserve(std::min(links.size(), kMaxLinks));
      for (size_t i = 0; i < links.size(); ++i) {
        if (i == kMaxLinks) {
          Error(links[i], LimitMessage(kMaxLinks, "links"));
          break;
        }
        Link(links[i], i, &f.links);
      }
    }
  }
  return f;
}

void Parser::NamedDefs(const yaml::Node& n, const std::string& what, std::map<std::string, NodeDefinition>* out) {
  if (!n || n.IsNull() || !IsMap(n, what)) return;
  for (auto it = n.begin(); it != n.end(); ++it)
    (*out)[it->first.Scalar()] = Node(it->second, what + "." + it->first.Scalar());
}

std::string Parser::LimitMessage(size_t limit, const char* what) {
  std::string msg = "more than ";
  msg += std::to_string(limit);
  msg += ' ';
  msg += what;
  msg += " in one lab (the limit)";
  return msg;
}

std::string Parser::JoinSet(const std::set<std::string>& s) {
  std::string out;
  for (const auto& k : s) out += (out.empty() ? "" : ", ") + k;
  return out;
}

}  // namespace lk::codec
