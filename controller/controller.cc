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

// Hash of everything the lab asks for: changes exactly when the normalized spec changes.
std::string Generation(const LabSpec& lab) {
  std::string s = lab.name + "|" + (lab.prefix ? *lab.prefix : "<none>") + "|" + lab.mgmt.network + "|" +
                  lab.mgmt.ipv4_subnet + "|" + lab.mgmt.ipv6_subnet + "|" + (lab.suspend ? "s" : "") + "|";
  for (const auto& n : lab.nodes) s += n.name + "=" + n.SpecHash() + ":" + Join(n.exec, ";") + "|";
  for (const auto& l : lab.links)
    s += l.Id() + "/" + std::to_string(l.mtu) + "/" + l.a.mac + "/" + l.b.mac + "/" + (l.a.impair ? l.a.impair->str() : "") +
         "/" + (l.b.impair ? l.b.impair->str() : "") + "|";
  return Hex64(Fnv1a64(s));
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

Controller::Controller(ContainerRuntime& runtime, LinkManager& links, Env& env, EventSources* sources,
                       ControllerOptions opts, LogSink log)
    : sources_(sources),
      runtime_(runtime),
      links_(links),
      env_(env),
      opts_(std::move(opts)),
      log_(log ? std::move(log) : [](const std::string&) {}),
      queue_(env),
      state_(opts_.state_dir, log_, &env_) {
  queue_.OnLatency([this](Duration d) { health_.QueueLatency(std::chrono::duration<double>(d).count()); });
}

Controller::~Controller() {
  Stop();
}

std::string Controller::Now() const {
  auto now = env_.WallNow();
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
  if (!env_.IsDirectory(opts_.dir)) return Status::Fail("--dir " + opts_.dir + " is not a directory");
  if (Status s = env_.MakeDirectories(opts_.state_dir); !s) return Status::Fail("--state-dir " + s.message());
  engine_arch_ = runtime_.EngineArchitecture();
  {
    // Labs suspended through the API stay suspended across restarts.
    auto text = env_.ReadFile(opts_.state_dir + "/suspended.json");
    auto list = nlohmann::json::parse(text ? *text : "", nullptr, /*allow_exceptions=*/false);
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
  if (sources_)
    if (Status s = sources_->Start([this] { Rescan(); }, [this](const std::string& lab) { ReconcileNow(lab); }); !s)
      return s;
  for (int i = 0; i < std::max(1, opts_.workers); ++i) workers_.emplace_back([this] { Worker(); });
  resync_ = std::thread([this] { ResyncLoop(); });
  WriteStatus();
  return Status::Ok();
}

void Controller::Stop() {
  if (stopping_.exchange(true)) return;
  if (sources_) sources_->Stop();
  queue_.ShutDown();
  for (auto& w : workers_)
    if (w.joinable()) w.join();
  if (resync_.joinable()) resync_.join();
  WriteStatus();
}

// Whatever asks (an event, the API) makes the next pass a whole one: it counts as a look.
void Controller::ReconcileNow(const std::string& lab) {
  std::vector<std::string> names;
  {
    std::lock_guard lock(mu_);
    for (auto& [name, rec] : labs_)
      if (lab == "*" || name == lab) {
        ++rec.looks;
        names.push_back(name);
      }
  }
  if (lab != "*" && names.empty()) names.push_back(lab);
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

void Controller::Worker() {
  while (auto lab = queue_.Get()) {
    struct Timer {
      HealthMetrics& h;
      const Clock& clock;
      TimePoint t;
      ~Timer() { h.WorkDuration(std::chrono::duration<double>(clock.Now() - t).count()); }
    } timer{health_, env_, env_.Now()};
    if (!QuietResync(*lab)) {
      try {
        Reconcile(*lab);
      } catch (const std::exception& e) {
        log_("lab " + *lab + ": reconcile raised " + e.what() + "; retrying");
        Requeue(*lab, After::kFailure);
      }
      status_dirty_ = true;
    }
    queue_.Done(*lab);
    // status.json once a burst of passes is over (20 labs resynced: one write, not 20), and at
    // least every second while a long one goes on; not after quiet resyncs alone.
    if (status_dirty_ && (queue_.Idle() || env_.Now() - LastStatusWrite() >= std::chrono::seconds(1))) WriteStatus();
  }
}

void Controller::Reconcile(const std::string& lab) {
  TimePoint began = env_.Now();
  std::optional<LabRecord> snap = Snapshot(lab);
  if (!snap) return;
  if (!snap->spec || snap->deleted || !snap->stalled.empty()) return ReconcileWithoutSpec(lab, std::move(*snap));
  const LabSpec& spec = *snap->spec;
  if (std::string why = NotPlacedHere(spec); !why.empty()) return RecordNotPlaced(lab, why);
  bool suspended = Suspended(lab, spec);
  LocalLab local = ShareHere(spec);  // a lab across hosts: this host's nodes and tunnels
  const LabSpec& here = spec.Spread() ? local.spec : spec;
  std::vector<Event> events;  // the pass's, recorded with its result
  ApplyResult r = RunPass(lab, here, suspended, &events);
  for (auto& p : local.Problems()) r.observe_errors.push_back(std::move(p));  // the lab is not Ready
  // The lab's containers as they are now, read before taking mu_: no engine or kernel call is
  // made while it is held, so a slow engine never stalls the API, /metrics or other workers.
  // A pass that changed nothing has them already: the engine is not asked twice.
  std::vector<NodeSeen> seen = r.outcomes.empty() && r.listed ? SeeContainers(std::move(*r.listed)) : SeeNodes(here);
  std::optional<LabArtifacts::Outcome> files;  // a suspended lab's files and names stay as they are
  if (!suspended) files = WriteArtifacts(here, seen);
  bool watched = WatchNamespaces(lab, seen);
  {
    std::lock_guard lock(mu_);
    auto it = labs_.find(lab);
    if (it == labs_.end()) return;
    for (const auto& e : events) AddEvent(&it->second, e.type, e.reason, e.object, e.message);
    if (files) RecordArtifacts(&it->second, lab, *files);
    RecordAdopted(&it->second, lab, r.plan.adopted);
    Finish(lab, &it->second, r, suspended, seen);  // status, events, and the requeue
    if (!suspended && r.ok()) it->second.applied = snap->source;
    it->second.observed_generation = Generation(spec);
    RecordQuiet(&it->second, spec, r, suspended, watched, snap->looks, began);
  }
}

LocalLab Controller::ShareHere(const LabSpec& spec) const {
  if (!spec.Spread()) return {};
  std::lock_guard lock(mu_);
  return LocalLocked(spec);
}

bool Controller::QuietResync(const std::string& lab) {
  std::lock_guard lock(mu_);
  auto it = labs_.find(lab);
  if (it == labs_.end()) return false;
  LabRecord& rec = it->second;
  if (!rec.quiet_from || *rec.quiet_from != rec.looks || env_.Now() - rec.deep_at >= opts_.deep_resync) return false;
  ++rec.quiet_resyncs;
  return true;
}

namespace {

// Whether the event sources see every change a pass would repair in the lab: its containers are
// labelled ones (the engine's events) and its links veths between container namespaces (their
// link and address events). Host-namespace ends, tunnels and other hosts' containers are not.
bool EventsCover(const LabSpec& spec) {
  if (spec.Spread()) return false;
  for (const auto& n : spec.nodes)
    if (!n.IsContainer() || n.kind == "ext-container" || n.network_mode == "host") return false;
  for (const auto& l : spec.links)
    if (l.type != "veth" || l.a.node == kHostNode || l.b.node == kHostNode) return false;
  return true;
}

}  // namespace

void Controller::RecordQuiet(LabRecord* rec, const LabSpec& spec, const ApplyResult& r, bool suspended, bool watched,
                             uint64_t looks, TimePoint began) {
  rec->quiet_from.reset();
  if (suspended || !r.ok() || !r.plan.empty() || !rec->artifacts_error.empty() || !watched || !EventsCover(spec))
    return;
  rec->quiet_from = looks;
  rec->deep_at = began;
}

std::optional<LabRecord> Controller::Snapshot(const std::string& lab) const {
  std::lock_guard lock(mu_);
  auto it = labs_.find(lab);
  if (it == labs_.end()) return std::nullopt;
  return it->second;
}

void Controller::ReconcileWithoutSpec(const std::string& lab, LabRecord snap) {
  if (snap.spec && !NotPlacedHere(*snap.spec).empty() && snap.deleted) {  // not ours to prune
    std::lock_guard lock(mu_);
    labs_.erase(lab);
    pending_first_pass_.erase(lab);
    synced_ = pending_first_pass_.empty();
  } else if (snap.deleted && snap.spec && snap.spec->prune) {
    Prune(lab, std::move(snap));
  } else {
    std::lock_guard lock(mu_);
    if (snap.deleted)
      RecordKept(lab, &labs_[lab]);
    else
      RecordStalled(lab, &labs_[lab]);
    pending_first_pass_.erase(lab);
    synced_ = pending_first_pass_.empty();
  }
}

bool Controller::Suspended(const std::string& lab, const LabSpec& spec) const {
  std::lock_guard lock(mu_);
  return spec.suspend || api_suspended_.count(lab) > 0;
}

ApplyResult Controller::RunPass(const std::string& lab, const LabSpec& spec, bool dry_run, std::vector<Event>* events) {
  std::mutex ev_mu;
  ApplyOptions ao{opts_.max_workers, opts_.owner, &stopping_, opts_.emulation, opts_.adopt};
  Applier applier(
      runtime_, links_, env_, ao,
      [&](const Event& e) {
        std::lock_guard l(ev_mu);
        events->push_back(e);
      },
      [&](const std::string& line) { log_("lab " + lab + ": " + Trim(line)); });
  return applier.Apply(spec, dry_run);
}

Duration Controller::Requeue(const std::string& lab, After after) {
  switch (after) {
    case After::kFailure:
      return queue_.AddRateLimited(lab);  // 1 s, doubling to 5 min
    case After::kChange:
      queue_.Forget(lab);
      queue_.AddAfter(lab, std::chrono::milliseconds(500));
      return std::chrono::milliseconds(500);
    case After::kDone:
      queue_.Forget(lab);
  }
  return Duration::zero();
}

std::vector<Controller::NodeSeen> Controller::SeeNodes(const LabSpec& spec) {
  auto list = LabContainers(runtime_, spec.name, AdoptedFile(spec, opts_.adopt));
  if (!list) return {};
  return SeeContainers(std::move(*list));
}

std::vector<Controller::NodeSeen> Controller::SeeContainers(std::vector<ContainerState> list) {
  std::vector<NodeSeen> out;
  for (auto& c : list) {
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

void Controller::Prune(const std::string& lab, LabRecord rec) {
  log_("lab " + lab + ": file deleted; pruning");
  ApplyOptions ao{opts_.max_workers, opts_.owner, nullptr};
  Applier applier(runtime_, links_, env_, ao, nullptr,
                  [&](const std::string& line) { log_("lab " + lab + ": " + Trim(line)); });
  DestroyResult d = applier.Destroy(lab, rec.spec->mgmt.network, AdoptedFile(*rec.spec, opts_.adopt));
  if (sources_) sources_->Watch(lab, {});
  // Its names leave the host (outside mu_: a file edit may wait for containerlab's lock); its
  // directory stays (node directories may hold saved configs).
  if (d.failures.empty())
    for (const auto& e : LabArtifacts(env_, opts_.artifacts).Remove(lab, rec.spec->LabDir(), false).errors)
      log_("lab " + lab + ": warning: " + e);
  std::lock_guard lock(mu_);
  auto it = labs_.find(lab);
  if (it == labs_.end()) return;
  if (!d.failures.empty()) {
    AddEvent(&it->second, "Warning", "PruneFailed", "lab/" + lab, Join(d.failures, "; "));
    Requeue(lab, After::kFailure);
    return;
  }
  for (const auto& w : d.warnings) log_("lab " + lab + ": warning: " + w);  // the record goes: the log keeps it
  log_("lab " + lab + ": pruned (" + std::to_string(d.containers) + " containers)");
  if (it->second.deleted) labs_.erase(it);  // unless the file came back meanwhile
  pending_first_pass_.erase(lab);
  synced_ = pending_first_pass_.empty();
  Requeue(lab, After::kDone);
}

LabArtifacts::Outcome Controller::WriteArtifacts(const LabSpec& spec, const std::vector<NodeSeen>& seen) {
  std::vector<ContainerState> containers;
  for (const auto& n : seen) containers.push_back(n.container);
  return LabArtifacts(env_, opts_.artifacts).Update(spec, containers);
}

bool Controller::WatchNamespaces(const std::string& lab, const std::vector<NodeSeen>& seen) {
  if (!sources_) return false;
  std::map<std::string, int> pids;
  for (const auto& n : seen)
    if (n.container.running() && n.container.pid > 0) pids[n.container.id] = n.container.pid;
  return sources_->Watch(lab, pids);
}

void Controller::ResyncLoop() {
  auto next = env_.Now() + opts_.resync;
  while (!stopping_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a real tick; the deadline is the Env clock's
    if (env_.Now() < next) continue;
    next = env_.Now() + opts_.resync;
    Rescan();  // labs whose files changed are looks
    std::vector<std::string> names;
    {
      std::lock_guard lock(mu_);
      for (const auto& [name, rec] : labs_) names.push_back(name);
    }
    for (const auto& n : names) queue_.Add(n);  // not a look: quiet where nothing asked (QuietResync)
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
  if (std::string why = NotPlacedHere(*spec); !why.empty()) {  // another controller's to plan
    out["errors"].push_back("not planned here: " + why);
    return out;
  }
  LocalLab local = ShareHere(*spec);
  Applier applier(runtime_, links_, env_, {opts_.max_workers, opts_.owner, nullptr, opts_.emulation, opts_.adopt},
                  nullptr, nullptr);
  ApplyResult r = applier.Apply(spec->Spread() ? local.spec : *spec, /*dry_run=*/true);
  for (const auto& p : local.Problems()) out["errors"].push_back(p);
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
  ReconcileNow(lab);
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
  status_dirty_ = false;  // a pass that ends from here on writes it again
  {
    std::lock_guard lock(status_write_mu_);
    last_status_write_ = env_.Now();
  }
  state_.Write("status.json", StatusJson().dump(2) + "\n");  // a failure is logged and shown by StateJson
}

TimePoint Controller::LastStatusWrite() const {
  std::lock_guard lock(status_write_mu_);
  return last_status_write_;
}

}  // namespace lk
