// nokia_srsim's `components`: the parser's half (the resolver's is in api/codec_kinds.cc).
#include <algorithm>
#include <cctype>

#include "api/codec_internal.h"
#include "api/strings.h"

namespace lk::codec {

namespace {
const std::set<std::string> kComponentKeys = {"slot", "type", "env", "sfm", "mda", "xiom"};

// A CPM (A or B) or a line card (1, 2, ...), as SR-SIM's NOKIA_SROS_SLOT takes it.
bool ValidSlot(const std::string& s) {
  if (s == "A" || s == "B") return true;
  return !s.empty() && s.size() <= 3 && s[0] != '0' &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}
}  // namespace

void Parser::Components(const yaml::Node& n, const std::string& what, NodeDefinition* d) {
  yaml::Node list = Field(n, "components");
  if (!list || list.IsNull()) return;
  if (!list.IsSequence()) return Error(list, what + ".components: expected a list of {slot, type, env, ...}");
  std::set<std::string> slots;
  for (size_t i = 0; i < list.size(); ++i) {
    yaml::Node item = list[i];
    std::string w = what + ".components[" + std::to_string(i) + "]";
    if (!IsMap(item, w)) continue;
    CheckKeys(item, kComponentKeys, w);
    ComponentDefinition c;
    c.pos = Pos(item);
    c.slot = Upper(Str(item, "slot", w).value_or(""));
    c.type = Str(item, "type", w).value_or("");
    c.env = Map(item, "env", w);
    if (item["slot"] && !ValidSlot(c.slot))
      Error(item["slot"], w + ".slot: \"" + item["slot"].Scalar() + "\": expected A, B or a line card number");
    else if (!c.slot.empty() && !slots.insert(c.slot).second)
      Error(item["slot"], w + ".slot: slot " + c.slot + " is listed twice");
    else if (c.slot.empty() && list.size() > 1)
      Error(item, w + ": \"slot\" is required when a node has more than one component");
    else
      d->components.push_back(std::move(c));  // a component in error is not run (nor named)
  }
}

}  // namespace lk::codec
