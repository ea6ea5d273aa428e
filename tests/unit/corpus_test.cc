// containerlab's own topology files (../shared/containerlab-corpus: its lab-examples/ and tests/,
// unchanged): every one is loaded and, where labkeeper takes it, planned against an empty host,
// which must make exactly its container nodes, bridges and links. The files labkeeper still
// refuses are listed below with the reason, and printed, so none is skipped silently; one that
// becomes accepted fails the test until it leaves the list.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>

#include "api/topology_codec.h"
#include "controller/planner.h"
#include "tests/support/support.h"

namespace lk {
namespace {

namespace fs = std::filesystem;

// Relative path -> what its first error says (issue 14: kinds not in labkeeper's table yet, a
// host interface name longer than Linux's 15 characters).
const std::map<std::string, std::string> kRefused = {
    {"lab-examples/asav01/asav01.clab.yml", R"(kind "cisco_asav" is not supported)"},
    {"lab-examples/ciena_saos/ciena_saos.clab.yml", R"(kind "ciena_saos" is not supported)"},
    {"lab-examples/cvx01/topo.clab.yml", R"(kind "cumulus_cvx" is not supported)"},
    {"lab-examples/cvx02/topo.clab.yml", R"(kind "cumulus_cvx" is not supported)"},
    {"lab-examples/f5bigipve01/f5bigipve01.clab.yml", R"(kind "f5_bigip-ve" is not supported)"},
    {"lab-examples/fortigate/fortigate.clab.yml", R"(kind "fortinet_fortigate" is not supported)"},
    {"lab-examples/freebsd01/freebsd01.clab.yml", R"(kind "freebsd" is not supported)"},
    {"lab-examples/generic_vm01/generic_vm.clab.yml", R"(kind "generic_vm" is not supported)"},
    {"lab-examples/ixiac01/ixiac01.clab.yml", R"(kind "keysight_ixia-c-one" is not supported)"},
    {"lab-examples/k8s_kind01/k8s_kind01.clab.yml", R"(kind "k8s-kind" is not supported)"},
    {"lab-examples/osvbng01/osvbng01.clab.yml", R"(kind "veesix_osvbng" is not supported)"},
    {"lab-examples/sr-sim/lab-distributed-components.clab.yaml", R"(kind "nokia_srsim" is not supported)"},
    {"lab-examples/sr-sim/lab-distributed.clab.yaml", R"(kind "nokia_srsim" is not supported)"},
    {"lab-examples/sr-sim/lab-integrated.clab.yaml", R"(kind "nokia_srsim" is not supported)"},
    {"lab-examples/sr-sim/lab.clab.yaml", R"(kind "nokia_srsim" is not supported)"},
    {"lab-examples/sr-sim/sr-14s-components.clab.yaml", R"(kind "nokia_srsim" is not supported)"},
    {"lab-examples/sr-sim/sr-14s.clab.yaml", R"(kind "nokia_srsim" is not supported)"},
    {"lab-examples/sr-sim/sr-2s.clab.yaml", R"(kind "nokia_srsim" is not supported)"},
    {"lab-examples/sr-sim/sros-srl.clab.yml", R"(kind "nokia_srsim" is not supported)"},
    {"lab-examples/srlarcos01/srlarcos01.clab.yml", R"(kind "arrcus_arcos" is not supported)"},
    {"lab-examples/srlcjunosevo/srlcjunosevo.clab.yml", R"(kind "juniper_cjunosevolved" is not supported)"},
    {"lab-examples/srlvjunos02/srlvjunos02.clab.yml", R"(kind "juniper_vjunosevolved" is not supported)"},
    {"lab-examples/vr03/vr03.clab.yml", R"(kind "cisco_xrv" is not supported)"},
    {"tests/05-k8s-kind/01-basic-k8s-kind.clab.yml", R"(kind "k8s-kind" is not supported)"},
    {"tests/08-vxlan/03-vxlan-tools.clab.yml",
     R"(host-interface "some_very_long_node_name_l1_eth1" is 32 characters long)"},
    {"tests/09-fortigate/fortigates.clab.yml", R"(kind "fortinet_fortigate" is not supported)"},
    {"tests/10-basic-cisco_iol/iol.clab.yml", R"(kind "cisco_iol" is not supported)"},
    {"tests/11-fdio-vpp/e2e-lab/vpp.clab.yml", R"(kind "fdio_vpp" is not supported)"},
    {"tests/13-srsim/01-srsim.clab.yml", R"(kind "nokia_srsim" is not supported)"},
    {"tests/13-srsim/03-srsim-dist.clab.yml", R"(kind "nokia_srsim" is not supported)"},
    {"tests/13-srsim/04-srsim-classic.clab.yml", R"(kind "nokia_srsim" is not supported)"},
    {"tests/13-srsim/05-srsim-comp.clab.yml", R"(kind "nokia_srsim" is not supported)"},
    {"tests/13-srsim/06-srsim-sar.clab.yml", R"(kind "nokia_srsim" is not supported)"},
    {"tests/13-srsim/07-srsim-mix.clab.yml", R"(kind "nokia_srsim" is not supported)"},
    {"tests/13-srsim/08-srsim-comp-cfg-test.clab.yml", R"(kind "nokia_srsim" is not supported)"},
    {"tests/13-srsim/09-srsim-comp-sort-mgmt.clab.yml", R"(kind "nokia_srsim" is not supported)"},
    {"tests/13-srsim/10-srsim-lifecycle.clab.yml", R"(kind "nokia_srsim" is not supported)"},
    {"tests/13-srsim/11-srsim-apply.clab.yml", R"(kind "nokia_srsim" is not supported)"},
    {"tests/13-srsim/12-srsim-veth-stitch.clab.yml", R"(kind "nokia_srsim" is not supported)"},
};

std::vector<std::string> CorpusFiles(const std::string& root) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && IsTopologyFileName(e.path().string())) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

size_t Count(const Plan& p, ActionKind k) {
  return static_cast<size_t>(
      std::count_if(p.actions.begin(), p.actions.end(), [&](const Action& a) { return a.kind == k; }));
}

TEST(ContainerlabCorpus, EveryFileIsPlannedExactlyOrRefusedForItsListedReason) {
  const std::string root = test::SharedDir() + "/containerlab-corpus";
  if (!fs::is_directory(root)) GTEST_SKIP() << root << " is not here";
  auto files = CorpusFiles(root);
  size_t templates = static_cast<size_t>(std::count_if(files.begin(), files.end(), [](const std::string& f) {
    return f.size() > 7 && f.compare(f.size() - 7, 7, ".gotmpl") == 0;
  }));
  EXPECT_EQ(files.size() - templates, 96u) << "the corpus holds containerlab's 96 topology files, and templates";
  size_t planned = 0;
  std::string refused;
  for (const auto& file : files) {
    std::string rel = file.substr(root.size() + 1);
    FileLoad r = LoadFile(file);
    if (auto known = kRefused.find(rel); known != kRefused.end()) {
      EXPECT_FALSE(r.ok()) << rel << " is accepted now: take it off kRefused";
      EXPECT_NE(r.ErrorText().find(known->second), std::string::npos) << rel << ":\n" << r.ErrorText();
      refused += "  " + rel + ": " + known->second + "\n";
      continue;
    }
    ASSERT_TRUE(r.ok()) << rel << ":\n" << r.ErrorText();
    for (const LabSpec& lab : r.labs) {
      ObservedLab none;
      none.lab = lab.name;
      Plan p = MakePlan(lab, none);
      size_t containers = 0, bridges = 0;
      for (const auto& n : lab.nodes) {
        containers += n.IsContainer();
        bridges += n.IsBridge();
      }
      EXPECT_EQ(Count(p, ActionKind::kCreateContainer), containers) << rel;
      EXPECT_EQ(Count(p, ActionKind::kCreateBridge), bridges) << rel;
      EXPECT_EQ(Count(p, ActionKind::kCreateLink), lab.links.size()) << rel;
      EXPECT_EQ(Count(p, ActionKind::kConflict), 0u) << rel;
    }
    ++planned;
  }
  std::printf("containerlab corpus: %zu of %zu files planned; refused, with the reason:\n%s", planned, files.size(),
              refused.c_str());
  EXPECT_EQ(planned + kRefused.size(), files.size()) << "a listed file is not in the corpus";
}

}  // namespace
}  // namespace lk
