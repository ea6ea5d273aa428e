// The planner's impairments (docs/impairments.md): one link end's netem root qdisc, as declared
// against as seen.
#include <cstdio>

#include "controller/netem.h"
#include "controller/planner.h"

namespace lk {

std::optional<Action> ImpairmentAction(const LinkConfig& l, const Endpoint& e, const Iface* i) {
  bool ours = i && i->qdisc_handle == kOwnQdiscHandle;
  auto make = [&](ActionKind kind, std::string reason) {
    Action a;
    a.kind = kind;
    a.object = "iface/" + e.node + ":" + e.iface;
    a.reason = std::move(reason);
    a.node = e.node;
    a.link_id = l.Id();
    a.iface = e.iface;
    return a;
  };
  if (!e.impair) {
    if (!ours) return std::nullopt;
    return make(ActionKind::kImpair,
                std::string(kImpairmentUndeclared) + " (was " + (i->netem ? i->netem->str() : i->qdisc) + ")");
  }
  if (i && !ours && (i->qdisc_handle >> 16) != 0) {
    char handle[16];
    std::snprintf(handle, sizeof handle, "%x:", i->qdisc_handle >> 16);
    return make(ActionKind::kConflict, "root qdisc " + i->qdisc + " " + handle +
                                           " is not labkeeper's: left as it is, impairment " + e.impair->str() +
                                           " not made");
  }
  if (!i) return make(ActionKind::kImpair, "impairment " + e.impair->str() + " on the new end");
  if (!ours || !i->netem) return make(ActionKind::kImpair, "impairment missing: " + e.impair->str());
  if (*i->netem != *e.impair)
    return make(ActionKind::kImpair, "impairment " + i->netem->str() + " != " + e.impair->str());
  return std::nullopt;
}

}  // namespace lk
