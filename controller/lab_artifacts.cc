#include "controller/lab_artifacts.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "api/kinds.h"
#include "api/strings.h"
#include "controller/ownership.h"

namespace lk {
namespace {

// What containerlab's inventories say about a kind's nodes beyond their address: Ansible's
// network OS and connection plugin, and the default credentials containerlab knows.
struct KindVars {
  std::string network_os, connection, user, password;
};

KindVars VarsOf(const std::string& kind) {
  static const std::map<std::string, KindVars> table = {
      {"nokia_srlinux", {"nokia.srlinux.srlinux", "ansible.netcommon.httpapi", "admin", "NokiaSrl1!"}},
      {"arista_ceos", {"arista.eos.eos", "ansible.netcommon.network_cli", "admin", "admin"}},
      {"cisco_xrd", {"cisco.iosxr.iosxr", "ansible.netcommon.network_cli", "clab", "clab@123"}},
      {"juniper_crpd", {"juniper.device", "ansible.netcommon.netconf", "root", "clab123"}},
      {"sonic-vs", {"", "", "admin", "YourPaSsWoRd"}},
  };
  if (auto it = table.find(kind); it != table.end()) return it->second;
  const KindInfo* k = FindKind(kind);
  if (k && k->IsVm()) return {"", "", k->username, k->password};
  return {};
}

std::string KindName(const std::string& kind) {
  const KindInfo* k = FindKind(kind);
  return k ? k->name : kind;
}

// The lab's nodes that are containers, by name, each with its container when there is one.
struct NodeRow {
  const NodeConfig* node;
  const ContainerState* container;  // nullptr: not (yet) there
  size_t index;
};

std::vector<NodeRow> Rows(const LabSpec& lab, const std::vector<ContainerState>& containers) {
  std::map<std::string, const ContainerState*> by_node;
  for (const auto& c : containers)
    if (auto it = c.labels.find(kNodeNameLabel); it != c.labels.end()) by_node[it->second] = &c;
  std::vector<const NodeConfig*> nodes;
  for (const auto& n : lab.nodes)
    if (n.IsContainer()) nodes.push_back(&n);
  std::sort(nodes.begin(), nodes.end(), [](auto* a, auto* b) { return a->name < b->name; });
  std::vector<NodeRow> out;
  for (size_t i = 0; i < nodes.size(); ++i) {
    auto it = by_node.find(nodes[i]->name);
    out.push_back({nodes[i], it == by_node.end() ? nullptr : it->second, i});
  }
  return out;
}

std::string Ipv4(const NodeRow& r) {
  return r.container ? r.container->ipv4 : "";
}
std::string Ipv6(const NodeRow& r) {
  return r.container ? r.container->ipv6 : "";
}

int PrefixLength(const std::string& subnet) {
  auto slash = subnet.find('/');
  if (slash == std::string::npos) return 0;
  try {
    return std::stoi(subnet.substr(slash + 1));
  } catch (...) {
    return 0;
  }
}

bool LabelTrue(const NodeConfig& n, const std::string& key) {
  auto it = n.labels.find(key);
  return it != n.labels.end() && Lower(it->second) != "false" && !it->second.empty();
}

nlohmann::json NodeJson(const LabSpec& lab, const NodeRow& r) {
  const NodeConfig& n = *r.node;
  nlohmann::json labels = nlohmann::json::object();
  if (r.container)
    for (const auto& [k, v] : r.container->labels)
      if (k == kLabLabel || k.rfind("clab-", 0) == 0) labels[k] = v;
  std::string v4 = Ipv4(r), v6 = Ipv6(r);
  return {{"index", std::to_string(r.index)},
          {"shortname", n.name},
          {"longname", lab.ContainerName(n.name)},
          {"fqdn", n.name + "." + lab.name + ".io"},
          {"group", n.group},
          {"labdir", lab.LabDir() + "/" + n.name},
          {"kind", KindName(n.kind)},
          {"image", n.image},
          {"mgmt-net", ""},
          {"mgmt-intf", ""},
          {"mgmt-ipv4-address", v4},
          {"mgmt-ipv4-prefix-length", v4.empty() ? 0 : PrefixLength(lab.mgmt.ipv4_subnet)},
          {"mgmt-ipv6-address", v6},
          {"mgmt-ipv6-prefix-length", v6.empty() ? 0 : PrefixLength(lab.mgmt.ipv6_subnet)},
          {"mac-address", ""},
          {"labels", labels}};
}

nlohmann::json EndJson(const Endpoint& e, const char* peer) {
  return {{"node", e.node}, {"interface", e.iface}, {"mac", e.mac}, {"peer", peer}};
}

}  // namespace

std::string TopologyDataJson(const LabSpec& lab, const std::vector<ContainerState>& containers) {
  nlohmann::json nodes = nlohmann::json::object();
  for (const auto& r : Rows(lab, containers)) nodes[r.node->name] = NodeJson(lab, r);
  nlohmann::json links = nlohmann::json::array();
  for (const auto& l : lab.links)
    if (!l.OneEnded() && l.b.node != kHostNode) links.push_back({{"a", EndJson(l.a, "z")}, {"z", EndJson(l.b, "a")}});
  nlohmann::json mgmt = {{"network", lab.mgmt.network},
                         {"bridge", lab.mgmt.bridge},
                         {"ipv4-subnet", lab.mgmt.ipv4_subnet},
                         {"ipv6-subnet", lab.mgmt.ipv6_subnet},
                         {"mtu", lab.mgmt.mtu ? std::to_string(lab.mgmt.mtu) : ""},
                         {"external-access", true}};
  nlohmann::json doc = {
      {"name", lab.name},
      {"type", "clab"},
      {"clab", {{"config", {{"prefix", lab.prefix.value_or("clab")}, {"mgmt", mgmt}, {"config-path", lab.dir}}}}},
      {"nodes", nodes},
      {"links", links}};
  return doc.dump(2) + "\n";
}

std::string AnsibleInventory(const LabSpec& lab, const std::vector<ContainerState>& containers) {
  // Groups: one per kind, plus the user's (label ansible-group), each with its hosts.
  std::map<std::string, std::vector<const NodeRow*>> groups;
  std::vector<NodeRow> rows = Rows(lab, containers);
  for (const auto& r : rows) {
    groups[KindName(r.node->kind)].push_back(&r);
    if (auto it = r.node->labels.find("ansible-group"); it != r.node->labels.end() && !it->second.empty())
      groups[it->second].push_back(&r);
  }
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "all" << YAML::Value << YAML::BeginMap;
  // The inventory is used from the lab's host: no HTTP proxy between Ansible and the nodes.
  out << YAML::Key << "vars" << YAML::Value << YAML::BeginMap << YAML::Key << "ansible_httpapi_use_proxy" << YAML::Value
      << false << YAML::EndMap;
  out << YAML::Key << "children" << YAML::Value << YAML::BeginMap;
  for (const auto& [group, members] : groups) {
    out << YAML::Key << group << YAML::Value << YAML::BeginMap;
    KindVars v = VarsOf(group);
    std::vector<std::pair<std::string, std::string>> vars = {{"ansible_network_os", v.network_os},
                                                             {"ansible_connection", v.connection},
                                                             {"ansible_user", v.user},
                                                             {"ansible_password", v.password}};
    std::erase_if(vars, [](const auto& kv) { return kv.second.empty(); });
    if (!vars.empty()) {
      out << YAML::Key << "vars" << YAML::Value << YAML::BeginMap;
      for (const auto& [k, val] : vars) out << YAML::Key << k << YAML::Value << val;
      out << YAML::EndMap;
    }
    out << YAML::Key << "hosts" << YAML::Value << YAML::BeginMap;
    for (const NodeRow* r : members) {
      out << YAML::Key << lab.ContainerName(r->node->name) << YAML::Value;
      if (Ipv4(*r).empty() || LabelTrue(*r->node, "ansible-no-host-var"))
        out << YAML::Null;
      else
        out << YAML::BeginMap << YAML::Key << "ansible_host" << YAML::Value << Ipv4(*r) << YAML::EndMap;
    }
    out << YAML::EndMap << YAML::EndMap;
  }
  out << YAML::EndMap << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string NornirInventory(const LabSpec& lab, const std::vector<ContainerState>& containers) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  for (const auto& r : Rows(lab, containers)) {
    const NodeConfig& n = *r.node;
    KindVars v = VarsOf(KindName(n.kind));
    out << YAML::Key << n.name << YAML::Value << YAML::BeginMap;
    if (!v.user.empty()) out << YAML::Key << "username" << YAML::Value << v.user;
    if (!v.password.empty()) out << YAML::Key << "password" << YAML::Value << v.password;
    out << YAML::Key << "platform" << YAML::Value << KindName(n.kind);
    if (!Ipv4(r).empty()) out << YAML::Key << "hostname" << YAML::Value << Ipv4(r);
    std::vector<std::string> groups;  // labels nornir-group, nornir-group-2, ...
    for (const auto& [k, val] : n.labels)
      if (k.rfind("nornir-group", 0) == 0 && !val.empty()) groups.push_back(val);
    if (!groups.empty()) out << YAML::Key << "groups" << YAML::Value << groups;
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  return "---\n" + std::string(out.c_str()) + "\n";
}

namespace {
// containerlab's marker lines around a lab's block: "###### CLAB-<lab>-START ######" / "-END".
std::string HostsMarker(const std::string& lab, const char* which) {
  return "###### CLAB-" + lab + "-" + which + " ######";
}
}  // namespace

std::string HostsBlock(const std::string& lab, const std::vector<ContainerState>& containers) {
  std::vector<const ContainerState*> sorted;
  for (const auto& c : containers) sorted.push_back(&c);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });
  std::string v4, v6;
  for (const auto* c : sorted) {
    if (!c->ipv4.empty()) v4 += c->ipv4 + "\t" + c->name + "\n";
    if (!c->ipv6.empty()) v6 += c->ipv6 + "\t" + c->name + "\n";
  }
  if (v4.empty() && v6.empty()) return "";
  return HostsMarker(lab, "START") + "\n" + v4 + v6 + HostsMarker(lab, "END") + "\n";
}

Result<std::string> WithHostsBlock(const std::string& hosts, const std::string& lab, const std::string& block) {
  const std::string start = HostsMarker(lab, "START"), end = HostsMarker(lab, "END");
  std::string out;
  bool in_block = false, placed = false;
  for (size_t pos = 0; pos < hosts.size();) {
    size_t nl = hosts.find('\n', pos);
    std::string line = hosts.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos + 1);
    pos = nl == std::string::npos ? hosts.size() : nl + 1;
    std::string trimmed = Trim(line);
    if (!in_block && trimmed == start) {
      in_block = true;
    } else if (in_block && trimmed == end) {
      in_block = false;
      if (!placed) out += block;  // where the block stood; a second copy is dropped
      placed = true;
    } else if (!in_block) {
      out += line;
    }
  }
  if (in_block)
    return Status::Fail("it has \"" + start + "\" without \"" + end + "\"; left as it is (remove that line by hand)");
  if (!placed && !block.empty()) {
    if (!out.empty() && out.back() != '\n') out += '\n';
    out += block;
  }
  return out;
}

std::string SshConfig(const LabSpec& lab, const std::vector<ContainerState>& containers) {
  std::string out = "# Containerlab SSH Config for the " + lab.name + " lab (written by labkeeper)\n";
  bool any = false;
  for (const auto& r : Rows(lab, containers)) {
    if (!r.container) continue;
    any = true;
    out += "\nHost " + r.container->name + "\n";
    if (std::string user = VarsOf(KindName(r.node->kind)).user; !user.empty()) out += "  User " + user + "\n";
    out += "  StrictHostKeyChecking=no\n  UserKnownHostsFile=/dev/null\n";
  }
  return any ? out : "";
}

std::string SshConfigPath(const ArtifactOptions& opts, const std::string& lab) {
  return opts.ssh_config_dir + "/clab-" + lab + ".conf";
}

std::string LabDirOf(const std::string& lab, const std::vector<ContainerState>& containers) {
  for (const auto& c : containers) {
    auto it = c.labels.find("clab-node-lab-dir");
    if (it == c.labels.end()) continue;
    std::string dir = it->second.substr(0, it->second.rfind('/'));
    if (dir.size() > lab.size() + 5 && dir.substr(dir.rfind('/') + 1) == "clab-" + lab) return dir;
  }
  return "";
}

LabArtifacts::Outcome LabArtifacts::Update(const LabSpec& lab, const std::vector<ContainerState>& containers) {
  Outcome out;
  std::string dir = lab.LabDir();
  for (const auto& n : lab.nodes)
    if (n.IsContainer())
      if (Status s = env_.MakeDirectories(dir + "/" + n.name); !s.ok()) {
        out.errors.push_back(s.message());
        return out;  // a read-only place (a ConfigMap's mount): nothing else can be written there
      }
  Write(dir + "/topology-data.json", TopologyDataJson(lab, containers), &out);
  Write(dir + "/ansible-inventory.yml", AnsibleInventory(lab, containers), &out);
  Write(dir + "/nornir-simple-inventory.yml", NornirInventory(lab, containers), &out);
  if (!opts_.names) return out;
  EditHosts(lab.name, HostsBlock(lab.name, containers), &out);
  std::string ssh = SshConfig(lab, containers), ssh_path = SshConfigPath(opts_, lab.name);
  if (ssh.empty()) {
    if (Status s = env_.Delete(ssh_path); !s.ok()) out.errors.push_back(s.message());
  } else if (env_.IsDirectory(opts_.ssh_config_dir)) {  // no SSH client here: nothing to configure
    Write(ssh_path, ssh, &out);
  }
  return out;
}

LabArtifacts::Outcome LabArtifacts::Remove(const std::string& lab, const std::string& lab_dir, bool cleanup) {
  Outcome out;
  if (opts_.names) {
    EditHosts(lab, "", &out);
    if (Status s = env_.Delete(SshConfigPath(opts_, lab)); !s.ok()) out.errors.push_back(s.message());
  }
  std::string base = lab_dir.substr(lab_dir.rfind('/') + 1);
  if (cleanup && !lab_dir.empty() && base == "clab-" + lab && env_.IsDirectory(lab_dir)) {
    if (Status s = env_.DeleteTree(lab_dir); !s.ok())
      out.errors.push_back(s.message());
    else
      out.written.push_back(lab_dir);
  }
  return out;
}

void LabArtifacts::Write(const std::string& path, const std::string& text, Outcome* out) {
  if (env_.Exists(path))
    if (auto current = env_.ReadFile(path); current.ok() && *current == text) return;
  if (Status s = env_.WriteFile(path, text); !s.ok())
    out->errors.push_back(s.message());
  else
    out->written.push_back(path);
}

void LabArtifacts::EditHosts(const std::string& lab, const std::string& block, Outcome* out) {
  bool changed = false;
  // containerlab's lock for /etc/hosts, so that the two never interleave their edits.
  std::string lock = opts_.hosts_file == "/etc/hosts" ? "/run/lock/clab-hosts.lock" : opts_.hosts_file + ".lock";
  Status s = env_.EditFile(opts_.hosts_file, lock, [&](const std::string& current) {
    auto next = WithHostsBlock(current, lab, block);
    changed = next.ok() && *next != current;
    return next;
  });
  if (!s.ok())
    out->errors.push_back(opts_.hosts_file + ": " + s.message());
  else if (changed)
    out->written.push_back(opts_.hosts_file);
}

}  // namespace lk
