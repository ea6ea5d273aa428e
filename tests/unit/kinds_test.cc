// The kind table (api/kind_table.cc), a test per row: its names, its packaging, how an interface
// written in the vendor's style is named in Linux, and the defaults that shape the container.
// Then what resolving does with a kind: a VM's launch, IOL's checks, SR-SIM's components,
// k8s-kind; and the JSON Schemas knowing every name.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "api/kinds.h"
#include "api/topology_codec.h"
#include "tests/support/lab_text.h"
#include "tests/support/support.h"

namespace lk {
namespace {

struct Row {
  std::string name;
  std::vector<std::string> aliases;
  Packaging packaging;
  std::string written, linux_name;  // an interface as a file writes it, and its Linux name
};

constexpr Packaging C = Packaging::kContainer, V = Packaging::kVm, A = Packaging::kAttached, E = Packaging::kExternal;

const std::vector<Row> kRows = {
    {"linux", {}, C, "eth1", "eth1"},
    {"nokia_srlinux", {"srl"}, C, "ethernet-1/3/2", "e1-3-2"},
    {"nokia_srsim", {}, C, "1/x2/3/c4/5", "e1-x2-3-c4-5"},
    {"arista_ceos", {"ceos"}, C, "Ethernet1/2", "eth1_2"},
    {"juniper_crpd", {"crpd"}, C, "eth1", "eth1"},
    {"juniper_cjunosevolved", {"cjunosevolved"}, C, "et-0/0/0", "eth4"},
    {"juniper_csrx", {"csrx"}, C, "eth1", "eth1"},
    {"cisco_xrd", {"xrd"}, C, "GigabitEthernet0/0/0/1", "Gi0-0-0-1"},
    {"cisco_iol", {}, C, "Ethernet1/2", "eth6"},
    {"cisco_c8000", {"c8000"}, C, "eth1", "eth1"},
    {"cumulus_cvx", {"cvx"}, C, "swp12", "swp12"},
    {"sonic-vs", {}, C, "eth1", "eth1"},
    {"keysight_ixia-c-one", {}, C, "eth1", "eth1"},
    {"fdio_vpp", {}, C, "eth1", "eth1"},
    {"arrcus_arcos", {}, C, "swp1", "swp1"},
    {"veesix_osvbng", {}, C, "eth1", "eth1"},
    {"6wind_vsr", {}, C, "eth1", "eth1"},
    {"vyosnetworks_vyos", {}, C, "eth1", "eth1"},
    {"rare", {}, C, "eth1", "eth1"},
    {"nokia_sros", {"vr-sros", "vr-nokia_sros"}, V, "1/1/3", "eth3"},
    {"juniper_vmx", {"vr-vmx", "vr-juniper_vmx"}, V, "ge-0/0/0", "eth1"},
    {"juniper_vqfx", {"vr-vqfx", "vr-juniper_vqfx"}, V, "xe-0/0/2", "eth3"},
    {"juniper_vsrx", {"vr-vsrx", "vr-juniper_vsrx"}, V, "ge-0/0/1", "eth2"},
    {"juniper_vjunosrouter", {"vr-vjunosrouter"}, V, "ge-0/0/0", "eth1"},
    {"juniper_vjunosswitch", {"vr-vjunosswitch"}, V, "ge-0/0/4", "eth5"},
    {"juniper_vjunosevolved", {"vr-vjunosevolved"}, V, "et-0/0/0", "eth1"},
    {"cisco_xrv", {"vr-xrv", "vr-cisco_xrv"}, V, "Gi0/0/0/0", "eth1"},
    {"cisco_xrv9k", {"vr-xrv9k", "vr-cisco_xrv9k"}, V, "GigabitEthernet0/0/0/2", "eth3"},
    {"cisco_csr1000v", {"vr-csr", "vr-cisco_csr1000v"}, V, "GigabitEthernet2", "eth1"},
    {"cisco_c8000v", {"vr-c8000v", "vr-cisco_c8000v"}, V, "Gi3", "eth2"},
    {"cisco_n9kv", {"vr-n9kv", "vr-cisco_n9kv"}, V, "Ethernet1/1", "eth1"},
    {"cisco_nxos", {"vr-nxos", "vr-cisco_nxos"}, V, "Ethernet2/3", "eth3"},
    {"cisco_cat9kv", {"vr-cat9kv", "vr-cisco_cat9kv"}, V, "GigabitEthernet1/0/1", "eth1"},
    {"cisco_ftdv", {"vr-ftdv", "vr-cisco_ftdv"}, V, "GigabitEthernet0/0", "eth1"},
    {"cisco_asav", {"vr-asav", "vr-cisco_asav"}, V, "Gi0/1", "eth2"},
    {"cisco_vios", {"vr-vios", "vr-cisco_vios"}, V, "GigabitEthernet0/1", "eth1"},
    {"arista_veos", {"vr-veos", "vr-arista_veos"}, V, "Ethernet1", "eth1"},
    {"aruba_aoscx", {"vr-aoscx", "vr-aruba_aoscx"}, V, "1/1/1", "eth1"},
    {"dell_ftosv", {"vr-ftosv", "vr-dell_ftosv"}, V, "ethernet1/1/2", "eth2"},
    {"mikrotik_ros", {"vr-ros", "vr-mikrotik_ros"}, V, "ether2", "eth1"},
    {"paloalto_panos", {"vr-pan", "vr-paloalto_panos"}, V, "ethernet1/1", "eth1"},
    {"fortinet_fortigate", {}, V, "port2", "eth1"},
    {"f5_bigip-ve", {}, V, "1.1", "eth1"},
    {"ciena_saos", {}, V, "1", "eth1"},
    {"dell_sonic", {}, V, "Ethernet0", "eth1"},
    {"sonic-vm", {}, V, "Ethernet4", "eth5"},
    {"ipinfusion_ocnos", {}, V, "eth1", "eth1"},
    {"openbsd", {}, V, "eth1", "eth1"},
    {"freebsd", {}, V, "eth1", "eth1"},
    {"checkpoint_cloudguard", {}, V, "eth1", "eth1"},
    {"huawei_vrp", {}, V, "eth1", "eth1"},
    {"generic_vm", {}, V, "eth1", "eth1"},
    {"bridge", {}, A, "p1", "p1"},
    {"ovs-bridge", {}, A, "p1", "p1"},
    {"host", {}, A, "veth0", "veth0"},
    {"ext-container", {}, A, "eth1", "eth1"},
    {"k8s-kind", {}, E, "eth1", "eth1"},
};

class KindRow : public testing::TestWithParam<Row> {};

TEST_P(KindRow, NamesPackagingInterfacesAndDefaults) {
  const Row& row = GetParam();
  const KindInfo* k = FindKind(row.name);
  ASSERT_NE(k, nullptr) << row.name;
  EXPECT_EQ(k->name, row.name);
  EXPECT_EQ(k->aliases, row.aliases);
  for (const auto& a : row.aliases) EXPECT_EQ(FindKind(a), k) << a;
  EXPECT_EQ(k->packaging, row.packaging);
  EXPECT_EQ(LinuxIfaceName(row.name, row.written), row.linux_name);
  for (const auto& a : row.aliases) EXPECT_EQ(LinuxIfaceName(a, row.written), row.linux_name) << a;
  EXPECT_EQ(KindRefusesIface(row.name, row.linux_name), std::nullopt);
  if (k->IsVm()) {  // vrnetlab's launch: credentials and the tc connection mode
    EXPECT_FALSE(k->username.empty());
    EXPECT_EQ(k->env.at("USERNAME"), k->username);
    EXPECT_EQ(k->env.at("PASSWORD"), k->password);
    EXPECT_EQ(k->env.at("CONNECTION_MODE"), "tc");
  }
  EXPECT_EQ(k->RunsContainer(), row.packaging == C || row.packaging == V);
}

INSTANTIATE_TEST_SUITE_P(EveryKind, KindRow, testing::ValuesIn(kRows), [](const auto& info) {
  std::string n = info.param.name;
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
});

TEST(Kinds, TheTableHasARowHereForEachKindAndNoNameTwice) {
  std::set<std::string> tested;
  for (const auto& r : kRows) tested.insert(r.name);
  size_t names = 0;
  for (const auto& k : AllKinds()) {
    EXPECT_TRUE(tested.count(k.name)) << k.name << " has no row in kRows";
    names += 1 + k.aliases.size();
  }
  EXPECT_EQ(AllKinds().size(), kRows.size());
  EXPECT_EQ(KindNames().size(), names) << "a name or alias belongs to two kinds";
  std::printf("labkeeper knows %zu kinds, %zu names with their aliases\n", AllKinds().size(), names);
  EXPECT_EQ(FindKind("nonsense"), nullptr);
}

TEST(Kinds, ContainerDefaultsOfTheContainerKinds) {
  EXPECT_EQ(FindKind("ceos")->env.at("CEOS"), "1");
  EXPECT_EQ(FindKind("srl")->user, "0:0");
  EXPECT_EQ(FindKind("nokia_srsim")->env.at("SRSIM"), "1");
  EXPECT_EQ(FindKind("nokia_srsim")->sysctls.at("net.ipv4.ip_forward"), "0");
  EXPECT_EQ(FindKind("fortinet_fortigate")->env.at("RAM"), "2048");
  EXPECT_EQ(LinuxIfaceName("nokia_srlinux", "ethernet-1/1"), "e1-1");
  EXPECT_EQ(LinuxIfaceName("arista_ceos", "eth1"), "eth1");
  EXPECT_EQ(LinuxIfaceName("linux", "ethernet-1/1"), "ethernet-1/1");
  EXPECT_EQ(LinuxIfaceName("cisco_iol", "e0/2"), "eth2");
  EXPECT_EQ(LinuxIfaceName("nokia_srsim", "1/1/c1/1"), "e1-1-c1-1");
  EXPECT_EQ(LinuxIfaceName("nokia_srsim", "2/x1/1/c1/1"), "e2-x1-1-c1-1");
  EXPECT_EQ(LinuxIfaceName("nokia_srsim", "1/2/3"), "e1-2-3");
  EXPECT_NE(KindRefusesIface("cisco_iol", "eth0"), std::nullopt);  // Ethernet0/0: management
  EXPECT_NE(KindRefusesIface("cumulus_cvx", "eth1"), std::nullopt);
  EXPECT_NE(KindRefusesIface("nokia_srsim", "1-1-1"), std::nullopt);
}

// What the loader says, or "" when the file is taken.
std::string ErrorsOf(const std::string& yaml) {
  std::map<std::string, std::string> env;
  auto r = LoadTopologyText(yaml, "/labs/x.clab.yml", &env);
  return r.ok() ? "" : r.ErrorText();
}

TEST(Kinds, AVmIsLaunchedWithItsCredentialsNicsAndManagementSubnets) {
  LabSpec lab = test::LabOf(R"(name: v
topology:
  nodes:
    r1: {kind: vr-vmx, image: vrnetlab/vr-vmx:18.2}
    r2: {kind: fortinet_fortigate, image: vrnetlab/vr-fortigate:7.0.14, env: {CONNECTION_MODE: bridge}}
    r3: {kind: cisco_xrv, image: vrnetlab/vr-xrv:6.1.2, cmd: --trace}
  links:
    - endpoints: ["r1:ge-0/0/0", "r2:port2"]
    - endpoints: ["r1:ge-0/0/1", "r2:port3"]
    - endpoints: ["r1:ge-0/0/2", "r3:Gi0/0/0/0"]
)");
  ASSERT_EQ(lab.nodes.size(), 3u);
  const NodeConfig& r1 = *lab.FindNode("r1");
  EXPECT_EQ(r1.kind, "juniper_vmx");
  EXPECT_EQ(r1.env.at("CLAB_INTFS"), "3");
  EXPECT_EQ(r1.env.at("DOCKER_NET_V4_ADDR"), "172.20.20.0/24");
  EXPECT_EQ(r1.env.at("DOCKER_NET_V6_ADDR"), "3fff:172:20:20::/64");
  EXPECT_EQ(r1.cmd, (std::vector<std::string>{"--username", "admin", "--password", "admin@123", "--hostname", "r1",
                                              "--connection-mode", "tc", "--trace"}));
  const NodeConfig& r2 = *lab.FindNode("r2");
  EXPECT_EQ(r2.env.at("CLAB_INTFS"), "2");
  EXPECT_EQ(r2.cmd[7], "bridge");  // the node's CONNECTION_MODE is what the VM is launched with
  EXPECT_EQ(lab.links[0].b.iface, "eth1");
  EXPECT_EQ(lab.links[1].b.iface, "eth2");
  EXPECT_EQ(lab.FindNode("r3")->cmd, std::vector<std::string>{"--trace"});  // a command of its own is kept
  EXPECT_EQ(lab.links[2].b.iface, "eth1");
}

TEST(Kinds, CiscoIolTypesInterfacesAndProcessIds) {
  LabSpec lab = test::LabOf(R"(name: iol
topology:
  nodes:
    router1: {kind: cisco_iol, image: cisco_iol:17.12.01}
    switch: {kind: cisco_iol, image: cisco_iol:L2-17.12.01, type: L2}
  links:
    - endpoints: ["router1:Ethernet0/1", "switch:e1/0"]
)");
  EXPECT_EQ(lab.links[0].a.iface, "eth1");
  EXPECT_EQ(lab.links[0].b.iface, "eth4");
  EXPECT_EQ(lab.FindNode("router1")->env.at("IOL_PID"), "1");
  EXPECT_EQ(lab.FindNode("switch")->env.at("IOL_PID"), "2");
  std::string bad = ErrorsOf(R"(name: iol
topology:
  nodes:
    r: {kind: cisco_iol, image: i, type: l3}
    s: {kind: cisco_iol, image: i}
  links:
    - endpoints: ["r:Ethernet0/0", "s:eth1"]
)");
  EXPECT_NE(bad.find(R"(x.clab.yml:4:42: node "r": type "l3" is not a type of cisco_iol (iol, l2))"), std::string::npos)
      << bad;
  EXPECT_NE(bad.find(R"(interface "Ethernet0/0" is not an interface a cisco_iol node has)"), std::string::npos) << bad;
}

TEST(Kinds, CumulusVxInterfacesAreSwpN) {
  std::string bad = ErrorsOf(R"(name: c
topology:
  nodes:
    sw1: {kind: cvx, image: networkop/cx:4.3.0}
    h: {kind: linux, image: i}
  links:
    - endpoints: ["sw1:eth1", "h:eth1"]
)");
  EXPECT_NE(bad.find(R"(interface "eth1" is not an interface a cumulus_cvx node has (swpN))"), std::string::npos)
      << bad;
}

TEST(Kinds, SrsimComponentsAreContainersInTheNamespaceOfTheFirst) {
  LabSpec lab = test::LabOf(R"(name: sros
topology:
  kinds:
    nokia_srsim: {image: nokia_srsim:25.7.R1, license: /opt/license.txt}
  nodes:
    sr:
      kind: nokia_srsim
      type: SR-7
      env: {NOKIA_SROS_SFM: m-sfm6-7/12}
      components:
        - slot: A
        - slot: b
        - {slot: 1, type: iom5-e, env: {NOKIA_SROS_MDA_1: me6-100gb-qsfp28}}
    one:
      kind: nokia_srsim
      components:
        - {env: {NOKIA_SROS_MDA_1: me12-100gb-qsfp28}, mda: [{slot: 1, type: me6-100gb-qsfp28}]}
    cpe: {kind: linux, image: alpine:3}
  links:
    - endpoints: ["cpe:eth1", "sr:1/1/c1/1"]
    - endpoints: ["cpe:eth2", "one:1/1/1"]
)");
  std::vector<std::string> names;
  for (const auto& n : lab.nodes) names.push_back(n.name);
  EXPECT_EQ(names, (std::vector<std::string>{"sr-a", "sr-b", "sr-1", "one", "cpe"}));
  const NodeConfig& a = *lab.FindNode("sr-a");
  EXPECT_EQ(a.network_mode, "");
  EXPECT_EQ(a.env.at("NOKIA_SROS_SLOT"), "A");
  EXPECT_EQ(a.env.at("NOKIA_SROS_CHASSIS"), "SR-7");  // the node's type (SR-1 when none)
  EXPECT_EQ(a.env.at("NOKIA_SROS_SFM"), "m-sfm6-7/12");
  EXPECT_EQ(a.user, "0:0");
  const NodeConfig& b = *lab.FindNode("sr-b");
  EXPECT_EQ(b.network_mode, "container:sr-a");
  EXPECT_EQ(b.env.at("NOKIA_SROS_SLOT"), "B");
  EXPECT_EQ(b.env.at("NOKIA_SROS_SYSTEM_BASE_MAC"), a.env.at("NOKIA_SROS_SYSTEM_BASE_MAC"));  // one chassis
  const NodeConfig& card = *lab.FindNode("sr-1");
  EXPECT_EQ(card.network_mode, "container:sr-a");
  EXPECT_EQ(card.env.at("NOKIA_SROS_CARD"), "iom5-e");
  EXPECT_EQ(card.env.at("NOKIA_SROS_MDA_1"), "me6-100gb-qsfp28");
  EXPECT_EQ(lab.links[0].b.node, "sr-a");  // the system's links are in its one namespace
  EXPECT_EQ(lab.links[0].b.iface, "e1-1-c1-1");
  const NodeConfig& one = *lab.FindNode("one");  // a single component: the node takes its settings
  EXPECT_EQ(one.env.at("NOKIA_SROS_MDA_1"), "me12-100gb-qsfp28");
  EXPECT_EQ(one.network_mode, "");
  EXPECT_EQ(one.env.at("NOKIA_SROS_CHASSIS"), "SR-1");
  EXPECT_NE(one.env.at("NOKIA_SROS_SYSTEM_BASE_MAC"), a.env.at("NOKIA_SROS_SYSTEM_BASE_MAC"));
  EXPECT_EQ(lab.links[1].b.iface, "e1-1-1");
}

TEST(Kinds, AnEndpointIsUsedOnceHoweverItsNodeAndInterfaceAreWritten) {
  std::string bad = ErrorsOf(R"(name: s
topology:
  nodes:
    sr: {kind: nokia_srsim, image: i, components: [{slot: A}, {slot: 1}]}
    cpe: {kind: linux, image: i}
  links:
    - endpoints: ["cpe:eth1", "sr:1/1/c1/1"]
    - endpoints: ["cpe:eth2", "sr-a:e1-1-c1-1"]
)");
  EXPECT_NE(bad.find("x.clab.yml:8:31: link 1: endpoint sr-a:e1-1-c1-1 is used by more than one link"),
            std::string::npos)
      << bad;
}

TEST(Kinds, AWaitForADistributedSrsimWaitsForItsFirstComponent) {
  LabSpec lab = test::LabOf(R"(name: s
topology:
  nodes:
    sr: {kind: nokia_srsim, image: i, components: [{slot: A}, {slot: 1}]}
    cpe: {kind: linux, image: i, stages: {create: {wait-for: [{node: sr, stage: healthy}]}}}
)");
  const auto& waits = lab.FindNode("cpe")->stages.at("create").wait_for;
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_EQ(waits[0].node, "sr-a");
  EXPECT_EQ(waits[0].stage, "healthy");
}

TEST(Kinds, SrsimComponentsThatCannotBe) {
  std::string bad = ErrorsOf(R"(name: s
topology:
  nodes:
    sr:
      kind: nokia_srsim
      image: i
      components:
        - slot: A
        - slot: a
        - slot: Z
        - type: iom5-e
    l:
      kind: linux
      image: i
      components: [{slot: A}]
    sr-a: {kind: linux, image: i}
)");
  EXPECT_NE(bad.find("x.clab.yml:9:17: node \"sr\".components[1].slot: slot A is listed twice"), std::string::npos)
      << bad;
  EXPECT_NE(bad.find("x.clab.yml:10:17: node \"sr\".components[2].slot: \"Z\": expected A, B or a line card number"),
            std::string::npos)
      << bad;
  EXPECT_NE(bad.find("x.clab.yml:11:11: node \"sr\".components[3]: \"slot\" is required"), std::string::npos) << bad;
  EXPECT_NE(
      bad.find("x.clab.yml:15:19: node \"l\": components: only nokia_srsim nodes have components (kind is linux)"),
      std::string::npos)
      << bad;
  std::string taken = ErrorsOf(R"(name: s
topology:
  nodes:
    sr: {kind: nokia_srsim, image: i, components: [{slot: A}, {slot: 1}]}
    sr-1: {kind: linux, image: i}
)");
  EXPECT_NE(taken.find("x.clab.yml:5:5: node \"sr-1\": the name is taken (by a node or an SR-SIM component)"),
            std::string::npos)
      << taken;
}

TEST(Kinds, AKindClusterIsNotRunByLabkeeperAndLinksGoToItsNodes) {
  LabSpec lab = test::LabOf(R"(name: k
topology:
  nodes:
    k01: {kind: k8s-kind}
    k01-control-plane: {kind: ext-container}
    br: {kind: bridge}
  links:
    - endpoints: ["br:e1", "k01-control-plane:eth1"]
)");
  EXPECT_FALSE(lab.FindNode("k01")->IsContainer());
  std::string bad = ErrorsOf(R"(name: k
topology:
  nodes:
    k01: {kind: k8s-kind}
    br: {kind: bridge}
  links:
    - endpoints: ["br:e1", "k01:eth1"]
)");
  EXPECT_NE(bad.find("node \"k01\" is a k8s-kind cluster: links attach to its nodes"), std::string::npos) << bad;
}

// Every "enum" under a "kind" property of the schema, recursively.
void KindEnums(const nlohmann::json& j, std::set<std::string>* out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "kind" && it->is_object() && it->contains("enum") && it->at("enum").size() > 1)
        for (const auto& v : it->at("enum")) out->insert(v.get<std::string>());
      KindEnums(*it, out);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) KindEnums(v, out);
  }
}

TEST(Kinds, TheJsonSchemasKnowEveryName) {
  for (const char* schema : {"clab.schema.json", "lab.schema.json"}) {
    std::ifstream in(test::SourceDir() + "/crds-like-schemas/" + schema);
    ASSERT_TRUE(in) << schema;
    std::set<std::string> enums;
    KindEnums(nlohmann::json::parse(in), &enums);
    std::vector<std::string> names = KindNames();
    EXPECT_EQ(std::vector<std::string>(enums.begin(), enums.end()), names)
        << schema << ": KINDS in crds-like-schemas/generate.py is not the kind table's names";
  }
}

}  // namespace
}  // namespace lk
