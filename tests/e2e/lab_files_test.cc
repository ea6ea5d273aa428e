// What labkeeper writes around a lab, on the real engine, read by the tools people script with:
// the lab directory beside the file (ansible-inventory --list, a JSON parser, a YAML parser)
// against the real containers' addresses, rewritten by the controller when a node is added or
// recreated, kept by destroy and removed by destroy --cleanup; and the lab's names in the real
// /etc/hosts (getent) and SSH client config (ssh -G), with a foreign line surviving apply, repair
// and destroy, /etc/hosts restored whatever happens.
#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/support.h"

namespace lk {
namespace {

namespace fs = std::filesystem;
using test::Labkeeper;
using test::Sh;

std::string LabText(const std::string& name, int nodes) {
  std::string t = "name: " + name + "\ntopology:\n  defaults: {kind: linux, image: " + test::kBusyboxImage +
                  ", cmd: sleep 100000}\n  nodes:\n";
  for (int i = 1; i <= nodes; ++i)
    t += "    n" + std::to_string(i) + ": {labels: {ansible-group: " + (i == 1 ? "edge" : "core") + "}}\n";
  t += "  links:\n    - endpoints: [\"n1:eth1\", \"n2:eth1\"]\n";
  return t;
}

std::string Address(const std::string& container) {
  return test::Trim(Sh("docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' " + container));
}

// The IPv4 address the host's resolver gives a name ("" for none). `getent hosts` would answer
// with the IPv6 address first: the block has both.
std::string V4Name(const std::string& name) {
  std::string out = Sh("getent ahostsv4 " + name + " 2>/dev/null");
  return out.substr(0, out.find_first_of(" \t\n"));
}

// Host name -> ansible_host, as Ansible itself reads the inventory.
std::map<std::string, std::string> AnsibleHosts(const std::string& inventory, nlohmann::json* out = nullptr) {
  int st = 1;
  std::string text = Sh("ansible-inventory -i " + inventory + " --list 2>/dev/null", &st);
  EXPECT_EQ(st, 0) << text;
  auto j = nlohmann::json::parse(text, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << text;
  std::map<std::string, std::string> hosts;
  if (j.is_discarded()) return hosts;
  for (const auto& [host, vars] : j["_meta"]["hostvars"].items()) hosts[host] = vars.value("ansible_host", "");
  if (out) *out = j;
  return hosts;
}

class LabFiles : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(test::EngineAnswers()); }
  // The lab directory beside the file, as containerlab makes it: no CLAB_LABDIR_BASE.
  test::ScopedEnv beside_{"CLAB_LABDIR_BASE", ""};
  test::TempDir dir_;
};

TEST_F(LabFiles, TheLabDirectoryHoldsInventoriesOfTheRealAddressesKeptCurrentAndKeptOnDestroy) {
  ASSERT_FALSE(Sh("command -v ansible-inventory").empty()) << "scripts/install-deps.sh installs ansible-core";
  const std::string lab = "lkfiles" + std::to_string(getpid() % 100000);
  test::LabGuard guard(lab);
  std::string file = dir_.Write("labs/" + lab + ".clab.yml", LabText(lab, 2));
  std::string labdir = dir_.path() + "/labs/clab-" + lab;
  auto r = Labkeeper("apply " + file);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(fs::is_directory(labdir + "/n1") && fs::is_directory(labdir + "/n2")) << "node directories";

  nlohmann::json inv;
  auto hosts = AnsibleHosts(labdir + "/ansible-inventory.yml", &inv);
  ASSERT_EQ(hosts.size(), 2u) << inv.dump(1);
  for (const char* n : {"n1", "n2"}) {
    std::string c = "clab-" + lab + "-" + n;
    EXPECT_FALSE(Address(c).empty());
    EXPECT_EQ(hosts[c], Address(c)) << c;
  }
  EXPECT_EQ(inv["linux"]["hosts"].size(), 2u) << "grouped by kind";
  EXPECT_EQ(inv["edge"]["hosts"], nlohmann::json::array({"clab-" + lab + "-n1"})) << "label ansible-group";

  auto data = nlohmann::json::parse(test::ReadText(labdir + "/topology-data.json"), nullptr, false);
  ASSERT_FALSE(data.is_discarded());
  EXPECT_EQ(data["name"], lab);
  EXPECT_EQ(data["nodes"]["n2"]["mgmt-ipv4-address"], Address("clab-" + lab + "-n2"));
  EXPECT_EQ(data["nodes"]["n2"]["labdir"], labdir + "/n2");
  EXPECT_EQ(data["links"][0]["a"]["interface"], "eth1");
  YAML::Node nornir = YAML::LoadFile(labdir + "/nornir-simple-inventory.yml");
  EXPECT_EQ(nornir["n1"]["hostname"].as<std::string>(), Address("clab-" + lab + "-n1"));

  // The controller keeps them current: a node added to the file, a node recreated.
  test::ControllerProcess ctl(dir_.path() + "/labs", dir_.path() + "/state", "--resync 5s");
  ctl.Start();
  ASSERT_TRUE(ctl.WaitCondition(lab, "Ready", "True", test::kStartBound)) << ctl.Log();
  dir_.Write("labs/" + lab + ".clab.yml", LabText(lab, 3));
  std::string n3 = "clab-" + lab + "-n3";
  EXPECT_TRUE(test::WaitFor(
      [&] { return !Address(n3).empty() && AnsibleHosts(labdir + "/ansible-inventory.yml")[n3] == Address(n3); },
      test::kStartBound))
      << ctl.Log();
  std::string n1 = "clab-" + lab + "-n1";
  std::string old_id = test::Trim(Sh("docker inspect -f '{{.Id}}' " + n1));
  Sh("docker rm -f " + n1);
  EXPECT_TRUE(test::WaitFor(
      [&] {
        std::string id = test::Trim(Sh("docker inspect -f '{{.Id}}' " + n1 + " 2>/dev/null"));
        return !id.empty() && id != old_id && !Address(n1).empty() &&
               AnsibleHosts(labdir + "/ansible-inventory.yml")[n1] == Address(n1) &&
               nlohmann::json::parse(
                   test::ReadText(labdir + "/topology-data.json"))["nodes"]["n1"]["mgmt-ipv4-address"] == Address(n1);
      },
      test::kStartBound))
      << ctl.Log();
  ctl.Signal(SIGTERM);
  ctl.Wait();

  // destroy keeps the lab directory, and what a node directory holds; --cleanup removes it.
  std::ofstream(labdir + "/n1/saved.cfg") << "hostname n1\n";
  r = Labkeeper("destroy " + file);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("is kept (--cleanup removes it)"), std::string::npos) << r.out;
  EXPECT_EQ(test::ReadText(labdir + "/n1/saved.cfg"), "hostname n1\n");
  r = Labkeeper("destroy --cleanup " + file);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_FALSE(fs::exists(labdir)) << r.out;
  EXPECT_TRUE(fs::exists(file)) << "only the lab directory goes";
}

// Restores /etc/hosts to exactly what it was, and removes the lab's SSH config, however the
// test ends.
struct HostsRestore {
  std::string saved = test::ReadText("/etc/hosts"), ssh_conf;
  ~HostsRestore() {
    std::ofstream("/etc/hosts", std::ios::trunc) << saved;
    std::remove(ssh_conf.c_str());
  }
};

TEST_F(LabFiles, TheLabsNamesResolveAndAForeignLineOfEtcHostsSurvivesApplyRepairAndDestroy) {
  ASSERT_TRUE(fs::is_directory("/etc/ssh/ssh_config.d")) << "scripts/install-deps.sh installs openssh-client";
  const std::string lab = "lknames" + std::to_string(getpid() % 100000);
  HostsRestore restore;
  restore.ssh_conf = "/etc/ssh/ssh_config.d/clab-" + lab + ".conf";
  test::ScopedEnv hosts("LABKEEPER_HOSTS_FILE", "/etc/hosts"), ssh("LABKEEPER_SSH_CONFIG_DIR", "/etc/ssh/ssh_config.d");
  test::LabGuard guard(lab);  // destroyed before the environment above is restored
  const std::string before = "10.253.0.1\tlk-foreign-before-" + lab + "\n";
  const std::string after = "10.253.0.2\tlk-foreign-after-" + lab + "\n";
  std::ofstream("/etc/hosts", std::ios::app) << before;
  std::string file = dir_.Write("labs/" + lab + ".clab.yml", LabText(lab, 2));
  auto r = Labkeeper("apply " + file);
  ASSERT_EQ(r.status, 0) << r.out;
  std::string n1 = "clab-" + lab + "-n1";
  EXPECT_EQ(V4Name(n1), Address(n1)) << test::ReadText("/etc/hosts");
  std::ofstream("/etc/hosts", std::ios::app) << after;  // below the lab's block
  std::string ssh_g = Sh("ssh -G " + n1);
  EXPECT_NE(ssh_g.find("stricthostkeychecking false"), std::string::npos) << ssh_g;
  EXPECT_NE(ssh_g.find("userknownhostsfile /dev/null"), std::string::npos) << ssh_g;

  // Repaired by the controller: the name follows the new container.
  test::ControllerProcess ctl(dir_.path() + "/labs", dir_.path() + "/state", "--resync 5s");
  ctl.Start();
  ASSERT_TRUE(ctl.WaitCondition(lab, "Ready", "True", test::kStartBound)) << ctl.Log();
  std::string old_id = test::Trim(Sh("docker inspect -f '{{.Id}}' " + n1));
  Sh("docker rm -f " + n1);
  EXPECT_TRUE(test::WaitFor(
      [&] {
        std::string id = test::Trim(Sh("docker inspect -f '{{.Id}}' " + n1 + " 2>/dev/null"));
        std::string addr = Address(n1);
        return !id.empty() && id != old_id && !addr.empty() && V4Name(n1) == addr;
      },
      test::kStartBound))
      << ctl.Log() << test::ReadText("/etc/hosts");
  ctl.Signal(SIGTERM);
  ctl.Wait();
  std::string text = test::ReadText("/etc/hosts");
  EXPECT_NE(text.find(before), std::string::npos) << text;
  EXPECT_NE(text.find(after), std::string::npos) << text;
  EXPECT_EQ(text.find("###### CLAB-" + lab + "-START ######"), text.rfind("###### CLAB-" + lab + "-START ######"))
      << "one block:\n"
      << text;

  r = Labkeeper("destroy " + file);
  ASSERT_EQ(r.status, 0) << r.out;
  text = test::ReadText("/etc/hosts");
  EXPECT_EQ(text.find("CLAB-" + lab + "-"), std::string::npos) << text;
  EXPECT_NE(text.find(before), std::string::npos) << text;
  EXPECT_NE(text.find(after), std::string::npos) << text;
  EXPECT_FALSE(fs::exists(restore.ssh_conf));
  EXPECT_EQ(V4Name(n1), "");

  // --no-host-names: neither file is written.
  r = Labkeeper("apply --no-host-names " + file);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(test::ReadText("/etc/hosts"), text);
  EXPECT_FALSE(fs::exists(restore.ssh_conf));
  EXPECT_EQ(Labkeeper("destroy --no-host-names " + file).status, 0);
}

}  // namespace
}  // namespace lk
