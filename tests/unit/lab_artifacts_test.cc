// What labkeeper writes around a lab, as containerlab writes it: the inventories and
// topology-data.json read back by a YAML and a JSON parser, the /etc/hosts block edited without
// touching a line outside it, and LabArtifacts on the in-memory Env (written when changed only,
// names off, removed with the lab, the directory kept unless cleanup).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "controller/lab_artifacts.h"
#include "controller/ownership.h"
#include "tests/fakes/fake_env.h"
#include "tests/support/lab_text.h"

namespace lk::test {
namespace {

const char kLab[] = R"(
name: inv
topology:
  nodes:
    srl1: {kind: nokia_srlinux, image: ghcr.io/nokia/srlinux, labels: {ansible-group: spine}}
    h1: {kind: linux, image: alpine:3, labels: {nornir-group: hosts, nornir-group-2: edge}}
    h2: {kind: linux, image: alpine:3, labels: {ansible-no-host-var: "true"}}
    br: {kind: bridge}
  links:
    - endpoints: ["srl1:e1-1", "h1:eth1"]
    - endpoints: ["h1:eth2", "br:h1"]
)";

ContainerState Running(const LabSpec& lab, const std::string& node, const std::string& v4, const std::string& v6) {
  ContainerState c;
  c.id = "id-" + node;
  c.name = lab.ContainerName(node);
  c.state = "running";
  c.ipv4 = v4;
  c.ipv6 = v6;
  c.labels = {{kLabLabel, lab.name}, {kNodeNameLabel, node}, {"clab-node-kind", "linux"}, {kManagedByLabel, "x"}};
  return c;
}

class LabArtifactsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lab_ = LabOf(kLab, "/labs/inv.clab.yml");
    seen_ = {Running(lab_, "srl1", "172.20.20.2", "3fff:172:20:20::2"), Running(lab_, "h1", "172.20.20.3", ""),
             Running(lab_, "h2", "172.20.20.4", "3fff:172:20:20::4")};
    env_.AddFile(opts_.hosts_file, "127.0.0.1 localhost\n10.9.9.9 foreign-line\n");
    env_.MakeDirectories(opts_.ssh_config_dir);
  }
  ArtifactOptions opts_{true, "/etc/hosts", "/etc/ssh/ssh_config.d"};
  FakeEnv env_;
  LabSpec lab_;
  std::vector<ContainerState> seen_;
};

TEST_F(LabArtifactsTest, TheAnsibleInventoryGroupsByKindWithTheAddressesAndTheKindsVariables) {
  YAML::Node inv = YAML::Load(AnsibleInventory(lab_, seen_));
  YAML::Node kids = inv["all"]["children"];
  EXPECT_FALSE(inv["all"]["vars"]["ansible_httpapi_use_proxy"].as<bool>());
  EXPECT_EQ(kids["nokia_srlinux"]["hosts"]["clab-inv-srl1"]["ansible_host"].as<std::string>(), "172.20.20.2");
  EXPECT_EQ(kids["nokia_srlinux"]["vars"]["ansible_network_os"].as<std::string>(), "nokia.srlinux.srlinux");
  EXPECT_EQ(kids["nokia_srlinux"]["vars"]["ansible_user"].as<std::string>(), "admin");
  EXPECT_EQ(kids["linux"]["hosts"]["clab-inv-h1"]["ansible_host"].as<std::string>(), "172.20.20.3");
  EXPECT_FALSE(kids["linux"]["vars"]) << "containerlab knows no variables for linux nodes";
  EXPECT_TRUE(kids["linux"]["hosts"]["clab-inv-h2"].IsNull()) << "label ansible-no-host-var";
  EXPECT_EQ(kids["spine"]["hosts"]["clab-inv-srl1"]["ansible_host"].as<std::string>(), "172.20.20.2")
      << "label ansible-group";
  EXPECT_FALSE(kids["bridge"]) << "a bridge is no host";
}

TEST_F(LabArtifactsTest, TheNornirInventoryNamesEachNodeWithItsAddressPlatformAndGroups) {
  std::string text = NornirInventory(lab_, seen_);
  EXPECT_EQ(text.rfind("---\n", 0), 0u);
  YAML::Node inv = YAML::Load(text);
  EXPECT_EQ(inv["srl1"]["hostname"].as<std::string>(), "172.20.20.2");
  EXPECT_EQ(inv["srl1"]["platform"].as<std::string>(), "nokia_srlinux");
  EXPECT_EQ(inv["srl1"]["password"].as<std::string>(), "NokiaSrl1!");
  EXPECT_EQ(inv["h1"]["groups"].as<std::vector<std::string>>(), (std::vector<std::string>{"hosts", "edge"}));
  EXPECT_FALSE(inv["br"]);
}

TEST_F(LabArtifactsTest, TopologyDataHoldsTheNodesAddressesAndTheLinks) {
  seen_.pop_back();  // h2 not running (yet): listed, without addresses
  auto j = nlohmann::json::parse(TopologyDataJson(lab_, seen_));
  EXPECT_EQ(j["name"], "inv");
  EXPECT_EQ(j["type"], "clab");
  EXPECT_EQ(j["clab"]["config"]["mgmt"]["network"], "clab");
  EXPECT_EQ(j["clab"]["config"]["config-path"], "/labs");
  auto srl = j["nodes"]["srl1"];
  EXPECT_EQ(srl["longname"], "clab-inv-srl1");
  EXPECT_EQ(srl["mgmt-ipv4-address"], "172.20.20.2");
  EXPECT_EQ(srl["mgmt-ipv4-prefix-length"], 24);
  EXPECT_EQ(srl["mgmt-ipv6-address"], "3fff:172:20:20::2");
  EXPECT_EQ(srl["mgmt-ipv6-prefix-length"], 64);
  EXPECT_EQ(srl["kind"], "nokia_srlinux");
  EXPECT_EQ(srl["labels"]["containerlab"], "inv");
  EXPECT_EQ(srl["index"], "2") << "numbered by name: h1, h2, srl1";
  EXPECT_EQ(j["nodes"]["h2"]["mgmt-ipv4-address"], "");
  EXPECT_FALSE(j["nodes"].contains("br"));
  ASSERT_EQ(j["links"].size(), 2u);
  EXPECT_EQ(j["links"][0]["a"]["node"], "srl1");
  EXPECT_EQ(j["links"][0]["a"]["interface"], "e1-1");
  EXPECT_EQ(j["links"][0]["z"]["node"], "h1");
  EXPECT_EQ(j["links"][0]["z"]["peer"], "a");
  EXPECT_FALSE(j["links"][0]["a"]["mac"].get<std::string>().empty());
}

TEST(HostsBlock, NamesEveryAddressBetweenContainerlabsMarkers) {
  LabSpec lab = LabOf(kLab);
  std::vector<ContainerState> seen = {Running(lab, "srl1", "172.20.20.2", "3fff:172:20:20::2"),
                                      Running(lab, "h1", "172.20.20.3", "")};
  EXPECT_EQ(HostsBlock("inv", seen),
            "###### CLAB-inv-START ######\n"
            "172.20.20.3\tclab-inv-h1\n"
            "172.20.20.2\tclab-inv-srl1\n"
            "3fff:172:20:20::2\tclab-inv-srl1\n"
            "###### CLAB-inv-END ######\n");
  EXPECT_EQ(HostsBlock("inv", {}), "") << "no address: no block";
}

TEST(HostsBlock, AnEditTouchesNoLineOutsideTheLabsBlock) {
  const std::string block = "###### CLAB-a-START ######\n1.1.1.1\tclab-a-n\n###### CLAB-a-END ######\n";
  const std::string other = "###### CLAB-a-b-START ######\n2.2.2.2\tclab-a-b-n\n###### CLAB-a-b-END ######\n";
  // Appended, with the missing last newline of the file supplied.
  EXPECT_EQ(*WithHostsBlock("127.0.0.1 localhost", "a", block), "127.0.0.1 localhost\n" + block);
  // Replaced where it stood; the lines around it, and lab a-b's block, as they were.
  std::string before = "127.0.0.1 localhost\n" + block + "10.0.0.1 mine\n" + other;
  std::string changed = "###### CLAB-a-START ######\n1.1.1.9\tclab-a-n\n###### CLAB-a-END ######\n";
  EXPECT_EQ(*WithHostsBlock(before, "a", changed), "127.0.0.1 localhost\n" + changed + "10.0.0.1 mine\n" + other);
  // Removed.
  EXPECT_EQ(*WithHostsBlock(before, "a", ""), "127.0.0.1 localhost\n10.0.0.1 mine\n" + other);
  EXPECT_EQ(*WithHostsBlock(before, "a-b", ""), "127.0.0.1 localhost\n" + block + "10.0.0.1 mine\n");
  // Unchanged when it says the same.
  EXPECT_EQ(*WithHostsBlock(before, "a", block), before);
  // Begun and never ended: refused, nothing guessed.
  auto bad = WithHostsBlock("###### CLAB-a-START ######\n1.1.1.1 x\n9.9.9.9 mine\n", "a", block);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("without"), std::string::npos) << bad.error();
}

TEST_F(LabArtifactsTest, UpdateWritesEveryFileOnceAndAgainOnlyWhenWhatItSaysChanges) {
  LabArtifacts files(env_, opts_);
  auto first = files.Update(lab_, seen_);
  EXPECT_TRUE(first.errors.empty()) << first.errors[0];
  std::string dir = lab_.LabDir();
  for (const char* f : {"/topology-data.json", "/ansible-inventory.yml", "/nornir-simple-inventory.yml"})
    EXPECT_TRUE(env_.File(dir + f)) << f;
  EXPECT_TRUE(env_.IsDirectory(dir + "/srl1"));
  EXPECT_FALSE(env_.IsDirectory(dir + "/br"));
  std::string hosts = *env_.File("/etc/hosts");
  EXPECT_EQ(hosts.rfind("127.0.0.1 localhost\n10.9.9.9 foreign-line\n###### CLAB-inv-START ######\n", 0), 0u) << hosts;
  std::string ssh = *env_.File("/etc/ssh/ssh_config.d/clab-inv.conf");
  EXPECT_NE(ssh.find("Host clab-inv-srl1\n  User admin\n  StrictHostKeyChecking=no\n"), std::string::npos) << ssh;
  EXPECT_EQ(first.written.size(), 5u);

  EXPECT_TRUE(files.Update(lab_, seen_).written.empty()) << "nothing changed: nothing written";

  seen_[1].ipv4 = "172.20.20.30";  // h1 recreated with another address
  auto again = files.Update(lab_, seen_);
  std::set<std::string> written(again.written.begin(), again.written.end());
  EXPECT_TRUE(written.count(dir + "/ansible-inventory.yml"));
  EXPECT_TRUE(written.count("/etc/hosts"));
  EXPECT_FALSE(written.count("/etc/ssh/ssh_config.d/clab-inv.conf")) << "it names no address";
  EXPECT_NE(env_.File("/etc/hosts")->find("172.20.20.30\tclab-inv-h1\n"), std::string::npos);
}

TEST_F(LabArtifactsTest, WithNamesOffNeitherTheHostsFileNorTheSshConfigIsTouched) {
  opts_.names = false;
  auto out = LabArtifacts(env_, opts_).Update(lab_, seen_);
  EXPECT_TRUE(out.errors.empty());
  EXPECT_EQ(*env_.File("/etc/hosts"), "127.0.0.1 localhost\n10.9.9.9 foreign-line\n");
  EXPECT_FALSE(env_.File("/etc/ssh/ssh_config.d/clab-inv.conf"));
  EXPECT_TRUE(env_.File(lab_.LabDir() + "/ansible-inventory.yml")) << "the lab directory is written all the same";
}

TEST_F(LabArtifactsTest, RemovingTheLabTakesItsNamesAndKeepsItsDirectoryUnlessCleanup) {
  LabArtifacts files(env_, opts_);
  files.Update(lab_, seen_);
  env_.AddFile(lab_.LabDir() + "/srl1/config.json", "saved");
  auto out = files.Remove("inv", lab_.LabDir(), false);
  EXPECT_TRUE(out.errors.empty());
  EXPECT_EQ(*env_.File("/etc/hosts"), "127.0.0.1 localhost\n10.9.9.9 foreign-line\n");
  EXPECT_FALSE(env_.File("/etc/ssh/ssh_config.d/clab-inv.conf"));
  EXPECT_EQ(env_.File(lab_.LabDir() + "/srl1/config.json"), "saved") << "a saved config is never lost by default";
  files.Remove("other", lab_.LabDir(), true);
  EXPECT_TRUE(env_.File(lab_.LabDir() + "/srl1/config.json")) << "only a directory named clab-<lab> is removed";
  files.Remove("inv", lab_.LabDir(), true);
  EXPECT_FALSE(env_.File(lab_.LabDir() + "/srl1/config.json"));
  EXPECT_FALSE(env_.IsDirectory(lab_.LabDir()));
}

TEST_F(LabArtifactsTest, AnUnwritableDirectoryIsAnErrorOfTheFilesNotOfTheLab) {
  env_.FailNext("MakeDirectories", "Read-only file system");
  auto out = LabArtifacts(env_, opts_).Update(lab_, seen_);
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_NE(out.errors[0].find("Read-only"), std::string::npos);
}

TEST(LabDirOf, FindsTheDirectoryFromTheNodesLabelsAndOnlyTheLabsOwn) {
  ContainerState c;
  c.labels["clab-node-lab-dir"] = "/labs/clab-x/n1";
  EXPECT_EQ(LabDirOf("x", {c}), "/labs/clab-x");
  EXPECT_EQ(LabDirOf("y", {c}), "");
  EXPECT_EQ(LabDirOf("x", {}), "");
}

}  // namespace
}  // namespace lk::test
