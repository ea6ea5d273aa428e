#include "controller/ownership.h"

#include "api/strings.h"

namespace lk {

std::optional<IfaceMarker> IfaceMarker::Parse(const std::string& alias) {
  const std::string head = "labkeeper ";
  if (alias.compare(0, head.size(), head) != 0) return std::nullopt;
  IfaceMarker m;
  size_t pos = head.size();
  while (pos < alias.size()) {
    size_t sp = alias.find(' ', pos);
    std::string field = alias.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
    pos = sp == std::string::npos ? alias.size() : sp + 1;
    size_t eq = field.find('=');
    if (eq == std::string::npos) continue;
    std::string k = field.substr(0, eq), v = field.substr(eq + 1);
    if (k == "lab")
      m.lab = v;
    else if (k == "node")
      m.node = v;
    else if (k == "link")
      m.link = v;
  }
  if (m.lab.empty() || m.node.empty()) return std::nullopt;
  return m;
}

bool MadeByContainerlabFor(const ContainerState& c, const LabSpec& lab, const std::string& node) {
  auto label = [&](const char* k) {
    auto it = c.labels.find(k);
    return it == c.labels.end() ? std::string() : it->second;
  };
  return label(kManagedByLabel).empty() && label(kLabLabel) == lab.name && label(kNodeNameLabel) == node &&
         !lab.file.empty() && label(kTopoFileLabel) == lab.file;
}

namespace {

// An image reference as the engine resolves it: a missing tag is "latest".
std::string WithTag(const std::string& ref) {
  size_t slash = ref.rfind('/');
  size_t colon = ref.rfind(':');
  bool tagged = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  return tagged || ref.find('@') != std::string::npos ? ref : ref + ":latest";
}

}  // namespace

std::string AdoptionMismatch(const ContainerState& c, const NodeConfig& n) {
  if (WithTag(c.image) != WithTag(n.image)) return "image " + c.image + " != " + n.image;
  auto kind = c.labels.find(kNodeKindLabel);
  if (kind != c.labels.end() && !kind->second.empty() && kind->second != n.kind)
    return "kind " + kind->second + " != " + n.kind;
  return "";
}

bool HasClabOwnershipAltName(const std::vector<std::string>& altnames) {
  for (const auto& a : altnames)
    if (StartsWith(a, kClabOwnershipPrefix)) return true;
  return false;
}

Result<std::vector<ContainerState>> LabContainers(ContainerRuntime& runtime, const std::string& lab,
                                                  const std::string& adopted_file) {
  auto owned = runtime.List({{kLabLabel, lab}, {kManagedByLabel, kManagedByValue}});
  if (!owned || adopted_file.empty()) return owned;
  auto clab = runtime.List({{kLabLabel, lab}, {kTopoFileLabel, adopted_file}});
  if (!clab) return clab;
  for (auto& c : *clab)
    if (!c.labels.count(kManagedByLabel) && c.labels.count(kNodeNameLabel)) owned->push_back(std::move(c));
  return owned;
}

std::string TempIfaceName(const std::string& lab, const LinkConfig& link, const Endpoint& end) {
  return kTempIfacePrefix + Hex64(Fnv1a64({lab, "/", link.Id(), "/", end.node, ":", end.iface})).substr(0, 12);
}

}  // namespace lk
