// The controller's /metrics: its own families, each lab's, and the interfaces' telemetry read
// through netlink at scrape time (cached for a second).
#include "controller/controller.h"

#include <algorithm>
#include <set>

#include "controller/netem.h"

namespace lk {

std::string Controller::Metrics() {
  Exposition e;
  CollectLabMetrics(&e);
  CollectInterfaceMetrics(&e);
  return SerializeMetrics(*health_.registry(), e.Take());
}

namespace {

constexpr char kReconcile[] = "labkeeper_reconcile_total";
constexpr char kErrors[] = "labkeeper_reconcile_errors_total";
constexpr char kDuration[] = "labkeeper_reconcile_duration_seconds";
constexpr char kQuiet[] = "labkeeper_quiet_resyncs_total";
constexpr char kDrift[] = "labkeeper_drift_corrections_total";
constexpr char kReady[] = "labkeeper_lab_ready";
constexpr char kCondition[] = "labkeeper_lab_condition";
constexpr char kNodes[] = "labkeeper_lab_nodes";
constexpr char kLinks[] = "labkeeper_lab_links";
constexpr char kNodeInfo[] = "labkeeper_node_info";
constexpr char kManifest[] = "labkeeper_manifest_errors";

void DeclareLabFamilies(Exposition* e) {
  using prometheus::MetricType;
  e->Declare(kReconcile, "Reconcile passes by lab and result (success, error, stalled, suspended, cancelled)",
             MetricType::Counter);
  e->Declare(kErrors, "Reconcile passes that failed, by lab", MetricType::Counter);
  e->Declare(kDuration, "Time of one reconcile pass, by lab", MetricType::Histogram);
  e->Declare(kQuiet, "Resyncs that made no pass: nothing had touched the lab since its last in-sync pass, by lab",
             MetricType::Counter);
  e->Declare(kDrift, "Drift corrected, by lab, object kind (node, link, iface) and reason", MetricType::Counter);
  e->Declare(kReady, "1 when the lab's Ready condition is True", MetricType::Gauge);
  e->Declare(kCondition, "1 for each lab condition's current status", MetricType::Gauge);
  e->Declare(kNodes, "Nodes by lab and container state (running, exited, ..., missing)", MetricType::Gauge);
  e->Declare(kLinks, "Links by lab and state (up, failed, unknown)", MetricType::Gauge);
  e->Declare(kNodeInfo, "One series per node: kind, image, image architecture, and whether it runs emulated",
             MetricType::Gauge);
  e->Declare(kManifest, "Errors in each lab file that does not validate", MetricType::Gauge);
}

// The series of one lab's nodes and links, as its last pass saw them.
void CollectNodesAndLinks(Exposition* e, const std::string& lab, const LabRecord& rec) {
  std::map<std::string, int> node_states, link_states;
  std::set<std::string> seen;
  for (const auto& n : rec.nodes) {
    ++node_states[n.value("state", "unknown")];
    seen.insert(n.value("name", ""));
    e->Gauge(kNodeInfo, "",
             {{"lab", lab},
              {"node", n.value("name", "")},
              {"kind", n.value("kind", "")},
              {"image", n.value("image", "")},
              {"architecture", n.value("architecture", "")},
              {"emulated", n.value("emulated", false) ? "true" : "false"}},
             1);
  }
  if (rec.spec)
    for (const auto& n : rec.spec->nodes)
      if (!seen.count(n.name)) ++node_states["missing"];
  for (const auto& [st, n] : node_states) e->Gauge(kNodes, "", {{"lab", lab}, {"state", st}}, n);
  for (const auto& l : rec.links) ++link_states[l.value("state", "unknown")];
  for (const auto& [st, n] : link_states) e->Gauge(kLinks, "", {{"lab", lab}, {"state", st}}, n);
}

void CollectLab(Exposition* e, const std::string& lab, const LabRecord& rec) {
  for (const auto& [result, n] : rec.results) e->Counter(kReconcile, "", {{"lab", lab}, {"result", result}}, n);
  e->Counter(kErrors, "", {{"lab", lab}}, static_cast<double>(rec.reconcile_errors));
  e->Histogram(kDuration, "", {{"lab", lab}}, rec.durations);
  e->Counter(kQuiet, "", {{"lab", lab}}, static_cast<double>(rec.quiet_resyncs));
  for (const auto& [key, n] : rec.drift)
    e->Counter(kDrift, "",
               {{"lab", lab}, {"kind", key.substr(0, key.find('|'))}, {"reason", key.substr(key.find('|') + 1)}},
               static_cast<double>(n));
  for (const auto& [type, c] : rec.conditions)
    for (const char* st : {"True", "False"})
      e->Gauge(kCondition, "", {{"lab", lab}, {"type", type}, {"status", st}}, c.status == st ? 1 : 0);
  // A lab another controller reconciles is that one's to report (and to alert on).
  if (auto placed = rec.conditions.find("Placed"); placed != rec.conditions.end() && placed->second.status == "False")
    return;
  auto ready = rec.conditions.find("Ready");
  e->Gauge(kReady, "", {{"lab", lab}}, ready != rec.conditions.end() && ready->second.status == "True" ? 1 : 0);
  CollectNodesAndLinks(e, lab, rec);
}

}  // namespace

void Controller::CollectLabMetrics(Exposition* e) const {
  DeclareLabFamilies(e);
  std::lock_guard lock(mu_);
  QueueStats q = queue_.Stats();
  e->Gauge("labkeeper_workqueue_depth", "Labs waiting in the work queue", {}, static_cast<double>(q.depth));
  e->Counter("labkeeper_workqueue_adds_total", "Adds to the work queue", {}, static_cast<double>(q.adds));
  e->Counter("labkeeper_workqueue_retries_total", "Retries (backoff) handled by the work queue", {},
             static_cast<double>(q.retries));
  e->Gauge("labkeeper_labs", "Labs known to the controller", {}, static_cast<double>(labs_.size()));
  StateDir::Health state = state_.health();
  e->Gauge("labkeeper_state_dir_writable", "1 when the last write to the state directory (--state-dir) succeeded", {},
           state.error.empty() ? 1 : 0);
  e->Counter("labkeeper_state_write_failures_total", "Writes of status.json or suspended.json that failed", {},
             static_cast<double>(state.failures));
  for (const auto& [file, errors] : manifest_errors_)
    e->Gauge(kManifest, "", {{"file", file}}, static_cast<double>(std::count(errors.begin(), errors.end(), '\n')));
  for (const auto& [lab, rec] : labs_) CollectLab(e, lab, rec);
}

std::map<std::string, std::vector<Iface>> Controller::ReadInterfaces(const std::optional<std::string>& only) {
  std::map<std::string, std::vector<Iface>> out;
  auto take = [&](const std::string& lab, const Iface& i) {
    auto m = IfaceMarker::Parse(i.alias);
    if (m && m->lab == lab) out[lab].push_back(i);
  };
  // The containers' processes as the last pass saw them: a read asks the kernel, never the
  // engine, so it answers while the engine is slow. A container that restarted since is seen
  // again after the pass its restart triggers.
  std::map<std::string, std::map<std::string, int>> pids;  // lab -> container id -> pid
  {
    std::lock_guard l(mu_);
    for (const auto& [name, rec] : labs_)
      if (!only || *only == name) pids[name] = rec.pids;
  }
  std::vector<Iface> host;
  if (auto h = links_.Host())
    if (auto list = links_.List(*h)) host = std::move(*list);
  for (const auto& [lab, containers] : pids) {
    out[lab];  // a lab with no interface yet is there, empty
    for (const auto& [id, pid] : containers) {
      auto ns = links_.OfPid(pid);
      if (!ns) continue;
      if (auto ifaces = links_.List(*ns))
        for (const auto& i : *ifaces) take(lab, i);
    }
    for (const auto& i : host) take(lab, i);
  }
  return out;
}

std::map<std::string, Impairment> Controller::DeclaredImpairments(const std::string& lab) const {
  std::map<std::string, Impairment> out;
  std::lock_guard lock(mu_);
  auto it = labs_.find(lab);
  if (it == labs_.end() || !it->second.spec) return out;
  for (const auto& l : it->second.spec->links)
    for (const Endpoint* e : {&l.a, &l.b})
      if (e->impair) out[e->node + ":" + e->iface] = *e->impair;
  return out;
}

namespace {

// What an interface's impairment is: declared (the file's) and applied (labkeeper's netem root
// qdisc as the kernel has it), each in the file's units (seconds, percent, kbit/s) or null.
nlohmann::json ImpairmentJson(const Iface& i, const std::string& node, const std::map<std::string, Impairment>& want) {
  auto declared = want.find(node + ":" + i.name);
  bool applied = i.qdisc_handle == kOwnQdiscHandle && i.netem;
  return {{"declared", declared == want.end() ? nlohmann::json(nullptr) : nlohmann::json(declared->second.Values())},
          {"applied", applied ? nlohmann::json(i.netem->Values()) : nlohmann::json(nullptr)},
          {"rootQdisc", i.qdisc}};
}

}  // namespace

std::optional<nlohmann::json> Controller::InterfacesJson(const std::string& lab) {
  if (!HasLab(lab)) return std::nullopt;
  auto read = ReadInterfaces(lab);
  auto want = DeclaredImpairments(lab);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& i : read[lab])
    list.push_back({{"node", IfaceMarker::Parse(i.alias)->node},
                    {"interface", i.name},
                    {"adminUp", i.admin_up},
                    {"operUp", i.oper_up},
                    {"mtu", i.mtu},
                    {"mac", i.mac},
                    {"rxBytes", i.rx_bytes},
                    {"txBytes", i.tx_bytes},
                    {"rxPackets", i.rx_packets},
                    {"txPackets", i.tx_packets},
                    {"rxErrors", i.rx_errors},
                    {"txErrors", i.tx_errors},
                    {"rxDropped", i.rx_dropped},
                    {"txDropped", i.tx_dropped},
                    {"impairment", ImpairmentJson(i, IfaceMarker::Parse(i.alias)->node, want)}});
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(env_.Now().time_since_epoch()).count();
  return nlohmann::json{{"lab", lab}, {"time", Now()}, {"readAtMillis", ms}, {"interfaces", list}};
}

namespace {

constexpr char kImpairment[] = "labkeeper_interface_impairment";

void ImpairmentMetrics(Exposition* t, const MetricLabels& labels, const std::map<std::string, Impairment>& want,
                       const std::string& node, const Iface& i) {
  auto gauges = [&](const char* state, const Impairment& imp) {
    for (const auto& [param, value] : imp.Values()) {
      MetricLabels l = labels;
      l["param"] = param;
      l["state"] = state;
      t->Gauge(kImpairment, "", l, value);
    }
  };
  if (auto d = want.find(node + ":" + i.name); d != want.end()) gauges("declared", d->second);
  if (i.qdisc_handle == kOwnQdiscHandle && i.netem) gauges("applied", *i.netem);
}

}  // namespace

void Controller::CollectInterfaceMetrics(Exposition* e) {
  std::lock_guard lock(telemetry_mu_);
  // Read at scrape time, at most once a second whatever the number of scrapers.
  if (env_.Now() - telemetry_at_ >= std::chrono::seconds(1)) {
    Exposition t;
    struct Family {
      const char* name;
      const char* help;
      uint64_t Iface::*field;
    } counters[] = {
        {"labkeeper_interface_receive_bytes_total", "Bytes received by a lab interface", &Iface::rx_bytes},
        {"labkeeper_interface_transmit_bytes_total", "Bytes sent by a lab interface", &Iface::tx_bytes},
        {"labkeeper_interface_receive_packets_total", "Packets received by a lab interface", &Iface::rx_packets},
        {"labkeeper_interface_transmit_packets_total", "Packets sent by a lab interface", &Iface::tx_packets},
        {"labkeeper_interface_receive_errors_total", "Receive errors of a lab interface", &Iface::rx_errors},
        {"labkeeper_interface_transmit_errors_total", "Transmit errors of a lab interface", &Iface::tx_errors},
        {"labkeeper_interface_receive_drops_total", "Received packets dropped by a lab interface", &Iface::rx_dropped},
        {"labkeeper_interface_transmit_drops_total", "Packets to send dropped by a lab interface", &Iface::tx_dropped},
    };
    for (const auto& f : counters) t.Declare(f.name, f.help, prometheus::MetricType::Counter);
    t.Declare("labkeeper_interface_oper_up", "1 when a lab interface is operationally up",
              prometheus::MetricType::Gauge);
    t.Declare(kImpairment,
              "A lab interface's impairment, declared (the file's) and applied (the kernel's netem): delay and "
              "jitter in seconds, loss, corruption, duplicate and reorder in percent, rate in kbit/s",
              prometheus::MetricType::Gauge);
    for (const auto& [lab, ifaces] : ReadInterfaces(std::nullopt)) {
      auto want = DeclaredImpairments(lab);
      for (const auto& i : ifaces) {
        std::string node = IfaceMarker::Parse(i.alias)->node;
        MetricLabels labels = {{"lab", lab}, {"node", node}, {"interface", i.name}};
        for (const auto& f : counters) t.Counter(f.name, "", labels, static_cast<double>(i.*(f.field)));
        t.Gauge("labkeeper_interface_oper_up", "", labels, i.oper_up ? 1 : 0);
        ImpairmentMetrics(&t, labels, want, node, i);
      }
    }
    telemetry_cache_ = t.Take();
    telemetry_at_ = env_.Now();
  }
  for (const auto& f : telemetry_cache_) e->Append(f);
}

}  // namespace lk
