// The controller's JSON documents: a lab's status, the API's lab list and lab document, and the
// status file (docs/openapi.yaml). Read under the controller's lock; no engine calls.
#include <unistd.h>

#include "api/strings.h"
#include "controller/controller.h"

namespace lk {

namespace {
// Where the lab's file is in git, and what was applied from it (Flux's lastAppliedRevision).
nlohmann::json SourceJson(const FileRevision& now, const FileRevision& applied) {
  nlohmann::json j = {{"revision", now.revision},
                      {"path", now.path},
                      {"modified", now.modified},
                      {"lastAppliedRevision", applied.revision},
                      {"lastAppliedModified", applied.modified}};
  if (!now.error.empty())
    j["message"] = now.error;
  else if (now.modified)
    j["message"] = "the file differs from commit " + now.revision.substr(0, 12) + " (changes not committed)";
  else if (!now.revision.empty())
    j["message"] = "as in commit " + now.revision.substr(0, 12);
  return j;
}

// A lab across hosts, from this host: which nodes are elsewhere, and its tunnels.
nlohmann::json SpreadJson(const LocalLab& local, const std::string& me) {
  nlohmann::json remote = nlohmann::json::array(), tunnels = nlohmann::json::array();
  for (const auto& [node, host] : local.remote_nodes) remote.push_back({{"node", node}, {"host", host}});
  for (const auto& t : local.tunnels)
    tunnels.push_back({{"link", t.link},
                       {"localEnd", t.local_end},
                       {"peerHost", t.peer_host},
                       {"peerEnd", t.peer_end},
                       {"remote", t.remote},
                       {"vni", t.vni},
                       {"port", t.port},
                       {"mtu", t.mtu},
                       {"problem", t.problem}});
  return {{"host", me}, {"remoteNodes", remote}, {"tunnels", tunnels}};
}
}  // namespace

nlohmann::json Controller::LabStatus(const std::string& name, const LabRecord& rec) const {
  nlohmann::json conditions = nlohmann::json::array();
  for (const auto& [type, c] : rec.conditions)
    conditions.push_back({{"type", c.type},
                          {"status", c.status},
                          {"reason", c.reason},
                          {"message", c.message},
                          {"lastTransitionTime", c.last_transition}});
  nlohmann::json events = nlohmann::json::array();
  for (const auto& e : rec.events) events.push_back(EventJson(e));
  nlohmann::json drift = nlohmann::json::array();
  for (const auto& [key, n] : rec.drift)
    drift.push_back({{"kind", key.substr(0, key.find('|'))}, {"reason", key.substr(key.find('|') + 1)}, {"count", n}});
  bool by_spec = rec.spec && rec.spec->suspend, by_api = api_suspended_.count(name) > 0;
  nlohmann::json st = {
      {"observedGeneration", rec.observed_generation},
      {"suspended", by_spec || by_api},
      {"suspendedBy", by_spec  ? "spec"
                      : by_api ? "api"
                               : ""},
      {"conditions", conditions},
      {"nodes", rec.nodes},
      {"links", rec.links},
      {"lastReconcile",
       {{"time", rec.last_time},
        {"seconds", rec.last_seconds},
        {"result", rec.last_result},
        {"actions", rec.last_actions}}},
      {"reconciles", rec.reconciles},
      {"reconcileErrors", rec.reconcile_errors},
      {"quietResyncs", rec.quiet_resyncs},
      {"driftCorrections", drift},
      {"repairsLastHour", std::count_if(rec.repairs.begin(), rec.repairs.end(),
                                        [&](TimePoint t) { return env_.Now() - t <= std::chrono::hours(1); })},
      {"events", events}};
  if (rec.spec && rec.spec->Spread()) st["spread"] = SpreadJson(LocalLocked(*rec.spec), HostTableHere().me);
  if (!rec.source.revision.empty() || !rec.source.error.empty() || !rec.applied.revision.empty())
    st["source"] = SourceJson(rec.source, rec.applied);
  return st;
}

namespace {

nlohmann::json EndpointJson(const Endpoint& e) {
  nlohmann::json j = {{"node", e.node}, {"interface", e.iface}, {"mac", e.mac}};
  if (!e.ipv4.empty()) j["ipv4"] = e.ipv4;
  if (!e.ipv6.empty()) j["ipv6"] = e.ipv6;
  if (e.impair) j["impairment"] = e.impair->Values();
  return j;
}

// The effective spec, after inheritance and expansion, as labkeeper applies it.
nlohmann::json SpecJson(const LabSpec& lab) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : lab.nodes)
    nodes.push_back({{"name", n.name},
                     {"kind", n.kind},
                     {"type", n.type},
                     {"group", n.group},
                     {"image", n.image},
                     {"platform", n.platform},
                     {"container", n.IsContainer() ? lab.ContainerName(n.name) : ""},
                     {"networkMode", n.network_mode},
                     {"mgmtIPv4", n.mgmt_ipv4},
                     {"mgmtIPv6", n.mgmt_ipv6},
                     {"cmd", n.cmd},
                     {"env", n.env},
                     {"binds", n.binds},
                     {"ports", n.ports},
                     {"exec", n.exec},
                     {"specHash", n.SpecHash()}});
  nlohmann::json links = nlohmann::json::array();
  for (const auto& l : lab.links) {
    nlohmann::json j = {{"id", l.Id()}, {"type", l.type}, {"a", EndpointJson(l.a)}, {"mtu", l.mtu}};
    if (!l.OneEnded()) j["b"] = EndpointJson(l.b);
    links.push_back(j);
  }
  return {{"name", lab.name},
          {"prefix", lab.prefix ? nlohmann::json(*lab.prefix) : nlohmann::json(nullptr)},
          {"mgmt",
           {{"network", lab.mgmt.network}, {"ipv4Subnet", lab.mgmt.ipv4_subnet}, {"ipv6Subnet", lab.mgmt.ipv6_subnet}}},
          {"suspend", lab.suspend},
          {"prune", lab.prune},
          {"nodes", nodes},
          {"links", links}};
}

}  // namespace

nlohmann::json Controller::LabsJson() const {
  std::lock_guard lock(mu_);
  nlohmann::json labs = nlohmann::json::array();
  for (const auto& [name, rec] : labs_) {
    nlohmann::json st = LabStatus(name, rec);
    labs.push_back({{"name", name},
                    {"file", rec.file},
                    {"suspended", st["suspended"]},
                    {"conditions", st["conditions"]},
                    {"nodes", rec.nodes.size()},
                    {"links", rec.spec ? rec.spec->links.size() : 0},
                    {"lastReconcile", st["lastReconcile"]}});
  }
  return {{"controller", {{"dir", opts_.dir}, {"synced", synced_}, {"updated", Now()}, {"stateDir", StateJson()}}},
          {"labs", labs}};
}

std::optional<nlohmann::json> Controller::LabJson(const std::string& lab) const {
  std::lock_guard lock(mu_);
  auto it = labs_.find(lab);
  if (it == labs_.end()) return std::nullopt;
  nlohmann::json st = LabStatus(lab, it->second);
  nlohmann::json events = st["events"];
  st.erase("events");
  // Events are published under mu_: none can come between this state and the cursor, so a reader
  // that follows GET /api/v1/events from it misses nothing and sees nothing twice.
  EventHub::Cursor at = hub_.Now();
  return nlohmann::json{{"name", lab},
                        {"file", it->second.file},
                        {"spec", it->second.spec ? SpecJson(*it->second.spec) : nlohmann::json(nullptr)},
                        {"status", st},
                        {"events", events},
                        {"cursor", {{"seq", at.since}, {"boot", at.boot}}}};
}

nlohmann::json Controller::StateJson() const {
  StateDir::Health h = state_.health();
  nlohmann::json out = {{"path", state_.path()}, {"writable", h.error.empty()}, {"writeFailures", h.failures}};
  if (!h.error.empty()) out["error"] = h.error;
  return out;
}

nlohmann::json Controller::StatusJson() const {
  std::lock_guard lock(mu_);
  QueueStats q = queue_.Stats();
  nlohmann::json out = {
      {"controller",
       {{"dir", opts_.dir},
        {"pid", static_cast<int>(getpid())},
        {"synced", synced_},
        {"workers", opts_.workers},
        {"resyncSeconds", std::chrono::duration_cast<std::chrono::milliseconds>(opts_.resync).count() / 1000.0},
        {"queue", {{"depth", q.depth}, {"adds", q.adds}, {"retries", q.retries}}},
        {"stateDir", StateJson()},
        {"updated", Now()}}},
      {"labs", nlohmann::json::array()},
      {"manifestErrors", nlohmann::json::array()}};
  for (const auto& [file, errors] : manifest_errors_)
    out["manifestErrors"].push_back({{"file", file}, {"errors", errors}});
  for (const auto& [name, rec] : labs_) {
    nlohmann::json lab = LabStatus(name, rec);
    lab["name"] = name;
    lab["file"] = rec.file;
    out["labs"].push_back(lab);
  }
  return out;
}

}  // namespace lk
