// The controller: keeps every lab in a directory converged, forever. Sources say which lab to
// look at; a work queue hands labs to workers; each worker runs one level-triggered pass
// (Applier) and writes the lab's status. No state outside memory and the world: a restarted
// controller rebuilds everything from the files and what it finds in the engine and kernel.
#pragma once

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/topology.h"
#include "api/topology_codec.h"
#include "controller/applier.h"
#include "controller/env.h"
#include "controller/event_hub.h"
#include "controller/event_sources.h"
#include "controller/git_source.h"
#include "controller/lab_artifacts.h"
#include "controller/metrics.h"
#include "controller/multi_host.h"
#include "controller/state_dir.h"
#include "controller/workqueue.h"

namespace lk {

struct ControllerOptions {
  std::string dir;
  std::string state_dir = "/run/labkeeper";  // status.json is written here
  Duration resync = std::chrono::seconds(30);
  // A lab whose events cover it is looked at whole by a resync at least this often; between,
  // a resync with nothing new since its last in-sync pass is quiet (0: every resync is whole).
  Duration deep_resync = std::chrono::minutes(5);
  int workers = 2;      // labs reconciled in parallel
  int max_workers = 4;  // containers created in parallel within one lab
  std::string owner;    // labkeeper.dev/owner ("" = host name)
  std::chrono::milliseconds debounce{300};
  std::string emulation = "warn";  // allow | warn | deny (a Lab resource's spec.emulation overrides)
  bool adopt = false;              // take over containerlab's labs (a Lab resource's spec.adopt asks per lab)
  bool take_unplaced = true;       // reconcile labs placed on no host (else only those placed on `owner`)
  ArtifactOptions artifacts;       // the lab directory's files and the labs' names on the host
  // The git commit each lab file is at (status.source); null: not looked up.
  std::shared_ptr<SourceRevisions> revisions;
  // Labs across hosts: the other hosts' underlay addresses (--peer, --host-address for this one's)
  // and the tunnels' UDP port (--vxlan-port).
  std::map<std::string, std::string> peers;
  std::string host_address;  // this host's own (--host-address); "" when not given
  int vxlan_port = 14789;
  int underlay_mtu = 1500;
  // `run --git`: the fetch's state, each lab's SourceFetched condition; empty: no such source.
  std::function<GitSource::State()> source_state;
};

// Kubernetes-style condition.
struct Condition {
  std::string type, status, reason, message, last_transition;
};

struct LabEvent {
  std::string time, type, reason, object, message;
};

// {"time", "type", "reason", "object", "message"}: an event as the API and the stream show it.
nlohmann::json EventJson(const LabEvent& e);

// Everything the controller knows and says about one lab.
struct LabRecord {
  std::string file;
  std::optional<LabSpec> spec;  // last known good
  std::string stalled;          // the file's errors, when it no longer validates
  bool deleted = false;         // the file is gone (and prune is false, or pruning failed)
  bool ever_ready = false;      // repairs count as drift once the lab has been Ready
  std::string observed_generation;
  std::map<std::string, Condition> conditions;
  nlohmann::json nodes = nlohmann::json::array(), links = nlohmann::json::array();
  std::string last_time, last_result;
  double last_seconds = 0;
  int last_actions = 0;
  uint64_t reconciles = 0, reconcile_errors = 0;
  std::deque<LabEvent> events;
  std::map<std::string, uint64_t> drift;            // "kind|reason" -> corrections
  std::map<std::string, uint64_t> drift_by_object;  // "node/N", "link/ID", "iface/N:IF" -> corrections
  std::deque<TimePoint> repairs;                    // when each correction of the last hour was made
  std::map<std::string, uint64_t> results;          // reconcile result -> passes
  HistogramData durations;                          // seconds per pass
  std::map<std::string, int> pids;                  // running container id -> pid, as the last pass saw
  std::string artifacts_error;                      // why the lab directory or the names were not written
  std::set<std::string> adopted;                    // nodes whose containerlab container the last pass took over
  FileRevision source;                              // the commit the file is at now (when in a git checkout)
  FileRevision applied;                             // the one the last successful pass applied
  // Quiet resyncs (docs/controller.md): `looks` counts what asked to look at the lab (its events,
  // its file, the API); `quiet_from` is that count when the last pass that found the lab in sync,
  // its events covering everything a pass repairs, began (at `deep_at`). A resync that finds the
  // count unmoved within --deep-resync of that pass makes no pass.
  uint64_t looks = 0;
  std::optional<uint64_t> quiet_from;
  TimePoint deep_at{};
  uint64_t quiet_resyncs = 0;
};

class Controller {
 public:
  using LogSink = std::function<void(const std::string&)>;
  // `sources` may be null: the loop is then driven by ReconcileNow and Rescan alone.
  Controller(ContainerRuntime& runtime, LinkManager& links, Env& env, EventSources* sources, ControllerOptions opts,
             LogSink log);
  ~Controller();

  // Reads the directory, starts the sources and the workers.
  Status Start();
  // Stops the sources, lets in-flight actions finish, writes the status. Labs stay up.
  void Stop();
  // "Reconcile now" for one lab, or every lab with "*".
  void ReconcileNow(const std::string& lab);
  // Re-reads the directory; labs whose files changed, appeared or went are queued.
  void Rescan();
  // True once every lab known at start has had one pass.
  bool Synced() const;
  nlohmann::json StatusJson() const;
  // Everything for GET /metrics, in Prometheus' text format.
  std::string Metrics();
  // The number of passes made so far over `lab`.
  uint64_t Reconciles(const std::string& lab) const;

  // The API's documents (docs/openapi.yaml).
  nlohmann::json LabsJson() const;
  std::optional<nlohmann::json> LabJson(const std::string& lab) const;
  // What a pass would do now, observed on demand.
  std::optional<nlohmann::json> PlanJson(const std::string& lab);
  // The lab's interfaces as the kernel reports them now (state, MTU, counters), read in the
  // namespaces of the containers the last pass saw: GET /api/v1/labs/{name}/interfaces.
  std::optional<nlohmann::json> InterfacesJson(const std::string& lab);
  bool HasLab(const std::string& lab) const;
  // Suspension through the API, kept in STATE_DIR/suspended.json across restarts; a lab its
  // file suspends cannot be resumed this way.
  // kNotSaved: the suspension holds, but suspended.json could not be written (see StateJson).
  enum class SuspendResult { kOk, kNotSaved, kNoSuchLab, kSuspendedByFile };
  SuspendResult SetSuspended(const std::string& lab, bool suspended);
  // Every event recorded from now on (and each pass's result, "Reconciled"), live: GET
  // /api/v1/events and `labkeeper events`.
  EventHub& Events() { return hub_; }

 private:
  // Rescan's steps, under mu_: labs of files that went are marked deleted; a loaded file's labs
  // are taken (or, for an invalid file, Stalled with its errors); `touched` gets every lab changed.
  void ForgetGoneFiles(const std::map<std::string, std::string>& found, std::vector<std::string>* touched);
  void TakeFile(const std::string& path, std::string hash, FileLoad load,
                const std::map<std::string, std::string>& found, std::vector<std::string>* touched);
  void StallFileLabs(const std::string& path, const FileLoad& load, std::vector<std::string>* touched);
  // Each lab's source revision and the git source's condition; labs whose revision moved are touched.
  void TakeRevisions(const std::map<std::string, FileRevision>& revs, std::vector<std::string>* touched);
  void Worker();
  // One pass over one lab: snapshot, the lab reconciler, the result recorded outside any engine
  // call, the requeue.
  void Reconcile(const std::string& lab);
  // A resync with nothing to look at (LabRecord::quiet_from): counted, and no pass is made.
  bool QuietResync(const std::string& lab);
  // After a pass: whether the next resyncs may be quiet. Under mu_.
  void RecordQuiet(LabRecord* rec, const LabSpec& spec, const ApplyResult& r, bool suspended, bool watched,
                   uint64_t looks, TimePoint began);
  std::optional<LabRecord> Snapshot(const std::string& lab) const;
  void ReconcileWithoutSpec(const std::string& lab, LabRecord snap);  // pruned, kept or Stalled
  bool Suspended(const std::string& lab, const LabSpec& spec) const;
  ApplyResult RunPass(const std::string& lab, const LabSpec& spec, bool dry_run, std::vector<Event>* events);
  // The one requeue policy: after a failure, back off (1 s doubling to 5 min); after a pass that
  // changed the world, confirm it 500 ms later; when done (in sync, suspended, pruned), forget
  // the failures. Returns the delay.
  enum class After { kFailure, kChange, kDone };
  Duration Requeue(const std::string& lab, After after);
  void Prune(const std::string& lab, LabRecord rec);
  // A lab container as the engine reported it after a pass, with its image's architecture.
  struct NodeSeen {
    ContainerState container;
    std::string architecture;
  };
  std::vector<NodeSeen> SeeNodes(const LabSpec& spec);                      // engine calls: never under mu_
  std::vector<NodeSeen> SeeContainers(std::vector<ContainerState> listed);  // ImageArch: never under mu_
  // The lab directory's files and the lab's names (host files): never under mu_.
  LabArtifacts::Outcome WriteArtifacts(const LabSpec& spec, const std::vector<NodeSeen>& seen);
  void RecordArtifacts(LabRecord* rec, const std::string& lab, const LabArtifacts::Outcome& files);
  // This host's share of a spread lab (multi_host.h), with the VNIs the other labs here claim.
  // Under mu_. A lab on one host is its own share: callers use its spec as it is, uncopied.
  LocalLab LocalLocked(const LabSpec& spec) const;
  // The same, taking mu_; nothing for a lab on one host (its own spec is its share).
  LocalLab ShareHere(const LabSpec& spec) const;
  HostTable HostTableHere() const;
  // Why this controller leaves a lab alone ("" when it is placed here, or unplaced and taken).
  std::string NotPlacedHere(const LabSpec& spec) const;
  // A lab placed elsewhere (or unplaced, not taken): its Placed condition; no pass, no prune.
  void RecordNotPlaced(const std::string& lab, const std::string& why);
  // A Normal event for each node newly taken over from containerlab (said once, not every pass).
  void RecordAdopted(LabRecord* rec, const std::string& lab, const std::vector<std::string>& adopted);
  std::string ImageArch(const std::string& image);  // cached; engine call on a miss
  void Finish(const std::string& lab, LabRecord* rec, const ApplyResult& r, bool suspended,
              const std::vector<NodeSeen>& seen);
  // Finish's and Reconcile's steps, under mu_.
  std::map<std::string, std::string> RecordOutcomes(LabRecord* rec, const ApplyResult& r);  // errors by object
  void SetResultConditions(const std::string& lab, LabRecord* rec, const ApplyResult& r, bool suspended);
  void RecordNodesAndLinks(LabRecord* rec, const ApplyResult& r, const std::vector<NodeSeen>& seen,
                           const std::map<std::string, std::string>& errors_by_object);
  void RecordKept(const std::string& lab, LabRecord* rec);     // a deleted file's lab with prune: false
  void RecordStalled(const std::string& lab, LabRecord* rec);  // a lab whose file is invalid
  void AddEvent(LabRecord* rec, const std::string& type, const std::string& reason, const std::string& object,
                const std::string& message);
  void SetCondition(LabRecord* rec, const std::string& type, bool status, const std::string& reason,
                    const std::string& message);
  bool WatchNamespaces(const std::string& lab, const std::vector<NodeSeen>& seen);  // every one watched
  void WriteStatus();
  Status SaveSuspended();
  nlohmann::json StateJson() const;  // the state directory and its last write
  nlohmann::json LabStatus(const std::string& name, const LabRecord& rec) const;  // under mu_
  // "node:iface" -> the impairment the lab's spec declares on that end (takes mu_).
  std::map<std::string, Impairment> DeclaredImpairments(const std::string& lab) const;
  void CollectLabMetrics(Exposition* e) const;
  void CollectInterfaceMetrics(Exposition* e);
  // Every interface whose marker names one of `labs` (all: every lab), as the kernel reports it
  // now: lab -> interfaces. Asks the kernel only, never the engine.
  std::map<std::string, std::vector<Iface>> ReadInterfaces(const std::optional<std::string>& only);
  void ResyncLoop();
  std::string Now() const;

  EventSources* sources_;
  ContainerRuntime& runtime_;
  LinkManager& links_;
  Env& env_;
  ControllerOptions opts_;
  LogSink log_;
  WorkQueue queue_;
  std::atomic<bool> stopping_{false};

  EventHub hub_;  // its own lock; published to under mu_

  mutable std::mutex mu_;  // guards everything below
  std::map<std::string, LabRecord> labs_;
  std::mutex rescan_mu_;                                         // one Rescan at a time
  std::map<std::string, std::string> file_hash_;                 // file -> hash of it and its inputs
  std::map<std::string, std::vector<std::string>> file_inputs_;  // file -> other files it is built from
  std::map<std::string, std::vector<std::string>> file_labs_;    // file -> labs it defines
  std::map<std::string, std::string> manifest_errors_;           // file -> errors (no lab to pin them on)
  std::set<std::string> pending_first_pass_;
  bool synced_ = false;
  std::set<std::string> api_suspended_;  // labs suspended through the API
  // The VNIs the labs made here claim (VniClaims), computed once after each rescan, not per pass.
  mutable std::optional<std::map<uint32_t, std::string>> vni_claims_;

  std::atomic<bool> status_dirty_{true};  // a pass has ended since status.json was last written
  mutable std::mutex status_write_mu_;
  TimePoint last_status_write_{};  // under status_write_mu_
  TimePoint LastStatusWrite() const;

  StateDir state_;  // status.json and suspended.json
  HealthMetrics health_;
  std::string engine_arch_;
  std::mutex arch_mu_;
  std::map<std::string, std::string> image_arch_;  // image -> architecture, under arch_mu_
  std::mutex telemetry_mu_;
  TimePoint telemetry_at_{};
  std::vector<prometheus::MetricFamily> telemetry_cache_;
  std::vector<std::thread> workers_;
  std::thread resync_;
};

// Parses "30s", "500ms", "5m", "1h" (a bare number is seconds).
Result<Duration> ParseDuration(const std::string& s);

}  // namespace lk
