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
#include <tuple>
#include <unordered_map>

#include <arpa/inet.h>

#include "api/gotemplate.h"
#include "api/kinds.h"
#include "api/strings.h"

namespace fs = std::filesystem;

namespace lk {
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
                                         "platform"};
// Node keys this version applies to the container; the other known keys are kept unapplied.
const std::set<std::string> kAppliedNodeKeys = {
    "kind",       "group",         "type",          "image",         "image-pull-policy", "cmd",
    "entrypoint", "user",          "hostname",      "network-mode",  "mgmt-ipv4",         "mgmt-ipv6",
    "platform",   "privileged",    "env",           "labels",        "sysctls",           "binds",
    "exec",       "ports",         "cap-add",       "cpu",           "cpu-set",           "memory",
    "shm-size",   "cgroupns-mode", "cgroup-parent", "pid-mode",      "restart-policy",    "startup-delay",
    "env-files",  "devices",       "tmpfs",         "security-opts", "volumes",           "aliases",
    "dns",        "healthcheck"};
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

class Parser {
 public:
  Parser(std::string path, std::string dir) : path_(std::move(path)), dir_(std::move(dir)) {}

  std::vector<Diagnostic> errors;
  std::set<std::string> inputs;  // other files read (or looked for) while resolving: env-files

  SourcePos Pos(const YAML::Node& n) const {
    YAML::Mark m = n.Mark();
    if (m.line < 0) return {path_, 0, 0};
    return {path_, m.line + 1 + line_offset, m.column + 1};
  }
  int line_offset = 0;  // the line of the file the current document's text starts at
  void Error(const SourcePos& pos, std::string msg) { errors.push_back({pos, std::move(msg)}); }
  void Error(const YAML::Node& n, std::string msg) { Error(Pos(n), std::move(msg)); }

  bool IsMap(const YAML::Node& n, const std::string& what) {
    if (n.IsMap()) return true;
    Error(n, what + ": expected a mapping");
    return false;
  }

  // Reports unknown keys of a mapping, naming the closest expectation.
  void CheckKeys(const YAML::Node& map, const std::set<std::string>& allowed, const std::string& what) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      std::string key = it->first.Scalar();
      if (!allowed.count(key))
        Error(it->first, what + ": unknown key \"" + key + "\" (expected one of: " + JoinSet(allowed) + ")");
    }
  }

  std::optional<std::string> Str(const YAML::Node& map, const std::string& key, const std::string& what) {
    YAML::Node v = map[key];
    if (!v) return std::nullopt;
    if (v.IsNull()) return std::string();
    if (!v.IsScalar()) {
      Error(v, what + "." + key + ": expected a string");
      return std::nullopt;
    }
    return v.Scalar();
  }

  // map[key] as T; a value of another type is reported as "<what>.<key>: <expected>".
  template <typename T>
  std::optional<T> As(const YAML::Node& map, const std::string& key, const std::string& what,
                      const std::string& expected) {
    YAML::Node v = map[key];
    if (!v) return std::nullopt;
    try {
      return v.as<T>();
    } catch (const YAML::Exception&) {
      Error(v, what + "." + key + ": " + expected);
      return std::nullopt;
    }
  }

  std::optional<int> Int(const YAML::Node& map, const std::string& key, const std::string& what) {
    YAML::Node v = map[key];
    return As<int>(map, key, what, "expected an integer, got \"" + (v && v.IsScalar() ? v.Scalar() : "?") + "\"");
  }

  std::vector<std::string> List(const YAML::Node& map, const std::string& key, const std::string& what) {
    std::vector<std::string> out;
    YAML::Node v = map[key];
    if (!v || v.IsNull()) return out;
    if (!v.IsSequence()) {
      Error(v, what + "." + key + ": expected a list of strings");
      return out;
    }
    for (const auto& item : v) {
      if (item.IsScalar())
        out.push_back(item.Scalar());
      else
        Error(item, what + "." + key + ": expected a string item");
    }
    return out;
  }

  std::map<std::string, std::string> Map(const YAML::Node& map, const std::string& key, const std::string& what) {
    std::map<std::string, std::string> out;
    YAML::Node v = map[key];
    if (!v || v.IsNull()) return out;
    if (!v.IsMap()) {
      Error(v, what + "." + key + ": expected a mapping of strings");
      return out;
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (it->second.IsScalar() || it->second.IsNull())
        out[it->first.Scalar()] = it->second.Scalar();
      else
        Error(it->second, what + "." + key + "." + it->first.Scalar() + ": expected a string value");
    }
    return out;
  }

  NodeDefinition Node(const YAML::Node& n, const std::string& what) {
    NodeDefinition d;
    d.pos = Pos(n);
    d.base_dir = dir_;
    if (!n || n.IsNull()) return d;  // `n1:` with no body is a valid node
    if (!IsMap(n, what)) return d;
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
    d.mgmt_ipv4 = Str(n, "mgmt-ipv4", what);
    d.mgmt_ipv6 = Str(n, "mgmt-ipv6", what);
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
    if (YAML::Node dns = n["dns"]; dns && IsMap(dns, what + ".dns")) {
      CheckKeys(dns, kDnsKeys, what + ".dns");
      d.dns = DnsConfig{List(dns, "servers", what + ".dns"), List(dns, "search", what + ".dns"),
                        List(dns, "options", what + ".dns")};
    }
    if (YAML::Node hc = n["healthcheck"]; hc && IsMap(hc, what + ".healthcheck")) {
      std::string w = what + ".healthcheck";
      CheckKeys(hc, kHealthcheckKeys, w);
      Healthcheck h;
      if (YAML::Node t = hc["test"]; t && t.IsScalar())
        h.test = {"CMD-SHELL", t.Scalar()};
      else
        h.test = List(hc, "test", w);
      h.start_period = Int(hc, "start-period", w).value_or(0);
      h.retries = Int(hc, "retries", w).value_or(0);
      h.interval = Int(hc, "interval", w).value_or(0);
      h.timeout = Int(hc, "timeout", w).value_or(0);
      d.healthcheck = h;
    }
    if (YAML::Node st = n["stages"]; st && IsMap(st, what + ".stages")) {
      for (auto it = st.begin(); it != st.end(); ++it) {
        std::string name = it->first.Scalar(), w = what + ".stages." + name;
        if (StageIndex(name) < 0) {
          Error(it->first, w + ": unknown stage (expected create, create-links, configure, healthy or exit)");
          continue;
        }
        d.stages[name] = ParseStage(it->second, w);
      }
    }
    if (YAML::Node wf = n["wait-for"]; wf && !wf.IsNull()) d.wait_for = List(n, "wait-for", what);
    for (auto it = n.begin(); it != n.end(); ++it) {
      std::string key = it->first.Scalar();
      if (kNodeKeys.count(key) && !kAppliedNodeKeys.count(key)) d.unapplied[key] = YAML::Dump(it->second);
    }
    return d;
  }

  Stage ParseStage(const YAML::Node& n, const std::string& what) {
    Stage stage;
    if (!n || n.IsNull() || !IsMap(n, what)) return stage;
    CheckKeys(n, {"wait-for", "exec"}, what);
    if (YAML::Node wf = n["wait-for"]; wf && wf.IsSequence()) {
      for (const auto& item : wf) {
        if (!IsMap(item, what + ".wait-for")) continue;
        CheckKeys(item, {"node", "stage"}, what + ".wait-for");
        StageWait wait{Str(item, "node", what + ".wait-for").value_or(""),
                       Str(item, "stage", what + ".wait-for").value_or("create")};
        if (wait.node.empty()) Error(item, what + ".wait-for: \"node\" is required");
        if (StageIndex(wait.stage) < 0) Error(item["stage"], what + ".wait-for: unknown stage \"" + wait.stage + "\"");
        stage.wait_for.push_back(wait);
      }
    } else if (wf) {
      Error(wf, what + ".wait-for: expected a list of {node, stage}");
    }
    if (YAML::Node ex = n["exec"]; ex && ex.IsSequence()) {
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
            Error(item["phase"], what + ".exec: phase \"" + e.phase + "\": expected on-enter or on-exit");
          if (e.target != "container" && e.target != "host")
            Error(item["target"], what + ".exec: target \"" + e.target + "\": expected container or host");
        }
        if (e.command.empty()) Error(item, what + ".exec: \"command\" is required");
        stage.exec.push_back(e);
      }
    } else if (ex) {
      Error(ex, what + ".exec: expected a list");
    }
    return stage;
  }

  void Mgmt(const YAML::Node& n, MgmtNetwork* m) {
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
  }

  EndpointDefinition BriefEndpoint(const YAML::Node& n, const std::string& what) {
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

  // An interface address with its prefix length ("192.168.0.1/24", "2001:db8::1/64").
  std::string Address(const YAML::Node& n, int family, const std::string& what) {
    if (!n || n.IsNull()) return "";
    bool v4 = family == AF_INET;
    std::string expected =
        v4 ? "an IPv4 address with prefix length (a.b.c.d/len)" : "an IPv6 address with prefix length (2001:db8::1/64)";
    if (!n.IsScalar()) {
      Error(n, what + ": expected " + expected);
      return "";
    }
    const std::string& s = n.Scalar();
    size_t slash = s.find('/');
    unsigned char buf[16];
    int max = v4 ? 32 : 128;
    std::string addr = s.substr(0, slash), len = slash == std::string::npos ? "" : s.substr(slash + 1);
    bool ok = slash != std::string::npos && inet_pton(family, addr.c_str(), buf) == 1 && !len.empty() &&
              len.size() <= 3 && std::all_of(len.begin(), len.end(), ::isdigit) && std::stoi(len) <= max;
    if (!ok) Error(n, what + ": \"" + s + "\" is not " + expected);
    return ok ? s : "";
  }

  EndpointDefinition ExtEndpoint(const YAML::Node& n, const std::string& what) {
    EndpointDefinition e;
    e.pos = Pos(n);
    if (!IsMap(n, what)) return e;
    CheckKeys(n, kEndpointKeys, what);
    e.node = Str(n, "node", what).value_or("");
    e.iface = Str(n, "interface", what).value_or("");
    e.mac = Str(n, "mac", what).value_or("");
    e.ipv4 = Address(n["ipv4"], AF_INET, what + ".ipv4");
    e.ipv6 = Address(n["ipv6"], AF_INET6, what + ".ipv6");
    if (e.node.empty()) Error(n, what + ": \"node\" is required");
    if (e.iface.empty()) Error(n, what + ": \"interface\" is required");
    return e;
  }

  void Link(const YAML::Node& n, size_t index, std::vector<LinkDefinition>* out) {
    std::string what = "links[" + std::to_string(index) + "]";
    if (!IsMap(n, what)) return;
    LinkDefinition l;
    l.pos = Pos(n);
    YAML::Node type = n["type"];
    if (!type) {
      CheckKeys(n, kBriefLinkKeys, what);
      YAML::Node eps = n["endpoints"];
      if (!eps || !eps.IsSequence() || eps.size() != 2) {
        Error(eps ? eps : n, what + ": \"endpoints\" must be a list of two \"node:interface\" strings");
        return;
      }
      l.type = "veth";
      for (size_t i = 0; i < 2; ++i)
        l.endpoints.push_back(BriefEndpoint(eps[i], what + ".endpoints[" + std::to_string(i) + "]"));
      // ipv4 / ipv6: addresses in the order of the endpoints; a shorter list leaves the rest bare.
      for (auto [key, family] : {std::pair{"ipv4", AF_INET}, std::pair{"ipv6", AF_INET6}}) {
        YAML::Node list = n[key];
        if (!list || list.IsNull()) continue;
        if (!list.IsSequence() || list.size() > 2) {
          Error(list, what + "." + key + ": expected a list of at most two addresses, one per endpoint");
          continue;
        }
        for (size_t i = 0; i < list.size(); ++i) {
          std::string a = Address(list[i], family, what + "." + key + "[" + std::to_string(i) + "]");
          (family == AF_INET ? l.endpoints[i].ipv4 : l.endpoints[i].ipv6) = a;
        }
      }
      // containerlab's special brief endpoints: "host:ifname" makes a host link.
      for (size_t i = 0; i < 2; ++i) {
        const std::string& node = l.endpoints[i].node;
        if (node == "host") {
          l.type = "host";
          l.host_interface = l.endpoints[i].iface;
          l.endpoints.erase(l.endpoints.begin() + static_cast<long>(i));
          break;
        }
        if (node == "mgmt-net" || node == "macvlan") {
          // "mgmt-net:IFACE": a veth whose host end joins the management bridge;
          // "macvlan:PARENT": a macvlan on that host interface.
          l.type = node;
          l.host_interface = l.endpoints[i].iface;
          l.endpoints.erase(l.endpoints.begin() + static_cast<long>(i));
          break;
        }
      }
    } else {
      std::string t = type.IsScalar() ? type.Scalar() : "";
      l.type = t;
      if (t == "veth") {
        CheckKeys(n, kVethLinkKeys, what);
        YAML::Node eps = n["endpoints"];
        if (!eps || !eps.IsSequence() || eps.size() != 2) {
          Error(eps ? eps : n, what + ": a veth link needs \"endpoints\" with exactly two entries");
          return;
        }
        for (size_t i = 0; i < 2; ++i)
          l.endpoints.push_back(ExtEndpoint(eps[i], what + ".endpoints[" + std::to_string(i) + "]"));
      } else if (t == "host" || t == "mgmt-net" || t == "macvlan" || t == "dummy" || t == "vxlan" ||
                 t == "vxlan-stitch") {
        bool vx = t == "vxlan" || t == "vxlan-stitch";
        CheckKeys(n,
                  t == "macvlan" ? kMacvlanLinkKeys
                  : t == "dummy" ? kDummyLinkKeys
                  : vx           ? kVxlanLinkKeys
                                 : kHostLinkKeys,
                  what);
        if (t == "host" || t == "mgmt-net" || t == "macvlan") {
          l.host_interface = Str(n, "host-interface", what).value_or("");
          if (l.host_interface.empty()) Error(n, what + ": a " + t + " link needs \"host-interface\"");
        }
        l.mode = Str(n, "mode", what).value_or("");
        if (vx) {
          l.remote = Str(n, "remote", what).value_or("");
          if (l.remote.empty()) Error(n, what + ": a " + t + " link needs \"remote\"");
          l.vni = Int(n, "vni", what);
          if (!l.vni) Error(n, what + ": a " + t + " link needs \"vni\"");
          l.dst_port = Int(n, n["dst-port"] ? "dst-port" : "udp-port", what);
        }
        YAML::Node ep = n["endpoint"];
        if (!ep) {
          Error(n, what + ": a " + t + " link needs \"endpoint\"");
          return;
        }
        l.endpoints.push_back(ExtEndpoint(ep, what + ".endpoint"));
      } else {
        Error(type, what + ": unknown link type \"" + t +
                        "\" (expected veth, host, mgmt-net, macvlan, dummy, vxlan or vxlan-stitch)");
        return;
      }
    }
    l.mtu = Int(n, "mtu", what);
    out->push_back(std::move(l));
  }

  TopologyFile File(const YAML::Node& root) {
    TopologyFile f;
    f.path = path_;
    if (!root || root.IsNull()) {
      Error(SourcePos{path_, 1, 1},
            "the file is empty; expected a containerlab topology with \"name\" and \"topology\"");
      return f;
    }
    if (!IsMap(root, "topology file")) return f;
    CheckKeys(root, kTopLevelKeys, "topology file");
    if (auto name = Str(root, "name", "topology file")) {
      f.name = *name;
      f.name_pos = Pos(root["name"]);
    } else {
      Error(root, "\"name\" is required");
    }
    if (YAML::Node p = root["prefix"]) f.prefix = p.IsNull() ? std::string() : p.Scalar();
    Mgmt(root["mgmt"], &f.mgmt);
    YAML::Node topo = root["topology"];
    if (!topo) {
      Error(root, "\"topology\" is required");
      return f;
    }
    if (!IsMap(topo, "topology")) return f;
    CheckKeys(topo, kTopologyKeys, "topology");
    if (YAML::Node d = topo["defaults"]) f.defaults = Node(d, "topology.defaults");
    NamedDefs(topo["kinds"], "topology.kinds", &f.kinds);
    NamedDefs(topo["groups"], "topology.groups", &f.groups);
    if (YAML::Node nodes = topo["nodes"]; nodes && !nodes.IsNull() && IsMap(nodes, "topology.nodes")) {
      size_t count = 0;
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
    if (YAML::Node links = topo["links"]; links && !links.IsNull()) {
      if (!links.IsSequence()) {
        Error(links, "topology.links: expected a list");
      } else {
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

 private:
  void NamedDefs(const YAML::Node& n, const std::string& what, std::map<std::string, NodeDefinition>* out) {
    if (!n || n.IsNull() || !IsMap(n, what)) return;
    for (auto it = n.begin(); it != n.end(); ++it)
      (*out)[it->first.Scalar()] = Node(it->second, what + "." + it->first.Scalar());
  }

  static std::string LimitMessage(size_t limit, const char* what) {
    std::string msg = "more than ";
    msg += std::to_string(limit);
    msg += ' ';
    msg += what;
    msg += " in one lab (the limit)";
    return msg;
  }

  static std::string JoinSet(const std::set<std::string>& s) {
    std::string out;
    for (const auto& k : s) out += (out.empty() ? "" : ", ") + k;
    return out;
  }

  std::string path_, dir_;
};

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

std::string GeneratedMac(const std::string& lab, const std::string& node, const std::string& iface) {
  // containerlab's aa:c1:ab OUI; the rest is a stable hash, so a recreated link gets the same MAC.
  uint64_t h = Fnv1a64(lab + "/" + node + "/" + iface);
  char buf[18];
  std::snprintf(buf, sizeof buf, "aa:c1:ab:%02x:%02x:%02x", static_cast<unsigned>((h >> 16) & 0xff),
                static_cast<unsigned>((h >> 8) & 0xff), static_cast<unsigned>(h & 0xff));
  return buf;
}

bool ValidMac(const std::string& mac) {
  static const std::regex re("^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$");
  return std::regex_match(mac, re);
}

bool ValidName(const std::string& s) {
  static const std::regex re("^[A-Za-z0-9_][A-Za-z0-9_.-]*$");
  return std::regex_match(s, re);
}

class Resolver {
 public:
  Resolver(const TopologyFile& f, std::vector<Diagnostic>* errors, std::set<std::string>* inputs)
      : f_(f), errors_(errors), inputs_(inputs) {}

  LabSpec Resolve() {
    LabSpec lab;
    lab.name = f_.name;
    lab.prefix = f_.prefix;
    lab.file = f_.path;
    lab.dir = fs::path(f_.path).parent_path().string();
    lab.mgmt = f_.mgmt;
    if (!f_.name.empty() && !ValidName(f_.name))
      Error(f_.name_pos, "name \"" + f_.name + "\": only letters, digits, '_', '.' and '-' are allowed");
    for (const auto& [name, def] : f_.nodes) lab.nodes.push_back(ResolveNode(name, def));
    // Looked up by name for every link end and wait-for: an index, not a scan per look-up.
    for (const auto& n : lab.nodes) by_name_.emplace(n.name, &n);
    for (const auto& n : lab.nodes)
      for (const auto& [stage, st] : n.stages)
        for (const auto& w : st.wait_for)
          if (!Find(w.node))
            Error(n.pos,
                  "node \"" + n.name + "\": stages." + stage + ".wait-for: node \"" + w.node + "\" does not exist");
    std::set<std::string> used;
    for (const auto& l : f_.links) ResolveLink(lab, l, &used);
    return lab;
  }

 private:
  void Error(const SourcePos& pos, std::string msg) { errors_->push_back({pos, std::move(msg)}); }

  NodeConfig ResolveNode(const std::string& name, const NodeDefinition& node) {
    std::string what = "node \"" + name + "\"";
    NodeConfig c;
    c.name = name;
    c.pos = node.pos;
    size_t bar = name.find('|');
    if (!ValidName(name.substr(0, bar)) || (bar != std::string::npos && !ValidName(name.substr(bar + 1))))
      Error(node.pos,
            what + ": only letters, digits, '_', '.' and '-' are allowed in node names" +
                std::string(bar == std::string::npos ? "" : " (a bridge may be written \"bridge|container\")"));
    const NodeDefinition* group = nullptr;
    std::string group_name = First<std::string>({&node.group, &f_.defaults.group}).value_or("");
    if (!group_name.empty()) {
      auto it = f_.groups.find(group_name);
      if (it == f_.groups.end())
        Error(node.pos, what + ": group \"" + group_name + "\" is not defined in topology.groups");
      else
        group = &it->second;
    }
    c.group = group_name;
    c.kind = First<std::string>({&node.kind, group ? &group->kind : nullptr, &f_.defaults.kind}).value_or("");
    const NodeDefinition* kind = nullptr;
    if (auto it = f_.kinds.find(c.kind); it != f_.kinds.end()) kind = &it->second;
    if (bar != std::string::npos && !c.kind.empty() && !c.IsBridge())
      Error(node.pos, what + ": only a bridge node may be written \"bridge|container\" (kind is " + c.kind + ")");
    if (c.kind.empty()) {
      Error(node.pos, what + ": \"kind\" is not set on the node, its group or topology.defaults");
    } else if (c.kind == "bridge" || c.kind == "ovs-bridge" || c.kind == "host" || c.kind == "ext-container") {
      if (c.IsBridge() && c.BridgeName().size() > 15)
        Error(node.pos, what + ": bridge name \"" + c.BridgeName() + "\" is longer than 15 characters");
    } else if (!FindKind(c.kind)) {
      Error(node.pos, what + ": kind \"" + c.kind + "\" is not supported by labkeeper (known: " + KnownKinds() + ")");
    }
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
    for (auto [field, out] :
         {std::pair{&NodeDefinition::cmd, &c.cmd}, std::pair{&NodeDefinition::entrypoint, &c.entrypoint}}) {
      if (auto v = pick(field); v && !v->empty()) {
        auto argv = ShellSplit(*v);
        if (argv)
          *out = *argv;
        else
          Error(node.pos, what + ": " + argv.error());
      }
    }
    if (const KindInfo* info = FindKind(c.kind)) {
      c.kind = info->name;  // short names (srl, ceos, ...) as containerlab's full names
      if (c.cmd.empty() && c.entrypoint.empty()) c.cmd = info->cmd;
      if (c.user.empty()) c.user = info->user;
    }
    c.env = EnvFromFiles(levels, what, node.pos);
    if (const KindInfo* info = FindKind(c.kind))
      for (const auto& [k, v] : info->env) c.env.emplace(k, v);
    for (const auto& [k, v] : MergeMaps(levels, &NodeDefinition::env)) c.env[k] = v;
    ResolveExtras(node, group, kind, levels, what, &c);
    c.labels = MergeMaps(levels, &NodeDefinition::labels);
    c.sysctls = MergeMaps(levels, &NodeDefinition::sysctls);
    // containerlab enables IPv6 on every node that has its own namespace.
    if (c.IsContainer() && c.network_mode != "host" && !c.sysctls.count("net.ipv6.conf.all.disable_ipv6"))
      c.sysctls["net.ipv6.conf.all.disable_ipv6"] = "0";
    c.binds = MergeBinds(levels);
    c.exec = Concat(levels, &NodeDefinition::exec);
    c.ports = Concat(levels, &NodeDefinition::ports);
    c.cap_add = Concat(levels, &NodeDefinition::cap_add);
    if (c.image.empty() && FindKind(c.kind))
      Error(node.pos, what + ": \"image\" is not set on the node, its group, its kind or topology.defaults");
    for (const auto& b : c.binds) {
      // A missing source is found at deploy time, as containerlab does, not here.
      if (b.find(':') == std::string::npos)
        Error(node.pos, what + ": bind \"" + b + "\" is not of the form source:target[:options]");
    }
    for (const auto& e : c.exec)
      if (auto argv = ShellSplit(e); !argv) Error(node.pos, what + ": exec: " + argv.error());
    return c;
  }

  // env-files of every level (relative to its file), read now: their content is part of the spec.
  std::map<std::string, std::string> EnvFromFiles(const std::vector<const NodeDefinition*>& levels,
                                                  const std::string& what, const SourcePos& pos) {
    std::map<std::string, std::string> env;
    for (const auto* l : levels) {
      if (!l) continue;
      for (const auto& f : l->env_files) {
        std::string path = f[0] == '/' ? f : (fs::path(l->base_dir) / f).lexically_normal().string();
        inputs_->insert(path);  // read or not, its content is part of the lab
        std::error_code ec;
        if (fs::exists(path, ec) && !fs::is_regular_file(path, ec)) {  // a FIFO would block the reader
          Error(pos, what + ": env-files: " + path + " is not a regular file");
          continue;
        }
        std::ifstream in(path);
        if (!in) {
          Error(pos, what + ": env-files: cannot read " + path);
          continue;
        }
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
        Error(node.pos, what + ": " + key + " \"" + v + "\" is not a size (such as 512Mb, 1G)");
    }
    if (x.restart_policy.size() &&
        !std::set<std::string>{"no", "always", "on-failure", "unless-stopped"}.count(x.restart_policy))
      Error(node.pos,
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

  void CheckEndpoint(const EndpointDefinition& e, const std::string& what, std::set<std::string>* used) {
    if (e.node.empty() || e.iface.empty()) return;  // already reported by the parser
    if (!Find(e.node)) {
      Error(e.pos, what + ": node \"" + e.node + "\" does not exist in topology.nodes");
    }
    const NodeConfig* node = Find(e.node);
    std::string iface = node ? LinuxIfaceName(node->kind, e.iface) : e.iface;
    if (auto why = InvalidIfaceName(iface)) Error(e.pos, what + ": interface \"" + e.iface + "\" " + *why);
    if (!e.mac.empty() && !ValidMac(e.mac))
      Error(e.pos, what + ": mac \"" + e.mac + "\" is not a MAC address (aa:bb:cc:dd:ee:ff)");
    if (!used->insert(e.node + ":" + iface).second)
      Error(e.pos, what + ": endpoint " + e.node + ":" + e.iface + " is used by more than one link");
  }

  void ResolveLink(LabSpec& lab, const LinkDefinition& l, std::set<std::string>* used) {
    std::string what = "link " + std::to_string(&l - f_.links.data());
    LinkConfig c;
    c.type = l.type;
    c.pos = l.pos;
    // containerlab's 9500 for veth pairs; a mgmt-net end joins a 1500-byte bridge; the others
    // take their kind's default (a macvlan cannot exceed its parent, a vxlan leaves room).
    c.mtu = l.mtu.value_or(l.type == "veth" || l.type == "host" ? 9500 : l.type == "mgmt-net" ? 1500 : 0);
    c.parent = l.type == "macvlan" ? l.host_interface : "";
    if (!l.mode.empty()) c.mode = l.mode;
    c.remote = l.remote;
    c.vni = l.vni.value_or(0);
    c.dst_port = l.dst_port.value_or(14789);
    if (c.vni < 0 || c.vni > 16777215)
      Error(l.pos, what + ": vni " + std::to_string(c.vni) + " is outside 1..16777215");
    if (c.dst_port < 1 || c.dst_port > 65535)
      Error(l.pos, what + ": dst-port " + std::to_string(c.dst_port) + " is outside 1..65535");
    if (c.mtu != 0 && (c.mtu < 68 || c.mtu > 65535))
      Error(l.pos, what + ": mtu " + std::to_string(c.mtu) + " is outside 68..65535");
    size_t before = errors_->size();
    for (const auto& e : l.endpoints) CheckEndpoint(e, what, used);
    if (l.endpoints.empty()) return;
    auto end = [&](const EndpointDefinition& e) {
      const NodeConfig* node = Find(e.node);
      std::string iface = node ? LinuxIfaceName(node->kind, e.iface) : e.iface;
      return Endpoint{e.node, iface, e.mac.empty() ? GeneratedMac(lab.name, e.node, iface) : e.mac, e.ipv4, e.ipv6};
    };
    c.a = end(l.endpoints[0]);
    if (l.type == "macvlan") {
      if (auto why = InvalidIfaceName(l.host_interface); why && !l.host_interface.empty())
        Error(l.pos, what + ": macvlan parent \"" + l.host_interface + "\" " + *why);
    } else if (l.type == "host" || l.type == "mgmt-net") {
      if (auto why = InvalidIfaceName(l.host_interface); why && !l.host_interface.empty())
        Error(l.pos, what + ": host-interface \"" + l.host_interface + "\" " + *why);
      if (!used->insert(std::string(kHostNode) + ":" + l.host_interface).second)
        Error(l.pos, what + ": host interface " + l.host_interface + " is used by more than one link");
      c.b = Endpoint{kHostNode, l.host_interface, GeneratedMac(lab.name, kHostNode, l.host_interface), "", ""};
    } else if (l.type == "vxlan-stitch") {
      // containerlab's names for the stitch's host side; too long a name gets a hashed one.
      auto host_name = [&](const std::string& prefix) {
        std::string n = prefix + c.a.node + "_" + c.a.iface;
        if (n.size() > 15) n = prefix + Hex64(Fnv1a64(lab.name + "/" + c.a.node + "/" + c.a.iface)).substr(0, 12);
        if (!used->insert(std::string(kHostNode) + ":" + n).second)
          Error(l.pos, what + ": host interface " + n + " is used by more than one link");
        return n;
      };
      c.b = Endpoint{kHostNode, host_name("ve-"), "", "", ""};
      c.b.mac = GeneratedMac(lab.name, kHostNode, c.b.iface);
      c.stitch_vxlan = host_name("vx-");
      // The veth carries what the VXLAN device can: 1450 leaves room for the encapsulation.
      if (!l.mtu) c.mtu = 1450;
    } else if (l.endpoints.size() == 2) {
      c.b = end(l.endpoints[1]);
    }
    if (errors_->size() == before) lab.links.push_back(std::move(c));
  }

  const TopologyFile& f_;
  std::vector<Diagnostic>* errors_;
  std::set<std::string>* inputs_;                               // other files read: env-files
  std::unordered_map<std::string, const NodeConfig*> by_name_;  // into the resolved lab's nodes

  const NodeConfig* Find(const std::string& name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
  }
};

}  // namespace

std::optional<std::string> InvalidIfaceName(const std::string& name) {
  if (name.empty()) return "is empty";
  if (name.size() > 15) return "is " + std::to_string(name.size()) + " characters long; Linux allows at most 15";
  if (name == "." || name == "..") return "is not a valid interface name";
  for (char c : name)
    if (c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c)))
      return std::string("contains '") + c + "', which Linux does not allow in interface names";
  return std::nullopt;
}

bool IsTopologyFileName(const std::string& path) {
  auto ends = [&](std::string_view s) {
    return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
  };
  return ends(".clab.yml") || ends(".clab.yaml") || ends(".clab.gotmpl");
}

std::string LoadResult::ErrorText() const {
  std::string out;
  for (const auto& e : errors) out += e.str() + "\n";
  return out;
}

namespace {

const std::set<std::string> kLabKeys = {"apiVersion", "kind", "metadata", "spec"};
const std::set<std::string> kLabMetadataKeys = {"name", "namespace", "labels", "annotations"};
const std::set<std::string> kLabSpecKeys = {"prefix",  "mgmt",  "topology", "settings",
                                            "suspend", "prune", "host",     "emulation"};

void SortErrors(std::vector<Diagnostic>* errors) {
  std::stable_sort(errors->begin(), errors->end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.pos.line, a.pos.column) < std::pair(b.pos.line, b.pos.column);
  });
}

// One containerlab root (name, prefix, mgmt, topology, settings) into a LabSpec.
std::optional<LabSpec> ResolveRoot(Parser* parser, const YAML::Node& root, std::vector<Diagnostic>* errors) {
  size_t before = errors->size();
  TopologyFile f = parser->File(root);
  for (auto& e : parser->errors) errors->push_back(std::move(e));
  parser->errors.clear();
  LabSpec lab = Resolver(f, errors, &parser->inputs).Resolve();
  if (errors->size() != before) return std::nullopt;
  return lab;
}

bool FlagFrom(Parser* parser, const YAML::Node& spec, const char* key, bool fallback) {
  return parser->As<bool>(spec, key, "spec", "expected true or false").value_or(fallback);
}

// A Lab resource document: apiVersion, kind, metadata, spec holding containerlab's keys.
// The lab name a document declares (`name:` of a topology file, `metadata.name` of a Lab), if it
// is a scalar; only the keys on the way are looked up.
std::optional<std::string> DeclaredLabName(const YAML::Node& doc, bool lab_resource) {
  if (!doc.IsMap()) return std::nullopt;
  // Never `node = other` here: assigning a YAML::Node writes through into the document.
  const YAML::Node holder = lab_resource ? doc["metadata"] : doc;
  if (!holder || !holder.IsMap()) return std::nullopt;
  const YAML::Node name = holder["name"];
  if (!name || !name.IsScalar()) return std::nullopt;
  return name.Scalar();
}

std::optional<LabSpec> ResolveLabDocument(Parser* parser, const YAML::Node& doc, FileLoad* out) {
  if (!parser->IsMap(doc, "Lab")) return std::nullopt;
  parser->CheckKeys(doc, kLabKeys, "Lab");
  std::string api = parser->Str(doc, "apiVersion", "Lab").value_or("");
  std::string kind = parser->Str(doc, "kind", "Lab").value_or("");
  if (api != "labkeeper.dev/v1alpha1")
    parser->Error(doc["apiVersion"] ? doc["apiVersion"] : doc,
                  "apiVersion: expected labkeeper.dev/v1alpha1, got \"" + api + "\"");
  if (kind != "Lab") parser->Error(doc["kind"] ? doc["kind"] : doc, "kind: expected Lab, got \"" + kind + "\"");
  YAML::Node meta = doc["metadata"];
  YAML::Node spec = doc["spec"];
  if (!meta || !parser->IsMap(meta, "metadata")) {
    if (!meta) parser->Error(doc, "metadata is required");
    return std::nullopt;
  }
  parser->CheckKeys(meta, kLabMetadataKeys, "metadata");
  if (!meta["name"]) parser->Error(meta, "metadata.name is required");
  if (!spec || !parser->IsMap(spec, "spec")) {
    if (!spec) parser->Error(doc, "spec is required");
    return std::nullopt;
  }
  parser->CheckKeys(spec, kLabSpecKeys, "spec");
  YAML::Node root(YAML::NodeType::Map);
  if (meta["name"]) root["name"] = meta["name"];
  for (const char* k : {"prefix", "mgmt", "topology", "settings"})
    if (spec[k]) root[k] = spec[k];
  bool suspend = FlagFrom(parser, spec, "suspend", false);
  std::map<std::string, std::string> annotations = parser->Map(meta, "annotations", "metadata");
  if (annotations["labkeeper.dev/suspend"] == "true") suspend = true;
  bool prune = FlagFrom(parser, spec, "prune", true);
  std::string emulation = parser->Str(spec, "emulation", "spec").value_or("");
  if (!emulation.empty() && emulation != "allow" && emulation != "warn" && emulation != "deny")
    parser->Error(spec["emulation"], "spec.emulation: \"" + emulation + "\": expected allow, warn or deny");
  auto lab = ResolveRoot(parser, root, &out->errors);
  if (!lab) return std::nullopt;
  lab->suspend = suspend;
  lab->prune = prune;
  lab->emulation = emulation;
  return lab;
}

}  // namespace

std::string FileLoad::ErrorText() const {
  std::string out;
  for (const auto& e : errors) out += e.str() + "\n";
  return out;
}

bool IsLabResourceFileName(const std::string& path) {
  auto ends = [&](std::string_view s) {
    return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
  };
  return ends(".lab.yml") || ends(".lab.yaml");
}

namespace {

// Limits of converting a YAML value: aliases share nodes, so a small file can name an
// exponential number of values (a "billion laughs" alias bomb); each is counted as it is copied.
constexpr size_t kMaxYamlValues = 100000;
constexpr int kMaxYamlDepth = 64;

struct YamlLimitError : std::runtime_error {
  YamlLimitError(const YAML::Node& n, const std::string& what) : std::runtime_error(what), mark(n.Mark()) {}
  YAML::Mark mark;
};

// Spends one value of *budget on `n`, at `depth`; throws when a limit is passed.
void SpendYamlValue(const YAML::Node& n, size_t* budget, int depth, size_t max_values, int max_depth) {
  if (*budget == 0) {
    std::string msg = "more than ";
    msg += std::to_string(max_values);
    msg += " values (aliases included; the limit)";
    throw YamlLimitError(n, msg);
  }
  --*budget;
  if (depth > max_depth) {
    std::string msg = "nested deeper than ";
    msg += std::to_string(max_depth);
    msg += " levels (the limit)";
    throw YamlLimitError(n, msg);
  }
}

// Counts the values `n` holds, as a reader that copies them would meet them.
void CountYamlValues(const YAML::Node& n, size_t* budget, int depth, size_t max_values, int max_depth) {
  SpendYamlValue(n, budget, depth, max_values, max_depth);
  if (n.IsMap()) {
    for (auto it = n.begin(); it != n.end(); ++it) {
      CountYamlValues(it->first, budget, depth + 1, max_values, max_depth);
      CountYamlValues(it->second, budget, depth + 1, max_values, max_depth);
    }
  } else if (n.IsSequence()) {
    for (const auto& item : n) CountYamlValues(item, budget, depth + 1, max_values, max_depth);
  }
}

nlohmann::json YamlToJson(const YAML::Node& n, size_t* budget, int depth) {
  SpendYamlValue(n, budget, depth, kMaxYamlValues, kMaxYamlDepth);
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json o = nlohmann::json::object();
      for (auto it = n.begin(); it != n.end(); ++it) o[it->first.Scalar()] = YamlToJson(it->second, budget, depth + 1);
      return o;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& item : n) a.push_back(YamlToJson(item, budget, depth + 1));
      return a;
    }
    case YAML::NodeType::Scalar: {
      const std::string& v = n.Scalar();
      if (n.Tag() == "!") return v;  // quoted: a string
      if (v == "true" || v == "false") return v == "true";
      try {
        size_t used = 0;
        long long i = std::stoll(v, &used);
        if (used == v.size()) return i;
        double d = std::stod(v, &used);
        if (used == v.size()) return d;
      } catch (...) {
      }
      return v;
    }
    default:
      return nullptr;
  }
}

// The documents of a multi-document file, split at its document markers: a line that starts
// with "---" (followed by a blank or the line's end) begins a document, a line that starts with
// "..." ends one. YAML forbids both at the start of a line inside any content (block scalars and
// multi-line flow or quoted scalars included: c-forbidden in YAML 1.2, 6.5.7 of 1.1), so the split
// is exact. Each part is then parsed alone with YAML::Load, which reads one document and
// returns; yaml-cpp 0.7's YAML::LoadAll, which Debian 12 ships, loops forever allocating on some
// inputs (a file holding only ",": its issue 1040) and is not used.
struct DocumentText {
  std::string text;
  int first_line;  // 0-based line of the file where `text` begins
};

std::vector<DocumentText> SplitDocuments(const std::string& text) {
  auto marker = [&](size_t p, const char* m) {
    if (text.compare(p, 3, m) != 0) return false;
    return p + 3 == text.size() || text[p + 3] == ' ' || text[p + 3] == '\t' || text[p + 3] == '\n' ||
           text[p + 3] == '\r';
  };
  std::vector<DocumentText> out;
  size_t start = 0;
  int start_line = 0, line = 0;
  for (size_t p = 0; p < text.size(); ++line) {
    size_t eol = text.find('\n', p);
    size_t next = eol == std::string::npos ? text.size() : eol + 1;
    if (marker(p, "---") && p > start) {  // a new document begins here
      out.push_back({text.substr(start, p - start), start_line});
      start = p;
      start_line = line;
    } else if (marker(p, "...")) {  // the document ends with this line
      out.push_back({text.substr(start, next - start), start_line});
      start = next;
      start_line = line + 1;
    }
    p = next;
  }
  if (start < text.size() || out.empty()) out.push_back({text.substr(start), start_line});
  return out;
}

// Member by member: GCC 12 at -O2 warns falsely (-Wmaybe-uninitialized) on a braced temporary.
void PushError(std::vector<Diagnostic>* errors, const std::string& file, int line, int column, std::string message) {
  Diagnostic d;
  d.pos.file = file;
  d.pos.line = line;
  d.pos.column = column;
  d.message = std::move(message);
  errors->push_back(std::move(d));
}

// containerlab's vars file for a templated topology: <base>.clab_vars.yaml (or .yml, .json)
// beside it, where <base> is the file name without .clab.yml / .clab.yaml / .clab.gotmpl.
std::vector<std::string> VarsFileCandidates(const std::string& path) {
  std::string base = path;
  for (const char* ext : {".clab.gotmpl", ".clab.yml", ".clab.yaml"}) {
    std::string e = ext;
    if (base.size() > e.size() && base.compare(base.size() - e.size(), e.size(), e) == 0) {
      base.resize(base.size() - e.size());
      break;
    }
  }
  std::vector<std::string> out;
  for (const char* ext : {".clab_vars.yaml", ".clab_vars.yml", ".clab_vars.json"}) out.push_back(base + ext);
  return out;
}

// The first candidate that exists, or "".
std::string VarsFileFor(const std::vector<std::string>& candidates) {
  std::error_code ec;
  for (const auto& c : candidates)
    if (fs::is_regular_file(c, ec)) return c;  // never a FIFO, which would block the reader
  return "";
}

}  // namespace

FileLoad LoadFileText(const std::string& text, const std::string& path, const std::map<std::string, std::string>* env) {
  FileLoad r;
  std::string abs = fs::absolute(path).lexically_normal().string();
  if (text.size() > kMaxFileBytes) {
    PushError(&r.errors, abs, 1, 1,
              "the file is " + std::to_string(text.size()) + " bytes, over the limit of " +
                  std::to_string(kMaxFileBytes >> 20) + " MiB for a lab file");
    return r;
  }
  std::string rendered = text;
  std::vector<int> line_map;  // rendered line -> template line, for templated files
  if (text.find("{{") != std::string::npos) {
    // containerlab renders topology files as Go templates, with a vars file beside them.
    nlohmann::json vars = nlohmann::json::object();
    // Every candidate is an input: editing the vars file, or adding one, changes the lab.
    std::vector<std::string> candidates = VarsFileCandidates(abs);
    r.inputs.insert(r.inputs.end(), candidates.begin(), candidates.end());
    if (std::string vf = VarsFileFor(candidates); !vf.empty()) {
      std::error_code ec;
      if (auto size = fs::file_size(vf, ec); !ec && size > kMaxFileBytes) {
        PushError(&r.errors, vf, 1, 1,
                  "vars file: " + std::to_string(size) + " bytes, over the limit of " +
                      std::to_string(kMaxFileBytes >> 20) + " MiB");
        return r;
      }
      try {
        size_t budget = kMaxYamlValues;
        vars = YamlToJson(YAML::LoadFile(vf), &budget, 0);
      } catch (const YAML::Exception& e) {
        r.errors.push_back({{vf, e.mark.line + 1, e.mark.column + 1}, "vars file: " + e.msg});
        return r;
      } catch (const YamlLimitError& e) {
        PushError(&r.errors, vf, e.mark.line + 1, e.mark.column + 1, std::string("vars file: ") + e.what());
        return r;
      }
    }
    auto out = RenderGoTemplate(text, vars);
    if (!out) {
      // "line N: message": point at that line of the file.
      int line = 1;
      std::string msg = out.error();
      if (msg.rfind("line ", 0) == 0) {
        size_t colon = msg.find(": ");
        line = std::atoi(msg.substr(5, colon - 5).c_str());
        msg = msg.substr(colon + 2);
      }
      PushError(&r.errors, abs, line, 1, "template: " + msg);
      return r;
    }
    rendered = out->text;
    line_map = out->lines;
  }
  // Errors in a rendered template point at the template line the user wrote.
  auto to_template = [&](std::vector<Diagnostic>* errors) {
    for (auto& e : *errors)
      if (!line_map.empty() && e.pos.file == abs && e.pos.line >= 1 &&
          static_cast<size_t>(e.pos.line) <= line_map.size()) {
        int rendered_line = e.pos.line;
        e.pos.line = line_map[static_cast<size_t>(rendered_line) - 1];
        e.message += " (line " + std::to_string(rendered_line) + " of the rendered template)";
      }
  };
  size_t over_at = 0;
  auto expansion = ExpandEnvWithin(rendered, env, kMaxExpandedBytes, &over_at);
  if (!expansion) {
    int line = 1 + static_cast<int>(std::count(rendered.begin(), rendered.begin() + static_cast<long>(over_at), '\n'));
    size_t line_start = rendered.rfind('\n', over_at == 0 ? 0 : over_at - 1);
    line_start = line_start == std::string::npos || over_at == 0 ? 0 : line_start + 1;
    PushError(&r.errors, abs, line, static_cast<int>(over_at - line_start) + 1, expansion.error());
    to_template(&r.errors);
    return r;
  }
  std::string expanded = std::move(*expansion);
  std::vector<YAML::Node> docs;
  std::vector<int> doc_lines;  // the file line each document's text starts at (0-based)
  std::vector<DocumentText> texts;
  if (IsLabResourceFileName(abs)) {
    texts = SplitDocuments(expanded);
    if (texts.size() > kMaxDocuments) {
      PushError(&r.errors, abs, texts[kMaxDocuments].first_line + 1, 1,
                "more than " + std::to_string(kMaxDocuments) + " documents in one file (the limit)");
      return r;
    }
  } else {
    texts.push_back({expanded, 0});  // a topology file is one document, as containerlab reads it
  }
  for (const auto& t : texts) {
    try {
      // YAML::Load reads exactly one document; YAML::LoadAll is never called (see SplitDocuments).
      docs.push_back(YAML::Load(t.text));
      doc_lines.push_back(t.first_line);
    } catch (const YAML::DeepRecursion& e) {
      PushError(&r.errors, abs, e.mark.line + 1 + t.first_line, e.mark.column + 1,
                "YAML nested deeper than yaml-cpp's limit of 2000 levels");
      to_template(&r.errors);
      return r;
    } catch (const YAML::ParserException& e) {
      PushError(&r.errors, abs, e.mark.line + 1 + t.first_line, e.mark.column + 1, "YAML syntax error: " + e.msg);
      to_template(&r.errors);
      return r;
    }
  }
  // The names come first, read off the top of each document without walking anything below, so
  // a file that fails any later check still names the labs it is about (they become Stalled).
  for (const auto& doc : docs)
    if (auto name = DeclaredLabName(doc, IsLabResourceFileName(abs))) r.names.push_back(std::move(*name));
  // Aliases share nodes, so a small file can name an exponential number of values (a "billion
  // laughs" alias bomb); the reading below copies them, so they are counted, each use of an alias
  // again, before anything is read, and so is the nesting.
  {
    size_t budget = kMaxFileValues;
    for (size_t k = 0; k < docs.size(); ++k) {
      try {
        CountYamlValues(docs[k], &budget, 0, kMaxFileValues, kMaxFileDepth);
      } catch (const YamlLimitError& e) {
        PushError(&r.errors, abs, e.mark.line + 1 + doc_lines[k], e.mark.column + 1, e.what());
        to_template(&r.errors);
        return r;
      }
    }
  }
  Parser parser(abs, fs::path(abs).parent_path().string());
  std::vector<LabSpec> labs;
  for (size_t k = 0; k < docs.size(); ++k) {
    const YAML::Node& doc = docs[k];
    parser.line_offset = doc_lines[k];
    if (IsLabResourceFileName(abs)) {
      if (doc.IsNull()) continue;  // an empty document between two ---
      if (auto lab = ResolveLabDocument(&parser, doc, &r)) labs.push_back(std::move(*lab));
    } else {
      if (auto lab = ResolveRoot(&parser, doc, &r.errors)) labs.push_back(std::move(*lab));
    }
    for (auto& e : parser.errors) r.errors.push_back(std::move(e));
    parser.errors.clear();
  }
  r.inputs.insert(r.inputs.end(), parser.inputs.begin(), parser.inputs.end());
  bool any_document = std::any_of(docs.begin(), docs.end(), [](const YAML::Node& d) { return !d.IsNull(); });
  if (IsLabResourceFileName(abs) && !any_document) PushError(&r.errors, abs, 1, 1, "the file holds no Lab document");
  std::set<std::string> seen;
  for (const auto& lab : labs)
    if (!seen.insert(lab.name).second)
      PushError(&r.errors, abs, 1, 1, "lab " + lab.name + " is defined twice in this file");
  to_template(&r.errors);
  SortErrors(&r.errors);
  if (r.errors.empty()) r.labs = std::move(labs);
  return r;
}

FileLoad LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    FileLoad r;
    PushError(&r.errors, path, 0, 0, "cannot read the file: " + std::string(std::strerror(errno)));
    return r;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return LoadFileText(ss.str(), path);
}

namespace {
LoadResult SingleLab(FileLoad f) {
  LoadResult r;
  r.errors = std::move(f.errors);
  if (r.errors.empty() && f.labs.size() == 1) r.lab = std::move(f.labs[0]);
  return r;
}
}  // namespace

LoadResult LoadTopologyText(const std::string& text, const std::string& path,
                            const std::map<std::string, std::string>* env) {
  return SingleLab(LoadFileText(text, path, env));
}

LoadResult LoadTopologyFile(const std::string& path) {
  return SingleLab(LoadFile(path));
}

}  // namespace lk
