#include "controller/controller.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/arch.h"
#include "api/strings.h"
#include "api/topology_codec.h"
#include "controller/lab_files.h"
#include "controller/observed.h"

namespace fs = std::filesystem;

namespace lk {
namespace {

constexpr size_t kMaxEvents = 100;

// Hash of everything the lab asks for: changes exactly when the normalized spec changes.
std::string Generation(const LabSpec& lab) {
  std::string s = lab.name + "|" + (lab.prefix ? *lab.prefix : "<none>") + "|" + lab.mgmt.network + "|" +
                  lab.mgmt.ipv4_subnet + "|" + lab.mgmt.ipv6_subnet + "|" + (lab.suspend ? "s" : "") + "|";
  for (const auto& n : lab.nodes) s += n.name + "=" + n.SpecHash() + ":" + Join(n.exec, ";") + "|";
  for (const auto& l : lab.links) s += l.Id() + "/" + std::to_string(l.mtu) + "/" + l.a.mac + "/" + l.b.mac + "|";
  return Hex64(Fnv1a64(s));
}

std::string ReasonFor(const Action& a) {
  switch (a.kind) {
    case ActionKind::kCreateNetwork:
      return "NetworkCreated";
    case ActionKind::kCreateBridge:
      return "BridgeCreated";
    case ActionKind::kConflict:
      return a.reason.find("not managed by labkeeper") != std::string::npos ? "NameConflict" : "NodeUnavailable";
    case ActionKind::kRemoveContainer:
      return a.reason == "orphan" ? "ContainerRemoved" : "ContainerReplaced";
    case ActionKind::kCreateContainer:
      return a.reason == "missing" ? "ContainerCreated" : "ContainerRecreated";
    case ActionKind::kStartContainer:
      return "ContainerStarted";
    case ActionKind::kDeleteIface:
      return "InterfaceDeleted";
    case ActionKind::kCreateLink:
      return "LinkCreated";
    case ActionKind::kRepairIface:
      return "InterfaceRepaired";
    case ActionKind::kExec:
      return "ExecRan";
  }
  return "Unknown";
}

bool IsDrift(const Action& a) {
  return a.kind != ActionKind::kExec && a.kind != ActionKind::kCreateNetwork && a.kind != ActionKind::kConflict;
}

}  // namespace

Result<Duration> ParseDuration(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == 0) return Status::Fail("duration \"" + s + "\": expected a number with a unit (500ms, 30s, 5m, 1h)");
  double v = std::stod(s.substr(0, i));
  std::string unit = s.substr(i);
  double ms;
  if (unit == "ms")
    ms = v;
  else if (unit == "s" || unit.empty())
    ms = v * 1000;
  else if (unit == "m")
    ms = v * 60000;
  else if (unit == "h")
    ms = v * 3600000;
  else
    return Status::Fail("duration \"" + s + "\": unknown unit \"" + unit + "\" (ms, s, m, h)");
  if (ms <= 0) return Status::Fail("duration \"" + s + "\" must be positive");
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(ms));
}

Controller::Controller(std::shared_ptr<DockerClient> docker, ContainerRuntime& runtime, LinkManager& links,
                       const Clock& clock, ControllerOptions opts, LogSink log)
    : docker_(std::move(docker)),
      runtime_(runtime),
      links_(links),
      clock_(clock),
      opts_(std::move(opts)),
      log_(log ? std::move(log) : [](const std::string&) {}),
      queue_(clock),
      state_(opts_.state_dir, log_) {
  queue_.OnLatency([this](Duration d) { health_.QueueLatency(std::chrono::duration<double>(d).count()); });
}

Controller::~Controller() {
  Stop();
}

std::string Controller::Now() const {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03lldZ", buf, static_cast<long long>(ms));
  return out;
}

Status Controller::Start() {
  std::error_code ec;
  if (!fs::is_directory(opts_.dir, ec)) return Status::Fail("--dir " + opts_.dir + " is not a directory");
  fs::create_directories(opts_.state_dir, ec);
  if (ec) return Status::Fail("--state-dir " + opts_.state_dir + ": " + ec.message());
  engine_arch_ = runtime_.EngineArchitecture();
  {
    // Labs suspended through the API stay suspended across restarts.
    std::ifstream in(opts_.state_dir + "/suspended.json");
    auto list = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    std::lock_guard lock(mu_);
    if (list.is_array())
      for (const auto& l : list)
        if (l.is_string()) api_suspended_.insert(l.get<std::string>());
  }
  Rescan();
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, rec] : labs_) pending_first_pass_.insert(name);
    synced_ = pending_first_pass_.empty();
  }
  if (opts_.watch_sources) {
    dir_watcher_ = std::make_unique<DirWatcher>(opts_.dir, opts_.debounce, [this] { Rescan(); });
    if (Status s = dir_watcher_->Start(); !s) return s;
    docker_events_ = std::make_unique<DockerEvents>(
        docker_, [this](const std::string& lab) { ReconcileNow(lab); }, log_);
    docker_events_->Start();
    link_events_ = std::make_unique<LinkEvents>([this](const std::string& lab) { ReconcileNow(lab); });
    if (Status s = link_events_->Start(); !s) return s;
  }
  for (int i = 0; i < std::max(1, opts_.workers); ++i) workers_.emplace_back([this] { Worker(); });
  resync_ = std::thread([this] { ResyncLoop(); });
  WriteStatus();
  return Status::Ok();
}

void Controller::Stop() {
  if (stopping_.exchange(true)) return;
  if (dir_watcher_) dir_watcher_->Stop();
  if (docker_events_) docker_events_->Stop();
  if (link_events_) link_events_->Stop();
  queue_.ShutDown();
  for (auto& w : workers_)
    if (w.joinable()) w.join();
  if (resync_.joinable()) resync_.join();
  WriteStatus();
}

void Controller::ReconcileNow(const std::string& lab) {
  if (lab != "*") {
    queue_.Add(lab);
    return;
  }
  std::vector<std::string> names;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, rec] : labs_) names.push_back(name);
  }
  for (const auto& n : names) queue_.Add(n);
}

bool Controller::Synced() const {
  std::lock_guard lock(mu_);
  return synced_;
}

uint64_t Controller::Reconciles(const std::string& lab) const {
  std::lock_guard lock(mu_);
  auto it = labs_.find(lab);
  return it == labs_.end() ? 0 : it->second.reconciles;
}

void Controller::Rescan() {
  std::lock_guard rescan(rescan_mu_);  // the watcher and the resync both rescan; one at a time
  FoundFiles files = FindLabFiles(opts_.dir);
  for (const auto& [path, why] : files.unreadable) files.content[path] = why;  // present, so not "deleted"
  // Files are read and loaded outside mu_: a lab built from many or slow files keeps no reader
  // of the status waiting. A file is loaded again when it or any file it was built from changed.
  std::map<std::string, std::vector<std::string>> known_inputs;
  std::map<std::string, std::string> known_hash;
  {
    std::lock_guard lock(mu_);
    known_inputs = file_inputs_;
    known_hash = file_hash_;
  }
  Loaded loaded = LoadChanged(files, std::move(known_inputs), std::move(known_hash));
  std::vector<std::string> touched;
  {
    std::lock_guard lock(mu_);
    ForgetGoneFiles(files.content, &touched);
    for (auto& [path, hash_load] : loaded)
      TakeFile(path, std::move(hash_load.first), std::move(hash_load.second), files.content, &touched);
  }
  for (const auto& lab : touched) queue_.Add(lab);
  WriteStatus();
}

void Controller::ForgetGoneFiles(const std::map<std::string, std::string>& found, std::vector<std::string>* touched) {
  // Files that went: their labs are pruned (or kept, with prune: false).
  for (auto it = file_hash_.begin(); it != file_hash_.end();) {
    if (found.count(it->first)) {
      ++it;
      continue;
    }
    for (const auto& lab : file_labs_[it->first]) {
      auto rec = labs_.find(lab);
      if (rec != labs_.end() && rec->second.file == it->first) {
        rec->second.deleted = true;
        touched->push_back(lab);
      }
    }
    file_labs_.erase(it->first);
    file_inputs_.erase(it->first);
    manifest_errors_.erase(it->first);
    it = file_hash_.erase(it);
  }
}

void Controller::StallFileLabs(const std::string& path, const FileLoad& load, std::vector<std::string>* touched) {
  // Last known good stays; the lab is Stalled until the file is fixed.
  std::vector<std::string> names = load.names.empty() ? file_labs_[path] : load.names;
  for (const auto& name : names) {
    auto& rec = labs_[name];
    if (!rec.file.empty() && rec.file != path && !rec.deleted) continue;  // someone else's lab
    rec.file = path;
    rec.stalled = load.ErrorText();
    touched->push_back(name);
  }
  manifest_errors_[path] = load.ErrorText();
  log_("file " + path + " is invalid; its labs keep their last good state:\n" + load.ErrorText());
}

void Controller::TakeFile(const std::string& path, std::string hash, FileLoad load,
                          const std::map<std::string, std::string>& found, std::vector<std::string>* touched) {
  file_hash_[path] = std::move(hash);
  file_inputs_[path] = load.inputs;
  if (!load.ok()) return StallFileLabs(path, load, touched);
  std::set<std::string> now;
  std::string conflicts;
  for (auto& lab : load.labs) {
    auto existing = labs_.find(lab.name);
    if (existing != labs_.end() && existing->second.file != path && !existing->second.deleted &&
        !existing->second.file.empty() && found.count(existing->second.file)) {
      conflicts += path + ": lab " + lab.name + " is already defined in " + existing->second.file + "\n";
      continue;
    }
    now.insert(lab.name);
    auto& rec = labs_[lab.name];
    rec.file = path;
    rec.stalled.clear();
    rec.deleted = false;
    rec.spec = std::move(lab);
    touched->push_back(rec.spec->name);
  }
  for (const auto& old : file_labs_[path])
    if (!now.count(old) && labs_.count(old) && labs_[old].file == path) {
      labs_[old].deleted = true;
      touched->push_back(old);
    }
  file_labs_[path] = std::vector<std::string>(now.begin(), now.end());
  if (conflicts.empty())
    manifest_errors_.erase(path);
  else
    manifest_errors_[path] = conflicts;
}

void Controller::Worker() {
  while (auto lab = queue_.Get()) {
    auto start = std::chrono::steady_clock::now();
    struct Timer {
      HealthMetrics& h;
      std::chrono::steady_clock::time_point t;
      ~Timer() { h.WorkDuration(std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count()); }
    } timer{health_, start};
    try {
      Reconcile(*lab);
    } catch (const std::exception& e) {
      log_("lab " + *lab + ": reconcile raised " + e.what() + "; retrying");
      queue_.AddRateLimited(*lab);
    }
    queue_.Done(*lab);
  }
}

void Controller::AddEvent(LabRecord* rec, const std::string& type, const std::string& reason, const std::string& object,
                          const std::string& message) {
  rec->events.push_back({Now(), type, reason, object, message});
  while (rec->events.size() > kMaxEvents) rec->events.pop_front();
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

void Controller::Reconcile(const std::string& lab) {
  LabRecord snap;
  {
    std::lock_guard lock(mu_);
    auto it = labs_.find(lab);
    if (it == labs_.end()) return;
    snap = it->second;
  }
  if (snap.deleted && snap.spec && snap.spec->prune) {
    Prune(lab, std::move(snap));
    WriteStatus();
    return;
  }
  if (snap.deleted || !snap.stalled.empty() || !snap.spec) {
    {
      std::lock_guard lock(mu_);
      if (snap.deleted)
        RecordKept(lab, &labs_[lab]);
      else
        RecordStalled(lab, &labs_[lab]);
      pending_first_pass_.erase(lab);
      synced_ = pending_first_pass_.empty();
    }
    WriteStatus();  // outside the lock: it takes the lock itself
    return;
  }
  const LabSpec& spec = *snap.spec;
  bool by_api = false;
  {
    std::lock_guard lock(mu_);
    by_api = api_suspended_.count(lab) > 0;
  }
  bool suspended = spec.suspend || by_api;
  std::mutex ev_mu;
  std::vector<Event> events;
  ApplyOptions ao{opts_.max_workers, opts_.owner, &stopping_, opts_.emulation};
  Applier applier(
      runtime_, links_, ao,
      [&](const Event& e) {
        std::lock_guard l(ev_mu);
        events.push_back(e);
      },
      [&](const std::string& line) { log_("lab " + lab + ": " + Trim(line)); });
  ApplyResult r = applier.Apply(spec, suspended);
  // The lab's containers as they are now, read before taking mu_: no engine or kernel call is
  // made while it is held, so a slow engine never stalls the API, /metrics or other workers.
  std::vector<NodeSeen> seen = SeeNodes(lab);
  {
    std::lock_guard lock(mu_);
    auto it = labs_.find(lab);
    if (it == labs_.end()) return;
    LabRecord& rec = it->second;
    for (const auto& e : events) AddEvent(&rec, e.type, e.reason, e.object, e.message);
    Finish(lab, &rec, r, suspended, seen);
    rec.observed_generation = Generation(spec);
  }
  WatchNamespaces(lab, seen);
  WriteStatus();
}

std::vector<Controller::NodeSeen> Controller::SeeNodes(const std::string& lab) {
  std::vector<NodeSeen> out;
  auto list = runtime_.List({{kLabLabel, lab}, {kManagedByLabel, kManagedByValue}});
  if (!list) return out;
  for (auto& c : *list) {
    NodeSeen n;
    n.architecture = ImageArch(RunningImage(c));
    n.container = std::move(c);
    out.push_back(std::move(n));
  }
  return out;
}

std::string Controller::ImageArch(const std::string& image) {
  {
    std::lock_guard lock(arch_mu_);
    if (auto it = image_arch_.find(image); it != image_arch_.end()) return it->second;
  }
  auto arch = runtime_.ImageArchitecture(image);
  if (!arch || arch->empty()) return "";
  std::lock_guard lock(arch_mu_);
  image_arch_[image] = *arch;
  return *arch;
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
  std::map<std::string, std::string> errors_by_object;
  for (const auto& o : r.outcomes) {
    std::string kind = o.action.object.substr(0, o.action.object.find('/'));
    if (o.ok) {
      bool drift = was_ready && IsDrift(o.action);
      AddEvent(rec, drift ? "Warning" : "Normal", ReasonFor(o.action), o.action.object, o.action.reason);
      if (drift) ++rec->drift[kind + "|" + o.action.reason];
    } else {
      AddEvent(rec, "Warning", ReasonFor(o.action) + "Failed", o.action.object, o.error);
      errors_by_object[o.action.object] = o.error;
    }
  }
  return errors_by_object;
}

void Controller::Finish(const std::string& lab, LabRecord* rec, const ApplyResult& r, bool suspended,
                        const std::vector<NodeSeen>& seen) {
  std::map<std::string, std::string> errors_by_object = RecordOutcomes(rec, r);
  SetResultConditions(lab, rec, r, suspended);
  RecordNodesAndLinks(rec, r, seen, errors_by_object);
  pending_first_pass_.erase(lab);
  synced_ = pending_first_pass_.empty();
}

void Controller::SetResultConditions(const std::string& lab, LabRecord* rec, const ApplyResult& r, bool suspended) {
  SetCondition(rec, "Stalled", false, "FileValid", "");
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
    queue_.Forget(lab);
  } else if (!r.ok()) {
    rec->last_result = r.cancelled ? "cancelled" : "error";
    ++rec->reconcile_errors;
    Duration delay = queue_.AddRateLimited(lab);
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
    queue_.Forget(lab);
    rec->last_result = "success";
    SetCondition(rec, "Degraded", false, "Reconciled", "");
    if (r.plan.empty()) {
      SetCondition(rec, "Ready", true, "InSync", "");
      SetCondition(rec, "Reconciling", false, "InSync", "");
      if (!rec->ever_ready) log_("lab " + lab + ": Ready");
      rec->ever_ready = true;
    } else {
      // Level-triggered: a pass that changed the world is confirmed by the next one.
      SetCondition(rec, "Ready", false, "Progressing", std::to_string(r.done()) + " changes made; confirming");
      SetCondition(rec, "Reconciling", true, "Progressing", "");
      queue_.AddAfter(lab, std::chrono::milliseconds(500));
    }
  }
  ++rec->results[rec->last_result];
}

void Controller::RecordNodesAndLinks(LabRecord* rec, const ApplyResult& r, const std::vector<NodeSeen>& seen,
                                     const std::map<std::string, std::string>& errors_by_object) {
  // Per node and link state, as last seen and done.
  rec->nodes = nlohmann::json::array();
  rec->pids.clear();
  for (const auto& [c, arch] : seen) {
    std::string node = c.labels.count(kNodeNameLabel) ? c.labels.at(kNodeNameLabel) : c.name;
    auto err = errors_by_object.find("node/" + node);
    rec->nodes.push_back({{"name", node},
                          {"kind", c.labels.count("clab-node-kind") ? c.labels.at("clab-node-kind") : ""},
                          {"architecture", arch},
                          {"emulated", IsEmulated(arch, engine_arch_)},
                          {"container", c.name},
                          {"containerID", c.id.substr(0, 12)},
                          {"state", c.state},
                          {"image", NodeImage(c)},
                          {"mgmtIPv4", c.ipv4},
                          {"mgmtIPv6", c.ipv6},
                          {"lastError", err == errors_by_object.end() ? "" : err->second}});
    if (c.running() && c.pid > 0) rec->pids[c.id] = c.pid;
  }
  rec->links = nlohmann::json::array();
  if (rec->spec)
    for (const auto& l : rec->spec->links) {
      auto err = errors_by_object.find("link/" + l.Id());
      bool failed = err != errors_by_object.end();
      rec->links.push_back({{"id", l.Id()},
                            {"state", failed ? "failed" : (r.ok() ? "up" : "unknown")},
                            {"lastError", failed ? err->second : ""}});
    }
}

void Controller::Prune(const std::string& lab, LabRecord rec) {
  log_("lab " + lab + ": file deleted; pruning");
  ApplyOptions ao{opts_.max_workers, opts_.owner, nullptr};
  Applier applier(runtime_, links_, ao, nullptr,
                  [&](const std::string& line) { log_("lab " + lab + ": " + Trim(line)); });
  DestroyResult d = applier.Destroy(lab, rec.spec->mgmt.network);
  if (link_events_) link_events_->Watch(lab, {});
  std::lock_guard lock(mu_);
  auto it = labs_.find(lab);
  if (it == labs_.end()) return;
  if (!d.failures.empty()) {
    AddEvent(&it->second, "Warning", "PruneFailed", "lab/" + lab, Join(d.failures, "; "));
    queue_.AddRateLimited(lab);
    return;
  }
  log_("lab " + lab + ": pruned (" + std::to_string(d.containers) + " containers)");
  if (it->second.deleted) labs_.erase(it);  // unless the file came back meanwhile
  pending_first_pass_.erase(lab);
  synced_ = pending_first_pass_.empty();
  queue_.Forget(lab);
}

void Controller::WatchNamespaces(const std::string& lab, const std::vector<NodeSeen>& seen) {
  if (!link_events_) return;
  std::map<std::string, int> pids;
  for (const auto& n : seen)
    if (n.container.running() && n.container.pid > 0) pids[n.container.id] = n.container.pid;
  link_events_->Watch(lab, pids);
}

void Controller::ResyncLoop() {
  auto next = clock_.Now() + opts_.resync;
  while (!stopping_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (clock_.Now() < next) continue;
    next = clock_.Now() + opts_.resync;
    Rescan();
    ReconcileNow("*");
  }
}

bool Controller::HasLab(const std::string& lab) const {
  std::lock_guard lock(mu_);
  return labs_.count(lab) > 0;
}

std::optional<nlohmann::json> Controller::PlanJson(const std::string& lab) {
  std::optional<LabSpec> spec;
  std::string stalled;
  {
    std::lock_guard lock(mu_);
    auto it = labs_.find(lab);
    if (it == labs_.end()) return std::nullopt;
    spec = it->second.spec;
    stalled = it->second.stalled;
  }
  nlohmann::json out = {
      {"lab", lab}, {"inSync", false}, {"actions", nlohmann::json::array()}, {"errors", nlohmann::json::array()}};
  if (!stalled.empty() || !spec) {
    out["errors"].push_back(Trim(stalled.empty() ? "the lab's file is gone" : stalled));
    return out;
  }
  Applier applier(runtime_, links_, {opts_.max_workers, opts_.owner, nullptr, opts_.emulation}, nullptr, nullptr);
  ApplyResult r = applier.Apply(*spec, /*dry_run=*/true);
  out["actions"] = r.plan.json();
  for (const auto& e : r.observe_errors) out["errors"].push_back(e);
  out["inSync"] = r.plan.empty() && r.observe_errors.empty();
  return out;
}

Controller::SuspendResult Controller::SetSuspended(const std::string& lab, bool suspended) {
  {
    std::lock_guard lock(mu_);
    auto it = labs_.find(lab);
    if (it == labs_.end()) return SuspendResult::kNoSuchLab;
    if (!suspended && it->second.spec && it->second.spec->suspend) return SuspendResult::kSuspendedByFile;
    if (suspended)
      api_suspended_.insert(lab);
    else
      api_suspended_.erase(lab);
  }
  bool saved = SaveSuspended().ok();
  log_("lab " + lab + (suspended ? ": suspended through the API" : ": resumed through the API"));
  queue_.Add(lab);
  return saved ? SuspendResult::kOk : SuspendResult::kNotSaved;
}

Status Controller::SaveSuspended() {
  nlohmann::json list;
  {
    std::lock_guard lock(mu_);
    list = api_suspended_;
  }
  return state_.Write("suspended.json", list.dump() + "\n");
}

void Controller::WriteStatus() {
  state_.Write("status.json", StatusJson().dump(2) + "\n");  // a failure is logged and shown by StateJson
}

}  // namespace lk
