// The Docker Engine API client against the real engine. Every object it makes is named
// lktest-dc-* and labelled labkeeper.dev/test, and removed at the end.
#include "controller/docker_client.h"

#include <gtest/gtest.h>

#include "controller/docker_runtime.h"
#include "tests/support/support.h"

namespace lk {
namespace {

using test::kBusyboxImage;

class DockerClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(test::EngineAnswers()) << "no Docker engine answers; scripts/docker-up.sh starts one";
    Cleanup();
  }
  void TearDown() override { Cleanup(); }
  void Cleanup() {
    docker_.RemoveContainer("lktest-dc-1", true);
    docker_.RemoveContainer("lktest-dc-2", true);
    if (auto n = docker_.InspectNetwork("lktest-dc-net"); n.ok() && !n->is_null())
      docker_.RemoveNetwork("lktest-dc-net");
  }
  nlohmann::json Body() {
    return {{"Image", kBusyboxImage},
            {"Labels", {{"labkeeper.dev/test", "docker-client"}}},
            {"HostConfig", {{"NetworkMode", "none"}}}};
  }
  DockerClient docker_;
};

TEST_F(DockerClientTest, VersionSpeaksApi141) {
  auto v = docker_.Version();
  ASSERT_TRUE(v.ok()) << v.error();
  EXPECT_TRUE(v->contains("ApiVersion"));
  EXPECT_TRUE(v->contains("Arch"));
}

TEST_F(DockerClientTest, ContainerLifecycleWithExecAndLabels) {
  auto id = docker_.CreateContainer("lktest-dc-1", Body());
  ASSERT_TRUE(id.ok()) << id.error();
  ASSERT_TRUE(docker_.StartContainer(*id).ok());
  auto j = docker_.InspectContainer("lktest-dc-1");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["State"]["Status"], "running");
  EXPECT_GT((*j)["State"]["Pid"].get<int>(), 0);

  auto listed = docker_.ListContainers({{"labkeeper.dev/test", "docker-client"}});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0]["Id"], *id);
  auto none = docker_.ListContainers({{"labkeeper.dev/test", "no-such-value"}});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  auto ok = docker_.Exec(*id, {"sh", "-c", "echo out; echo err >&2"});
  ASSERT_TRUE(ok.ok()) << ok.error();
  EXPECT_EQ(ok->exit_code, 0);
  EXPECT_NE(ok->output.find("out\n"), std::string::npos);
  EXPECT_NE(ok->output.find("err\n"), std::string::npos);
  auto bad = docker_.Exec(*id, {"sh", "-c", "exit 7"});
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->exit_code, 7);

  ASSERT_TRUE(docker_.StopContainer(*id, 2).ok());
  EXPECT_EQ((*docker_.InspectContainer(*id))["State"]["Status"], "exited");
  ASSERT_TRUE(docker_.RemoveContainer(*id).ok());
  auto gone = docker_.InspectContainer(*id);
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone->is_null());
}

TEST_F(DockerClientTest, ErrorsCarryTheEnginesMessage) {
  nlohmann::json body = Body();
  body["Image"] = "lktest-no-such-image:never";
  auto id = docker_.CreateContainer("lktest-dc-2", body);
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.error().find("No such image"), std::string::npos) << id.error();
  EXPECT_NE(id.error().find("create container lktest-dc-2"), std::string::npos) << id.error();
}

TEST_F(DockerClientTest, ImageInspect) {
  auto img = docker_.InspectImage(kBusyboxImage);
  ASSERT_TRUE(img.ok());
  ASSERT_FALSE(img->is_null());
  EXPECT_FALSE((*img)["Architecture"].get<std::string>().empty());
  auto missing = docker_.InspectImage("lktest-no-such-image:never");
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->is_null());
}

TEST_F(DockerClientTest, PullFailureCarriesTheEnginesMessage) {
  // A registry on a closed loopback port: the engine fails at once and sends nothing out.
  Status s = docker_.PullImage("127.0.0.1:1/lktest/missing:1");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("127.0.0.1:1"), std::string::npos) << s.message();
}

TEST_F(DockerClientTest, Networks) {
  nlohmann::json body = {{"Name", "lktest-dc-net"},
                         {"Driver", "bridge"},
                         {"IPAM", {{"Config", {{{"Subnet", "172.31.250.0/24"}}}}}},
                         {"Labels", {{"labkeeper.dev/test", "docker-client"}}}};
  auto id = docker_.CreateNetwork(body);
  ASSERT_TRUE(id.ok()) << id.error();
  auto n = docker_.InspectNetwork("lktest-dc-net");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)["IPAM"]["Config"][0]["Subnet"], "172.31.250.0/24");
  ASSERT_EQ(docker_.RemoveNetwork(*id).value_or(false), true);
  EXPECT_TRUE(docker_.InspectNetwork("lktest-dc-net")->is_null());
}

TEST_F(DockerClientTest, DockerHostIsHonoured) {
  DockerClient elsewhere("unix:///run/lktest-no-such.sock");
  EXPECT_EQ(elsewhere.host(), "unix:///run/lktest-no-such.sock");
  auto v = elsewhere.Version();
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().find("unix:///run/lktest-no-such.sock"), std::string::npos) << v.error();
  setenv("DOCKER_HOST", "unix:///var/run/docker.sock", 1);
  DockerClient from_env;
  unsetenv("DOCKER_HOST");
  EXPECT_EQ(from_env.host(), "unix:///var/run/docker.sock");
  EXPECT_TRUE(from_env.Version().ok());
}

TEST_F(DockerClientTest, RestrictedEngineRunsPrivilegedNodesWithGrantableCaps) {
  auto env = MakePosixEnv();
  auto runtime = MakeDockerRuntime(std::make_shared<DockerClient>(), *env);
  ContainerSpec spec;
  spec.name = "lktest-dc-1";
  spec.image = kBusyboxImage;
  spec.privileged = true;
  spec.network_mode = "none";
  spec.labels = {{"labkeeper.dev/test", "docker-client"}, {"clab-node-name", "n1"}};
  std::vector<Event> events;
  auto id = runtime->Run(spec, [&](const Event& e) { events.push_back(e); });
  ASSERT_TRUE(id.ok()) << id.error();
  auto j = docker_.InspectContainer(*id);
  EXPECT_EQ((*j)["State"]["Status"], "running");
  auto missing = MissingCapabilities(GrantableCapabilities());
  if (missing.empty()) {
    EXPECT_TRUE((*j)["HostConfig"]["Privileged"].get<bool>());
    EXPECT_TRUE(events.empty());
  } else {
    // This host's bounding set lacks some capabilities: the node runs with all the others.
    EXPECT_FALSE((*j)["HostConfig"]["Privileged"].get<bool>());
    EXPECT_EQ((*j)["HostConfig"]["CapAdd"][0], "ALL");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, "Warning");
    EXPECT_EQ(events[0].reason, "PrivilegesReduced");
    EXPECT_EQ(events[0].object, "node/n1");
    auto caps = docker_.Exec(*id, {"sh", "-c", "grep CapEff /proc/self/status"});
    ASSERT_TRUE(caps.ok());
    EXPECT_NE(caps->output.find("CapEff"), std::string::npos);
  }
}

}  // namespace
}  // namespace lk
