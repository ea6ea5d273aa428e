// ../shared's two smoke labs that set most node fields (01-linux-nodes, and 24-basic-groups,
// which sets the same ones through defaults and groups), deployed unchanged with the local
// stand-in images, and every runtime field they set observed in `docker inspect` or inside the
// container. Their bind sources (01-test.txt, 01-test.json) sit beside the file in containerlab's
// repository but not in ../shared: the test copies the file, unchanged, into a directory of its
// own and writes them there. Both labs are named 2-linux-nodes, so they run one after the other.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/support.h"

namespace lk {
namespace {

using test::Labkeeper;
using test::Sh;

std::string Inspect(const std::string& container, const std::string& format) {
  return test::Trim(Sh("docker inspect -f '" + format + "' " + container));
}

void CheckLab(const std::string& file_name, bool groups) {
  SCOPED_TRACE(file_name);
  ASSERT_TRUE(test::LabContainers("2-linux-nodes").empty()) << "a lab named 2-linux-nodes runs here already";
  test::TempDir dir;
  std::filesystem::copy_file(test::SharedDir() + "/clab-examples/" + file_name, dir.path() + "/" + file_name);
  dir.Write("01-test.txt", "labkeeper bind test\n");
  dir.Write("01-test.json", "{\"bind\": \"json\"}\n");
  std::string file = dir.path() + "/" + file_name;
  // Both files publish port 56180; the engine's userland proxy of the previous lab lets go of it
  // a moment after its container is gone, so wait for the port to be free before applying.
  EXPECT_TRUE(test::WaitFor([] { return Sh("ss -Hltn 'sport = :56180'").empty(); }, test::kPassBound, 250))
      << Sh("ss -ltnp 'sport = :56180'");
  test::LabGuard guard("2-linux-nodes");
  auto r = Labkeeper("apply " + file);
  const std::string l1 = "clab-2-linux-nodes-l1", l2 = "clab-2-linux-nodes-l2", l3 = "clab-2-linux-nodes-l3";

  // l1: cmd with env (the container's shell expands $MYVAR, which the file leaves verbatim),
  // binds relative to the file, exec with its output, cpu, memory, mgmt addresses, healthcheck.
  EXPECT_TRUE(
      test::WaitFor([&] { return Sh("docker exec " + l1 + " cat /tmp/var") == "MYVAR is SET\n"; }, test::kStartBound));
  EXPECT_EQ(Sh("docker exec " + l1 + " cat /01-test.txt"), "labkeeper bind test\n");
  EXPECT_EQ(Sh("docker exec " + l1 + " cat /test.json"), "{\"bind\": \"json\"}\n");
  EXPECT_NE(r.out.find("node/l1: exec \"echo this_is_an_exec_test\" exited with 0\n    | this_is_an_exec_test"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("node/l1: exec \"cat /etc/os-release\" exited with 0\n    | PRETTY_NAME="), std::string::npos);
  EXPECT_EQ(Inspect(l1, "{{.HostConfig.NanoCpus}}"), "1500000000");
  EXPECT_EQ(Inspect(l1, "{{.HostConfig.Memory}}"), "1073741824");
  EXPECT_EQ(Inspect(l1, "{{.NetworkSettings.Networks.clab.IPAddress}}"), "172.20.20.99");
  EXPECT_EQ(Inspect(l1, "{{.NetworkSettings.Networks.clab.GlobalIPv6Address}}"), "3fff:172:20:20::99");
  EXPECT_EQ(Inspect(l1, "{{json .Config.Healthcheck.Test}}"), "[\"CMD-SHELL\",\"cat /etc/os-release\"]");
  EXPECT_EQ(Inspect(l1, "{{.Config.Healthcheck.Retries}} {{.Config.Healthcheck.Interval}}"), "1 5s");
  EXPECT_TRUE(test::WaitFor([&] { return Inspect(l1, "{{.State.Health.Status}}") == "healthy"; }, test::kStartBound));
  if (groups) {
    EXPECT_EQ(Inspect(l1, "{{.HostConfig.CgroupParent}}"), "containerlab-smoke.slice");
  }

  // l2: the published port answers on loopback, dns servers/search/options, mgmt addresses.
  EXPECT_EQ(Inspect(l2, "{{json .HostConfig.PortBindings}}"),
            "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"56180\"}]}");
  EXPECT_TRUE(
      test::WaitFor([] { return Sh("curl -s --max-time 3 http://127.0.0.1:56180/") == "labkeeper nginx stand-in\n"; },
                    test::kStartBound));
  EXPECT_EQ(Inspect(l2, "{{json .HostConfig.Dns}} {{json .HostConfig.DnsSearch}} {{json .HostConfig.DnsOptions}}"),
            "[\"8.8.8.8\",\"1.2.3.4\"] [\"my.domain\"] [\"rotate\"]");
  std::string resolv = Sh("docker exec " + l2 + " cat /etc/resolv.conf");
  // On a user-defined network Docker's embedded resolver (127.0.0.11) forwards to the servers
  // above; search and options are written as they are. Nothing here resolves a name.
  EXPECT_NE(resolv.find("search my.domain"), std::string::npos) << resolv;
  EXPECT_NE(resolv.find("options rotate"), std::string::npos) << resolv;
  EXPECT_EQ(Inspect(l2, "{{.NetworkSettings.Networks.clab.IPAddress}}"), "172.20.20.100");
  // l3: the host's network namespace.
  EXPECT_EQ(Inspect(l3, "{{.HostConfig.NetworkMode}}"), "host");

  if (groups) {
    EXPECT_EQ(r.status, 0) << r.out;
    return;
  }
  // 01-linux-nodes only: aliases, and its links (veth with MTU and MACs, host, mgmt-net, dummy).
  EXPECT_NE(Inspect(l2, "{{json .NetworkSettings.Networks.clab.Aliases}}").find("l2.mydomain.com"), std::string::npos);
  EXPECT_NE(Sh("docker exec " + l1 + " ip link show eth1").find("mtu 2000"), std::string::npos);
  EXPECT_NE(Sh("docker exec " + l2 + " ip link show some1").find("mtu 2000"), std::string::npos);
  EXPECT_NE(Sh("docker exec " + l1 + " ip link show eth2").find("eth2@"), std::string::npos);
  EXPECT_NE(Sh("docker exec " + l1 + " ip link show eth3").find("02:00:00:00:00:00"), std::string::npos);
  EXPECT_NE(Sh("docker exec " + l2 + " ip link show eth3").find("02:00:00:00:00:01"), std::string::npos);
  EXPECT_NE(Sh("docker exec " + l2 + " ip link show eth4").find("02:00:00:00:00:04"), std::string::npos);
  EXPECT_NE(Sh("ip -d link show l2eth4").find("veth"), std::string::npos);
  EXPECT_NE(Sh("ip -d link show l2eth5mgmt").find("master "), std::string::npos) << "mgmt-net host end on the bridge";
  if (test::KernelMakes("dummy")) {
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_NE(Sh("docker exec " + l2 + " ip -d link show somedummy").find("dummy"), std::string::npos);
  } else {
    // This kernel has no dummy interfaces: that one link fails with the kernel's reason, and
    // nothing else does (LinkTypes.DummyWhereTheKernelHasIt reports the dummy part skipped).
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.out.find("FAILED link/l2:somedummy--dummy: create dummy somedummy"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("lab 2-linux-nodes: 1 failed, "), std::string::npos) << r.out;
  }
  EXPECT_EQ(Labkeeper("destroy " + file).status, 0);
  int gone = 0;
  Sh("ip link show l2eth4", &gone);
  EXPECT_NE(gone, 0);
}

TEST(SharedSmokeLabs, LinuxNodesDeployWithEveryFieldObserved) {
  ASSERT_TRUE(test::EngineAnswers());
  CheckLab("tests-01-smoke__01-linux-nodes.clab.yml", false);
}

TEST(SharedSmokeLabs, BasicGroupsDeployWithEveryInheritedFieldObserved) {
  ASSERT_TRUE(test::EngineAnswers());
  CheckLab("tests-01-smoke__24-basic-groups.clab.yaml", true);
}

}  // namespace
}  // namespace lk
