// Impairments as files declare them (docs/impairments.md): a link's or an extended endpoint's
// vars.netem (containerlab keeps `vars` free-form, so the file stays valid for it) and a Lab
// resource's spec.impairments.
#include <algorithm>

#include "api/codec_internal.h"

namespace lk::codec {

// vars.netem of a link or an extended endpoint (docs/impairments.md): containerlab keeps `vars`
// as free-form, so the file stays valid for it. The rest of `vars` is not labkeeper's to check.
std::optional<Impairment> Parser::Netem(const yaml::Node& owner, const std::string& what) {
  yaml::Node vars = Field(owner, "vars");
  if (!vars || !vars.IsMap()) return std::nullopt;
  yaml::Node n = Field(vars, "netem");
  if (!n) return std::nullopt;
  return ImpairmentOf(n, what + ".vars.netem");
}

std::optional<Impairment> Parser::ImpairmentOf(const yaml::Node& n, const std::string& what,
                                               const std::set<std::string>& also) {
  if (!IsMap(n, what)) return std::nullopt;
  Impairment imp;
  size_t before = errors.size();
  for (auto it = n.begin(); it != n.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    if (also.count(key)) continue;
    if (!it->second.IsScalar()) {
      Error(it->second, what + "." + key + ": expected a value");
      continue;
    }
    if (std::string why = SetImpairmentValue(&imp, key, it->second.Scalar()); !why.empty())
      Error(why.starts_with("unknown key") ? it->first : it->second, what + ": " + why);
  }
  if (errors.size() != before) return std::nullopt;
  if (std::string why = ImpairmentProblem(imp); !why.empty()) {
    Error(n, what + ": " + why);
    return std::nullopt;
  }
  return imp;
}

// spec.impairments: [{endpoint: NODE:IFACE | link: A:IF--B:IF, delay: 50ms, ...}], onto the
// resolved lab's veth ends (docs/impairments.md). An end given again takes the later entry.
void SpecImpairments(Parser* parser, const yaml::Node& list, LabSpec* lab) {
  if (!list || list.IsNull()) return;
  if (!list.IsSequence()) {
    parser->Error(list, "spec.impairments: expected a list of {endpoint or link, delay, jitter, loss, ...}");
    return;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const yaml::Node item = list[i];
    std::string what = "spec.impairments[" + std::to_string(i) + "]";
    auto imp = parser->ImpairmentOf(item, what, {"endpoint", "link"});
    if (!item.IsMap()) continue;
    yaml::Node endpoint = item["endpoint"], link = item["link"];
    if (!endpoint == !link) {
      parser->Error(item, what + ": give one of \"endpoint\" (NODE:IFACE) or \"link\" (A:IF--B:IF)");
      continue;
    }
    const yaml::Node& at = endpoint ? endpoint : link;
    std::string name = at.IsScalar() ? at.Scalar() : "";
    std::vector<Endpoint*> ends;
    for (auto& l : lab->links) {
      if (l.type != "veth") continue;
      if (link && l.Id() == name) ends = {&l.a, &l.b};
      for (Endpoint* e : {&l.a, &l.b})
        if (endpoint && e->node + ":" + e->iface == name) ends = {e};
    }
    if (ends.empty()) {
      parser->Error(at, what + (endpoint ? ".endpoint: no veth link has the end \"" : ".link: no veth link is \"") +
                            name + "\"" + (endpoint ? " (NODE:IFACE)" : " (A:IF--B:IF, as the lab's links are named)"));
      continue;
    }
    if (imp)
      for (Endpoint* e : ends) e->impair = imp;
  }
}

std::optional<std::string> NetemRefusal(const LinkDefinition& l) {
  bool netem = l.netem || std::any_of(l.endpoints.begin(), l.endpoints.end(), [](const auto& e) { return e.netem; });
  if (!netem || l.type == "veth") return std::nullopt;
  return "vars.netem: impairments are made on the ends of veth links only, not " + l.type;
}

}  // namespace lk::codec
