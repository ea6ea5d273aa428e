#include "api/kinds.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <unordered_map>

namespace lk {
namespace {

// A kind's interface rules, compiled the first time one of its interfaces is looked at
// (compiling every kind's at once cost each command a fixed 80 million instructions).
struct Compiled {
  std::once_flag once;
  std::vector<std::regex> rules;
  std::optional<std::regex> required;
};

// Built once: every name and alias to its kind, and each kind's place for its compiled rules.
struct Index {
  std::unordered_map<std::string, const KindInfo*> by_name;
  std::unordered_map<const KindInfo*, std::unique_ptr<Compiled>> compiled;
  Index() {
    for (const KindInfo& k : AllKinds()) {
      by_name.emplace(k.name, &k);
      for (const auto& a : k.aliases) by_name.emplace(a, &k);
      compiled.emplace(&k, std::make_unique<Compiled>());
    }
  }
};

const Index& TheIndex() {
  static const Index index;
  return index;
}

const Compiled& CompiledOf(const KindInfo* k) {
  Compiled& c = *TheIndex().compiled.at(k);
  std::call_once(c.once, [&] {
    for (const IfaceRule& r : k->iface_rules) c.rules.emplace_back(r.pattern);
    if (!k->iface_required.empty()) c.required.emplace(k->iface_required);
  });
  return c;
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
  const std::vector<std::regex>& rules = CompiledOf(k).rules;
  for (size_t i = 0; i < rules.size(); ++i) {
    std::smatch m;
    if (!std::regex_match(iface, m, rules[i])) continue;
    long n = std::stol(m[1].str()) - k->iface_rules[i].offset + 1;
    if (n >= 1 && n < 100000) return "eth" + std::to_string(n);
  }
  return iface;
}

std::optional<std::string> KindRefusesIface(const std::string& kind, const std::string& iface) {
  const KindInfo* k = FindKind(kind);
  if (!k || k->iface_required.empty()) return std::nullopt;
  if (std::regex_match(iface, *CompiledOf(k).required)) return std::nullopt;
  return "is not an interface a " + k->name + " node has (" + k->iface_help + ")";
}

}  // namespace lk
