// `labkeeper run` on small busybox labs: edits, bad input, backoff, crash recovery, bursts,
// ConfigMap-style symlink swaps, suspend and graceful shutdown. Every lab is named lktest-*.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/support/support.h"

namespace lk {
namespace {

namespace fs = std::filesystem;
using test::LabContainers;
using test::Sh;

constexpr char kImage[] = "labkeeper.dev/busybox:test";

std::string Lab(const std::string& name, const std::string& nodes, const std::string& links = "") {
  return "name: " + name + "\ntopology:\n  defaults: {kind: linux, image: " + kImage + "}\n  nodes:\n" + nodes +
         (links.empty() ? "" : "  links:\n" + links);
}

// Writes like an editor that saves through a temporary file and a rename.
void SaveAs(const std::string& path, const std::string& content) {
  std::string tmp = fs::path(path).parent_path().string() + "/.save-tmp";
  std::ofstream(tmp) << content;
  fs::rename(tmp, path);
}

bool HasIface(const std::string& container, const std::string& iface) {
  int st = 1;
  Sh("docker exec " + container + " ip link show " + iface, &st);
  return st == 0;
}

std::set<std::string> Ifaces(const std::string& container) {
  std::set<std::string> out;
  std::istringstream in(Sh("docker exec " + container + " ls /sys/class/net"));
  std::string name;
  while (in >> name) out.insert(name);
  return out;
}

class ControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(test::EngineAnswers());
    fs::create_directories(labs());
  }
  std::string labs() const { return dir_.path() + "/labs"; }
  std::string state() const { return dir_.path() + "/state"; }
  test::TempDir dir_;
};

TEST_F(ControllerTest, EditsChangeExactlyWhatTheyTouch) {
  test::LabGuard guard("lktest-edit"), keep_guard("lktest-keep");
  std::string file = labs() + "/edit.clab.yml";
  std::string links = "    - endpoints: [\"a:eth1\", \"b:eth1\"]\n    - endpoints: [\"b:eth2\", \"c:eth1\"]\n";
  SaveAs(file, Lab("lktest-edit", "    a: {}\n    b: {}\n    c: {}\n", links));
  test::ControllerProcess c(labs(), state());
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-edit", "Ready", "True", 60)) << c.Log();
  auto ids0 = LabContainers("lktest-edit");
  ASSERT_EQ(ids0.size(), 3u);

  // Adding a node and a link creates only those.
  SaveAs(file, Lab("lktest-edit", "    a: {}\n    b: {}\n    c: {}\n    d: {}\n",
                   links + "    - endpoints: [\"c:eth2\", \"d:eth1\"]\n"));
  ASSERT_TRUE(test::WaitFor([] { return HasIface("clab-lktest-edit-d", "eth1"); }, 60, 250)) << c.Log();
  ASSERT_TRUE(c.WaitCondition("lktest-edit", "Ready", "True", 60));
  auto ids1 = LabContainers("lktest-edit");
  for (const auto& [name, id] : ids0) EXPECT_EQ(ids1[name], id) << name << " was recreated";
  EXPECT_TRUE(HasIface("clab-lktest-edit-c", "eth2"));

  // Changing one node's env recreates only that node, and relinks it.
  SaveAs(file, Lab("lktest-edit", "    a: {}\n    b: {env: {COLOR: blue}}\n    c: {}\n    d: {}\n",
                   links + "    - endpoints: [\"c:eth2\", \"d:eth1\"]\n"));
  ASSERT_TRUE(test::WaitFor(
      [&] { return LabContainers("lktest-edit")["clab-lktest-edit-b"] != ids1["clab-lktest-edit-b"]; }, 60, 250));
  ASSERT_TRUE(c.WaitCondition("lktest-edit", "Ready", "True", 60));
  auto ids2 = LabContainers("lktest-edit");
  for (const char* n : {"clab-lktest-edit-a", "clab-lktest-edit-c", "clab-lktest-edit-d"})
    EXPECT_EQ(ids2[n], ids1[n]) << n;
  EXPECT_NE(Sh("docker exec clab-lktest-edit-b env").find("COLOR=blue"), std::string::npos);
  for (auto [ctr, i] : {std::pair{"clab-lktest-edit-a", "eth1"},
                        {"clab-lktest-edit-b", "eth1"},
                        {"clab-lktest-edit-b", "eth2"},
                        {"clab-lktest-edit-c", "eth1"}})
    EXPECT_TRUE(HasIface(ctr, i)) << ctr << " " << i;

  // Removing a link deletes its interfaces only.
  SaveAs(file, Lab("lktest-edit", "    a: {}\n    b: {env: {COLOR: blue}}\n    c: {}\n    d: {}\n", links));
  ASSERT_TRUE(test::WaitFor([] { return !HasIface("clab-lktest-edit-c", "eth2"); }, 60, 250)) << c.Log();
  EXPECT_FALSE(HasIface("clab-lktest-edit-d", "eth1"));
  EXPECT_TRUE(HasIface("clab-lktest-edit-c", "eth1"));
  EXPECT_EQ(LabContainers("lktest-edit"), ids2);

  // prune: false keeps a lab whose file is deleted.
  std::string keep = labs() + "/keep.lab.yml";
  SaveAs(keep,
         "apiVersion: labkeeper.dev/v1alpha1\nkind: Lab\nmetadata: {name: lktest-keep}\nspec:\n  prune: false\n"
         "  topology:\n    nodes:\n      k: {kind: linux, image: " +
             std::string(kImage) + "}\n");
  ASSERT_TRUE(c.WaitCondition("lktest-keep", "Ready", "True", 60)) << c.Log();
  auto kept = LabContainers("lktest-keep");
  fs::remove(keep);
  EXPECT_TRUE(test::WaitFor(
      [&] { return c.Log().find("lab lktest-keep: file deleted; prune: false") != std::string::npos; }, 30, 250));

  // Deleting the file prunes the lab.
  fs::remove(file);
  EXPECT_TRUE(test::WaitFor([] { return LabContainers("lktest-edit").empty(); }, 60, 250)) << c.Log();
  EXPECT_EQ(LabContainers("lktest-keep"), kept) << "prune: false";
}

TEST_F(ControllerTest, AMalformedEditStallsOnlyItsLabUntilFixed) {
  test::LabGuard g1("lktest-stall"), g2("lktest-other");
  std::string file = labs() + "/stall.clab.yml";
  std::string good = Lab("lktest-stall", "    a: {}\n    b: {}\n", "    - endpoints: [\"a:eth1\", \"b:eth1\"]\n");
  SaveAs(file, good);
  SaveAs(labs() + "/other.clab.yml", Lab("lktest-other", "    x: {}\n"));
  test::ControllerProcess c(labs(), state());
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-stall", "Ready", "True", 60)) << c.Log();
  ASSERT_TRUE(c.WaitCondition("lktest-other", "Ready", "True", 60));
  auto ids = LabContainers("lktest-stall");

  SaveAs(file, "name: lktest-stall\ntopology:\n  nodes:\n    a: {kind: linux, image: " + std::string(kImage) +
                   "\n    b: {}\n");  // an unclosed flow mapping
  ASSERT_TRUE(c.WaitCondition("lktest-stall", "Stalled", "True", 30)) << c.Log();
  std::string msg = c.ConditionMessage("lktest-stall", "Stalled");
  EXPECT_NE(msg.find(file + ":"), std::string::npos) << msg;
  EXPECT_NE(msg.find("YAML syntax error"), std::string::npos) << msg;
  EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(msg[file.size() + 1]))) << "file:line:column\n" << msg;
  EXPECT_EQ(LabContainers("lktest-stall"), ids) << "the running lab was touched";

  // The other lab still reconciles while this one is stalled.
  Sh("docker stop clab-lktest-other-x");
  EXPECT_TRUE(test::WaitFor([] { return Sh("docker inspect -f '{{.State.Running}}' clab-lktest-other-x") == "true\n"; },
                            60, 250));
  EXPECT_EQ(LabContainers("lktest-stall"), ids);

  SaveAs(file, good);
  EXPECT_TRUE(c.WaitCondition("lktest-stall", "Stalled", "False", 30)) << c.Log();
  EXPECT_TRUE(c.WaitCondition("lktest-stall", "Ready", "True", 30));
  EXPECT_EQ(LabContainers("lktest-stall"), ids);
}

TEST_F(ControllerTest, AMissingImageRetriesWithGrowingDelaysWhileOtherLabsConverge) {
  // A registry on a closed loopback port: every pull fails at once and sends nothing out.
  const std::string later = "127.0.0.1:1/lktest/later:1";
  Sh("docker rmi " + later);
  struct Untag {
    std::string ref;
    ~Untag() { Sh("docker rmi " + ref); }
  } untag{later};
  test::LabGuard g1("lktest-good"), g2("lktest-late");
  SaveAs(labs() + "/good.clab.yml", Lab("lktest-good", "    g: {}\n"));
  SaveAs(labs() + "/late.clab.yml",
         "name: lktest-late\ntopology:\n  nodes:\n    l: {kind: linux, image: \"" + later + "\"}\n");
  test::ControllerProcess c(labs(), state());
  c.Start();
  EXPECT_TRUE(c.WaitCondition("lktest-good", "Ready", "True", 60)) << c.Log();
  auto failures = [&] {
    std::vector<std::string> out;
    auto l = c.Lab("lktest-late");
    if (l.is_object())
      for (const auto& e : l["events"])
        if (e["reason"] == "ReconcileFailed") out.push_back(e["message"]);
    return out;
  };
  ASSERT_TRUE(test::WaitFor([&] { return failures().size() >= 4; }, 60, 250)) << c.Log();
  auto f = failures();
  EXPECT_NE(f[0].find("retrying in 1 s"), std::string::npos) << f[0];
  EXPECT_NE(f[1].find("retrying in 2 s"), std::string::npos) << f[1];
  EXPECT_NE(f[2].find("retrying in 4 s"), std::string::npos) << f[2];
  EXPECT_NE(f[3].find("retrying in 8 s"), std::string::npos) << f[3];
  EXPECT_NE(f[0].find("node/l: image " + later + " is not present locally and could not be pulled"), std::string::npos)
      << f[0];
  EXPECT_EQ(c.Condition("lktest-late", "Ready"), "False");
  EXPECT_EQ(c.Condition("lktest-good", "Ready"), "True");

  // The image appears: the next retry converges.
  Sh(std::string("docker tag ") + kImage + " " + later);
  EXPECT_TRUE(c.WaitCondition("lktest-late", "Ready", "True", 120)) << c.Log();
  EXPECT_EQ(LabContainers("lktest-late").size(), 1u);
}

TEST_F(ControllerTest, KillNineMidBringUpThenRestartConverges) {
  test::LabGuard guard("lktest-kill");
  std::string nodes, links;
  for (int i = 1; i <= 20; ++i) nodes += "    n" + std::to_string(i) + ": {}\n";
  for (int i = 2; i <= 20; ++i)
    links += "    - endpoints: [\"n" + std::to_string(i - 1) + ":e" + std::to_string(i) + "\", \"n" +
             std::to_string(i) + ":e1\"]\n";
  SaveAs(labs() + "/kill.clab.yml", Lab("lktest-kill", nodes, links));
  {
    test::ControllerProcess first(labs(), state(), "--max-workers 2");
    first.Start();
    ASSERT_TRUE(test::WaitFor([] { return LabContainers("lktest-kill").size() >= 6; }, 60, 20));
    first.Signal(SIGKILL);
    first.Wait(30);
  }
  size_t at_kill = LabContainers("lktest-kill").size();
  test::ControllerProcess second(labs(), state());
  second.Start();
  ASSERT_TRUE(second.WaitCondition("lktest-kill", "Ready", "True", 180)) << second.Log();
  auto ids = LabContainers("lktest-kill");
  EXPECT_EQ(ids.size(), 20u) << "exactly one container per node (" << at_kill << " existed at the kill)";
  for (int i = 1; i <= 20; ++i) {
    std::string ctr = "clab-lktest-kill-n" + std::to_string(i);
    std::set<std::string> want = {"lo", "eth0"};
    if (i > 1) want.insert("e1");
    if (i < 20) want.insert("e" + std::to_string(i + 1));
    EXPECT_EQ(Ifaces(ctr), want) << ctr << ": a stray or missing interface";
  }
  EXPECT_EQ(Sh("ip -o link show | grep -c ' lkt' || true"), "0\n") << "stray temporary interfaces on the host";
}

TEST_F(ControllerTest, HundredRapidRewritesEndInTheLastStateInFewPasses) {
  test::LabGuard guard("lktest-burst");
  std::string file = labs() + "/burst.clab.yml";
  SaveAs(file, Lab("lktest-burst", "    n: {env: {GEN: \"0\"}}\n"));
  test::ControllerProcess c(labs(), state());
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-burst", "Ready", "True", 60)) << c.Log();
  uint64_t before = c.Lab("lktest-burst")["reconciles"];
  for (int i = 1; i <= 100; ++i) {
    std::ofstream(file) << Lab("lktest-burst", "    n: {env: {GEN: \"" + std::to_string(i) + "\"}}\n");
  }
  EXPECT_TRUE(test::WaitFor(
      [] { return Sh("docker exec clab-lktest-burst-n env").find("GEN=100\n") != std::string::npos; }, 60, 250))
      << c.Log();
  ASSERT_TRUE(c.WaitCondition("lktest-burst", "Ready", "True", 60));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  uint64_t passes = c.Lab("lktest-burst")["reconciles"].get<uint64_t>() - before;
  std::cout << "100 rewrites took " << passes << " reconcile passes\n";
  EXPECT_LT(passes, 20u);
  EXPECT_EQ(LabContainers("lktest-burst").size(), 1u);
}

TEST_F(ControllerTest, ConfigMapStyleSymlinkSwapIsPickedUp) {
  test::LabGuard guard("lktest-cm");
  // The layout of a Kubernetes ConfigMap volume: files are symlinks through ..data, which is
  // swapped atomically to a new timestamped directory on every update.
  fs::create_directories(labs() + "/..2026_01");
  std::ofstream(labs() + "/..2026_01/cm.clab.yml") << Lab("lktest-cm", "    one: {}\n");
  fs::create_directory_symlink("..2026_01", labs() + "/..data");
  fs::create_symlink("..data/cm.clab.yml", labs() + "/cm.clab.yml");
  test::ControllerProcess c(labs(), state());
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-cm", "Ready", "True", 60)) << c.Log();
  EXPECT_EQ(LabContainers("lktest-cm").size(), 1u);

  fs::create_directories(labs() + "/..2026_02");
  std::ofstream(labs() + "/..2026_02/cm.clab.yml") << Lab("lktest-cm", "    one: {}\n    two: {}\n");
  fs::create_directory_symlink("..2026_02", labs() + "/..data_tmp");
  fs::rename(labs() + "/..data_tmp", labs() + "/..data");  // rename(2): atomic
  EXPECT_TRUE(test::WaitFor([] { return LabContainers("lktest-cm").size() == 2; }, 60, 250)) << c.Log();
  EXPECT_TRUE(c.WaitCondition("lktest-cm", "Ready", "True", 60));
}

TEST_F(ControllerTest, ASuspendedLabIsNotChangedAndResumingRepairsIt) {
  test::LabGuard guard("lktest-susp");
  std::string file = labs() + "/susp.lab.yml";
  auto lab = [&](const std::string& suspend) {
    return "apiVersion: labkeeper.dev/v1alpha1\nkind: Lab\nmetadata: {name: lktest-susp}\nspec:\n  suspend: " +
           suspend + "\n  topology:\n    nodes:\n      a: {kind: linux, image: " + kImage + "}\n";
  };
  SaveAs(file, lab("false"));
  test::ControllerProcess c(labs(), state(), "--resync 1s");
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-susp", "Ready", "True", 60)) << c.Log();
  SaveAs(file, lab("true"));
  ASSERT_TRUE(c.WaitCondition("lktest-susp", "Suspended", "True", 30)) << c.Log();
  Sh("docker stop clab-lktest-susp-a");
  uint64_t passes = c.Lab("lktest-susp")["reconciles"];
  ASSERT_TRUE(test::WaitFor([&] { return c.Lab("lktest-susp")["reconciles"].get<uint64_t>() >= passes + 3; }, 30, 250));
  EXPECT_EQ(Sh("docker inspect -f '{{.State.Running}}' clab-lktest-susp-a"), "false\n")
      << "a suspended lab was changed";
  EXPECT_EQ(c.Condition("lktest-susp", "Ready"), "False") << "status still updates while suspended";

  SaveAs(file, lab("false"));
  EXPECT_TRUE(test::WaitFor([] { return Sh("docker inspect -f '{{.State.Running}}' clab-lktest-susp-a") == "true\n"; },
                            60, 250))
      << c.Log();
  EXPECT_TRUE(c.WaitCondition("lktest-susp", "Suspended", "False", 30));
  EXPECT_TRUE(c.WaitCondition("lktest-susp", "Ready", "True", 30));
}

TEST_F(ControllerTest, SigtermDuringReconcilingExitsZeroAndLeavesLabsRunning) {
  test::LabGuard g1("lktest-calm"), g2("lktest-busy");
  SaveAs(labs() + "/calm.clab.yml",
         Lab("lktest-calm", "    a: {}\n    b: {}\n", "    - endpoints: [\"a:eth1\", \"b:eth1\"]\n"));
  test::ControllerProcess c(labs(), state(), "--max-workers 2");
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-calm", "Ready", "True", 60)) << c.Log();
  std::string nodes;
  for (int i = 1; i <= 12; ++i) nodes += "    n" + std::to_string(i) + ": {}\n";
  SaveAs(labs() + "/busy.clab.yml", Lab("lktest-busy", nodes));
  ASSERT_TRUE(test::WaitFor([] { return !LabContainers("lktest-busy").empty(); }, 60, 20));
  c.Signal(SIGTERM);
  EXPECT_EQ(c.Wait(120), 0) << c.Log();
  EXPECT_NE(c.Log().find("received SIGTERM"), std::string::npos);
  for (const auto& lab : {"lktest-calm", "lktest-busy"})
    for (const auto& [name, id] : LabContainers(lab))
      EXPECT_EQ(Sh("docker inspect -f '{{.State.Running}}' " + name), "true\n") << name;
  EXPECT_EQ(LabContainers("lktest-calm").size(), 2u);
  EXPECT_TRUE(HasIface("clab-lktest-calm-a", "eth1"));
}

}  // namespace
}  // namespace lk
