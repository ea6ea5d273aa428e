// A lab's status as the controller records it after each pass: conditions, events, drift
// counts, nodes and links, the result and the retry it leads to.
#include <algorithm>

#include "api/arch.h"
#include "api/strings.h"
#include "controller/controller.h"
#include "controller/observed.h"

namespace lk {
namespace {

constexpr size_t kMaxEvents = 100;

std::string ReasonFor(const Action& a) {
  switch (a.kind) {
    case ActionKind::kCreateNetwork:
      return "NetworkCreated";
    case ActionKind::kCreateBridge:
      return "BridgeCreated";
    case ActionKind::kConflict:
      if (StartsWith(a.object, "iface/")) return "ImpairmentBlocked";
      return a.reason.find("not managed by labkeeper") != std::string::npos ? "NameConflict" : "NodeUnavailable";
    case ActionKind::kRemoveContainer:
      return a.reason == "orphan" ? "ContainerRemoved" : "ContainerReplaced";
    case ActionKind::kCreateContainer:
      return a.reason == "missing" ? "ContainerCreated" : "ContainerRecreated";
    case ActionKind::kStartContainer:
      return "ContainerStarted";
    case ActionKind::kDeleteIface:
      return "InterfaceDeleted";
    case ActionKind::kDeleteNetns:
      return "NamespaceDeleted";
    case ActionKind::kCreateLink:
      return "LinkCreated";
    case ActionKind::kRepairIface:
      return "InterfaceRepaired";
    case ActionKind::kImpair:
      return StartsWith(a.reason, kImpairmentUndeclared) ? "ImpairmentRemoved" : "ImpairmentApplied";
    case ActionKind::kAdoptLink:
      return "LinkAdopted";
    case ActionKind::kExec:
      return "ExecRan";
  }
  return "Unknown";
}

bool IsDrift(const Action& a) {
  return a.kind != ActionKind::kExec && a.kind != ActionKind::kCreateNetwork && a.kind != ActionKind::kConflict &&
         a.kind != ActionKind::kAdoptLink;
}

}  // namespace

nlohmann::json EventJson(const LabEvent& e) {
  return {{"time", e.time}, {"type", e.type}, {"reason", e.reason}, {"object", e.object}, {"message", e.message}};
}

void Controller::AddEvent(LabRecord* rec, const std::string& type, const std::string& reason, const std::string& object,
                          const std::string& message) {
  rec->events.push_back({Now(), type, reason, object, message});
  while (rec->events.size() > kMaxEvents) rec->events.pop_front();
  for (const auto& [name, r] : labs_)  // under mu_, as every AddEvent
    if (&r == rec) hub_.Publish(name, EventJson(rec->events.back()));
}

void Controller::SetCondition(LabRecord* rec, const std::string& type, bool status, const std::string& reason,
                              const std::string& message) {
  Condition& c = rec->conditions[type];
  std::string s = status ? "True" : "False";
  if (c.status != s || c.last_transition.empty()) c.last_transition = Now();
  c.type = type;
  c.status = s;
  c.reason = reason;
  c.message = message;
}

void Controller::RecordKept(const std::string& lab, LabRecord* rec) {
  if (rec->conditions["Ready"].reason != "FileDeleted") {
    AddEvent(rec, "Normal", "PruneSkipped", "lab/" + lab, "the lab's file is gone; prune: false keeps it running");
    log_("lab " + lab + ": file deleted; prune: false, so it stays as it is");
  }
  SetCondition(rec, "Ready", rec->conditions["Ready"].status == "True", "FileDeleted",
               "the lab's file is gone; prune: false keeps it running, unmanaged");
}

void Controller::RecordStalled(const std::string& lab, LabRecord* rec) {
  SetCondition(rec, "Stalled", true, "InvalidFile", Trim(rec->stalled));
  SetCondition(rec, "Reconciling", false, "InvalidFile", "waiting for the file to be fixed");
  if (rec->events.empty() || rec->events.back().reason != "InvalidFile" ||
      rec->events.back().message != Trim(rec->stalled))
    AddEvent(rec, "Warning", "InvalidFile", "lab/" + lab, Trim(rec->stalled));
  ++rec->reconciles;
  ++rec->results["stalled"];
}

std::map<std::string, std::string> Controller::RecordOutcomes(LabRecord* rec, const ApplyResult& r) {
  bool was_ready = rec->ever_ready;
  ++rec->reconciles;
  rec->durations.Observe(r.seconds);
  rec->last_time = Now();
  rec->last_seconds = r.seconds;
  rec->last_actions = r.done();
  while (!rec->repairs.empty() && env_.Now() - rec->repairs.front() > std::chrono::hours(1)) rec->repairs.pop_front();
  std::map<std::string, std::string> errors_by_object;
  for (const auto& o : r.outcomes) {
    std::string kind = o.action.object.substr(0, o.action.object.find('/'));
    if (o.ok) {
      bool drift = was_ready && IsDrift(o.action);
      AddEvent(rec, drift ? "Warning" : "Normal", ReasonFor(o.action), o.action.object, o.action.reason);
      if (drift) {
        ++rec->drift[kind + "|" + o.action.reason];
        ++rec->drift_by_object[o.action.object];
        rec->repairs.push_back(env_.Now());
      }
    } else {
      // A conflict is its reason already (NameConflict, ImpairmentBlocked); anything else failed.
      std::string failed = o.action.kind == ActionKind::kConflict ? "" : "Failed";
      AddEvent(rec, "Warning", ReasonFor(o.action) + failed, o.action.object, o.error);
      errors_by_object[o.action.object] = o.error;
    }
  }
  return errors_by_object;
}

void Controller::Finish(const std::string& lab, LabRecord* rec, const ApplyResult& r, bool suspended,
                        const std::vector<NodeSeen>& seen) {
  std::map<std::string, std::string> errors_by_object = RecordOutcomes(rec, r);
  SetResultConditions(lab, rec, r, suspended);
  // Each pass's result goes to the stream only: the lab's ring keeps what changed.
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f s", r.seconds);
  hub_.Publish(lab, EventJson({Now(), rec->last_result == "success" ? "Normal" : "Warning", "Reconciled", "lab/" + lab,
                               rec->last_result + ": " +
                                   (r.plan.empty() ? std::string("in sync, nothing to do")
                                                   : std::to_string(r.done()) + " of " +
                                                         Counted(r.plan.actions.size(), "planned action") + " done") +
                                   " (" + secs + ")"}));
  RecordNodesAndLinks(rec, r, seen, errors_by_object);
  pending_first_pass_.erase(lab);
  synced_ = pending_first_pass_.empty();
}

void Controller::SetResultConditions(const std::string& lab, LabRecord* rec, const ApplyResult& r, bool suspended) {
  SetCondition(rec, "Stalled", false, "FileValid", "");
  bool placed = rec->spec && (!rec->spec->host.empty() || rec->spec->Spread());
  std::string where = "placed on no host; taken";
  if (rec->spec && rec->spec->Spread()) {
    std::set<std::string> hosts = rec->spec->Hosts();
    where = "spread over hosts " + Join({hosts.begin(), hosts.end()}, ", ") + "; this controller makes its nodes on " +
            HostTableHere().me;
  } else if (placed) {
    where = "placed on this controller's host, " + rec->spec->host;
  }
  SetCondition(rec, "Placed", true, placed ? "PlacedHere" : "Unplaced", where);
  bool by_spec = rec->spec && rec->spec->suspend;
  SetCondition(rec, "Suspended", suspended,
               !suspended ? "NotSuspended"
               : by_spec  ? "SuspendedBySpec"
                          : "SuspendedByAPI",
               !suspended ? ""
               : by_spec  ? "spec.suspend: no changes are made"
                          : "suspended through the API (POST .../resume to resume): no changes are made");
  std::string failures = Join(r.failures(), "; ");
  for (const auto& e : r.observe_errors) failures += (failures.empty() ? "" : "; ") + e;
  if (suspended) {
    rec->last_result = "suspended";
    SetCondition(rec, "Reconciling", false, "Suspended", "");
    SetCondition(rec, "Ready", r.plan.empty() && r.observe_errors.empty(), r.plan.empty() ? "InSync" : "Drifted",
                 r.plan.empty() ? "" : std::to_string(r.plan.actions.size()) + " changes pending while suspended");
    Requeue(lab, After::kDone);
  } else if (!r.ok()) {
    rec->last_result = r.cancelled ? "cancelled" : "error";
    ++rec->reconcile_errors;
    Duration delay = Requeue(lab, After::kFailure);
    auto secs = std::chrono::duration_cast<std::chrono::milliseconds>(delay).count() / 1000.0;
    char when[32];
    std::snprintf(when, sizeof when, "%.0f s", secs);
    AddEvent(rec, "Warning", "ReconcileFailed", "lab/" + lab, failures + "; retrying in " + when);
    SetCondition(rec, "Ready", false, "ReconcileFailed", failures);
    SetCondition(rec, "Degraded", true, "ReconcileFailed", failures);
    SetCondition(rec, "Reconciling", true, "Retrying", std::string("retrying in ") + when);
    log_("lab " + lab + ": " + std::to_string(r.failures().size() + r.observe_errors.size()) +
         " failures; retrying in " + when);
  } else {
    rec->last_result = "success";
    SetCondition(rec, "Degraded", false, "Reconciled", "");
    if (r.plan.empty()) {
      SetCondition(rec, "Ready", true, "InSync", "");
      SetCondition(rec, "Reconciling", false, "InSync", "");
      Requeue(lab, After::kDone);
      if (!rec->ever_ready) log_("lab " + lab + ": Ready");
      rec->ever_ready = true;
    } else {
      // Level-triggered: a pass that changed the world is confirmed by the next one.
      SetCondition(rec, "Ready", false, "Progressing", std::to_string(r.done()) + " changes made; confirming");
      SetCondition(rec, "Reconciling", true, "Progressing", "");
      Requeue(lab, After::kChange);
    }
  }
  ++rec->results[rec->last_result];
}

void Controller::RecordArtifacts(LabRecord* rec, const std::string& lab, const LabArtifacts::Outcome& files) {
  for (const auto& path : files.written) log_("lab " + lab + ": wrote " + path);
  std::string error = Join(files.errors, "; ");
  if (error == rec->artifacts_error) return;  // said once, when it starts and when it ends
  if (!error.empty())
    AddEvent(
        rec, "Warning", "LabFilesFailed", "lab/" + lab,
        "the lab directory or the lab's names could not be written (the lab is reconciled all the same): " + error);
  else
    AddEvent(rec, "Normal", "LabFilesWritten", "lab/" + lab, "the lab directory and the lab's names are written again");
  rec->artifacts_error = error;
}

HostTable Controller::HostTableHere() const {
  HostTable t{opts_.owner.empty() ? env_.HostName() : opts_.owner, opts_.peers, opts_.vxlan_port, opts_.underlay_mtu};
  if (!opts_.host_address.empty()) t.peers[t.me] = opts_.host_address;
  return t;
}

LocalLab Controller::LocalLocked(const LabSpec& spec) const {
  HostTable hosts = HostTableHere();
  if (!vni_claims_) {
    std::vector<const LabSpec*> here;  // the labs this host makes, whose VNIs it must keep apart
    for (const auto& [name, rec] : labs_)
      if (rec.spec && !rec.deleted && NotPlacedHere(*rec.spec).empty()) here.push_back(&*rec.spec);
    vni_claims_ = VniClaims(here, hosts);
  }
  return LocalView(spec, hosts, *vni_claims_);
}

std::string Controller::NotPlacedHere(const LabSpec& spec) const {
  std::string me = opts_.owner.empty() ? env_.HostName() : opts_.owner;
  if (spec.Spread()) {
    std::set<std::string> hosts = spec.Hosts();
    return hosts.count(me) ? ""
                           : "spread over hosts " + Join({hosts.begin(), hosts.end()}, ", ") +
                                 ", none of them this controller (" + me + ")";
  }
  if (spec.host.empty())
    return opts_.take_unplaced ? ""
                               : "the lab is placed on no host, and this controller (" + me +
                                     ") takes no unplaced labs (--unplaced ignore)";
  return spec.host == me ? "" : "placed on host " + spec.host + "; this controller is " + me;
}

void Controller::RecordNotPlaced(const std::string& lab, const std::string& why) {
  {
    std::lock_guard lock(mu_);
    auto it = labs_.find(lab);
    if (it == labs_.end()) return;
    LabRecord& rec = it->second;
    bool elsewhere = rec.spec && (!rec.spec->host.empty() || rec.spec->Spread());
    if (rec.conditions["Placed"].message != why) log_("lab " + lab + ": left alone: " + why);
    SetCondition(&rec, "Placed", false, elsewhere ? "PlacedElsewhere" : "Unplaced", why);
    SetCondition(&rec, "Reconciling", false, "NotPlacedHere", "");
    SetCondition(&rec, "Ready", false, "NotPlacedHere", why);
    pending_first_pass_.erase(lab);
    synced_ = pending_first_pass_.empty();
    queue_.Forget(lab);
  }
}

void Controller::RecordAdopted(LabRecord* rec, const std::string& lab, const std::vector<std::string>& adopted) {
  for (const auto& n : adopted)
    if (!rec->adopted.count(n)) {
      AddEvent(rec, "Normal", "NodeAdopted", "node/" + n, "made by containerlab; taken over as it is");
      log_("lab " + lab + ": node " + n + ": made by containerlab, taken over as it is");
    }
  rec->adopted = std::set<std::string>(adopted.begin(), adopted.end());
}

namespace {

uint64_t DriftOf(const LabRecord& rec, const std::string& object) {
  auto it = rec.drift_by_object.find(object);
  return it == rec.drift_by_object.end() ? 0 : it->second;
}

// A node's corrections: the node's own (its container) and its interfaces'.
uint64_t NodeDrift(const LabRecord& rec, const std::string& node) {
  uint64_t n = DriftOf(rec, "node/" + node);
  std::string prefix = "iface/" + node + ":";
  for (auto it = rec.drift_by_object.lower_bound(prefix);
       it != rec.drift_by_object.end() && it->first.starts_with(prefix); ++it)
    n += it->second;
  return n;
}

// A link's corrections: the link's own (made again) and its ends' (repaired in place).
uint64_t LinkDrift(const LabRecord& rec, const LinkConfig& l) {
  uint64_t n = DriftOf(rec, "link/" + l.Id());
  for (const Endpoint* e : {&l.a, &l.b})
    if (!e->node.empty()) n += DriftOf(rec, "iface/" + e->node + ":" + e->iface);
  return n;
}

// The link's declared impairments, an entry per end that has one, with what failed on it in the
// last pass ("" when nothing did: it is made).
nlohmann::json ImpairmentsJson(const LinkConfig& l, const std::map<std::string, std::string>& errors_by_object) {
  nlohmann::json out = nlohmann::json::array();
  for (const Endpoint* e : {&l.a, &l.b}) {
    if (!e->impair) continue;
    auto err = errors_by_object.find("iface/" + e->node + ":" + e->iface);
    out.push_back({{"end", e->node + ":" + e->iface},
                   {"declared", e->impair->str()},
                   {"problem", err == errors_by_object.end() ? "" : err->second}});
  }
  return out;
}

}  // namespace

void Controller::RecordNodesAndLinks(LabRecord* rec, const ApplyResult& r, const std::vector<NodeSeen>& seen,
                                     const std::map<std::string, std::string>& errors_by_object) {
  // Per node and link state, as last seen and done.
  rec->nodes = nlohmann::json::array();
  rec->pids.clear();
  for (const auto& [c, arch] : seen) {
    std::string node = c.labels.count(kNodeNameLabel) ? c.labels.at(kNodeNameLabel) : c.name;
    auto err = errors_by_object.find("node/" + node);
    bool failed = err != errors_by_object.end();
    nlohmann::json ready = {{"type", "Ready"},
                            {"status", c.running() && !failed ? "True" : "False"},
                            {"reason", failed        ? "RepairFailed"
                                       : c.running() ? "Running"
                                                     : "NotRunning"},
                            {"message", failed        ? err->second
                                        : c.running() ? ""
                                                      : "the container is " + c.state}};
    rec->nodes.push_back({{"name", node},
                          {"kind", c.labels.count("clab-node-kind") ? c.labels.at("clab-node-kind") : ""},
                          {"architecture", arch},
                          {"emulated", IsEmulated(arch, engine_arch_)},
                          {"adopted", !c.labels.count(kManagedByLabel)},
                          {"container", c.name},
                          {"containerID", c.id.substr(0, 12)},
                          {"state", c.state},
                          {"image", NodeImage(c)},
                          {"mgmtIPv4", c.ipv4},
                          {"mgmtIPv6", c.ipv6},
                          {"lastError", failed ? err->second : ""},
                          {"conditions", nlohmann::json::array({ready})},
                          {"driftCorrections", NodeDrift(*rec, node)}});
    if (c.running() && c.pid > 0) rec->pids[c.id] = c.pid;
  }
  // A pass that failed only at impairments made every link it was to make: they are up.
  bool links_made =
      r.ok() || (!r.cancelled && r.observe_errors.empty() &&
                 std::all_of(r.outcomes.begin(), r.outcomes.end(), [](const Outcome& o) {
                   return o.ok || o.action.kind == ActionKind::kImpair ||
                          (o.action.kind == ActionKind::kConflict && StartsWith(o.action.object, "iface/"));
                 }));
  rec->links = nlohmann::json::array();
  if (rec->spec)
    for (const auto& l : rec->spec->links) {
      auto err = errors_by_object.find("link/" + l.Id());
      bool failed = err != errors_by_object.end();
      rec->links.push_back({{"id", l.Id()},
                            {"state", failed ? "failed" : (links_made ? "up" : "unknown")},
                            {"lastError", failed ? err->second : ""},
                            {"driftCorrections", LinkDrift(*rec, l)},
                            {"impairments", ImpairmentsJson(l, errors_by_object)}});
    }
}

}  // namespace lk
