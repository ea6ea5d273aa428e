// containerlab's own topology files (../shared/containerlab-corpus), deployed unchanged: every
// file whose nodes labkeeper can run here (Linux nodes whose images have a local stand-in,
// bridges, the host, external containers) is copied with its directory, applied, found in sync
// by `plan`, checked on the real engine and kernel (containers running, veth links whole), and
// destroyed. Every other file is only planned (the unit test ContainerlabCorpus plans all 96);
// the test prints each with the reason it cannot run here, so none is skipped silently.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "api/topology_codec.h"
#include "tests/support/support.h"

namespace lk {
namespace {

namespace fs = std::filesystem;
using test::Labkeeper;
using test::Sh;

// What a file needs from the test before it is applied, as containerlab's own tests provide it.
struct Needs {
  std::vector<std::string> ext_containers;  // made by the test (busybox, NET_ADMIN), by these names
  std::string first;                        // a file of the same directory applied before, kept up
  std::string macvlan_parent_var;           // ${VAR} naming the parent: the test's own host veth
  std::string fails_with;                   // apply exits 1 with this, as the file intends
};

const std::map<std::string, Needs> kNeeds = {
    {"tests/06-ext-container/01-ext-container.clab.yml", {{"ext1", "ext2"}, "", "", ""}},
    {"tests/06-ext-container/02-shared-namespace.clab.yaml", {{}, "02-shared-namespace-ext.clab.yaml", "", ""}},
    {"tests/01-smoke/macvlan.clab.yml", {{}, "", "host_link", ""}},
    // Its node runs a command that does not exist (containerlab's test of an exited container).
    {"tests/01-smoke/27-exited-container-cli.clab.yml", {{}, "", "", "executable file not found"}},
};

// Why the labs of a file cannot run here; empty when they can.
std::string WhyOnlyPlanned(const std::vector<LabSpec>& labs, bool dummy) {
  static const std::set<std::string> kRunnable = {"linux", "bridge", "host", "ext-container"};
  for (const auto& lab : labs) {
    for (const auto& n : lab.nodes) {
      if (!kRunnable.count(n.kind))
        return "node " + n.name + ": kind " + n.kind + (n.image.empty() ? "" : " (" + n.image + ")") +
               (n.kind == "k8s-kind"     ? " needs kind and a Kubernetes cluster"
                : n.kind == "ovs-bridge" ? " needs Open vSwitch"
                                         : " needs its vendor's software, which is not here");
    }
    for (const auto& n : lab.nodes) {
      int missing = 1;
      if (n.IsContainer()) Sh("docker image inspect " + n.image + " >/dev/null 2>&1", &missing);
      if (n.IsContainer() && missing != 0) return "node " + n.name + ": image " + n.image + " has no local stand-in";
    }
    for (const auto& l : lab.links)
      if (l.type == "dummy" && !dummy)
        return "link " + l.Id() + ": this kernel cannot make dummy interfaces (SharedSmokeLabs deploys the rest)";
  }
  return "";
}

// A container of the test's own, removed on destruction.
class ExtContainer {
 public:
  explicit ExtContainer(std::string name) : name_(std::move(name)) {
    Sh("docker rm -f " + name_ + " >/dev/null 2>&1; docker run -d --name " + name_ +
       " --label labkeeper.dev/test=corpus --cap-add NET_ADMIN " + test::kBusyboxImage + " >/dev/null");
  }
  ~ExtContainer() { Sh("docker rm -f " + name_ + " >/dev/null 2>&1"); }

 private:
  std::string name_;
};

bool Running(const std::string& container) {
  return test::Trim(Sh("docker inspect -f '{{.State.Running}}' " + container + " 2>&1")) == "true";
}

// Applies a copied file, checks it converged on the engine and kernel, destroys it.
void DeployAndConverge(const std::string& rel, const std::string& file, const Needs& needs) {
  SCOPED_TRACE(rel);
  FileLoad loaded = LoadFile(file);
  ASSERT_TRUE(loaded.ok()) << loaded.ErrorText();
  std::vector<std::unique_ptr<test::LabGuard>> guards;
  for (const auto& lab : loaded.labs) {
    ASSERT_TRUE(test::LabContainers(lab.name).empty()) << "a lab named " << lab.name << " runs here already";
    guards.push_back(std::make_unique<test::LabGuard>(lab.name));
  }
  std::vector<std::unique_ptr<ExtContainer>> ext;
  for (const auto& name : needs.ext_containers) ext.push_back(std::make_unique<ExtContainer>(name));
  std::map<std::string, std::string> env;
  std::unique_ptr<test::ScopedHostLink> parent;
  if (!needs.macvlan_parent_var.empty()) {
    parent = std::make_unique<test::ScopedHostLink>("lktest-mvpar", "type veth peer name lktest-mvpeer");
    ASSERT_EQ(parent->error, "");
    env[needs.macvlan_parent_var] = "lktest-mvpar";
  }
  std::string dir = fs::path(file).parent_path().string();
  std::unique_ptr<test::LabGuard> first_guard;
  if (!needs.first.empty()) {
    FileLoad f = LoadFile(dir + "/" + needs.first);
    ASSERT_TRUE(f.ok() && f.labs.size() == 1) << f.ErrorText();
    first_guard = std::make_unique<test::LabGuard>(f.labs[0].name);
    auto r = Labkeeper("apply " + dir + "/" + needs.first);
    ASSERT_EQ(r.status, 0) << r.out;
  }

  auto r = Labkeeper("apply " + file, env);
  auto p = Labkeeper("plan " + file, env);
  if (!needs.fails_with.empty()) {
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_NE(r.out.find(needs.fails_with), std::string::npos) << r.out;
    EXPECT_EQ(p.status, 1) << "what failed stays pending:\n" << p.out;
  } else {
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(p.status, 0) << "converged: plan has nothing to do\n" << p.out;
    for (const auto& lab : loaded.labs) {
      for (const auto& n : lab.nodes) {
        std::string c = lab.ContainerName(n.name);
        if (n.IsContainer()) {
          EXPECT_TRUE(Running(c)) << c;
        }
      }
      EXPECT_EQ(test::VethLinkProblems(lab), "");
    }
  }
  auto d = Labkeeper("destroy " + file, env);
  EXPECT_EQ(d.status, 0) << d.out;
  for (const auto& lab : loaded.labs) EXPECT_TRUE(test::LabContainers(lab.name).empty()) << lab.name;
}

TEST(ContainerlabCorpusDeployed, EveryFileThatCanRunHereDeploysUnchangedAndConverges) {
  ASSERT_TRUE(test::EngineAnswers());
  const std::string root = test::SharedDir() + "/containerlab-corpus";
  ASSERT_TRUE(fs::is_directory(root)) << root;
  bool dummy = test::KernelMakes("dummy");
  std::string planned_only, deployed;
  size_t n_deployed = 0, n_planned = 0;
  for (const auto& file : test::TopologyFilesUnder(root)) {
    std::string rel = file.substr(root.size() + 1);
    FileLoad loaded = LoadFile(file);
    EXPECT_TRUE(loaded.ok()) << rel << ":\n" << loaded.ErrorText();
    if (!loaded.ok()) continue;
    std::string why = WhyOnlyPlanned(loaded.labs, dummy);
    if (!why.empty()) {
      planned_only += "  " + rel + ": " + why + "\n";
      ++n_planned;
      continue;
    }
    test::TempDir copy;
    fs::copy(fs::path(file).parent_path(), copy.path(), fs::copy_options::recursive);
    auto it = kNeeds.find(rel);
    DeployAndConverge(rel, copy.path() + "/" + fs::path(file).filename().string(),
                      it == kNeeds.end() ? Needs{} : it->second);
    deployed += "  " + rel +
                (it != kNeeds.end() && !it->second.fails_with.empty()
                     ? " (its apply fails, as the file intends: " + it->second.fails_with + ")\n"
                     : "\n");
    ++n_deployed;
  }
  std::printf("containerlab corpus: %zu files deployed and converged:\n%s%zu only planned, with the reason:\n%s",
              n_deployed, deployed.c_str(), n_planned, planned_only.c_str());
  // The local stand-ins (images/build.sh) make these many runnable; fewer means one went missing.
  EXPECT_EQ(n_deployed, dummy ? 25u : 24u);
}

}  // namespace
}  // namespace lk
