// The topology codec's inside, shared by its files: the YAML parser (TopologyFile as written,
// with every error at its line) and the resolver (LabSpec, inheritance and validation). Not an
// interface of labkeeper: only api/topology_codec*.cc and api/codec_*.cc include it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/addresses.h"
#include "api/file_reader.h"
#include "api/kinds.h"
#include "api/topology.h"
#include "api/yaml_tree.h"

namespace lk {
struct FileLoad;
}  // namespace lk

namespace lk::codec {

// map[key]: an undefined node (false) when `map` has no such key or is no mapping.
inline yaml::Node Child(const yaml::Node& map, std::string_view key) {
  return map[key];
}

class Parser {
 public:
  Parser(std::string path, std::string dir) : path_(std::move(path)), dir_(std::move(dir)) {}

  std::vector<Diagnostic> errors;
  std::set<std::string> inputs;      // other files read (or looked for) while resolving: env-files
  FileReader* files = &DiskFiles();  // how they are read

  SourcePos Pos(const yaml::Node& n) const {
    YAML::Mark m = n.Mark();
    if (m.line < 0) return {path_, 0, 0};
    return {path_, m.line + 1 + line_offset, m.column + 1};
  }
  int line_offset = 0;  // the line of the file the current document's text starts at
  void Error(const SourcePos& pos, std::string msg) { errors.push_back({pos, std::move(msg)}); }
  // Where each value of the mapping `n` was written, and each item of a list value ("key[i]").
  WrittenAt Written(const yaml::Node& n) const {
    WrittenAt w;
    if (!n.IsMap()) return w;
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!it->first.IsScalar()) continue;
      const std::string& key = it->first.Scalar();
      w.at.emplace(key, Pos(it->second));
      if (it->second.IsSequence())
        for (size_t i = 0; i < it->second.size(); ++i)
          w.at.emplace(key + "[" + std::to_string(i) + "]", Pos(it->second[i]));
    }
    return w;
  }
  void Error(const yaml::Node& n, std::string msg) { Error(Pos(n), std::move(msg)); }

  bool IsMap(const yaml::Node& n, const std::string& what) {
    if (n.IsMap()) return true;
    Error(n, what + ": expected a mapping");
    return false;
  }

  // Reports unknown keys of a mapping, naming the closest expectation.
  void CheckKeys(const yaml::Node& map, const std::set<std::string>& allowed, const std::string& what) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      std::string key = it->first.Scalar();
      if (!allowed.count(key))
        Error(it->first, what + ": unknown key \"" + key + "\" (expected one of: " + JoinSet(allowed) + ")");
    }
  }

  // map[key] as Child finds it (the first scalar key equal to `key`).
  yaml::Node Field(const yaml::Node& map, std::string_view key) { return map[key]; }

  std::optional<std::string> Str(const yaml::Node& map, std::string_view key, const std::string& what) {
    yaml::Node v = Field(map, key);
    if (!v) return std::nullopt;
    if (v.IsNull()) return std::string();
    if (!v.IsScalar()) {
      Error(v, what + "." + std::string(key) + ": expected a string");
      return std::nullopt;
    }
    return v.Scalar();
  }

  // map[key] as T; a value of another type is reported as "<what>.<key>: <expected>".
  template <typename T>
  std::optional<T> As(const yaml::Node& map, std::string_view key, const std::string& what,
                      const std::string& expected) {
    yaml::Node v = Field(map, key);
    if (!v) return std::nullopt;
    try {
      return v.as<T>();
    } catch (const YAML::Exception&) {
      Error(v, what + "." + std::string(key) + ": " + expected);
      return std::nullopt;
    }
  }

  std::optional<int> Int(const yaml::Node& map, std::string_view key, const std::string& what) {
    yaml::Node v = Field(map, key);
    return As<int>(map, key, what, "expected an integer, got \"" + (v && v.IsScalar() ? v.Scalar() : "?") + "\"");
  }

  std::vector<std::string> List(const yaml::Node& map, std::string_view key, const std::string& what) {
    std::vector<std::string> out;
    yaml::Node v = Field(map, key);
    if (!v || v.IsNull()) return out;
    if (!v.IsSequence()) {
      Error(v, what + "." + std::string(key) + ": expected a list of strings");
      return out;
    }
    for (const auto& item : v) {
      if (item.IsScalar())
        out.push_back(item.Scalar());
      else
        Error(item, what + "." + std::string(key) + ": expected a string item");
    }
    return out;
  }

  std::map<std::string, std::string> Map(const yaml::Node& map, std::string_view key, const std::string& what) {
    std::map<std::string, std::string> out;
    yaml::Node v = Field(map, key);
    if (!v || v.IsNull()) return out;
    if (!v.IsMap()) {
      Error(v, what + "." + std::string(key) + ": expected a mapping of strings");
      return out;
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (it->second.IsScalar() || it->second.IsNull())
        out[it->first.Scalar()] = it->second.Scalar();
      else
        Error(it->second, what + "." + std::string(key) + "." + it->first.Scalar() + ": expected a string value");
    }
    return out;
  }

  void NodeSections(const yaml::Node& n, const std::string& what, NodeDefinition* d);
  // A link's or an extended endpoint's vars.netem, when it has one (errors at their values).
  std::optional<Impairment> Netem(const yaml::Node& owner, const std::string& what);
  // The impairment a mapping declares (delay, jitter, ...; keys in `also` are someone else's).
  std::optional<Impairment> ImpairmentOf(const yaml::Node& n, const std::string& what,
                                         const std::set<std::string>& also = {});
  // nokia_srsim's components (api/codec_components.cc).
  void Components(const yaml::Node& n, const std::string& what, NodeDefinition* d);
  // A node's values checked against what the engine takes (api/codec_checks.cc).
  void CheckNodeValues(const yaml::Node& n, const NodeDefinition& d, const std::string& what);
  NodeDefinition Node(const yaml::Node& n, const std::string& what);

  Stage ParseStage(const yaml::Node& n, const std::string& what);

  void Mgmt(const yaml::Node& n, MgmtNetwork* m);

  EndpointDefinition BriefEndpoint(const yaml::Node& n, const std::string& what);

  // An interface address with its prefix length ("192.168.0.1/24", "2001:db8::1/64"); "" or
  // null is none (api/codec_addresses.cc, as the two below).
  std::string Address(const yaml::Node& n, int family, const std::string& what);
  // A node's mgmt-ipv4 / mgmt-ipv6: an address of its family, inside the file's management
  // subnet when the file names one.
  std::optional<std::string> MgmtAddress(const yaml::Node& node, const char* key, int family, const std::string& what);
  // The mgmt section's subnets, gateways and ranges.
  void MgmtAddresses(const yaml::Node& mgmt);

  EndpointDefinition ExtEndpoint(const yaml::Node& n, const std::string& what);

  bool BriefLink(const yaml::Node& n, const std::string& what, LinkDefinition* l);
  bool ExtendedLink(const yaml::Node& n, const yaml::Node& type, const std::string& what, LinkDefinition* l);
  void Link(const yaml::Node& n, size_t index, std::vector<LinkDefinition>* out);

  TopologyFile File(const yaml::Node& root);
  // Every mapping below `n` with a key written twice: an error at the second (yaml-cpp keeps both
  // and answers with the first; containerlab's strict YAML refuses the file).
  void DuplicateKeys(const yaml::Node& n, int depth = 0);

 private:
  void NamedDefs(const yaml::Node& n, const std::string& what, std::map<std::string, NodeDefinition>* out);

  static std::string LimitMessage(size_t limit, const char* what);

  static std::string JoinSet(const std::set<std::string>& s);

  std::string path_, dir_;
  std::optional<Prefix> mgmt_v4_, mgmt_v6_;  // the subnets the file's mgmt section names
};

// Inheritance (defaults, kinds, groups) and validation of a parsed file; errors are appended,
// and `inputs` gets every other file read (env-files), each read through `files`.
LabSpec Resolve(const TopologyFile& f, std::vector<Diagnostic>* errors, std::set<std::string>* inputs,
                FileReader* files);

// Why `name` cannot be a host interface's name: Linux's rules, except that a name longer than
// 15 characters is kept as an altname (up to 127) of a short kernel name (api/codec_checks.cc).
std::optional<std::string> InvalidHostIfaceName(const std::string& name);

// The kind-specific steps of resolving (api/codec_kinds.cc).
// The kind's container defaults (command, user, env, sysctls) under what the file set.
void ApplyKindDefaults(const KindInfo& k, NodeConfig* c);
// Why a kind that knows its types (cisco_iol: iol, l2) refuses `type`, as containerlab does.
std::optional<std::string> TypeRefusal(const KindInfo& k, const std::string& type);
// What containerlab derives from the whole lab once its links are known: a VM's NIC count,
// management subnets and launch arguments, Cisco IOL's process id, SR-SIM's chassis MAC.
void ApplyLabDefaults(LabSpec* lab);
// A nokia_srsim node of more than one component as its containers, named <node>-<slot>, the
// first holding the namespace the others join; with one component, the node takes its settings.
std::vector<NodeConfig> ExpandComponents(const NodeConfig& c, const std::vector<ComponentDefinition>& components);

// The stitched link types (api/codec_stitch.cc). A vxlan-stitch's host-side name: PREFIX<node>_<iface>,
// or PREFIX and a hash of them when that is longer than 15.
std::string VxlanStitchHostName(const std::string& lab, const Endpoint& a, const std::string& prefix);
// A veth-stitch's namespace: VethStitchNetnsPrefix(lab) and 6 hex digits of a hash of its ends as
// written (containerlab takes SHA-1's, under clab-<lab>-vstitch-; the names differ on purpose, so
// labkeeper never takes a namespace containerlab made for its own).
std::string VethStitchNetns(const std::string& lab, const LinkDefinition& l);
// What containerlab refuses in a veth-stitch link whose ends are on these nodes: one node at both
// ends, a node name that cannot name an interface, a mac or address on an end; each at its key.
std::vector<std::pair<SourcePos, std::string>> VethStitchRefusals(const LinkDefinition& l, const std::string& node_a,
                                                                  const std::string& node_b);

// One containerlab root (name, prefix, mgmt, topology, settings) into a LabSpec; nullopt (and
// `errors`) when it does not resolve. codec_lab.cc.
// `host`: a Lab resource's spec.host, where a node without the labkeeper.dev/host label goes.
std::optional<LabSpec> ResolveRoot(Parser* parser, const yaml::Node& root, std::vector<Diagnostic>* errors,
                                   const std::string& host = "");
// A Lab resource document (apiVersion, kind, metadata, spec) into a LabSpec (the containerlab
// root it holds is added to `doc`); errors go to `out`
// (and to parser->errors, which the caller takes).
std::optional<LabSpec> ResolveLabDocument(Parser* parser, yaml::Doc* doc, FileLoad* out);

// api/codec_impairments.cc: spec.impairments onto a resolved Lab resource's veth ends; why a
// link's vars.netem cannot be (a link of another type), if it cannot.
void SpecImpairments(Parser* parser, const yaml::Node& list, LabSpec* lab);
std::optional<std::string> NetemRefusal(const LinkDefinition& l);

}  // namespace lk::codec
