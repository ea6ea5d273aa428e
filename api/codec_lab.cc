// A lab's document into a LabSpec: a containerlab root (name, prefix, mgmt, topology, settings),
// and the Lab resource (apiVersion, kind, metadata, spec) that holds one with labkeeper's keys.
#include <set>

#include <arpa/inet.h>

#include "api/addresses.h"
#include "api/codec_internal.h"
#include "api/topology_codec.h"

namespace lk::codec {
namespace {

const std::set<std::string> kLabKeys = {"apiVersion", "kind", "metadata", "spec"};
const std::set<std::string> kLabMetadataKeys = {"name", "namespace", "labels", "annotations"};
const std::set<std::string> kLabSpecKeys = {"prefix", "mgmt",  "topology",  "settings", "suspend",    "prune",
                                            "host",   "hosts", "emulation", "adopt",    "impairments"};

bool FlagFrom(Parser* parser, const yaml::Node& spec, const char* key, bool fallback) {
  return parser->As<bool>(spec, key, "spec", "expected true or false").value_or(fallback);
}

}  // namespace

// One containerlab root (name, prefix, mgmt, topology, settings) into a LabSpec.
std::optional<LabSpec> ResolveRoot(Parser* parser, const yaml::Node& root, std::vector<Diagnostic>* errors,
                                   const std::string& host) {
  size_t before = errors->size();
  TopologyFile f = parser->File(root);
  for (auto& e : parser->errors) errors->push_back(std::move(e));
  parser->errors.clear();
  LabSpec lab = codec::Resolve(f, errors, &parser->inputs, parser->files);
  if (errors->size() != before) return std::nullopt;
  if (auto d = PlaceByNodeLabels(&lab, host)) {  // a node's label, else spec.host
    errors->push_back(*d);
    return std::nullopt;
  }
  return lab;
}

// A Lab resource document: apiVersion, kind, metadata, spec holding containerlab's keys.
std::optional<LabSpec> ResolveLabDocument(Parser* parser, yaml::Doc* file, FileLoad* out) {
  const yaml::Node doc = file->Root();
  if (!parser->IsMap(doc, "Lab")) return std::nullopt;
  parser->CheckKeys(doc, kLabKeys, "Lab");
  std::string api = parser->Str(doc, "apiVersion", "Lab").value_or("");
  std::string kind = parser->Str(doc, "kind", "Lab").value_or("");
  if (api != "labkeeper.dev/v1alpha1")
    parser->Error(doc["apiVersion"] ? doc["apiVersion"] : doc,
                  "apiVersion: expected labkeeper.dev/v1alpha1, got \"" + api + "\"");
  if (kind != "Lab") parser->Error(doc["kind"] ? doc["kind"] : doc, "kind: expected Lab, got \"" + kind + "\"");
  yaml::Node meta = doc["metadata"];
  yaml::Node spec = doc["spec"];
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
  std::vector<std::pair<std::string, yaml::Node>> keys;  // containerlab's root, of the spec's values
  if (meta["name"]) keys.emplace_back("name", meta["name"]);
  for (const char* k : {"prefix", "mgmt", "topology", "settings"})
    if (spec[k]) keys.emplace_back(k, spec[k]);
  const yaml::Node root = file->NewMap(keys);
  bool suspend = FlagFrom(parser, spec, "suspend", false);
  std::map<std::string, std::string> annotations = parser->Map(meta, "annotations", "metadata");
  if (annotations["labkeeper.dev/suspend"] == "true") suspend = true;
  bool prune = FlagFrom(parser, spec, "prune", true);
  bool adopt = FlagFrom(parser, spec, "adopt", false);
  std::string host = parser->Str(spec, "host", "spec").value_or("");
  std::string emulation = parser->Str(spec, "emulation", "spec").value_or("");
  if (!emulation.empty() && emulation != "allow" && emulation != "warn" && emulation != "deny")
    parser->Error(spec["emulation"], "spec.emulation: \"" + emulation + "\": expected allow, warn or deny");
  std::map<std::string, std::string> hosts = parser->Map(spec, "hosts", "spec");
  for (const auto& [id, address] : hosts)
    if (!IsAddress(address, AF_INET) && !IsAddress(address, AF_INET6))
      parser->Error(spec["hosts"][id], "spec.hosts." + id + ": \"" + address +
                                           "\" is not an IP address (the host's underlay address, for VXLAN tunnels)");
  auto lab = ResolveRoot(parser, root, &out->errors, host);
  if (!lab) return std::nullopt;
  lab->suspend = suspend;
  lab->prune = prune;
  lab->emulation = emulation;
  lab->adopt = adopt;
  lab->host_addresses = hosts;
  SpecImpairments(parser, spec["impairments"], &*lab);
  return lab;
}

}  // namespace lk::codec
