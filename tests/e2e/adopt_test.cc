// Adopting a running containerlab lab, on the real engine and kernel. containerlab itself is not
// installable here, so the test makes the lab exactly as containerlab does: containers named
// clab-<lab>-<node> carrying its labels (containerlab, clab-node-*, clab-topo-file with the
// file's absolute path, clab-owner) on a management network it made, and veths created under a
// clab-XXXXXXXX name in the host, moved into the containers, renamed, given containerlab's
// clab-o- ownership altname and brought up. Everything is named lktest-*/clab-lktest-*.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/support.h"

namespace lk {
namespace {

using test::Labkeeper;
using test::Sh;
using test::Trim;

constexpr char kLabName[] = "lktest-adopt";
constexpr char kNet[] = "lktest-adopt-net";

std::string LabText(const std::string& r3_image = test::kBusyboxImage) {
  return std::string("name: lktest-adopt\nmgmt: {network: ") + kNet +
         "}\ntopology:\n  nodes:\n"
         "    r1: {kind: linux, image: " +
         test::kBusyboxImage + "}\n    r2: {kind: linux, image: " + test::kBusyboxImage +
         "}\n    r3: {kind: linux, image: " + r3_image +
         "}\n  links:\n"
         "    - endpoints: [\"r1:eth1\", \"r2:eth1\"]\n"
         "    - endpoints: [\"r2:eth2\", \"r3:eth1\"]\n";
}

std::string Container(const std::string& node) {
  return std::string("clab-") + kLabName + "-" + node;
}

std::string Inspect(const std::string& node, const std::string& format) {
  return Trim(Sh("docker inspect -f '" + format + "' " + Container(node) + " 2>/dev/null"));
}

// In a container's namespace, from the host (containerlab works from the host too).
std::string InNs(const std::string& node, const std::string& cmd, int* status = nullptr) {
  return Sh("nsenter -t " + Inspect(node, "{{.State.Pid}}") + " -n " + cmd, status);
}

// What netlink says of an interface (sysfs would show the host's: nsenter -n keeps its mounts).
std::string Alias(const std::string& node, const std::string& iface) {
  std::string out = InNs(node, "ip link show dev " + iface + " 2>&1");
  size_t at = out.find("\n    alias ");
  if (at == std::string::npos) return "";
  at += 11;
  return out.substr(at, out.find('\n', at) - at);
}
std::string IfIndex(const std::string& node, const std::string& iface) {
  std::string out = InNs(node, "ip -o link show dev " + iface + " 2>/dev/null");
  return out.substr(0, out.find(':'));
}
bool Exists(const std::string& node) {
  return !Trim(Sh("docker ps -aq --filter name=^/" + Container(node) + "$")).empty();
}

bool Ping(const std::string& node, const std::string& to) {
  int st = 1;
  Sh("docker exec " + Container(node) + " ping -c 1 -W 3 " + to, &st);
  return st == 0;
}

// A containerlab lab of the file, made as containerlab makes it; removed at the end, also on failure.
class ClabLab {
 public:
  explicit ClabLab(const std::string& file) : file_(file) {
    Remove();
    Sh(std::string("docker network create --label containerlab= --label labkeeper.dev/test=1 ") + kNet);
  }
  ~ClabLab() { Remove(); }

  void Node(const std::string& node, const std::string& image = test::kBusyboxImage) {
    std::string dir = std::filesystem::path(file_).parent_path().string() + "/clab-" + kLabName + "/" + node;
    std::string out = Sh("docker run -d --name " + Container(node) + " --hostname " + node + " --network " + kNet +
                         " --label containerlab=" + kLabName + " --label clab-node-name=" + node +
                         " --label clab-node-longname=" + Container(node) +
                         " --label clab-node-kind=linux --label clab-node-type= --label clab-node-group=" +
                         " --label clab-node-lab-dir=" + dir + " --label clab-topo-file=" + file_ +
                         " --label clab-owner=root --label labkeeper.dev/test=1 " + image);
    EXPECT_EQ(Inspect(node, "{{.State.Running}}"), "true") << out;
  }

  // A veth as containerlab's link code makes it: random clab- names in the host, each end moved
  // into its container, renamed, marked with an ownership altname, MTU 9500, up.
  void Link(const std::string& a, const std::string& ia, const std::string& b, const std::string& ib) {
    std::string ta = "clab-" + Hash(a + ia), tb = "clab-" + Hash(b + ib);
    Sh("ip link add " + ta + " mtu 9500 type veth peer name " + tb + " mtu 9500");
    for (auto [node, tmp, iface] : {std::tuple{a, ta, ia}, std::tuple{b, tb, ib}}) {
      Sh("ip link set " + tmp + " netns " + Inspect(node, "{{.State.Pid}}"));
      InNs(node, "ip link set " + tmp + " name " + iface);
      InNs(node, "ip link property add dev " + iface + " altname clab-o-" + Hash(node + ":" + iface));
      InNs(node, "ip link set " + iface + " up");
    }
  }

 private:
  static std::string Hash(const std::string& s) {
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(std::hash<std::string>{}(s)&0xffffffffu));
    return buf;
  }
  void Remove() {
    for (const char* n : {"r1", "r2", "r3"}) Sh("docker rm -f " + Container(n) + " 2>/dev/null");
    Sh(std::string("docker network rm ") + kNet + " 2>/dev/null");
  }
  std::string file_;
};

class AdoptTest : public test::LabDirTest {
 protected:
  std::string Write(const std::string& text) {
    std::string file = labs() + "/adopt.clab.yml";
    std::ofstream(file) << text;
    return file;
  }
  // The three nodes, r1-r2 and r2-r3 linked, with addresses the test gives (as a user's exec would).
  void Deploy(ClabLab& clab) {
    for (const char* n : {"r1", "r2", "r3"}) clab.Node(n);
    clab.Link("r1", "eth1", "r2", "eth1");
    clab.Link("r2", "eth2", "r3", "eth1");
    InNs("r1", "ip addr add 10.77.1.1/24 dev eth1");
    InNs("r2", "ip addr add 10.77.1.2/24 dev eth1");
    ASSERT_TRUE(test::WaitFor([] { return Ping("r1", "10.77.1.2"); }, test::kStartBound)) << "containerlab's link";
  }
};

TEST_F(AdoptTest, ApplyAdoptTakesTheLabOverAsItIsAndWithoutTheRequestLeavesItAlone) {
  ASSERT_TRUE(test::EngineAnswers());
  std::string file = Write(LabText());
  test::LabGuard guard(kLabName);
  ClabLab clab(file);
  ASSERT_NO_FATAL_FAILURE(Deploy(clab));
  std::string id1 = Inspect("r1", "{{.Id}}"), id3 = Inspect("r3", "{{.Id}}");
  std::string started1 = Inspect("r1", "{{.State.StartedAt}}");
  std::string index = IfIndex("r1", "eth1");

  // Not asked: every node a conflict naming why, nothing touched.
  auto plain = Labkeeper("apply " + file);
  EXPECT_EQ(plain.status, 1) << plain.out;
  EXPECT_NE(plain.out.find("containerlab made it for this lab from this file; apply --adopt"), std::string::npos)
      << plain.out;
  EXPECT_EQ(Inspect("r1", "{{.Id}}"), id1);
  EXPECT_FALSE(IfIndex("r1", "eth1").empty());
  EXPECT_EQ(Alias("r1", "eth1"), "") << "containerlab's interface is left as it is";

  // Asked: the containers stay as they are, their links become the lab's.
  auto r = Labkeeper("apply --adopt " + file);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("node r1: made by containerlab, taken over as it is"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("taken over (made by containerlab)"), std::string::npos) << r.out;
  EXPECT_EQ(Inspect("r1", "{{.Id}}"), id1) << "not recreated";
  EXPECT_EQ(Inspect("r1", "{{.State.StartedAt}}"), started1) << "not restarted";
  EXPECT_EQ(Inspect("r3", "{{.Id}}"), id3);
  EXPECT_EQ(IfIndex("r1", "eth1"), index) << "the same interface, taken over";
  EXPECT_EQ(Alias("r1", "eth1"), "labkeeper lab=lktest-adopt node=r1 link=r1:eth1--r2:eth1 origin=containerlab");
  EXPECT_EQ(Alias("r3", "eth1"), "labkeeper lab=lktest-adopt node=r3 link=r2:eth2--r3:eth1 origin=containerlab");
  EXPECT_TRUE(Ping("r1", "10.77.1.2")) << "traffic still flows over the adopted link";
  // The adopted containers are the lab's in what is written around it (here under the test's
  // CLAB_LABDIR_BASE): every node with its real address.
  auto data = nlohmann::json::parse(test::ReadText(test::NamesDir() + "/clab-" + kLabName + "/topology-data.json"),
                                    nullptr, false);
  ASSERT_FALSE(data.is_discarded());
  for (const char* n : {"r1", "r2", "r3"})
    EXPECT_EQ(data["nodes"][n]["mgmt-ipv4-address"],
              Inspect(n, "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}"))
        << n << ": " << data.dump(1);
  auto again = Labkeeper("apply --adopt " + file);
  EXPECT_EQ(again.status, 0) << again.out;
  EXPECT_NE(again.out.find("in sync, no changes"), std::string::npos) << again.out;

  // Repaired like any other lab: an end deleted inside a node comes back, labkeeper's own.
  InNs("r3", "ip link del eth1");
  auto repaired = Labkeeper("apply --adopt " + file);
  EXPECT_EQ(repaired.status, 0) << repaired.out;
  EXPECT_NE(repaired.out.find("link missing"), std::string::npos) << repaired.out;
  EXPECT_EQ(Alias("r3", "eth1"), "labkeeper lab=lktest-adopt node=r3 link=r2:eth2--r3:eth1");
  EXPECT_EQ(Inspect("r3", "{{.Id}}"), id3);

  // destroy --adopt removes containerlab's containers of the file.
  auto d = Labkeeper("destroy --adopt " + file);
  EXPECT_EQ(d.status, 0) << d.out;
  EXPECT_FALSE(Exists("r1")) << d.out;
}

TEST_F(AdoptTest, WhatDoesNotMatchIsReplacedWithTheReason) {
  ASSERT_TRUE(test::EngineAnswers());
  std::string file = Write(LabText("wbitt/network-multitool:3.22.2"));
  test::LabGuard guard(kLabName);
  ClabLab clab(file);
  ASSERT_NO_FATAL_FAILURE(Deploy(clab));  // r3 runs the busybox image; the file says network-multitool
  std::string id1 = Inspect("r1", "{{.Id}}"), id3 = Inspect("r3", "{{.Id}}");
  auto r = Labkeeper("apply --adopt " + file);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("made by containerlab, not the node's spec: image " + std::string(test::kBusyboxImage) +
                       " != wbitt/network-multitool:3.22.2"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Inspect("r1", "{{.Id}}"), id1);
  EXPECT_NE(Inspect("r3", "{{.Id}}"), id3) << "replaced";
  EXPECT_EQ(Inspect("r3", "{{index .Config.Labels \"labkeeper.dev/managed-by\"}}"), "labkeeper");
  EXPECT_EQ(Alias("r3", "eth1"), "labkeeper lab=lktest-adopt node=r3 link=r2:eth2--r3:eth1");
  EXPECT_NE(Labkeeper("apply --adopt " + file).out.find("in sync, no changes"), std::string::npos);
  Labkeeper("destroy --adopt " + file);
}

TEST_F(AdoptTest, RunAdoptRepairsKeepsItAcrossARestartAndPrunesItWithTheFile) {
  ASSERT_TRUE(test::EngineAnswers());
  std::string file = Write(LabText());
  test::LabGuard guard(kLabName);
  ClabLab clab(file);
  ASSERT_NO_FATAL_FAILURE(Deploy(clab));
  std::string id2 = Inspect("r2", "{{.Id}}");
  {
    test::ControllerProcess c(labs(), state(), "--adopt --resync 2s");
    c.Start();
    ASSERT_TRUE(c.WaitCondition(kLabName, "Ready", "True", test::kStartBound)) << c.Log();
    EXPECT_NE(Alias("r1", "eth1").find("origin=containerlab"), std::string::npos);
    // Said once, and each node in the lab's status is containerlab's container.
    EXPECT_TRUE(c.HasEvent(kLabName, "NodeAdopted", "node/r1")) << c.Log();
    nlohmann::json nodes = c.Lab(kLabName)["nodes"];
    ASSERT_EQ(nodes.size(), 3u) << nodes.dump(1);
    for (const auto& n : nodes) EXPECT_EQ(n["adopted"], true) << n.dump();
    // A node restarted loses its links (as under containerlab); the controller makes them again.
    Sh("docker restart -t 1 " + Container("r1"));
    EXPECT_TRUE(
        test::WaitFor([] { return Alias("r1", "eth1").find("labkeeper lab=lktest-adopt") == 0; }, test::kStartBound))
        << c.Log();
    EXPECT_EQ(Inspect("r1", "{{index .Config.Labels \"containerlab\"}}"), kLabName) << "still containerlab's container";
    c.Signal(SIGTERM);
    c.Wait();
  }
  std::string started2 = Inspect("r2", "{{.State.StartedAt}}");
  {
    // A new controller, nothing remembered: the lab is found again in the world and left as it is.
    test::ControllerProcess c(labs(), state(), "--adopt --resync 2s");
    c.Start();
    ASSERT_TRUE(c.WaitCondition(kLabName, "Ready", "True", test::kStartBound)) << c.Log();
    EXPECT_EQ(Inspect("r2", "{{.Id}}"), id2);
    EXPECT_EQ(Inspect("r2", "{{.State.StartedAt}}"), started2);
    InNs("r2", "ip link set eth2 down");
    EXPECT_TRUE(test::WaitFor([] { return InNs("r2", "ip link show eth2").find("state UP") != std::string::npos; },
                              test::kPassBound))
        << c.Log();
    // The file deleted: the lab is pruned, containerlab's containers with it.
    std::filesystem::remove(file);
    EXPECT_TRUE(test::WaitFor([] { return !Exists("r2"); }, test::kPassBound)) << c.Log();
    EXPECT_FALSE(Exists("r1"));
  }
}

}  // namespace
}  // namespace lk
