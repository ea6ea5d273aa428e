// `labkeeper apply/destroy/status` on small labs, on the real engine and kernel. Every lab here
// is named lktest-*, and every host interface lktest-*; all are removed at the end.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <set>
#include <thread>

#include "api/topology_codec.h"
#include "controller/docker_client.h"
#include "tests/support/support.h"

namespace lk {
namespace {

using test::LabContainers;
using test::Labkeeper;
using test::Sh;

class ApplyTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(test::EngineAnswers()); }
  test::TempDir dir_;
};

std::string Link(const std::string& container, const std::string& iface) {
  return Sh("docker exec " + container + " ip link show " + iface);
}

TEST_F(ApplyTest, TwoNodesWithBriefExtendedAndHostLinks) {
  std::string file = dir_.Write("two.clab.yml", R"(name: lktest-two
topology:
  defaults: {kind: linux, image: labkeeper.dev/busybox:test}
  nodes:
    n1: {}
    n2: {}
  links:
    - endpoints: ["n1:eth1", "n2:eth1"]
      mtu: 1500
    - type: veth
      mtu: 9000
      endpoints:
        - {node: n1, interface: e2-long-name14, mac: "02:00:00:00:00:0a"}
        - {node: n2, interface: eth2, mac: "02:00:00:00:00:0b"}
    - type: host
      host-interface: lktest-two-h1
      endpoint: {node: n2, interface: eth3, mac: "02:00:00:00:00:0c"}
    - endpoints: ["n1:eth4", "host:lktest-two-h2"]
)");
  test::LabGuard guard("lktest-two");
  auto r = Labkeeper("apply " + file);
  ASSERT_EQ(r.status, 0) << r.out;

  EXPECT_NE(Link("clab-lktest-two-n1", "eth1").find("mtu 1500"), std::string::npos);
  EXPECT_NE(Link("clab-lktest-two-n2", "eth1").find("mtu 1500"), std::string::npos);
  std::string e2 = Link("clab-lktest-two-n1", "e2-long-name14");
  EXPECT_NE(e2.find("mtu 9000"), std::string::npos) << e2;
  EXPECT_NE(e2.find("02:00:00:00:00:0a"), std::string::npos) << e2;
  EXPECT_NE(Link("clab-lktest-two-n2", "eth2").find("02:00:00:00:00:0b"), std::string::npos);
  std::string e3 = Link("clab-lktest-two-n2", "eth3");
  EXPECT_NE(e3.find("02:00:00:00:00:0c"), std::string::npos) << e3;
  EXPECT_NE(e3.find("mtu 9500"), std::string::npos) << "containerlab's default MTU\n" << e3;
  EXPECT_NE(Sh("ip link show lktest-two-h1").find("lktest-two-h1@"), std::string::npos);
  EXPECT_NE(Sh("ip link show lktest-two-h2").find("lktest-two-h2@"), std::string::npos);

  // Traffic crosses a link: addresses inside the test's own containers only.
  Sh("docker exec clab-lktest-two-n1 ip addr add 192.168.77.1/24 dev eth1");
  Sh("docker exec clab-lktest-two-n2 ip addr add 192.168.77.2/24 dev eth1");
  int st = 1;
  Sh("docker exec clab-lktest-two-n1 ping -c 1 -W 2 192.168.77.2", &st);
  EXPECT_EQ(st, 0);

  auto status = Labkeeper("status lktest-two");
  EXPECT_EQ(status.status, 0);
  EXPECT_NE(status.out.find("clab-lktest-two-n1"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("running"), std::string::npos) << status.out;
  auto json = Labkeeper("status lktest-two -o json");
  auto j = nlohmann::json::parse(json.out);
  ASSERT_EQ(j["labs"].size(), 1u);
  EXPECT_EQ(j["labs"][0]["name"], "lktest-two");
  EXPECT_EQ(j["labs"][0]["nodes"].size(), 2u);
  EXPECT_EQ(j["labs"][0]["nodes"][0]["state"], "running");
  EXPECT_FALSE(j["labs"][0]["nodes"][0]["ipv4"].get<std::string>().empty());

  auto again = Labkeeper("apply " + file);
  EXPECT_NE(again.out.find("in sync, no changes"), std::string::npos) << again.out;

  auto d = Labkeeper("destroy --lab lktest-two");
  EXPECT_EQ(d.status, 0) << d.out;
  EXPECT_TRUE(LabContainers("lktest-two").empty());
  EXPECT_EQ(Sh("ip -o link show | grep -c lktest-two- || true"), "0\n");
}

TEST_F(ApplyTest, StaticMgmtAddressAndCustomNetwork) {
  std::string file = dir_.Write("mgmt.clab.yml", R"(name: lktest-mgmt
mgmt:
  network: lktest-mgmt-net
  ipv4-subnet: 172.31.251.0/24
topology:
  nodes:
    n1: {kind: linux, image: labkeeper.dev/busybox:test, mgmt-ipv4: 172.31.251.42}
)");
  test::LabGuard guard("lktest-mgmt");
  DockerClient docker;
  auto r = Labkeeper("apply " + file);
  ASSERT_EQ(r.status, 0) << r.out;
  auto c = *docker.InspectContainer("clab-lktest-mgmt-n1");
  EXPECT_EQ(c["NetworkSettings"]["Networks"]["lktest-mgmt-net"]["IPAddress"], "172.31.251.42");
  auto net = *docker.InspectNetwork("lktest-mgmt-net");
  EXPECT_EQ(net["Labels"]["labkeeper.dev/managed-by"], "labkeeper");
  EXPECT_EQ(Labkeeper("destroy " + file).status, 0);
  EXPECT_TRUE(docker.InspectNetwork("lktest-mgmt-net")->is_null()) << "labkeeper made it and nothing uses it";
}

// Bad input: a clear error naming the file and the node or link, exit 1, nothing made.
TEST_F(ApplyTest, BadFilesAreRejectedBeforeAnythingIsMade) {
  struct Case {
    const char* name;
    const char* body;
    const char* expect;
  } cases[] = {
      {"ghost", "  links:\n    - endpoints: [\"n1:eth1\", \"ghost:eth1\"]\n",
       ":8:30: link 0: node \"ghost\" does not exist"},
      {"twice", "  links:\n    - endpoints: [\"n1:eth1\", \"n2:eth1\"]\n    - endpoints: [\"n1:eth1\", \"n2:eth2\"]\n",
       ":9:19: link 1: endpoint n1:eth1 is used by more than one link"},
      {"long", "  links:\n    - endpoints: [\"n1:this-is-too-long0\", \"n2:eth1\"]\n",
       "link 0: interface \"this-is-too-long0\" is 17 characters long; Linux allows at most 15"},
      {"syntax", "  links:\n    - endpoints: [\"n1:eth1\", \"n2:eth1\"\n", "YAML syntax error"},
  };
  for (const auto& c : cases) {
    std::string lab = std::string("lktest-bad-") + c.name;
    std::string file = dir_.Write(std::string(c.name) + ".clab.yml",
                                  "name: " + lab +
                                      "\ntopology:\n  defaults: {kind: linux, image: labkeeper.dev/busybox:test}\n"
                                      "  nodes:\n    n1: {}\n    n2: {}\n" +
                                      c.body);
    test::LabGuard guard(lab);
    auto r = Labkeeper("apply " + file);
    EXPECT_EQ(r.status, 1) << c.name << ": " << r.out;
    EXPECT_NE(r.out.find(file), std::string::npos) << c.name << ": the error names the file\n" << r.out;
    EXPECT_NE(r.out.find(c.expect), std::string::npos) << c.name << ":\n" << r.out;
    EXPECT_TRUE(LabContainers(lab).empty()) << c.name;
  }
}

TEST_F(ApplyTest, MissingImageFailsThatNodeAndDestroyCleansUp) {
  // A registry on a closed loopback port: the pull fails at once and nothing leaves the machine.
  std::string file = dir_.Write("img.clab.yml", R"(name: lktest-img
topology:
  nodes:
    good: {kind: linux, image: labkeeper.dev/busybox:test}
    bad: {kind: linux, image: "127.0.0.1:1/lktest/missing:1"}
  links:
    - endpoints: ["good:eth1", "bad:eth1"]
)");
  test::LabGuard guard("lktest-img");
  auto r = Labkeeper("apply " + file);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("node/bad: image 127.0.0.1:1/lktest/missing:1 is not present locally and could not be pulled"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("link/good:eth1--bad:eth1: not created: node bad failed"), std::string::npos) << r.out;
  EXPECT_EQ(LabContainers("lktest-img").size(), 1u) << "the rest of the lab still converges";
  auto d = Labkeeper("destroy " + file);
  EXPECT_EQ(d.status, 0) << d.out;
  EXPECT_TRUE(LabContainers("lktest-img").empty());
}

TEST_F(ApplyTest, ForeignContainerWithALabNodesNameIsLeftAlone) {
  Sh("docker rm -f clab-lktest-col-n1");
  int st = 1;
  std::string id =
      test::Trim(Sh("docker run -d --name clab-lktest-col-n1 --label labkeeper.dev/test=collision "
                    "--network none labkeeper.dev/busybox:test",
                    &st));
  ASSERT_EQ(st, 0) << id;
  struct Remove {
    ~Remove() { Sh("docker rm -f clab-lktest-col-n1"); }
  } remove;
  std::string file = dir_.Write("col.clab.yml", R"(name: lktest-col
topology:
  defaults: {kind: linux, image: labkeeper.dev/busybox:test}
  nodes: {n1: {}, n2: {}}
  links:
    - endpoints: ["n1:eth1", "n2:eth1"]
)");
  test::LabGuard guard("lktest-col");
  auto r = Labkeeper("apply " + file);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("node/n1: container clab-lktest-col-n1 exists and is not managed by labkeeper"),
            std::string::npos)
      << r.out;
  DockerClient docker;
  auto c = *docker.InspectContainer("clab-lktest-col-n1");
  EXPECT_EQ(c["Id"], id) << "the foreign container was replaced";
  EXPECT_EQ(c["State"]["Status"], "running");
  EXPECT_FALSE(c["Config"]["Labels"].contains("labkeeper.dev/managed-by"));
  EXPECT_EQ(Sh("docker exec clab-lktest-col-n1 ip -o link show | grep -c eth1 || true"), "0\n");
  EXPECT_FALSE(docker.InspectContainer("clab-lktest-col-n2")->is_null()) << "the rest of the lab still converges";
  EXPECT_EQ(Labkeeper("destroy " + file).status, 0);
  EXPECT_FALSE(docker.InspectContainer("clab-lktest-col-n1")->is_null())
      << "destroy removed a container it does not own";
  EXPECT_TRUE(docker.InspectContainer("clab-lktest-col-n2")->is_null());
}

}  // namespace
}  // namespace lk

namespace lk {
namespace {

TEST_F(ApplyTest, ANetworkLabkeeperDidNotCreateStays) {
  DockerClient docker;
  docker.RemoveNetwork("lktest-pre-net");
  nlohmann::json body = {{"Name", "lktest-pre-net"},
                         {"Driver", "bridge"},
                         {"IPAM", {{"Config", {{{"Subnet", "172.31.252.0/24"}}}}}},
                         {"Labels", {{"labkeeper.dev/test", "pre-existing"}}}};
  auto id = docker.CreateNetwork(body);
  ASSERT_TRUE(id.ok()) << id.error();
  struct Remove {
    DockerClient& d;
    ~Remove() { d.RemoveNetwork("lktest-pre-net"); }
  } remove{docker};
  std::string file = dir_.Write("pre.clab.yml", R"(name: lktest-pre
mgmt: {network: lktest-pre-net, ipv4-subnet: 172.31.252.0/24}
topology:
  nodes:
    n1: {kind: linux, image: labkeeper.dev/busybox:test}
)");
  test::LabGuard guard("lktest-pre");
  auto r = Labkeeper("apply " + file);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out.find("network/lktest-pre-net: created"), std::string::npos) << r.out;
  EXPECT_EQ(Labkeeper("destroy " + file).status, 0);
  EXPECT_TRUE(LabContainers("lktest-pre").empty());
  EXPECT_FALSE(docker.InspectNetwork("lktest-pre-net")->is_null()) << "destroy removed a network it did not create";
}

}  // namespace
}  // namespace lk

#include "api/topology_codec.h"
#include "controller/observed.h"

namespace lk {
namespace {

// What a controller killed between creating a veth pair and naming and marking it leaves
// behind: a pair under the temporary names. The next pass removes it and makes the link.
TEST_F(ApplyTest, InterfacesLeftByAnInterruptedCreationAreCleanedUp) {
  std::string file = dir_.Write("int.clab.yml", R"(name: lktest-int
topology:
  defaults: {kind: linux, image: labkeeper.dev/busybox:test}
  nodes: {a: {}, b: {}}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
)");
  test::LabGuard guard("lktest-int");
  ASSERT_EQ(Labkeeper("apply " + file).status, 0);
  LoadResult lab = LoadTopologyFile(file);
  ASSERT_TRUE(lab.ok());
  const LinkConfig& l = lab.lab->links[0];
  std::string ta = TempIfaceName("lktest-int", l, l.a), tb = TempIfaceName("lktest-int", l, l.b);
  std::string pa = test::Trim(Sh("docker inspect -f '{{.State.Pid}}' clab-lktest-int-a"));
  std::string pb = test::Trim(Sh("docker inspect -f '{{.State.Pid}}' clab-lktest-int-b"));
  Sh("docker exec clab-lktest-int-a ip link del eth1");
  int st = 1;
  std::string out =
      Sh("nsenter -t " + pa + " -n ip link add " + ta + " type veth peer name " + tb + " netns /proc/" + pb + "/ns/net",
         &st);
  ASSERT_EQ(st, 0) << out;
  auto r = Labkeeper("apply " + file);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("iface/a:" + ta + ": deleted (interrupted creation)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("link/a:eth1--b:eth1: created"), std::string::npos) << r.out;
  EXPECT_EQ(Sh("docker exec clab-lktest-int-a ls /sys/class/net"), "eth0\neth1\nlo\n");
  EXPECT_EQ(Sh("docker exec clab-lktest-int-b ls /sys/class/net"), "eth0\neth1\nlo\n");
  EXPECT_NE(Labkeeper("apply " + file).out.find("in sync, no changes"), std::string::npos);
}

}  // namespace
}  // namespace lk

namespace lk {
namespace {

TEST_F(ApplyTest, PlanShowsWhatApplyWouldDoWithKubectlDiffExitCodes) {
  std::string file = dir_.Write("plan.clab.yml", R"(name: lktest-plan
topology:
  defaults: {kind: linux, image: labkeeper.dev/busybox:test}
  nodes: {a: {exec: ["ip link set eth1 up"]}, b: {}}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
)");
  test::LabGuard guard("lktest-plan");
  auto before = Labkeeper("plan " + file);
  EXPECT_EQ(before.status, 1) << before.out;
  for (const char* line : {"create-container node/a (missing)", "create-container node/b (missing)",
                           "create-link link/a:eth1--b:eth1 (link missing)", "exec node/a (node started)"})
    EXPECT_NE(before.out.find(line), std::string::npos) << line << "\n" << before.out;
  EXPECT_TRUE(LabContainers("lktest-plan").empty()) << "plan changed the world";
  auto json = nlohmann::json::parse(Labkeeper("plan -o json " + file).out);
  EXPECT_EQ(json["labs"][0]["name"], "lktest-plan");
  EXPECT_GE(json["labs"][0]["actions"].size(), 4u);

  ASSERT_EQ(Labkeeper("apply " + file).status, 0);
  auto synced = Labkeeper("plan " + file);
  EXPECT_EQ(synced.status, 0) << synced.out;
  EXPECT_NE(synced.out.find("in sync, no changes"), std::string::npos);

  Sh("docker stop clab-lktest-plan-b");
  auto drifted = Labkeeper("plan " + file);
  EXPECT_EQ(drifted.status, 1);
  EXPECT_NE(drifted.out.find("start-container node/b (exited)"), std::string::npos) << drifted.out;
  EXPECT_NE(drifted.out.find("create-link link/a:eth1--b:eth1 (link missing)"), std::string::npos) << drifted.out;

  std::string bad = dir_.Write("bad.clab.yml", "name: lktest-plan\ntopology: [\n");
  EXPECT_EQ(Labkeeper("plan " + bad).status, 2);
}

}  // namespace
}  // namespace lk

namespace lk {
namespace {

// Every shared example (vendor and templated ones included, whose images are not here) plans
// exactly the nodes and links it defines.
TEST_F(ApplyTest, EveryExamplePlansExactlyItsNodesAndLinks) {
  int files = 0;
  for (const auto& path : test::SharedExampleFiles()) {
    FileLoad load = LoadFile(path);
    ASSERT_TRUE(load.ok()) << load.ErrorText();
    ASSERT_TRUE(LabContainers(load.labs[0].name).empty()) << load.labs[0].name << " runs here already";
    auto r = Labkeeper("plan -o json " + path);
    EXPECT_EQ(r.status, 1) << path << "\n" << r.out;
    auto j = nlohmann::json::parse(r.out);
    std::set<std::string> nodes, links;
    for (const auto& a : j["labs"][0]["actions"]) {
      std::string object = a["object"];
      if (a["action"] == "create-container") nodes.insert(object.substr(5));
      if (a["action"] == "create-link") links.insert(object.substr(5));
    }
    std::set<std::string> want_nodes, want_links;
    for (const auto& n : load.labs[0].nodes) want_nodes.insert(n.name);
    for (const auto& l : load.labs[0].links) want_links.insert(l.Id());
    EXPECT_EQ(nodes, want_nodes) << path;
    EXPECT_EQ(links, want_links) << path;
    ++files;
  }
  EXPECT_EQ(files, 14);
}

}  // namespace
}  // namespace lk

namespace lk {
namespace {

// The shared smoke-test labs that need nothing this machine lacks deploy unchanged (with the
// busybox stand-ins for alpine): two nodes without links, and four nodes in a mesh of five links.
TEST_F(ApplyTest, SharedSmokeLabsDeployUnchanged) {
  struct Lab {
    const char* file;
    const char* name;
    size_t nodes;
    std::vector<std::pair<std::string, std::string>> ifaces;
  } labs[] = {
      {"tests-01-smoke__12-tools-veth.clab.yaml", "dual-node", 2, {}},
      {"tests-01-smoke__node-filter.clab.yml",
       "node-filter",
       4,
       {{"node1", "eth1"}, {"node1", "eth2"}, {"node1", "eth3"}, {"node4", "eth1"}, {"node4", "eth2"}}},
  };
  for (const auto& lab : labs) {
    SCOPED_TRACE(lab.file);
    ASSERT_TRUE(LabContainers(lab.name).empty()) << lab.name << " runs here already";
    test::LabGuard guard(lab.name);
    std::string file = test::SharedDir() + "/clab-examples/" + lab.file;
    auto r = Labkeeper("apply " + file);
    ASSERT_EQ(r.status, 0) << r.out;
    auto ids = LabContainers(lab.name);
    EXPECT_EQ(ids.size(), lab.nodes);
    for (const auto& [name, id] : ids)
      EXPECT_EQ(Sh("docker inspect -f '{{.State.Running}}' " + name), "true\n") << name << " did not stay up";
    for (const auto& [node, iface] : lab.ifaces)
      EXPECT_NE(
          Sh("docker exec clab-" + std::string(lab.name) + "-" + node + " ip link show " + iface).find(iface + "@"),
          std::string::npos)
          << node << ":" << iface;
    std::this_thread::sleep_for(std::chrono::seconds(2));
    EXPECT_NE(Labkeeper("apply " + file).out.find("in sync, no changes"), std::string::npos) << "a node exited";
  }
}

}  // namespace
}  // namespace lk

namespace lk {
namespace {

// ../shared/clab-examples stages lab, unchanged: the order its wait-for chain imposes
// (node4 healthy, then node3, node2, node1), and stage exec on the host and in containers.
TEST_F(ApplyTest, StagesImposeTheirOrder) {
  ASSERT_TRUE(LabContainers("stages").empty()) << "a lab named stages runs here already";
  test::LabGuard guard("stages");
  struct RemoveMarker {
    ~RemoveMarker() { std::remove("/tmp/host-exec-test"); }  // written by the lab's host exec
  } marker;
  std::remove("/tmp/host-exec-test");
  std::string file = test::SharedDir() + "/clab-examples/tests-01-smoke__stages.clab.yml";
  auto r = Labkeeper("apply " + file);
  ASSERT_EQ(r.status, 0) << r.out;
  auto started = [](const std::string& node) {
    return test::Trim(Sh("docker inspect -f '{{.State.StartedAt}}' clab-stages-" + node));
  };
  // RFC 3339 with nanoseconds, same zone: they compare as strings.
  EXPECT_LT(started("node4"), started("node3"));
  EXPECT_LT(started("node3"), started("node2"));
  EXPECT_LT(started("node2"), started("node1"));
  EXPECT_EQ(Sh("docker inspect -f '{{.State.Health.Status}}' clab-stages-node4"), "healthy\n");
  EXPECT_EQ(Sh("cat /tmp/host-exec-test"), "foo\n") << "the host exec of node1's create-links stage";
  EXPECT_NE(r.out.find("node/node3: stage create on-exit container exec \"ls /sys/class/net/\""), std::string::npos);
  EXPECT_NE(r.out.find("node/node4: stage healthy on-exit container exec"), std::string::npos);
  for (const char* l :
       {"node1:eth1--node2:eth1", "node1:eth3--node4:eth3", "node2:eth2--node4:eth2", "node3:eth1--host:n3eth1"})
    EXPECT_NE(r.out.find(std::string("link/") + l + ": created"), std::string::npos) << l;
  EXPECT_NE(Labkeeper("apply " + file).out.find("in sync, no changes"), std::string::npos);
}

}  // namespace
}  // namespace lk
