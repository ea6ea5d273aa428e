// labkeeper inside a container, as on a Mac where it must run in Docker's VM: the image built
// from the repository's Dockerfile (images/build-labkeeper-image.sh, on a Debian base made
// locally), run with the host's PID and network namespaces, the Docker socket and the lab
// directory mounted at the same path; it reconciles frr01 and repairs a `docker restart` of a
// router, reaching the containers' namespaces through /proc/<pid>/ns/net of host PIDs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support/support.h"

namespace lk {
namespace {

namespace fs = std::filesystem;
using test::Sh;

constexpr char kImage[] = "labkeeper.dev/labkeeper:test";
constexpr char kName[] = "lktest-labkeeper";
constexpr char kApi[] = "http://127.0.0.1:29587";

TEST(InAContainer, TheControllerImageReconcilesFrr01AndRepairsARestart) {
  ASSERT_TRUE(test::EngineAnswers());
  ASSERT_EQ(Sh(std::string("docker image inspect -f ok ") + kImage), "ok\n")
      << kImage << " is missing: scripts/test.sh builds it with images/build-labkeeper-image.sh";
  ASSERT_TRUE(test::LabContainers("frr01").empty()) << "a lab named frr01 already runs here; not touching it";
  test::TempDir dir;
  fs::create_directories(dir.path() + "/labs");
  fs::copy(test::SharedDir() + "/clab-examples/frr01", dir.path() + "/labs/frr01", fs::copy_options::recursive);
  Sh("chmod -R u+w " + dir.path() + "/labs");
  test::LabGuard guard("frr01");
  test::ContainerGuard remove(kName);
  Sh(std::string("docker rm -f ") + kName);

  std::string common = std::string(" --name ") + kName +
                       " --label labkeeper.dev/test=1 --pid host --network host"
                       " -v /var/run/docker.sock:/var/run/docker.sock -v " +
                       dir.path() + ":" + dir.path() + " " + kImage + " run --dir " + dir.path() +
                       "/labs --state-dir /tmp/state --listen 127.0.0.1:29587 --resync 5s";
  int st = 1;
  std::string out = Sh("docker run -d --privileged" + common, &st);
  if (st != 0 && out.find("unable to apply caps") != std::string::npos) {
    // This engine cannot grant --privileged: every capability it can, seccomp and AppArmor off.
    Sh(std::string("docker rm -f ") + kName);
    out = Sh("docker run -d --cap-add ALL" + test::CapDropsForThisMachine() +
                 " --security-opt seccomp=unconfined --security-opt apparmor=unconfined" + common,
             &st);
  }
  ASSERT_EQ(st, 0) << out;
  auto lab = [] {
    auto j =
        nlohmann::json::parse(Sh(std::string("curl -s --max-time 10 ") + kApi + "/api/v1/labs/frr01"), nullptr, false);
    // Until the controller has read the lab, the API answers 404 with {"error", "status": 404}.
    return j.is_object() && j.contains("status") && j["status"].is_object() ? j : nlohmann::json();
  };
  auto ready = [&] {
    auto j = lab();
    if (!j.is_object() || !j.contains("status")) return false;
    for (const auto& c : j["status"]["conditions"])
      if (c["type"] == "Ready") return c["status"] == "True";
    return false;
  };
  ASSERT_TRUE(test::WaitFor(ready, test::kStartBound)) << Sh(std::string("docker logs --tail 50 ") + kName + " 2>&1");
  EXPECT_EQ(test::LabContainers("frr01").size(), 6u);
  for (const char* iface : {"eth1", "eth2", "eth3"})
    EXPECT_NE(Sh(std::string("docker exec clab-frr01-router1 ip link show ") + iface).find("@"), std::string::npos);

  // A router restarted: its links are gone, and the controller in the container makes them again.
  auto count_link_events = [&] {
    int n = 0;
    auto doc = lab();  // kept: a range over lab()["events"] would outlive its temporary
    for (const auto& e : doc["events"])
      n += e["reason"] == "LinkCreated" && e["object"] == "link/router1:eth1--router2:eth1";
    return n;
  };
  ASSERT_TRUE(test::WaitFor([&] { return count_link_events() == 1; }, test::kStartBound))
      << Sh(std::string("curl -s --max-time 10 ") + kApi + "/api/v1/labs/frr01").substr(0, 3000);
  std::string started = Sh("docker inspect -f '{{.State.StartedAt}}' clab-frr01-router1");
  std::string restart = Sh("docker restart clab-frr01-router1", &st);
  ASSERT_EQ(st, 0) << restart;
  ASSERT_NE(Sh("docker inspect -f '{{.State.StartedAt}}' clab-frr01-router1"), started) << "it did not restart";
  auto repaired = [&] { return count_link_events() >= 2; };  // made at the start, and again now
  EXPECT_TRUE(test::WaitFor(repaired, test::kStartBound))
      << "the repair is a drift event: " << lab()["events"].dump(1)
      << Sh(std::string("docker logs --tail 50 ") + kName + " 2>&1");
  auto relinked = [] {
    for (const char* iface : {"eth1", "eth2", "eth3"})
      if (Sh(std::string("docker exec clab-frr01-router1 ip link show ") + iface).find(std::string(iface) + "@") ==
          std::string::npos)
        return false;
    return true;
  };
  EXPECT_TRUE(test::WaitFor(relinked, test::kStartBound))
      << Sh(std::string("docker logs --tail 50 ") + kName + " 2>&1");
  EXPECT_TRUE(test::WaitFor(ready, test::kStartBound));
  std::string logs = Sh(std::string("docker logs ") + kName + " 2>&1");
  EXPECT_NE(logs.find("watching " + dir.path() + "/labs"), std::string::npos) << logs.substr(0, 2000);
}

}  // namespace
}  // namespace lk
