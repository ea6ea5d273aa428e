// Native or emulated, on this x86_64 machine where arm64 images run under qemu-user-static (the
// mirror of an ARM Mac's Docker VM running x86_64 images): an arm64 node is reported emulated in
// status, metric and a Warning event, native nodes native; --emulation=deny (or a Lab's
// spec.emulation) fails only that node; and from a real local registry (Debian's
// docker-registry on 127.0.0.1) serving an amd64+arm64 index, a node without platform gets the
// amd64 variant and one with platform: linux/arm64 the arm64 one. Everything is lktest-*.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/support/support.h"

namespace lk {
namespace {

namespace fs = std::filesystem;
using test::Labkeeper;
using test::Sh;

constexpr const char* kArm = test::kBusyboxArm64Image;
using test::CanEmulateArm64;

std::string Uname(const std::string& container) {
  return test::Trim(Sh("docker exec " + container + " uname -m"));
}

constexpr char kArchLab[] = R"(name: lktest-arch
topology:
  nodes:
    n1: {kind: linux, image: labkeeper.dev/busybox:test}
    n2: {kind: linux, image: labkeeper.dev/busybox-arm64:test}
  links:
    - endpoints: ["n1:eth1", "n2:eth1"]
      ipv4: ["10.99.0.1/24", "10.99.0.2/24"]
)";

TEST(Architectures, AnEmulatedNodeIsReportedSoInStatusMetricAndEvent) {
  ASSERT_TRUE(test::EngineAnswers());
  std::string why;
  if (!CanEmulateArm64(&why)) GTEST_SKIP() << why;
  test::TempDir dir;
  fs::create_directories(dir.path() + "/labs");
  std::ofstream(dir.path() + "/labs/arch.clab.yml") << kArchLab;
  test::LabGuard guard("lktest-arch");
  test::ControllerProcess c(dir.path() + "/labs", dir.path() + "/state", "--listen 127.0.0.1:29586");
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-arch", "Ready", "True", test::kStartBound)) << c.Log();

  EXPECT_EQ(Uname("clab-lktest-arch-n2"), "aarch64") << "n2 runs arm64 code, under qemu";
  EXPECT_EQ(Uname("clab-lktest-arch-n1"), "x86_64");
  int st = 1;
  Sh("docker exec clab-lktest-arch-n1 ping -c 1 -W 5 10.99.0.2", &st);
  EXPECT_EQ(st, 0) << "the emulated node is linked like any other";

  // Status, from the API and from the CLI.
  auto doc = nlohmann::json::parse(Sh("curl -s http://127.0.0.1:29586/api/v1/labs/lktest-arch"));
  std::map<std::string, nlohmann::json> nodes;
  for (const auto& n : doc["status"]["nodes"]) nodes[n["name"]] = n;
  EXPECT_EQ(nodes["n2"]["architecture"], "arm64");
  EXPECT_EQ(nodes["n2"]["emulated"], true);
  EXPECT_EQ(nodes["n1"]["architecture"], "amd64");
  EXPECT_EQ(nodes["n1"]["emulated"], false);
  auto cli =
      nlohmann::json::parse(Sh(test::LabkeeperBin() + " status lktest-arch -o json --server http://127.0.0.1:29586"));
  for (const auto& n : cli["labs"][0]["nodes"])
    EXPECT_EQ(n["execution"], n["node"] == "n2" ? "emulated" : "native") << n.dump();
  std::string table = Sh(test::LabkeeperBin() + " status lktest-arch --server http://127.0.0.1:29586");
  EXPECT_NE(table.find("arm64 (emulated)"), std::string::npos) << table;
  EXPECT_NE(table.find("amd64 (native)"), std::string::npos) << table;

  // The metric.
  std::string metrics = Sh("curl -s http://127.0.0.1:29586/metrics");
  EXPECT_NE(metrics.find("labkeeper_node_info{architecture=\"arm64\",emulated=\"true\",image=\"" + std::string(kArm) +
                         "\",kind=\"linux\",lab=\"lktest-arch\",node=\"n2\"} 1"),
            std::string::npos)
      << metrics.substr(0, 3000);
  EXPECT_NE(metrics.find("emulated=\"false\",image=\"labkeeper.dev/busybox:test\",kind=\"linux\",lab=\"lktest-arch\","
                         "node=\"n1\"} 1"),
            std::string::npos);

  // The Warning event names the image, its architecture and the engine's.
  bool warned = false;
  for (const auto& e : doc["events"])
    warned |= e["type"] == "Warning" && e["reason"] == "EmulatedNode" && e["object"] == "node/n2" &&
              e["message"].get<std::string>().find("image " + std::string(kArm) +
                                                   " is arm64 and the engine is amd64") != std::string::npos;
  EXPECT_TRUE(warned) << doc["events"].dump(2);
}

TEST(Architectures, DenyFailsOnlyTheEmulatedNode) {
  ASSERT_TRUE(test::EngineAnswers());
  std::string why;
  if (!CanEmulateArm64(&why)) GTEST_SKIP() << why;
  test::TempDir dir;
  std::string file = dir.Write("deny.clab.yml", R"(name: lktest-deny
topology:
  nodes:
    n1: {kind: linux, image: labkeeper.dev/busybox:test}
    n2: {kind: linux, image: labkeeper.dev/busybox-arm64:test}
    n3: {kind: linux, image: labkeeper.dev/busybox:test}
  links:
    - endpoints: ["n1:eth1", "n3:eth1"]
    - endpoints: ["n1:eth2", "n2:eth1"]
)");
  test::LabGuard guard("lktest-deny");
  auto r = Labkeeper("apply --emulation deny " + file);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("FAILED node/n2: image " + std::string(kArm) +
                       " is arm64 and the engine is amd64: emulated nodes are denied (emulation: deny)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("link/n1:eth1--n3:eth1: created"), std::string::npos) << "the rest of the lab converges";
  auto ids = test::LabContainers("lktest-deny");
  EXPECT_EQ(ids.count("clab-lktest-deny-n2"), 0u) << "no container for the denied node";
  EXPECT_EQ(Sh("docker inspect -f '{{.State.Running}}' clab-lktest-deny-n3"), "true\n");
  Labkeeper("destroy --lab lktest-deny");

  // The same policy from a Lab resource's spec.emulation, over a permissive command line.
  std::string lab = dir.Write("deny.lab.yml", R"(apiVersion: labkeeper.dev/v1alpha1
kind: Lab
metadata: {name: lktest-deny}
spec:
  emulation: deny
  topology:
    nodes:
      n1: {kind: linux, image: labkeeper.dev/busybox:test}
      n2: {kind: linux, image: labkeeper.dev/busybox-arm64:test}
)");
  auto r2 = Labkeeper("apply --emulation allow " + lab);
  EXPECT_EQ(r2.status, 1) << r2.out;
  EXPECT_NE(r2.out.find("emulated nodes are denied"), std::string::npos) << r2.out;
  // allow: it runs, without a warning.
  Labkeeper("destroy --lab lktest-deny");
  auto r3 = Labkeeper("apply --emulation allow " + file);
  EXPECT_EQ(r3.status, 0) << r3.out;
  EXPECT_EQ(r3.out.find("EmulatedNode"), std::string::npos) << r3.out;
}

// A registry of the test's own on loopback, holding lktest/multi:1 as an index of two images.
class LocalRegistry {
 public:
  explicit LocalRegistry(const std::string& dir) : dir_(dir) {
    fs::create_directories(dir_ + "/data");
    // Debian's packaged config demands htpasswd auth; this one has none and stays on loopback.
    std::ofstream(dir_ + "/config.yml") << "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " << dir_
                                        << "/data\nhttp:\n  addr: " << kAddr << "\n";
    pid_ = fork();
    if (pid_ == 0) {
      execlp("sh", "sh", "-c", ("exec docker-registry serve " + dir_ + "/config.yml >" + dir_ + "/log 2>&1").c_str(),
             nullptr);
      _exit(127);
    }
  }
  ~LocalRegistry() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool WaitReady() {
    return test::WaitFor([] { return Sh(std::string("curl -s http://") + kAddr + "/v2/") == "{}"; }, test::kStartBound,
                         300);
  }
  static constexpr char kAddr[] = "127.0.0.1:25000";

 private:
  std::string dir_;
  pid_t pid_ = -1;
};

TEST(Architectures, AMultiArchIndexGivesEachNodeItsVariant) {
  ASSERT_TRUE(test::EngineAnswers());
  std::string why;
  if (!CanEmulateArm64(&why)) GTEST_SKIP() << why;
  test::TempDir dir;
  LocalRegistry registry(dir.path() + "/registry");
  ASSERT_TRUE(registry.WaitReady()) << Sh("cat " + dir.path() + "/registry/log");
  const std::string repo = std::string(LocalRegistry::kAddr) + "/lktest/multi";
  struct Cleanup {
    std::string repo;
    ~Cleanup() {
      Sh("docker rmi -f " + repo + ":1 " + repo + ":amd64 " + repo + ":arm64");
      Sh("docker manifest rm " + repo + ":1");
    }
  } cleanup{repo};
  int st = 1;
  std::string out = Sh("docker tag labkeeper.dev/busybox:test " + repo + ":amd64 && docker tag " + std::string(kArm) +
                           " " + repo + ":arm64 && docker push -q " + repo + ":amd64 && docker push -q " + repo +
                           ":arm64 && docker manifest create --amend --insecure " + repo + ":1 " + repo + ":amd64 " +
                           repo + ":arm64 && docker manifest push --insecure " + repo + ":1",
                       &st);
  ASSERT_EQ(st, 0) << out;
  Sh("docker rmi -f " + repo + ":1 " + repo + ":amd64 " + repo + ":arm64");  // only the registry has them now

  std::string file =
      dir.Write("multi.clab.yml", "name: lktest-multi\ntopology:\n  nodes:\n    a: {kind: linux, image: " + repo +
                                      ":1}\n    b: {kind: linux, image: " + repo + ":1, platform: linux/arm64}\n");
  test::LabGuard guard("lktest-multi");
  auto r = Labkeeper("apply --emulation allow " + file);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("node/a: pulling image " + repo + ":1 (linux/amd64): done"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("node/b: pulling image " + repo + ":1 (linux/arm64): done"), std::string::npos) << r.out;
  EXPECT_EQ(Uname("clab-lktest-multi-a"), "x86_64");
  EXPECT_EQ(Uname("clab-lktest-multi-b"), "aarch64");
  auto status = nlohmann::json::parse(Labkeeper("status lktest-multi -o json --server http://127.0.0.1:29599").out);
  std::map<std::string, std::string> arch, image;
  for (const auto& n : status["labs"][0]["nodes"]) {
    arch[n["node"]] = n["architecture"].get<std::string>() + " " + n["execution"].get<std::string>();
    image[n["node"]] = n["image"];
  }
  EXPECT_EQ(arch["a"], "amd64 native");
  EXPECT_EQ(arch["b"], "arm64 emulated");
  EXPECT_EQ(image["b"], repo + ":1") << "status names the reference, not the image id";
  // A second apply is in sync: each node still has its own variant.
  EXPECT_NE(Labkeeper("apply --emulation allow " + file).out.find("in sync, no changes"), std::string::npos);
}

}  // namespace
}  // namespace lk
