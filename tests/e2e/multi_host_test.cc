// One lab across two hosts, with two real engines on this machine: two network namespaces as two
// hosts (lktest-mhA, lktest-mhB), joined by a veth underlay (198.51.100.1 and .2/24, documentation
// addresses that exist only in those namespaces); in each, its own dockerd (test::OwnEngine) and
// its own `labkeeper run` with its own --host-id, --peer and DOCKER_HOST. A 4-node lab, two nodes
// on each host, two links between hosts: pings cross both tunnels; one end deleted on host B is
// repaired by B's controller; A's node restarted is relinked; B's controller stopped leaves A's
// half working, and B back makes the lab Ready again; the file deleted removes both halves. All
// the traffic stays inside the test's namespaces; the engines and namespaces go at the end.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/support.h"

namespace lk {
namespace {

using test::Sh;
using test::Trim;

constexpr char kMhLab[] = "lktest-mh";

std::string SpreadLab() {
  std::string s = std::string("name: ") + kMhLab +
                  "\ntopology:\n  defaults: {kind: linux, image: " + test::kBusyboxImage + "}\n  nodes:\n";
  auto node = [&](const std::string& n, const std::string& host, const std::string& addr) {
    s += "    " + n + ": {labels: {labkeeper.dev/host: " + host + "}, exec: [\"ip addr add " + addr + " dev eth1\"]}\n";
  };
  node("a1", "lktest-hA", "10.61.1.1/24");
  node("a2", "lktest-hA", "10.61.2.1/24");
  node("b1", "lktest-hB", "10.61.1.2/24");
  node("b2", "lktest-hB", "10.61.2.2/24");
  s += "  links:\n    - endpoints: [\"a1:eth1\", \"b1:eth1\"]\n    - endpoints: [\"b2:eth1\", \"a2:eth1\"]\n";
  return s;
}

// `ping` from a node of engine `e` to `addr`: true when a reply comes.
bool Pings(const test::OwnEngine& e, const std::string& node, const std::string& addr) {
  int st = 1;
  e.Docker("exec clab-" + std::string(kMhLab) + "-" + node + " ping -c 1 -W 2 " + addr, &st);
  return st == 0;
}

bool PingsSoon(const test::OwnEngine& e, const std::string& node, const std::string& addr) {
  return test::WaitFor([&] { return Pings(e, node, addr); }, test::kPassBound, 500);
}

class MultiHost : public test::LabDirTest {};

TEST_F(MultiHost, ALabAcrossTwoEnginesIsLinkedByTunnelsRepairedOnEachSideAndRemovedWhole) {
  if (!test::KernelMakes("vxlan id 1 dstport 14789")) GTEST_SKIP() << "this kernel makes no vxlan interface";
  test::OwnEngine a("mhA"), b("mhB");
  ASSERT_TRUE(a.Start(test::kStartBound)) << a.Log();
  ASSERT_TRUE(b.Start(test::kStartBound)) << b.Log();
  ASSERT_EQ(a.LoadImage(test::kBusyboxImage), "");
  ASSERT_EQ(b.LoadImage(test::kBusyboxImage), "");
  // The underlay: a veth straight between the two hosts' namespaces (nothing in this one).
  int st = 1;
  std::string out = Sh("ip link add lkmh-u netns " + a.netns() + " type veth peer name lkmh-u netns " + b.netns() +
                           " 2>&1 && ip -n " + a.netns() + " addr add 198.51.100.1/24 dev lkmh-u && ip -n " +
                           b.netns() + " addr add 198.51.100.2/24 dev lkmh-u && ip -n " + a.netns() +
                           " link set lkmh-u up && ip -n " + b.netns() + " link set lkmh-u up 2>&1",
                       &st);
  ASSERT_EQ(st, 0) << out;
  std::ofstream(labs() + "/mh.clab.yml") << SpreadLab();
  test::CmdResult apply = test::Labkeeper("apply " + labs() + "/mh.clab.yml");
  EXPECT_EQ(apply.status, 1);
  EXPECT_NE(apply.out.find("lab lktest-mh is spread over hosts lktest-hA, lktest-hB"), std::string::npos) << apply.out;
  auto controller = [&](const test::OwnEngine& e, const std::string& id, const std::string& peer) {
    auto c = std::make_unique<test::ControllerProcess>(labs(), state() + "/" + id,
                                                       "--host-id " + id +
                                                           " --unplaced ignore --no-host-names "
                                                           "--resync 2s --peer " +
                                                           peer);
    c->SetEnv("DOCKER_HOST", e.host());
    c->SetEnv("CLAB_LABDIR_BASE", state() + "/" + id + "-labdirs");
    c->RunIn(e.netns());
    c->Start();
    return c;
  };
  auto ca = controller(a, "lktest-hA", "lktest-hB=198.51.100.2");
  auto cb = controller(b, "lktest-hB", "lktest-hA=198.51.100.1");
  ASSERT_TRUE(ca->WaitCondition(kMhLab, "Ready", "True", test::kStartBound)) << ca->Log();
  ASSERT_TRUE(cb->WaitCondition(kMhLab, "Ready", "True", test::kStartBound)) << cb->Log();
  // Each host made its own two nodes, and said where the others are.
  EXPECT_EQ(Trim(a.Docker("ps --format '{{.Names}}' --filter label=containerlab=lktest-mh | sort")),
            "clab-lktest-mh-a1\nclab-lktest-mh-a2");
  EXPECT_EQ(Trim(b.Docker("ps --format '{{.Names}}' --filter label=containerlab=lktest-mh | sort")),
            "clab-lktest-mh-b1\nclab-lktest-mh-b2");
  nlohmann::json spread = ca->Lab(kMhLab)["spread"];
  EXPECT_EQ(spread["remoteNodes"].dump(), R"([{"host":"lktest-hB","node":"b1"},{"host":"lktest-hB","node":"b2"}])");
  ASSERT_EQ(spread["tunnels"].size(), 2u);
  EXPECT_EQ(spread["tunnels"][0]["remote"], "198.51.100.2");
  EXPECT_NE(spread["tunnels"][0]["mtu"].get<std::string>().find("cross the underlay fragmented"), std::string::npos);
  EXPECT_EQ(cb->Lab(kMhLab)["spread"]["tunnels"][0]["vni"], spread["tunnels"][0]["vni"]) << "both ends alike";
  EXPECT_EQ(Trim(a.Docker("exec clab-lktest-mh-a1 cat /sys/class/net/eth1/mtu")), "9500");

  // Pings cross both tunnels, small frames and ones the underlay carries fragmented.
  EXPECT_TRUE(PingsSoon(a, "a1", "10.61.1.2")) << ca->Log();
  EXPECT_TRUE(Pings(a, "a1", "-s 3000 10.61.1.2")) << "a 3000-byte ping over a 1500-byte underlay";
  EXPECT_TRUE(PingsSoon(b, "b2", "10.61.2.1")) << cb->Log();

  // One end deleted on host B: B's controller makes it again.
  b.Docker("exec clab-lktest-mh-b1 ip link del eth1");
  EXPECT_TRUE(PingsSoon(a, "a1", "10.61.1.2")) << cb->Log();
  // A's node restarted: A's controller relinks its end of the tunnel.
  a.Docker("restart clab-lktest-mh-a2");
  EXPECT_TRUE(PingsSoon(b, "b2", "10.61.2.1")) << ca->Log();

  // B's controller stops: A's half stays as it is, and the tunnel still carries traffic.
  cb->Signal(SIGTERM);
  EXPECT_EQ(cb->Wait(), 0);
  EXPECT_TRUE(PingsSoon(a, "a1", "10.61.1.2"));
  EXPECT_EQ(ca->Condition(kMhLab, "Ready"), "True");
  b.Docker("exec clab-lktest-mh-b2 ip link del eth1");  // drift while B's controller is away
  cb = controller(b, "lktest-hB", "lktest-hA=198.51.100.1");
  EXPECT_TRUE(PingsSoon(a, "a2", "10.61.2.2")) << cb->Log();
  EXPECT_TRUE(cb->WaitCondition(kMhLab, "Ready", "True", test::kPassBound)) << cb->Log();

  // The file goes: each host removes its half.
  std::filesystem::remove(labs() + "/mh.clab.yml");
  auto none = [](const test::OwnEngine& e) {
    return Trim(e.Docker("ps -a -q --filter label=containerlab=lktest-mh")).empty();
  };
  EXPECT_TRUE(test::WaitFor([&] { return none(a) && none(b); }, test::kPassBound)) << ca->Log() << cb->Log();
  ca->Signal(SIGTERM);
  cb->Signal(SIGTERM);
  ca->Wait();
  cb->Wait();
}

}  // namespace
}  // namespace lk
