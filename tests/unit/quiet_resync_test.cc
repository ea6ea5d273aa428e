// Quiet resyncs (docs/controller.md): a resync of a lab nothing has asked to look at since a pass
// found it in sync makes no pass, no engine or kernel call, until --deep-resync has gone by since
// that pass; an event, the file, or the API asking makes the pass a whole one; a lab the events do
// not fully cover is always looked at whole. The controller's loop with every seam faked.
#include "tests/unit/controller_loop_fixture.h"

namespace lk::test {
namespace {

// kLab with a link to the host's namespace.
const std::string kHostLinkLab = std::string(kLab) + "    - endpoints: [\"a:eth2\", \"host:qa-eth2\"]\n";

class QuietResyncTest : public ControllerLoopTest {
 protected:
  // The lab converged, with resyncs every 30 s of the fake clock and a whole one every `deep`.
  void StartQuiet(Duration deep = std::chrono::minutes(5), const std::string& lab = kLab) {
    tune_ = [deep](ControllerOptions* o) {
      o->resync = std::chrono::seconds(30);
      o->deep_resync = deep;
    };
    WriteLab("x.clab.yml", lab);
    Start();
    ASSERT_TRUE(Converged()) << c_->LabJson("x")->dump(2);
  }
  // The lab's quiet resyncs, from its status (the metric's scrape would read the interfaces).
  uint64_t Quiet() { return (*c_->LabJson("x"))["status"]["quietResyncs"].get<uint64_t>(); }
  // Moves the fake clock past the next resync and waits until the lab's share of it is over:
  // a quiet resync or a pass. Returns true when it was quiet.
  bool Resync() {
    uint64_t passes = c_->Reconciles("x");
    uint64_t quiet = Quiet();
    env_.Advance(std::chrono::seconds(31));
    EXPECT_TRUE(Eventually([&] { return c_->Reconciles("x") > passes || Quiet() > quiet; }));
    return Quiet() > quiet && c_->Reconciles("x") == passes;
  }
};

TEST_F(QuietResyncTest, AResyncOfALabNothingTouchedMakesNoEngineOrKernelCall) {
  StartQuiet();
  size_t engine = rt_.Calls().size(), kernel = links_.Calls().size();
  EXPECT_TRUE(Resync());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the last pass's status write is long done
  std::optional<std::string> status = env_.File(state() + "/status.json");
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(Resync());
  EXPECT_EQ(Quiet(), 2u);
  EXPECT_EQ(rt_.Calls().size(), engine);
  EXPECT_EQ(links_.Calls().size(), kernel);
  EXPECT_EQ(env_.File(state() + "/status.json"), status) << "a quiet resync writes no status";
  EXPECT_EQ(Condition("x", "Ready"), "True/InSync");
}

TEST_F(QuietResyncTest, AnEventNamingTheLabMakesAWholePassThatRepairs) {
  StartQuiet();
  ASSERT_TRUE(Resync());
  links_.DeleteBehindItsBack(Ns("clab-x-a"), "eth1");
  sources_.FireLab("x");
  EXPECT_TRUE(Eventually([&] { return Linked(); }));
  ASSERT_TRUE(Converged());
  EXPECT_TRUE(Resync()) << "in sync again: quiet again";
}

TEST_F(QuietResyncTest, DriftNoEventSaidIsRepairedByTheDeepResync) {
  StartQuiet(std::chrono::minutes(5));
  links_.DeleteBehindItsBack(Ns("clab-x-a"), "eth1");  // and no source says so
  int quiet = 0;
  while (Resync()) ++quiet;
  EXPECT_GE(quiet, 8) << "quiet for the five minutes since the last whole pass";
  EXPECT_LE(quiet, 10);
  EXPECT_TRUE(Eventually([&] { return Linked(); })) << "the deep resync repaired it";
}

TEST_F(QuietResyncTest, TheApiAndTheFileAskForAWholePass) {
  StartQuiet();
  links_.DeleteBehindItsBack(Ns("clab-x-a"), "eth1");
  c_->ReconcileNow("x");  // POST /api/v1/labs/x/reconcile
  EXPECT_TRUE(Eventually([&] { return Linked(); }));
  ASSERT_TRUE(Converged());
  links_.DeleteBehindItsBack(Ns("clab-x-b"), "eth1");
  WriteLab("x.clab.yml", std::string(kLab) + "# edited\n");
  sources_.FireDir();
  EXPECT_TRUE(Eventually([&] { return Linked(); }));
}

TEST_F(QuietResyncTest, WithDeepResyncZeroEveryResyncIsWhole) {
  StartQuiet(Duration::zero());
  links_.DeleteBehindItsBack(Ns("clab-x-a"), "eth1");
  EXPECT_FALSE(Resync());
  EXPECT_TRUE(Eventually([&] { return Linked(); }));
  EXPECT_EQ(Quiet(), 0u);
}

TEST_F(QuietResyncTest, ALabWhoseNamespacesAreNotAllWatchedIsNeverQuiet) {
  sources_.FailWatch(true);
  StartQuiet();
  EXPECT_FALSE(Resync());
  EXPECT_FALSE(Resync());
  EXPECT_EQ(Quiet(), 0u);
}

TEST_F(QuietResyncTest, ALabWithAnEndInTheHostsNamespaceIsNeverQuiet) {
  StartQuiet(std::chrono::minutes(5), kHostLinkLab);  // no link event source watches the host's
  EXPECT_FALSE(Resync());
  EXPECT_FALSE(Resync());
  EXPECT_EQ(Quiet(), 0u);
}

}  // namespace
}  // namespace lk::test
