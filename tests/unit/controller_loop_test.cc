// The controller's loop in-process, with every seam faked (tests/unit/controller_loop_fixture.h).
#include "tests/unit/controller_loop_fixture.h"

#include <nlohmann/json.hpp>

namespace lk::test {
namespace {

TEST_F(ControllerLoopTest, StartGivesEveryLabAPassAndIsSyncedThen) {
  WriteLab("x.clab.yml", kLab);
  Start();
  ASSERT_TRUE(Eventually([&] { return c_->Synced(); }));
  EXPECT_TRUE(Linked());
  EXPECT_TRUE(Converged()) << c_->LabJson("x")->dump(2);
  EXPECT_TRUE(sources_.running());
}

TEST_F(ControllerLoopTest, ALabNamedByASourceGetsAPassThatRepairsItsDrift) {
  WriteLab("x.clab.yml", kLab);
  Start();
  ASSERT_TRUE(Converged());
  uint64_t before = c_->Reconciles("x");
  links_.DeleteBehindItsBack(Ns("clab-x-a"), "eth1");
  sources_.FireLab("x");
  ASSERT_TRUE(Eventually([&] { return c_->Reconciles("x") > before && Linked(); }));
  auto drift = c_->LabJson("x")->at("status").at("driftCorrections");
  EXPECT_FALSE(drift.empty()) << "a repair after Ready counts as drift";
}

TEST_F(ControllerLoopTest, ARepairIsCountedOnItsNodeAndLinkAndInTheLastHour) {
  WriteLab("x.clab.yml", kLab);
  Start();
  ASSERT_TRUE(Converged());
  auto status = [&] { return c_->LabJson("x")->at("status"); };
  EXPECT_EQ(status()["repairsLastHour"], 0) << "making the lab is no repair";
  links_.DeleteBehindItsBack(Ns("clab-x-a"), "eth1");
  sources_.FireLab("x");
  ASSERT_TRUE(Eventually([&] { return Linked() && status()["repairsLastHour"] >= 1; })) << status().dump(2);
  ASSERT_TRUE(Converged());
  auto st = status();
  uint64_t link = st["links"][0]["driftCorrections"], repairs = st["repairsLastHour"];
  EXPECT_GE(link, 1u) << st.dump(2);
  uint64_t by_kind = 0;
  for (const auto& d : st["driftCorrections"]) by_kind += d["count"].get<uint64_t>();
  EXPECT_EQ(repairs, by_kind) << "within the hour, every correction counted is one";
  for (const auto& n : st["nodes"]) {
    EXPECT_EQ(n["conditions"][0]["type"], "Ready");
    EXPECT_EQ(n["conditions"][0]["status"], "True") << n.dump();
    EXPECT_EQ(n["conditions"][0]["reason"], "Running");
  }

  // A removed container is the node's repair; an hour later the lab's count has forgotten both.
  ASSERT_TRUE(rt_.Remove("clab-x-b").ok());
  sources_.FireLab("x");
  ASSERT_TRUE(Eventually([&] { return status()["repairsLastHour"] > repairs; })) << status().dump(2);
  ASSERT_TRUE(Converged());
  auto after = status();
  for (const auto& n : after["nodes"])
    if (n["name"] == "b") {
      EXPECT_GE(n["driftCorrections"], 1u) << n.dump();
    }
  env_.Advance(std::chrono::minutes(61));
  c_->ReconcileNow("x");
  ASSERT_TRUE(Converged());
  EXPECT_EQ(status()["repairsLastHour"], 0) << status().dump(2);
  EXPECT_GE(status()["links"][0]["driftCorrections"], link) << "the counters since start stay";
}

TEST_F(ControllerLoopTest, ADirectoryChangeFromASourceLoadsANewLab) {
  Start();
  ASSERT_TRUE(Eventually([&] { return c_->Synced(); }));
  EXPECT_FALSE(c_->HasLab("x"));
  WriteLab("x.clab.yml", kLab);
  sources_.FireDir();
  ASSERT_TRUE(Eventually([&] { return c_->HasLab("x") && Linked(); }));
}

TEST_F(ControllerLoopTest, AnInvalidFileStallsOnlyItsLab) {
  WriteLab("x.clab.yml", kLab);
  WriteLab("y.clab.yml", "name: y\ntopology:\n  nodes:\n    n: {kind: linux}\n");  // no image
  Start();
  ASSERT_TRUE(Eventually([&] { return c_->Synced(); }));
  EXPECT_TRUE(Converged());
  std::string all = c_->StatusJson().dump();
  EXPECT_NE(all.find("y.clab.yml"), std::string::npos) << "the invalid file is shown";
  EXPECT_FALSE(rt_.Get("clab-y-n")->has_value());
}

TEST_F(ControllerLoopTest, AFailedPassIsRetriedOnceTheBackoffHasPassedOnTheEnvsClock) {
  WriteLab("x.clab.yml", kLab);
  rt_.FailNext("Run", "engine hiccup", 2);
  Start();
  ASSERT_TRUE(Eventually([&] { return c_->Reconciles("x") >= 1; }));
  EXPECT_NE(Condition("x", "Ready"), "True/InSync");
  uint64_t failed = c_->Reconciles("x");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(c_->Reconciles("x"), failed) << "no retry before the backoff is over";
  ASSERT_TRUE(Converged());
  EXPECT_TRUE(Linked());
}

TEST_F(ControllerLoopTest, ASuspendedLabIsNotChangedAndResumingRepairsIt) {
  WriteLab("x.clab.yml", kLab);
  Start();
  ASSERT_TRUE(Converged());
  ASSERT_EQ(c_->SetSuspended("x", true), Controller::SuspendResult::kOk);
  links_.DeleteBehindItsBack(Ns("clab-x-a"), "eth1");
  uint64_t before = c_->Reconciles("x");
  c_->ReconcileNow("x");
  ASSERT_TRUE(Eventually([&] { return c_->Reconciles("x") > before; }));
  EXPECT_FALSE(Linked()) << "suspended: observed, not changed";
  EXPECT_NE(env_.File(state() + "/suspended.json").value_or("").find("\"x\""), std::string::npos);
  ASSERT_EQ(c_->SetSuspended("x", false), Controller::SuspendResult::kOk);
  c_->ReconcileNow("x");
  ASSERT_TRUE(Eventually([&] { return Linked(); }));
}

TEST_F(ControllerLoopTest, ADeletedFileIsPrunedAndItsContainersGo) {
  WriteLab("x.clab.yml", kLab);
  Start();
  ASSERT_TRUE(Eventually([&] { return c_->Synced() && Linked(); }));
  env_.RemoveFile(labs() + "/x.clab.yml");
  sources_.FireDir();
  ASSERT_TRUE(Eventually([&] { return !c_->HasLab("x"); }));
  EXPECT_FALSE(rt_.Get("clab-x-a")->has_value());
  EXPECT_FALSE(rt_.Get("clab-x-b")->has_value());
}

// Around each pass: the lab directory and the lab's names written, the pass's events and result
// handed to a subscriber of the live stream; a pruned lab's names go and its directory stays.
TEST_F(ControllerLoopTest, APassWritesTheLabsFilesAndStreamsItsEventsAndAPruneTakesTheNames) {
  std::mutex mu;
  std::vector<nlohmann::json> seen;
  WriteLab("x.clab.yml", kLab);
  env_.AddFile("/etc/hosts", "127.0.0.1 localhost\n");
  Start();
  c_->Events().Subscribe({"x"}, [&](const nlohmann::json& e) {
    std::lock_guard lock(mu);
    seen.push_back(e);
    return true;
  });
  c_->ReconcileNow("x");
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard lock(mu);
    for (const auto& e : seen)
      if (e["reason"] == "Reconciled" && e["lab"] == "x") return true;
    return false;
  }));
  std::string dir = labs() + "/clab-x";
  if (const char* base = std::getenv("CLAB_LABDIR_BASE"); base && *base) dir = std::string(base) + "/clab-x";
  ASSERT_TRUE(Eventually([&] { return env_.File(dir + "/ansible-inventory.yml").has_value(); })) << Log();
  EXPECT_NE(env_.File(dir + "/ansible-inventory.yml")->find("clab-x-a"), std::string::npos);
  std::string hosts = env_.File("/etc/hosts").value_or("");
  EXPECT_NE(hosts.find("###### CLAB-x-START ######\n" + rt_.Get("clab-x-a")->value().ipv4 + "\tclab-x-a\n"),
            std::string::npos)
      << hosts;
  env_.RemoveFile(labs() + "/x.clab.yml");
  sources_.FireDir();
  ASSERT_TRUE(Eventually([&] { return !c_->HasLab("x"); }));
  EXPECT_EQ(env_.File("/etc/hosts"), "127.0.0.1 localhost\n") << "the names go with the lab";
  EXPECT_TRUE(env_.File(dir + "/ansible-inventory.yml")) << "the lab directory stays";
}

TEST_F(ControllerLoopTest, AnAdoptedLabsContainersAreItsNodesAndTheTakeoverIsSaidOnce) {
  WriteLab("x.clab.yml", kLab);
  ASSERT_TRUE(rt_.EnsureNetwork(MgmtNetwork{}, {{"containerlab", ""}}));  // containerlab made it
  for (const char* n : {"a", "b"}) {  // as containerlab makes them (no link: the pass makes it)
    ContainerSpec s;
    s.name = std::string("clab-x-") + n;
    s.image = "img:1";
    s.network = "clab";
    s.labels = {{"containerlab", "x"}, {"clab-node-name", n}, {"clab-topo-file", labs() + "/x.clab.yml"}};
    ASSERT_TRUE(rt_.Run(s, [](const Event&) {}));
  }
  std::string id = rt_.Get("clab-x-a")->value().id;
  Start(/*adopt=*/true);
  ASSERT_TRUE(Converged()) << Log();
  c_->ReconcileNow("x");
  ASSERT_TRUE(Eventually([&] { return c_->Reconciles("x") >= 3; }));
  auto status = c_->LabJson("x")->at("status");
  ASSERT_EQ(status["nodes"].size(), 2u) << status.dump(1);
  for (const auto& n : status["nodes"]) EXPECT_EQ(n["adopted"], true) << n.dump();
  int said = 0;
  auto events = c_->LabJson("x")->at("events");
  for (const auto& e : events) said += e["reason"] == "NodeAdopted" && e["object"] == "node/a";
  EXPECT_EQ(said, 1) << events.dump(1);
  EXPECT_EQ(rt_.Get("clab-x-a")->value().id, id) << "taken over, not recreated";
  EXPECT_TRUE(Linked());
  std::string dir = labs() + "/clab-x";
  if (const char* base = std::getenv("CLAB_LABDIR_BASE"); base && *base) dir = std::string(base) + "/clab-x";
  ASSERT_TRUE(Eventually([&] { return env_.File(dir + "/ansible-inventory.yml").has_value(); })) << Log();
  EXPECT_NE(env_.File(dir + "/ansible-inventory.yml")->find("clab-x-a"), std::string::npos) << "an adopted node";
}

TEST_F(ControllerLoopTest, TwoControllersOnOneEngineAndOneDirectoryEachReconcileOnlyTheLabsPlacedOnThem) {
  WriteLab("x.clab.yml", R"(
name: x
topology:
  defaults: {kind: linux, image: img:1, labels: {labkeeper.dev/host: h1}}
  nodes: {a: {}}
)");
  WriteLab("y.lab.yml", R"(
apiVersion: labkeeper.dev/v1alpha1
kind: Lab
metadata: {name: y}
spec:
  host: h2
  topology: {nodes: {a: {kind: linux, image: img:1}}}
)");
  WriteLab("z.clab.yml", "name: z\ntopology:\n  nodes: {a: {kind: linux, image: img:1}}\n");
  auto make = [&](const std::string& id, bool take_unplaced, FakeSources* sources) {
    ControllerOptions o;
    o.dir = labs();
    o.state_dir = state() + "-" + id;
    o.resync = std::chrono::hours(1);
    o.owner = id;
    o.take_unplaced = take_unplaced;
    auto c = std::make_unique<Controller>(rt_, links_, env_, sources, o, nullptr);
    EXPECT_TRUE(c->Start().ok());
    return c;
  };
  FakeSources other;
  c_ = make("h1", /*take_unplaced=*/true, &sources_);
  auto h2 = make("h2", /*take_unplaced=*/false, &other);
  ASSERT_TRUE(Eventually([&] { return c_->Synced() && h2->Synced(); }));
  auto placed = [](Controller& c, const std::string& lab) {
    nlohmann::json j = *c.LabJson(lab);
    for (const auto& cond : j["status"]["conditions"])
      if (cond["type"] == "Placed") return cond["status"].get<std::string>() + "/" + cond["reason"].get<std::string>();
    return std::string();
  };
  ASSERT_TRUE(Eventually([&] { return rt_.Get("clab-x-a")->has_value() && rt_.Get("clab-y-a")->has_value(); }));
  ASSERT_TRUE(Eventually([&] { return rt_.Get("clab-z-a")->has_value(); }));
  // Each container is made by the controller it is placed on (the owner label says whose).
  EXPECT_EQ(rt_.Get("clab-x-a")->value().labels.at(kOwnerLabel), "h1");
  EXPECT_EQ(rt_.Get("clab-y-a")->value().labels.at(kOwnerLabel), "h2");
  EXPECT_EQ(rt_.Get("clab-z-a")->value().labels.at(kOwnerLabel), "h1") << "unplaced: taken by h1 only";
  EXPECT_EQ(placed(*c_, "x"), "True/PlacedHere");
  EXPECT_EQ(placed(*h2, "x"), "False/PlacedElsewhere");
  EXPECT_NE((*h2->LabJson("x")).dump().find("placed on host h1; this controller is h2"), std::string::npos);
  EXPECT_EQ((*h2->PlanJson("x"))["errors"][0], "not planned here: placed on host h1; this controller is h2");
  EXPECT_EQ(placed(*c_, "y"), "False/PlacedElsewhere");
  EXPECT_EQ(placed(*h2, "y"), "True/PlacedHere");
  EXPECT_EQ(placed(*c_, "z"), "True/Unplaced");
  EXPECT_EQ(placed(*h2, "z"), "False/Unplaced");
  EXPECT_EQ(h2->Reconciles("x"), 0u);
  EXPECT_EQ(c_->Reconciles("y"), 0u);
  // Only the controller a lab is placed on reports it Ready or not (its alert is that one's).
  std::string m2 = h2->Metrics();
  EXPECT_NE(m2.find("labkeeper_lab_ready{lab=\"y\"}"), std::string::npos) << m2;
  EXPECT_EQ(m2.find("labkeeper_lab_ready{lab=\"x\"}"), std::string::npos) << m2;
  EXPECT_NE(m2.find("labkeeper_lab_condition{lab=\"x\",status=\"False\",type=\"Placed\"} 1"), std::string::npos) << m2;
  // x's file deleted: h1 prunes it; h2, on which it was not placed, only forgets it.
  env_.RemoveFile(labs() + "/x.clab.yml");
  other.FireDir();
  ASSERT_TRUE(Eventually([&] { return !h2->HasLab("x"); }));
  EXPECT_TRUE(rt_.Get("clab-x-a")->has_value()) << "not h2's to prune";
  sources_.FireDir();
  ASSERT_TRUE(Eventually([&] { return !rt_.Get("clab-x-a")->has_value(); }));
  EXPECT_TRUE(rt_.Get("clab-y-a")->has_value());
  h2->Stop();
}

// The revisions a test says each file is at (what GitRevisions reads from git).
class FakeRevisions : public SourceRevisions {
 public:
  std::map<std::string, FileRevision> Of(const std::map<std::string, std::string>& files) override {
    std::lock_guard lock(mu);
    std::map<std::string, FileRevision> out;
    for (const auto& [path, content] : files)
      if (revs.count(path)) out[path] = revs[path];
    return out;
  }
  std::mutex mu;
  std::map<std::string, FileRevision> revs;
};

TEST_F(ControllerLoopTest, EachLabSaysTheCommitItsFileIsAtAndWasLastAppliedFromAndTheSourcesFetch) {
  auto revs = std::make_shared<FakeRevisions>();
  revs->revs[labs() + "/x.clab.yml"] = {"c1", "labs/x.clab.yml", false, ""};
  GitSource::State fetched{true, "Fetched", "repo main at c1", "c1"};
  std::mutex fetched_mu;
  tune_ = [&](ControllerOptions* o) {
    o->revisions = revs;
    o->source_state = [&] {
      std::lock_guard lock(fetched_mu);
      return fetched;
    };
  };
  WriteLab("x.clab.yml", kLab);
  Start();
  ASSERT_TRUE(Converged());
  auto source = [&] {
    auto j = c_->LabJson("x");
    return j ? (*j)["status"].value("source", nlohmann::json::object()) : nlohmann::json::object();
  };
  EXPECT_EQ(source()["revision"], "c1");
  EXPECT_EQ(source()["lastAppliedRevision"], "c1");
  EXPECT_EQ(source()["path"], "labs/x.clab.yml");
  EXPECT_EQ(Condition("x", "SourceFetched"), "True/Fetched");
  // A new commit of the same file (nothing to change) is applied, and said, at the next rescan.
  {
    std::lock_guard lock(revs->mu);
    revs->revs[labs() + "/x.clab.yml"] = {"c2", "labs/x.clab.yml", true, ""};
  }
  {
    std::lock_guard lock(fetched_mu);
    fetched = {false, "FetchFailed", "git fetch: no route; keeping c2", "c2"};
  }
  uint64_t before = c_->Reconciles("x");
  c_->Rescan();
  ASSERT_TRUE(Eventually([&] { return c_->Reconciles("x") > before && source()["lastAppliedRevision"] == "c2"; }));
  EXPECT_TRUE(source()["modified"].get<bool>());
  EXPECT_TRUE(source()["lastAppliedModified"].get<bool>());
  EXPECT_NE(source()["message"].get<std::string>().find("differs from commit c2"), std::string::npos);
  EXPECT_EQ(Condition("x", "SourceFetched"), "False/FetchFailed");
  EXPECT_EQ(Condition("x", "Ready"), "True/InSync") << "a failed fetch does not make the lab less ready";
}

TEST_F(ControllerLoopTest, ANetworkTheEngineWillNotLetGoOfIsAWarningAndThePruneStillEnds) {
  WriteLab("x.clab.yml", kLab);
  Start();
  ASSERT_TRUE(Eventually([&] { return c_->Synced() && Linked(); }));
  rt_.StickNetwork("clab");
  env_.RemoveFile(labs() + "/x.clab.yml");
  sources_.FireDir();
  ASSERT_TRUE(Eventually([&] { return !c_->HasLab("x"); })) << "the containers are gone: the lab is forgotten";
  EXPECT_FALSE(rt_.Get("clab-x-a")->has_value());
  EXPECT_NE(Log().find("lab x: warning: network clab: left in place: no container is attached, yet the engine "
                       "still counts an endpoint on it"),
            std::string::npos)
      << Log();
}

TEST_F(ControllerLoopTest, TheSourcesWatchTheNamespacesOfTheLabsRunningContainers) {
  WriteLab("x.clab.yml", kLab);
  Start();
  ASSERT_TRUE(Eventually([&] { return sources_.Watched("x").size() == 2; }));
  auto watched = sources_.Watched("x");
  auto a = rt_.Get("clab-x-a");
  ASSERT_TRUE(a.ok() && *a);
  EXPECT_EQ(watched.at((*a)->id), (*a)->pid);
}

TEST_F(ControllerLoopTest, StopStopsTheSourcesAndNoPassStartsAfterIt) {
  WriteLab("x.clab.yml", kLab);
  Start();
  ASSERT_TRUE(Eventually([&] { return c_->Synced(); }));
  c_->Stop();
  EXPECT_FALSE(sources_.running());
  uint64_t n = c_->Reconciles("x");
  c_->ReconcileNow("x");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(c_->Reconciles("x"), n);
}

TEST_F(ControllerLoopTest, ASourceThatCannotStartFailsStartWithItsReason) {
  sources_.FailStart("inotify: too many watches");
  ControllerOptions o;
  o.dir = labs();
  o.state_dir = state();
  Controller c(rt_, links_, env_, &sources_, o, nullptr);
  Status s = c.Start();
  EXPECT_EQ(s.message(), "inotify: too many watches");
  c.Stop();
}

TEST_F(ControllerLoopTest, TheStatusIsWrittenToTheStateDirThroughTheEnv) {
  WriteLab("x.clab.yml", kLab);
  Start();
  ASSERT_TRUE(Eventually([&] { return c_->Synced(); }));
  ASSERT_TRUE(
      Eventually([&] { return env_.File(state() + "/status.json").value_or("").find("\"x\"") != std::string::npos; }));
}

TEST_F(ControllerLoopTest, AStateDirThatCannotBeWrittenIsShownAndReconcilingGoesOn) {
  WriteLab("x.clab.yml", kLab);
  env_.FailNext("WriteFile", "No space left on device", 1000);
  Start();
  ASSERT_TRUE(Eventually([&] { return c_->Synced() && Linked(); }));
  auto st = c_->StatusJson()["controller"]["stateDir"];
  EXPECT_FALSE(st["writable"].get<bool>()) << st.dump();
  EXPECT_NE(c_->Metrics().find("labkeeper_state_dir_writable 0"), std::string::npos);
}

TEST_F(ControllerLoopTest, MetricsCountPassesNodesAndLinks) {
  WriteLab("x.clab.yml", kLab);
  Start();
  ASSERT_TRUE(Converged());
  std::string m = c_->Metrics();
  EXPECT_NE(m.find("labkeeper_lab_ready{lab=\"x\"} 1"), std::string::npos) << m;
  EXPECT_NE(m.find("labkeeper_reconcile_total{lab=\"x\""), std::string::npos);
  EXPECT_NE(m.find("labkeeper_labs 1"), std::string::npos);
}

TEST_F(ControllerLoopTest, APlanShowsWhatAPassWouldDoAndChangesNothing) {
  WriteLab("x.clab.yml", kLab);
  Start();
  ASSERT_TRUE(Converged());
  c_->Stop();  // no pass may repair behind the plan's back
  links_.DeleteBehindItsBack(Ns("clab-x-a"), "eth1");
  auto plan = c_->PlanJson("x");
  ASSERT_TRUE(plan);
  EXPECT_FALSE((*plan)["inSync"].get<bool>());
  EXPECT_NE((*plan)["actions"].dump().find("link/"), std::string::npos) << plan->dump();
  EXPECT_FALSE(Linked());
}

constexpr char kImpairedLab[] = R"(
name: x
topology:
  defaults: {kind: linux, image: img:1}
  nodes:
    a: {}
    b: {}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
      vars: {netem: {delay: 50ms, loss: 10}}
)";

// An events' reasons and messages, for what a test looks for.
std::string EventsOf(const nlohmann::json& lab) {
  std::string out;
  for (const auto& e : lab["events"])
    out += e["reason"].get<std::string>() + " " + e["object"].get<std::string>() + ": " +
           e["message"].get<std::string>() + "\n";
  return out;
}

TEST_F(ControllerLoopTest, AnImpairmentIsKeptLikeEverythingElse) {
  WriteLab("x.clab.yml", kImpairedLab);
  Start();
  ASSERT_TRUE(Converged());
  auto a = links_.Find(Ns("clab-x-a"), "eth1");
  ASSERT_TRUE(a && a->netem) << c_->LabJson("x")->dump(2);
  EXPECT_EQ(a->netem->str(), "delay 50ms loss 10%");
  EXPECT_EQ(links_.Find(Ns("clab-x-b"), "eth1")->netem, a->netem) << "a link's: both ends";

  // `tc qdisc del` by hand: back, as drift with its reason.
  links_.SetQdiscBehindItsBack(Ns("clab-x-a"), "eth1", "noqueue", 0);
  sources_.FireLab("x");
  ASSERT_TRUE(Eventually([&] { return links_.Find(Ns("clab-x-a"), "eth1")->netem.has_value(); }));
  ASSERT_TRUE(Converged());
  EXPECT_NE(EventsOf(*c_->LabJson("x")).find("ImpairmentApplied iface/a:eth1: impairment missing: delay 50ms loss 10%"),
            std::string::npos)
      << EventsOf(*c_->LabJson("x"));
  bool counted = false;
  nlohmann::json status = c_->LabJson("x")->at("status");
  for (const auto& d : status["driftCorrections"])
    counted |= d["kind"] == "iface" && d["reason"] == "impairment missing: delay 50ms loss 10%";
  EXPECT_TRUE(counted) << status.dump(2);

  // Removed from the file: removed from the interfaces.
  WriteLab("x.clab.yml", kLab);
  sources_.FireDir();
  ASSERT_TRUE(Eventually([&] { return !links_.Find(Ns("clab-x-a"), "eth1")->netem; }));
  ASSERT_TRUE(Converged());
  EXPECT_EQ(links_.Find(Ns("clab-x-a"), "eth1")->qdisc_handle, 0u);
}

TEST_F(ControllerLoopTest, WithoutNetemTheLinkConvergesAndTheImpairmentFailsWithTheReason) {
  links_.WithoutNetem();
  WriteLab("x.clab.yml", kImpairedLab);
  Start();
  ASSERT_TRUE(Eventually([&] { return c_->Reconciles("x") >= 1; }));
  EXPECT_TRUE(Linked()) << "the link is made";
  ASSERT_TRUE(Eventually([&] {
    return EventsOf(*c_->LabJson("x")).find("ImpairmentAppliedFailed iface/a:eth1: eth1 in pid") != std::string::npos;
  })) << EventsOf(*c_->LabJson("x"));
  nlohmann::json link = c_->LabJson("x")->at("status").at("links").at(0);
  EXPECT_EQ(link["state"], "up") << "only its impairment failed: " << link.dump();
  EXPECT_NE(link["impairments"][0].value("problem", "").find("this kernel has no netem qdisc"), std::string::npos)
      << link.dump();
  EXPECT_NE(EventsOf(*c_->LabJson("x")).find("this kernel has no netem qdisc"), std::string::npos);
  EXPECT_EQ(Condition("x", "Ready"), "False/ReconcileFailed");
  EXPECT_NE(Condition("x", "Degraded"), "");
  // Retried with backoff (the clock moved on): the same reason again, the link still there.
  uint64_t passes = c_->Reconciles("x");
  ASSERT_TRUE(Eventually([&] {
    env_.Advance(std::chrono::seconds(1));
    return c_->Reconciles("x") > passes;
  }));
  EXPECT_TRUE(Linked());
  EXPECT_EQ(Condition("x", "Ready"), "False/ReconcileFailed");
}

}  // namespace
}  // namespace lk::test
