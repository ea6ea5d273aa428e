#include "api/kinds.h"

#include <algorithm>
#include <regex>
#include <unordered_map>

namespace lk {
namespace {

// Built once: every name and alias to its kind, and each kind's rules compiled.
struct Index {
  std::unordered_map<std::string, const KindInfo*> by_name;
  std::unordered_map<const KindInfo*, std::vector<std::regex>> rules;
  std::unordered_map<const KindInfo*, std::regex> required;
  Index() {
    for (const KindInfo& k : AllKinds()) {
      by_name.emplace(k.name, &k);
      for (const auto& a : k.aliases) by_name.emplace(a, &k);
      for (const IfaceRule& r : k.iface_rules) rules[&k].emplace_back(r.pattern);
      if (!k.iface_required.empty()) required.emplace(&k, std::regex(k.iface_required));
    }
  }
};

const Index& TheIndex() {
  static const Index index;
  return index;
}

}  // namespace

std::optional<std::string> SrsimAlias(const std::string& n) {
  // card/[xX/]mda[/cC]/port, as SR OS writes it; the Linux name is e plus the parts joined by '-'.
  static const std::regex re("^([0-9]+)/(x[0-9]+/)?([0-9]+)/(c[0-9]+/)?([0-9]+)$");
  if (!std::regex_match(n, re)) return std::nullopt;
  std::string out = "e" + n;
  std::replace(out.begin(), out.end(), '/', '-');
  return out;
}

const KindInfo* FindKind(const std::string& name) {
  const auto& by_name = TheIndex().by_name;
  auto it = by_name.find(name);
  return it == by_name.end() ? nullptr : it->second;
}

std::vector<std::string> KindNames() {
  std::vector<std::string> out;
  for (const auto& [name, kind] : TheIndex().by_name) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

std::string KnownKinds() {
  std::string out;
  for (const auto& k : AllKinds()) out += (out.empty() ? "" : ", ") + k.name;
  return out;
}

std::string LinuxIfaceName(const std::string& kind, const std::string& iface) {
  const KindInfo* k = FindKind(kind);
  if (!k) return iface;
  if (k->iface_alias)
    if (auto alias = k->iface_alias(iface)) return *alias;
  const auto& rules = TheIndex().rules;
  if (auto it = rules.find(k); it != rules.end()) {
    for (size_t i = 0; i < it->second.size(); ++i) {
      std::smatch m;
      if (!std::regex_match(iface, m, it->second[i])) continue;
      long n = std::stol(m[1].str()) - k->iface_rules[i].offset + 1;
      if (n >= 1 && n < 100000) return "eth" + std::to_string(n);
    }
  }
  return iface;
}

std::optional<std::string> KindRefusesIface(const std::string& kind, const std::string& iface) {
  const KindInfo* k = FindKind(kind);
  if (!k || k->iface_required.empty()) return std::nullopt;
  if (std::regex_match(iface, TheIndex().required.at(k))) return std::nullopt;
  return "is not an interface a " + k->name + " node has (" + k->iface_help + ")";
}

}  // namespace lk
