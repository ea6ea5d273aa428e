#include "api/topology_codec.h"
#include "api/strings.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "controller/container_spec.h"
#include "tests/support/support.h"

namespace lk {
namespace {

namespace fs = std::filesystem;

// The shared examples sit beside the repository (LABKEEPER_SHARED overrides).
std::string Shared() {
  return test::SharedDir();
}

LoadResult Load(const std::string& text, const std::map<std::string, std::string>& env = {}) {
  return LoadTopologyText(text, "/tmp/lk-test/lab.clab.yml", &env);
}

std::string Errors(const LoadResult& r) {
  return r.ErrorText();
}

TEST(TopologyCodec, Frr01ResolvesGroupsBindsAndLinks) {
  LoadResult r = LoadTopologyFile(Shared() + "/clab-examples/frr01/frr01.clab.yml");
  ASSERT_TRUE(r.ok()) << Errors(r);
  const LabSpec& lab = *r.lab;
  EXPECT_EQ(lab.name, "frr01");
  EXPECT_EQ(lab.ContainerName("router1"), "clab-frr01-router1");
  ASSERT_EQ(lab.nodes.size(), 6u);
  const NodeConfig* r1 = lab.FindNode("router1");
  ASSERT_NE(r1, nullptr);
  EXPECT_EQ(r1->kind, "linux");
  EXPECT_EQ(r1->group, "routers");
  EXPECT_EQ(r1->image, "quay.io/frrouting/frr:10.5.1");
  ASSERT_EQ(r1->binds.size(), 2u);
  std::string dir = fs::canonical(Shared() + "/clab-examples/frr01").string();
  EXPECT_EQ(r1->binds[0], dir + "/router1/daemons:/etc/frr/daemons");
  const NodeConfig* pc1 = lab.FindNode("PC1");
  EXPECT_EQ(pc1->image, "wbitt/network-multitool:3.22.2");
  EXPECT_EQ(pc1->exec.size(), 4u);
  ASSERT_EQ(lab.links.size(), 6u);
  EXPECT_EQ(lab.links[0].a.node, "router1");
  EXPECT_EQ(lab.links[0].b.iface, "eth1");
  EXPECT_EQ(lab.links[0].mtu, 9500);
  EXPECT_EQ(lab.links[0].a.mac.substr(0, 9), "aa:c1:ab:");
}

TEST(TopologyCodec, InheritanceDefaultsKindGroupNode) {
  auto r = Load(R"(
name: inh
topology:
  defaults:
    kind: linux
    image: img:defaults
    env: {A: defaults, B: defaults}
    binds: [/tmp:/d]
  kinds:
    linux:
      image: img:kind
      env: {B: kind, C: kind}
      exec: [echo kind]
  groups:
    g:
      image: img:group
      env: {C: group}
      binds: [/var:/d]
  nodes:
    n1:
      group: g
      env: {D: node}
      exec: [echo node]
    n2:
      image: img:node
    n3:
)");
  ASSERT_TRUE(r.ok()) << Errors(r);
  const auto& n1 = *r.lab->FindNode("n1");
  EXPECT_EQ(n1.image, "img:group");
  EXPECT_EQ(n1.env,
            (std::map<std::string, std::string>{{"A", "defaults"}, {"B", "kind"}, {"C", "group"}, {"D", "node"}}));
  EXPECT_EQ(n1.binds, (std::vector<std::string>{"/var:/d"}));  // the group's bind replaces the same target
  EXPECT_EQ(n1.exec, (std::vector<std::string>{"echo kind", "echo node"}));
  EXPECT_EQ(r.lab->FindNode("n2")->image, "img:node");
  EXPECT_EQ(r.lab->FindNode("n3")->image, "img:kind");
  EXPECT_EQ(r.lab->FindNode("n3")->kind, "linux");
}

TEST(TopologyCodec, MgmtIpsComeOnlyFromTheNode) {
  auto r = Load(R"(
name: m
mgmt: {network: custom, ipv4-subnet: 172.30.30.0/24}
topology:
  defaults: {kind: linux, image: i}
  nodes:
    a: {mgmt-ipv4: 172.30.30.5}
    b: {}
)");
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r.lab->mgmt.network, "custom");
  EXPECT_EQ(r.lab->mgmt.ipv4_subnet, "172.30.30.0/24");
  EXPECT_EQ(r.lab->FindNode("a")->mgmt_ipv4, "172.30.30.5");
  EXPECT_EQ(r.lab->FindNode("b")->mgmt_ipv4, "");
}

TEST(TopologyCodec, PrefixNaming) {
  auto name = [](const std::string& prefix_line) {
    auto r = Load("name: lab\n" + prefix_line + "\ntopology:\n  nodes:\n    n: {kind: linux, image: i}\n");
    EXPECT_TRUE(r.ok()) << Errors(r);
    if (!r.ok()) return std::string();
    EXPECT_EQ(r.lab->ContainerName(*r.lab->FindNode("n")), r.lab->ContainerName("n")) << "by node, by name alike";
    return r.lab->ContainerName("n");
  };
  EXPECT_EQ(name(""), "clab-lab-n");
  EXPECT_EQ(name("prefix: \"\""), "n");
  EXPECT_EQ(name("prefix: __lab-name"), "lab-n");
  EXPECT_EQ(name("prefix: acme"), "acme-lab-n");
}

TEST(TopologyCodec, EnvironmentExpansion) {
  auto r = Load(R"(
name: ${LAB_NAME:=envlab}
topology:
  nodes:
    n: {kind: linux, image: "${IMG}", cmd: "sh -c 'echo $UNSET_THING'"}
)",
                {{"IMG", "busybox:1"}});
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r.lab->name, "envlab");
  EXPECT_EQ(r.lab->FindNode("n")->image, "busybox:1");
  EXPECT_EQ(r.lab->FindNode("n")->cmd, (std::vector<std::string>{"sh", "-c", "echo $UNSET_THING"}));
}

TEST(TopologyCodec, ExtendedAndHostLinks) {
  auto r = Load(R"(
name: l
topology:
  defaults: {kind: linux, image: i}
  nodes: {a: {}, b: {}}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
      mtu: 1500
    - type: veth
      mtu: 9000
      endpoints:
        - {node: a, interface: eth2, mac: "02:00:00:00:00:0a"}
        - {node: b, interface: eth2, mac: "02:00:00:00:00:0b"}
    - type: host
      host-interface: a-host
      endpoint: {node: a, interface: eth3}
    - endpoints: ["b:eth3", "host:b-host"]
)");
  ASSERT_TRUE(r.ok()) << Errors(r);
  const auto& links = r.lab->links;
  ASSERT_EQ(links.size(), 4u);
  EXPECT_EQ(links[0].mtu, 1500);
  EXPECT_EQ(links[1].mtu, 9000);
  EXPECT_EQ(links[1].a.mac, "02:00:00:00:00:0a");
  EXPECT_EQ(links[2].type, "host");
  EXPECT_EQ(links[2].b.node, "host");
  EXPECT_EQ(links[2].b.iface, "a-host");
  EXPECT_EQ(links[3].type, "host");
  EXPECT_EQ(links[3].a.node, "b");
  EXPECT_EQ(links[3].b.iface, "b-host");
}

// Lab and node names: a letter, digit or '_', then those, '.' and '-' (containerlab's rule).
TEST(TopologyCodec, NamesAreLettersDigitsUnderscoresDotsAndDashes) {
  auto lab = [](const std::string& name) {
    return Load("name: " + name + "\ntopology:\n  nodes: {n1: {kind: linux, image: i}}\n");
  };
  for (const char* good : {"a", "_x", "9lab", "lab.one-two_3", "A.-_"}) EXPECT_TRUE(lab(good).ok()) << good;
  for (const char* bad : {"-a", ".a", "'a b'", "a/b", "'a:b'", "\"l\u00e4b\""}) {
    auto r = lab(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.ErrorText().find("only letters, digits, '_', '.' and '-' are allowed"), std::string::npos)
        << r.ErrorText();
  }
}

TEST(TopologyCodec, GeneratedMacsAreStable) {
  const char* text =
      "name: s\ntopology:\n  defaults: {kind: linux, image: i}\n  nodes: {a: {}, b: {}}\n"
      "  links:\n    - endpoints: [\"a:eth1\", \"b:eth1\"]\n";
  auto r1 = Load(text), r2 = Load(text);
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_EQ(r1.lab->links[0].a.mac, r2.lab->links[0].a.mac);
  EXPECT_NE(r1.lab->links[0].a.mac, r1.lab->links[0].b.mac);
  // The MACs of links already made: a different one would be a drift on every link after an upgrade.
  EXPECT_EQ(r1.lab->links[0].a.mac, "aa:c1:ab:6e:f0:a1");
  EXPECT_EQ(GeneratedMac("s", "a", "eth1"), "aa:c1:ab:6e:f0:a1");
}

// Bad input: each error names the file, line and column, and the node or link.
TEST(TopologyCodec, YamlSyntaxErrorHasLineAndColumn) {
  auto r = Load("name: bad\ntopology:\n  nodes:\n    a: {kind: linux\n");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].pos.file, "/tmp/lk-test/lab.clab.yml");
  EXPECT_GT(r.errors[0].pos.line, 0);
  EXPECT_GT(r.errors[0].pos.column, 0);
  EXPECT_NE(r.errors[0].str().find("YAML syntax error"), std::string::npos);
}

TEST(TopologyCodec, LinkToMissingNode) {
  auto r = Load(
      "name: b\ntopology:\n  defaults: {kind: linux, image: i}\n  nodes: {a: {}}\n"
      "  links:\n    - endpoints: [\"a:eth1\", \"ghost:eth1\"]\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors[0].str(),
            "/tmp/lk-test/lab.clab.yml:6:29: link 0: node \"ghost\" does not exist in topology.nodes");
}

TEST(TopologyCodec, EndpointUsedTwice) {
  auto r = Load(
      "name: b\ntopology:\n  defaults: {kind: linux, image: i}\n  nodes: {a: {}, b: {}, c: {}}\n"
      "  links:\n    - endpoints: [\"a:eth1\", \"b:eth1\"]\n    - endpoints: [\"a:eth1\", \"c:eth1\"]\n");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].pos.line, 7);
  EXPECT_NE(r.errors[0].message.find("endpoint a:eth1 is used by more than one link"), std::string::npos);
}

TEST(TopologyCodec, InterfaceNameTooLong) {
  auto r = Load(
      "name: b\ntopology:\n  defaults: {kind: linux, image: i}\n  nodes: {a: {}, b: {}}\n"
      "  links:\n    - endpoints: [\"a:averyveryverylongname\", \"b:eth1\"]\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(
      r.errors[0].message.find("interface \"averyveryverylongname\" is 21 characters long; Linux allows at most 15"),
      std::string::npos);
}

// A host interface may be longer (an altname holds 127 bytes): the kernel gets a short name.
TEST(TopologyCodec, ALongHostInterfaceNameIsAnAltnameOfAShortKernelName) {
  auto r = Load(
      "name: b\ntopology:\n  defaults: {kind: linux, image: i}\n  nodes: {a: {}}\n"
      "  links:\n    - endpoints: [\"a:eth1\", \"host:some_very_long_node_name_l1_eth1\"]\n"
      "    - {type: host, endpoint: {node: a, interface: eth2}, host-interface: short-one}\n");
  ASSERT_TRUE(r.ok()) << Errors(r);
  const Endpoint& b = r.lab->links[0].b;
  EXPECT_EQ(b.altname, "some_very_long_node_name_l1_eth1");
  EXPECT_EQ(b.iface, KernelIfaceName(b.altname));
  EXPECT_EQ(b.iface.size(), 15u);
  EXPECT_EQ(b.iface.substr(0, 9), "some_ver-");
  EXPECT_EQ(r.lab->links[1].b.iface, "short-one");
  EXPECT_EQ(r.lab->links[1].b.altname, "");
  auto bad = Load(
      "name: b\ntopology:\n  defaults: {kind: linux, image: i}\n  nodes: {a: {}}\n"
      "  links:\n    - endpoints: [\"a:eth1\", \"host:" +
      std::string(128, 'x') +
      "\"]\n"
      "    - endpoints: [\"a:eth2\", \"host:a-long-name with-space\"]\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(Errors(bad).find("is 128 characters long; an altname holds at most 127"), std::string::npos) << Errors(bad);
  EXPECT_NE(Errors(bad).find("contains ' '"), std::string::npos) << Errors(bad);
}

TEST(TopologyCodec, UnknownKeysAndMissingImage) {
  auto r = Load("name: b\ntopology:\n  nodes:\n    a: {kind: linux, imag: typo}\n");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 2u) << Errors(r);
  EXPECT_NE(r.errors[1].message.find("node \"a\": unknown key \"imag\""), std::string::npos);
  EXPECT_NE(r.errors[0].message.find("node \"a\": \"image\" is not set"), std::string::npos);
}

TEST(TopologyCodec, AllErrorsAtOnce) {
  auto r = Load(
      "name: b\ntopology:\n  defaults: {kind: linux, image: i}\n  nodes: {a: {mgmt-ipv4: nope}}\n"
      "  links:\n    - endpoints: [\"a:eth1\", \"x:eth1\"]\n    - endpoints: [\"a:eth2\", \"a:this/bad\"]\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors.size(), 3u) << Errors(r);
}

TEST(TopologyCodec, AGroupWithNoEntryInGroupsIsOnlyALabelAsForContainerlab) {
  auto r = Load(
      "name: b\ntopology:\n  defaults: {kind: linux, image: i}\n  groups: {core: {env: {ROLE: core}}}\n"
      "  nodes: {a: {group: edge}, b: {group: core}}\n");
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r.lab->FindNode("a")->group, "edge");
  EXPECT_FALSE(r.lab->FindNode("a")->env.count("ROLE")) << "nothing to inherit";
  EXPECT_EQ(r.lab->FindNode("b")->env.at("ROLE"), "core");
  EXPECT_EQ(ContainerSpecFor(*r.lab, *r.lab->FindNode("a"), "me").labels.at("clab-node-group"), "edge");
}

TEST(TopologyCodec, AKeyWrittenTwiceIsAnErrorInBothFormsAtTheSecond) {
  FileLoad clab =
      LoadFileText("name: a\nname: b\ntopology:\n  nodes: {n: {kind: linux, image: i}}\n", "/labs/a.clab.yml");
  ASSERT_EQ(clab.errors.size(), 1u) << clab.ErrorText();
  EXPECT_EQ(clab.errors[0].str(), "/labs/a.clab.yml:2:1: duplicate key \"name\" (first at line 1, column 1)");
  FileLoad lab = LoadFileText(
      "apiVersion: labkeeper.dev/v1alpha1\nkind: Lab\nmetadata: {name: r, name: s}\n"
      "spec:\n  topology:\n    nodes: {n: {kind: linux, image: i}}\n",
      "/labs/r.lab.yml");
  ASSERT_EQ(lab.errors.size(), 1u) << lab.ErrorText();
  EXPECT_EQ(lab.errors[0].str(), "/labs/r.lab.yml:3:21: duplicate key \"name\" (first at line 3, column 12)");
}

// A mapping of many keys (a lab's nodes) is checked the same way as one of a few.
TEST(TopologyCodec, AKeyWrittenTwiceInALargeMappingIsAnErrorAtTheSecond) {
  std::string text = "name: a\ntopology:\n  defaults: {kind: linux, image: i}\n  nodes:\n";
  for (int i = 1; i <= 40; ++i) text += "    n" + std::to_string(i) + ": {}\n";  // n1 on line 5
  text += "    n3: {}\n    n40: {}\n";                                           // lines 45 and 46
  FileLoad f = LoadFileText(text, "/labs/a.clab.yml");
  ASSERT_EQ(f.errors.size(), 4u) << f.ErrorText();  // each also a node whose name is taken
  EXPECT_EQ(f.errors[0].str(), "/labs/a.clab.yml:45:5: duplicate key \"n3\" (first at line 7, column 5)");
  EXPECT_EQ(f.errors[2].str(), "/labs/a.clab.yml:46:5: duplicate key \"n40\" (first at line 44, column 5)");
}

TEST(TopologyCodec, RelativeBindsAreAbsoluteAgainstTheFile) {
  auto r = Load("name: b\ntopology:\n  nodes:\n    a: {kind: linux, image: i, binds: [sub/f:/x:ro, ~/h:/h]}\n");
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r.lab->FindNode("a")->binds[0], "/tmp/lk-test/sub/f:/x:ro");
  EXPECT_EQ(r.lab->FindNode("a")->binds[1].substr(0, 1), "/");
}

TEST(TopologyCodec, SharedExamplesWithSupportedFeaturesLoad) {
  for (const char* f : {"tests-01-smoke__12-tools-veth.clab.yaml", "tests-01-smoke__24-basic-groups.clab.yaml"}) {
    LoadResult r = LoadTopologyFile(Shared() + "/clab-examples/" + f);
    EXPECT_TRUE(r.ok()) << f << "\n" << Errors(r);
  }
}

TEST(InvalidIfaceName, Rules) {
  EXPECT_FALSE(InvalidIfaceName("eth1"));
  EXPECT_FALSE(InvalidIfaceName("e123456789012345").has_value() == false);
  EXPECT_TRUE(InvalidIfaceName(""));
  EXPECT_TRUE(InvalidIfaceName("a b"));
  EXPECT_TRUE(InvalidIfaceName("a:b"));
}

}  // namespace
}  // namespace lk

namespace lk {
namespace {

TEST(LabResource, SeveralDocumentsWithSuspendAndPrune) {
  auto r = LoadFileText(R"(apiVersion: labkeeper.dev/v1alpha1
kind: Lab
metadata:
  name: one
spec:
  prune: false
  topology:
    nodes:
      a: {kind: linux, image: i}
---
apiVersion: labkeeper.dev/v1alpha1
kind: Lab
metadata:
  name: two
  annotations:
    labkeeper.dev/suspend: "true"
spec:
  prefix: ""
  topology:
    nodes:
      b: {kind: linux, image: i}
)",
                        "/tmp/lk-test/labs.lab.yml");
  ASSERT_TRUE(r.ok()) << r.ErrorText();
  ASSERT_EQ(r.labs.size(), 2u);
  EXPECT_EQ(r.labs[0].name, "one");
  EXPECT_FALSE(r.labs[0].prune);
  EXPECT_FALSE(r.labs[0].suspend);
  EXPECT_EQ(r.labs[1].name, "two");
  EXPECT_TRUE(r.labs[1].suspend);
  EXPECT_TRUE(r.labs[1].prune);
  EXPECT_EQ(r.labs[1].ContainerName("b"), "b");
}

TEST(LabResource, ErrorsNameTheDocumentPlace) {
  auto r = LoadFileText(
      "apiVersion: v1\nkind: Lab\nmetadata: {name: x}\nspec:\n  suspend: maybe\n  topology:\n    nodes: {}\n",
      "/tmp/lk-test/bad.lab.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.names, (std::vector<std::string>{"x"}));
  ASSERT_EQ(r.errors.size(), 2u) << r.ErrorText();
  EXPECT_EQ(r.errors[0].str(),
            "/tmp/lk-test/bad.lab.yaml:1:13: apiVersion: expected labkeeper.dev/v1alpha1, got \"v1\"");
  EXPECT_EQ(r.errors[1].pos.line, 5);
}

TEST(LabResource, NamesAreFoundInAnInvalidTopologyFile) {
  auto r = LoadFileText("name: broken\ntopology:\n  nodes:\n    a: {kind: linux}\n", "/tmp/lk-test/x.clab.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.names, (std::vector<std::string>{"broken"}));
}

}  // namespace
}  // namespace lk

namespace lk {
namespace {

TEST(NodeFields, SizesAndInheritanceOfExtras) {
  struct Row {
    const char* memory;
    int64_t bytes;
  } rows[] = {{"1G", 1073741824LL}, {"512Mb", 536870912LL}, {"100m", 104857600LL}, {"64k", 65536}, {"1000", 1000}};
  for (const auto& row : rows) {
    std::map<std::string, std::string> env;
    auto r = LoadTopologyText(
        std::string("name: s\ntopology:\n  nodes:\n    n: {kind: linux, image: i, memory: ") + row.memory + "}\n",
        "/tmp/lk-test/s.clab.yml", &env);
    ASSERT_TRUE(r.ok()) << row.memory << "\n" << r.ErrorText();
    EXPECT_EQ(r.lab->FindNode("n")->extras.memory, row.bytes) << row.memory;
  }
  auto bad = LoadTopologyText("name: s\ntopology:\n  nodes:\n    n: {kind: linux, image: i, memory: lots}\n",
                              "/tmp/lk-test/s.clab.yml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.errors[0].message.find("memory \"lots\" is not a size"), std::string::npos);

  auto r = LoadTopologyText(R"(name: x
topology:
  defaults: {kind: linux, image: i, cpu: 1, dns: {servers: [192.0.2.1]}}
  groups:
    g: {cpu: 2, devices: [/dev/a], restart-policy: always}
  nodes:
    n: {group: g, devices: [/dev/b], aliases: [n.example]}
    m: {}
)",
                            "/tmp/lk-test/x.clab.yml");
  ASSERT_TRUE(r.ok()) << r.ErrorText();
  const auto& n = r.lab->FindNode("n")->extras;
  EXPECT_EQ(n.cpu, 2);
  EXPECT_EQ(n.restart_policy, "always");
  EXPECT_EQ(n.devices, (std::vector<std::string>{"/dev/a", "/dev/b"}));
  EXPECT_EQ(n.dns.servers, (std::vector<std::string>{"192.0.2.1"}));
  EXPECT_EQ(n.aliases, (std::vector<std::string>{"n.example"}));
  EXPECT_TRUE(r.lab->FindNode("m")->extras.aliases.empty()) << "aliases come only from the node";
  EXPECT_EQ(r.lab->FindNode("m")->extras.cpu, 1);
}

TEST(NodeFields, UnappliedKeysStillChangeTheSpecHash) {
  auto load = [](const std::string& extra) {
    return LoadTopologyText("name: h\ntopology:\n  nodes:\n    n: {kind: linux, image: i" + extra + "}\n",
                            "/tmp/lk-test/h.clab.yml");
  };
  auto a = load(""), b = load(", startup-config: cfg-a.txt"), c = load(", startup-config: cfg-b.txt");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_NE(a.lab->nodes[0].SpecHash(), b.lab->nodes[0].SpecHash());
  EXPECT_NE(b.lab->nodes[0].SpecHash(), c.lab->nodes[0].SpecHash());
  EXPECT_EQ(b.lab->nodes[0].unapplied.count("startup-config"), 1u);
}

}  // namespace
}  // namespace lk

namespace lk {
namespace {

// Acceptance: every shared example validates unchanged.
TEST(SharedExamples, EveryOneValidates) {
  int checked = 0;
  for (const auto& path : test::SharedExampleFiles()) {
    FileLoad r = LoadFile(path);
    EXPECT_TRUE(r.ok()) << path << "\n" << r.ErrorText();
    ++checked;
  }
  EXPECT_EQ(checked, 14);  // 7 top-level, 6 parse-only, frr01
}

TEST(SharedExamples, SpecialLinkForms) {
  FileLoad r = LoadFile(Shared() + "/clab-examples/tests-01-smoke__01-linux-nodes.clab.yml");
  ASSERT_TRUE(r.ok()) << r.ErrorText();
  const auto& links = r.labs[0].links;
  ASSERT_EQ(links.size(), 6u);
  EXPECT_EQ(links[0].mtu, 2000);
  EXPECT_EQ(links[4].type, "mgmt-net");
  EXPECT_EQ(links[4].b.iface, "l2eth5mgmt");
  EXPECT_EQ(links[4].mtu, 1500);
  EXPECT_EQ(links[5].type, "dummy");
  EXPECT_TRUE(links[5].OneEnded());
  EXPECT_EQ(links[5].Id(), "l2:somedummy--dummy");
  FileLoad mv = LoadFileText(
      "name: m\ntopology:\n  nodes: {l1: {kind: linux, image: i}}\n  links:\n"
      "    - endpoints: [\"l1:eth1\", \"macvlan:${LK_UNSET_LINK:=ens3}\"]\n",
      "/tmp/lk-test/m.clab.yml");
  ASSERT_TRUE(mv.ok()) << mv.ErrorText();
  EXPECT_EQ(mv.labs[0].links[0].type, "macvlan");
  EXPECT_EQ(mv.labs[0].links[0].parent, "ens3");
  FileLoad vx = LoadFile(Shared() + "/clab-examples/tests-08-vxlan__vxlan-stitch-linux.clab.yml");
  ASSERT_TRUE(vx.ok()) << vx.ErrorText();
  EXPECT_EQ(vx.labs[0].links[0].vni, 200);
  EXPECT_EQ(vx.labs[0].links[0].dst_port, 14792);
  EXPECT_EQ(vx.labs[0].links[0].remote, "172.20.30.12");
}

TEST(SharedExamples, TemplatedTopologyRendersWithItsVars) {
  FileLoad r = LoadFile(Shared() + "/clab-examples/parse-only/templated01__templated01.clab.gotmpl");
  ASSERT_TRUE(r.ok()) << r.ErrorText();
  const LabSpec& lab = r.labs[0];
  EXPECT_EQ(lab.nodes.size(), 6u);  // 2 spines, 4 leaves from the vars file
  EXPECT_EQ(lab.links.size(), 8u);
  EXPECT_EQ(lab.FindNode("spine1")->kind, "nokia_srlinux");
  EXPECT_EQ(lab.FindNode("leaf4")->type, "ixrd3");
  EXPECT_EQ(lab.links[7].Id(), "spine2:e1-4--leaf4:e1-2");
}

TEST(SharedExamples, VendorInterfaceAliasesBecomeLinuxNames) {
  FileLoad r = LoadFile(Shared() + "/clab-examples/parse-only/srlceos01__srlceos01.clab.yml");
  ASSERT_TRUE(r.ok()) << r.ErrorText();
  EXPECT_EQ(r.labs[0].links[0].a.iface, "e1-1");  // written ethernet-1/1
  EXPECT_EQ(r.labs[0].FindNode("ceos")->env.at("CEOS"), "1");
}

}  // namespace
}  // namespace lk

namespace lk {
namespace {

// containerlab's inheritance, one row per rule: what the node ends up with.
TEST(Inheritance, OneRowPerRule) {
  const std::string base = R"(name: t
topology:
  defaults: {kind: linux, image: i-defaults, env: {D: d, SHARED: defaults}, exec: [e-defaults], binds: ["/d:/same"], mgmt-ipv4: 172.20.20.9}
  kinds:
    linux: {image: i-kind, env: {K: k, SHARED: kind}, exec: [e-kind, e-defaults], ports: ["80"]}
  groups:
    g: {image: i-group, env: {G: g, SHARED: group}, labels: {l: g}, binds: ["/g:/same"], cap-add: [NET_ADMIN]}
  nodes:
)";
  struct Row {
    const char* rule;
    const char* node_yaml;
    std::function<std::string(const NodeConfig&)> get;
    const char* want;
  } rows[] = {
      {"scalar: node beats group, kind, defaults", "    n: {group: g, image: i-node}",
       [](const NodeConfig& n) { return n.image; }, "i-node"},
      {"scalar: group beats kind and defaults", "    n: {group: g}", [](const NodeConfig& n) { return n.image; },
       "i-group"},
      {"scalar: kind beats defaults", "    n: {}", [](const NodeConfig& n) { return n.image; }, "i-kind"},
      {"kind: from defaults when the node and group say nothing", "    n: {}",
       [](const NodeConfig& n) { return n.kind; }, "linux"},
      {"maps: merged key by key, most specific value wins", "    n: {group: g, env: {N: n}}",
       [](const NodeConfig& n) {
         std::string s;
         for (const auto& [k, v] : n.env) s += k + "=" + v + " ";
         return s;
       },
       "D=d G=g K=k N=n SHARED=group "},
      {"lists: concatenated from least to most specific, duplicates dropped", "    n: {exec: [e-node, e-kind]}",
       [](const NodeConfig& n) { return Join(n.exec, ","); }, "e-defaults,e-kind,e-node"},
      {"binds: a more specific bind replaces one on the same container path", "    n: {group: g}",
       [](const NodeConfig& n) { return Join(n.binds, ","); }, "/g:/same"},
      {"lists: group and kind lists both reach the node", "    n: {group: g}",
       [](const NodeConfig& n) { return Join(n.cap_add, ",") + "|" + Join(n.ports, ","); }, "NET_ADMIN|80"},
      {"mgmt-ipv4: only from the node, never inherited", "    n: {}", [](const NodeConfig& n) { return n.mgmt_ipv4; },
       ""},
      {"mgmt-ipv4: the node's own", "    n: {mgmt-ipv4: 172.20.20.5}", [](const NodeConfig& n) { return n.mgmt_ipv4; },
       "172.20.20.5"},
      {"aliases: only from the node", "    n: {group: g, aliases: [a.example]}",
       [](const NodeConfig& n) { return Join(n.extras.aliases, ","); }, "a.example"},
      {"a node with no body inherits everything", "    n:", [](const NodeConfig& n) { return n.image; }, "i-kind"},
  };
  for (const auto& row : rows) {
    std::map<std::string, std::string> env;
    auto r = LoadTopologyText(base + row.node_yaml + "\n", "/tmp/lk-test/t.clab.yml", &env);
    ASSERT_TRUE(r.ok()) << row.rule << "\n" << r.ErrorText();
    EXPECT_EQ(row.get(*r.lab->FindNode("n")), row.want) << row.rule;
  }
}

// Environment expansion, one row per form.
TEST(ExpandEnvForms, OneRowPerForm) {
  std::map<std::string, std::string> env = {{"SET", "v"}, {"EMPTY", ""}};
  struct Row {
    const char* in;
    const char* out;
  } rows[] = {
      {"$SET", "v"},
      {"${SET}", "v"},
      {"${UNSET_LK:-d}", "d"},
      {"${EMPTY:-d}", "d"},
      {"${EMPTY-d}", ""},
      {"${UNSET_LK-d}", "d"},
      {"${UNSET_LK:=d}", "d"},
      {"${EMPTY=d}", ""},
      {"${SET:+x}", "x"},
      {"${EMPTY:+x}", ""},
      {"${SET+x}", "x"},
      {"$$SET", "$SET"},
      {"$UNSET_LK", "$UNSET_LK"},
      {"${UNSET_LK}", "${UNSET_LK}"},
  };
  for (const auto& row : rows) EXPECT_EQ(ExpandEnv(row.in, &env), row.out) << row.in;
}

}  // namespace
}  // namespace lk

namespace lk {
namespace {

TEST(LinkAddresses, BriefListsFollowTheEndpointsAndExtendedEndsCarryTheirOwn) {
  auto r = LoadTopologyText(R"(name: a
topology:
  nodes:
    x: {kind: linux, image: i}
    y: {kind: linux, image: i}
  links:
    - endpoints: ["x:eth1", "y:eth1"]
      ipv4: ["192.168.0.1/24", "192.168.0.2/24"]
      ipv6: ["2001:db8::1/64"]
    - type: veth
      endpoints:
        - {node: x, interface: eth2, ipv4: 10.0.0.1/30}
        - {node: y, interface: eth2, ipv6: "2001:db8:1::2/64"}
)",
                            "/tmp/lk-test/a.clab.yml");
  ASSERT_TRUE(r.ok()) << r.ErrorText();
  const auto& l = r.lab->links;
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].a.ipv4, "192.168.0.1/24");
  EXPECT_EQ(l[0].b.ipv4, "192.168.0.2/24");
  EXPECT_EQ(l[0].a.ipv6, "2001:db8::1/64");
  EXPECT_EQ(l[0].b.ipv6, "");
  EXPECT_EQ(l[1].a.ipv4, "10.0.0.1/30");
  EXPECT_EQ(l[1].b.ipv6, "2001:db8:1::2/64");
}

TEST(LinkAddresses, AnEmptyEntryInABriefListIsNoAddressOnThatEnd) {
  // As tests/01-smoke/25-link-vars-ip.clab.yml of containerlab's own repository writes it.
  auto r = LoadTopologyText(R"(name: a
topology:
  nodes:
    x: {kind: linux, image: i}
    y: {kind: linux, image: i}
  links:
    - endpoints: [x:eth1, y:eth1]
      ipv4: ["", 192.168.0.3/24]
      ipv6: ["", 2001:db8:abc1::3/64]
    - endpoints: [x:eth2, y:eth2]
      ipv4: [10.0.0.1/30, ""]
    - type: veth
      endpoints:
        - {node: x, interface: eth3, ipv4: ""}
        - {node: y, interface: eth3}
)",
                            "/tmp/lk-test/a.clab.yml");
  ASSERT_TRUE(r.ok()) << r.ErrorText();
  const auto& l = r.lab->links;
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0].a.ipv4, "");
  EXPECT_EQ(l[0].b.ipv4, "192.168.0.3/24");
  EXPECT_EQ(l[0].a.ipv6, "");
  EXPECT_EQ(l[0].b.ipv6, "2001:db8:abc1::3/64");
  EXPECT_EQ(l[1].a.ipv4, "10.0.0.1/30");
  EXPECT_EQ(l[1].b.ipv4, "");
  EXPECT_EQ(l[2].a.ipv4, "");
  auto bad = LoadTopologyText(
      "name: a\ntopology:\n  nodes: {x: {kind: linux, image: i}, y: {kind: linux, image: i}}\n"
      "  links:\n    - endpoints: [x:eth1, y:eth1]\n      ipv4: [\" \", 10.0.0.2/24]\n",
      "/tmp/lk-test/a.clab.yml");
  ASSERT_EQ(bad.errors.size(), 1u) << "only empty means none; a blank is no address";
  EXPECT_EQ(bad.errors[0].str(),
            "/tmp/lk-test/a.clab.yml:6:14: links[0].ipv4[0]: \" \" is not an IPv4 address with "
            "prefix length (a.b.c.d/len)");
}

TEST(NodeKinds, NonContainerKindsAndTheBridgeInAContainerForm) {
  auto r = LoadTopologyText(R"(name: k
topology:
  nodes:
    c: {kind: linux, image: i}
    br0: {kind: bridge}
    br1|c: {kind: bridge}
    ovs: {kind: ovs-bridge}
    h: {kind: host}
    other: {kind: ext-container}
  links:
    - endpoints: ["c:eth1", "br0:p1"]
    - endpoints: ["c:eth2", "br1|c:p2"]
)",
                            "/tmp/lk-test/k.clab.yml");
  ASSERT_TRUE(r.ok()) << r.ErrorText();
  const LabSpec& lab = *r.lab;
  EXPECT_TRUE(lab.FindNode("c")->IsContainer());
  for (const char* n : {"br0", "br1|c", "ovs", "h", "other"}) EXPECT_FALSE(lab.FindNode(n)->IsContainer()) << n;
  EXPECT_TRUE(lab.FindNode("br0")->InHostNamespace());
  EXPECT_TRUE(lab.FindNode("h")->InHostNamespace());
  EXPECT_FALSE(lab.FindNode("br1|c")->InHostNamespace());
  EXPECT_EQ(lab.FindNode("br1|c")->BridgeName(), "br1");
  EXPECT_EQ(lab.FindNode("br1|c")->BridgeHolder(), "c");
  EXPECT_EQ(lab.ContainerName("other"), "other") << "an ext-container is the container of its own name";
  EXPECT_EQ(lab.ContainerName(*lab.FindNode("other")), "other");
  auto end = [](const char* node) {
    Endpoint e;
    e.node = node;
    return e;
  };
  EXPECT_TRUE(lab.EndInHostNamespace(end("host")));
  EXPECT_TRUE(lab.EndInHostNamespace(end("br0")));
  EXPECT_FALSE(lab.EndInHostNamespace(end("c")));
  // containerlab turns IPv6 on in every node with a namespace of its own.
  EXPECT_EQ(lab.FindNode("c")->sysctls.at("net.ipv6.conf.all.disable_ipv6"), "0");
}

TEST(VxlanStitch, HostSideNamesAsContainerlabWritesThem) {
  auto r = LoadTopologyFile(test::SharedDir() + "/clab-examples/tests-08-vxlan__vxlan-stitch-linux.clab.yml");
  ASSERT_TRUE(r.ok()) << r.ErrorText();
  const LinkConfig& s = r.lab->links[0];
  EXPECT_EQ(s.type, "vxlan-stitch");
  EXPECT_EQ(s.b.node, "host");
  EXPECT_EQ(s.b.iface, "ve-l1_eth1");
  EXPECT_EQ(s.stitch_vxlan, "vx-l1_eth1");
  EXPECT_EQ(s.Id(), "l1:eth1--vxlan-stitch:200");
  EXPECT_EQ(s.dst_port, 14792);
}

TEST(Mgmt, DualStackByDefaultAndOnlyTheNamedFamiliesOtherwise) {
  auto def =
      LoadTopologyText("name: m\ntopology:\n  nodes:\n    n: {kind: linux, image: i}\n", "/tmp/lk-test/m.clab.yml");
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def.lab->mgmt.ipv4_subnet, "172.20.20.0/24");
  EXPECT_EQ(def.lab->mgmt.ipv6_subnet, "3fff:172:20:20::/64");
  auto v4 = LoadTopologyText(
      "name: m\nmgmt: {network: x, ipv4-subnet: 172.30.0.0/24}\ntopology:\n  nodes:\n    n: {kind: linux, image: i}\n",
      "/tmp/lk-test/m.clab.yml");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4.lab->mgmt.ipv6_subnet, "");
  auto v6 = LoadTopologyText(
      "name: m\nmgmt: {network: x, ipv6-subnet: 'fd00::/64'}\ntopology:\n  nodes:\n    n: {kind: linux, image: i}\n",
      "/tmp/lk-test/m.clab.yml");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6.lab->mgmt.ipv4_subnet, "");
  EXPECT_EQ(v6.lab->mgmt.ipv6_subnet, "fd00::/64");
}

}  // namespace
}  // namespace lk

namespace lk {
namespace {

TEST(LabResource, EmulationPolicyPerLab) {
  FileLoad r = LoadFileText(R"(apiVersion: labkeeper.dev/v1alpha1
kind: Lab
metadata: {name: a}
spec:
  emulation: deny
  topology:
    nodes:
      n: {kind: linux, image: i}
)",
                            "/tmp/lk-test/a.lab.yml");
  ASSERT_TRUE(r.ok()) << r.ErrorText();
  EXPECT_EQ(r.labs[0].emulation, "deny");
  FileLoad bad = LoadFileText(
      "apiVersion: labkeeper.dev/v1alpha1\nkind: Lab\nmetadata: {name: a}\nspec:\n  emulation: "
      "maybe\n  topology:\n    nodes:\n      n: {kind: linux, image: i}\n",
      "/tmp/lk-test/a.lab.yml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.ErrorText().find("5:14: spec.emulation: \"maybe\": expected allow, warn or deny"), std::string::npos)
      << bad.ErrorText();
}

}  // namespace
}  // namespace lk

namespace lk {
namespace {

// Every other file a lab is built from is named, found or not, so a watcher can notice when
// one changes, appears or goes.
TEST(FileInputs, VarsFileCandidatesAndEnvFilesAreNamed) {
  FileLoad plain =
      LoadFileText("name: a\ntopology:\n  nodes:\n    n: {kind: linux, image: x}\n", "/nowhere/a.clab.yml");
  EXPECT_TRUE(plain.ok()) << plain.ErrorText();
  EXPECT_TRUE(plain.inputs.empty());

  FileLoad tmpl = LoadFileText(
      "name: t\ntopology:\n  nodes:\n{{- range $i := seq 1 2 }}\n    n{{ $i }}: {kind: linux, image: x}\n{{- end }}\n",
      "/nowhere/t.clab.gotmpl");
  EXPECT_TRUE(tmpl.ok()) << tmpl.ErrorText();
  EXPECT_EQ(tmpl.inputs, (std::vector<std::string>{"/nowhere/t.clab_vars.yaml", "/nowhere/t.clab_vars.yml",
                                                   "/nowhere/t.clab_vars.json"}));

  FileLoad env = LoadFileText(
      "name: e\ntopology:\n  defaults: {env-files: [common.env]}\n  nodes:\n    n: {kind: linux, image: x, env-files: "
      "[sub/n.env, /abs/x.env]}\n",
      "/nowhere/e.clab.yml");
  EXPECT_FALSE(env.ok());  // the files are not there: an error that names each one
  EXPECT_NE(env.ErrorText().find("env-files: cannot read /nowhere/sub/n.env"), std::string::npos) << env.ErrorText();
  EXPECT_EQ(env.inputs, (std::vector<std::string>{"/abs/x.env", "/nowhere/common.env", "/nowhere/sub/n.env"}));
}

TEST(Placement, SpecHostOrTheHostLabelEveryNodeInheritsPlacesTheLab) {
  FileLoad r = LoadFileText(R"(apiVersion: labkeeper.dev/v1alpha1
kind: Lab
metadata: {name: a}
spec:
  host: lab-host-2
  topology:
    nodes:
      n: {kind: linux, image: i}
)",
                            "/tmp/lk-test/a.lab.yml");
  ASSERT_TRUE(r.ok()) << r.ErrorText();
  EXPECT_EQ(r.labs[0].host, "lab-host-2");
  FileLoad clab = LoadFileText(
      "name: b\ntopology:\n  defaults: {labels: {labkeeper.dev/host: h1}}\n  nodes:\n"
      "    n1: {kind: linux, image: i}\n    n2: {kind: linux, image: i}\n",
      "/tmp/lk-test/b.clab.yml");
  ASSERT_TRUE(clab.ok()) << clab.ErrorText();
  EXPECT_EQ(clab.labs[0].host, "h1");
  FileLoad none =
      LoadFileText("name: c\ntopology:\n  nodes:\n    n1: {kind: linux, image: i}\n", "/tmp/lk-test/c.clab.yml");
  ASSERT_TRUE(none.ok()) << none.ErrorText();
  EXPECT_EQ(none.labs[0].host, "") << "unplaced";
}

TEST(Placement, ANodesLabelPlacesItAndALabSpreadOverHostsPlacesEveryNode) {
  FileLoad joined = LoadFileText(
      "name: b\ntopology:\n  nodes:\n    n1: {kind: linux, image: i, labels: {labkeeper.dev/host: h1}}\n"
      "    n2: {kind: linux, image: i}\n",
      "/tmp/lk-test/b.clab.yml");
  ASSERT_TRUE(joined.ok()) << joined.ErrorText();
  EXPECT_EQ(joined.labs[0].host, "h1") << "an unlabelled node goes where the others are";
  EXPECT_EQ(joined.labs[0].nodes[1].host, "h1");
  EXPECT_FALSE(joined.labs[0].Spread());
  const char* spread_text =
      "name: s\ntopology:\n  nodes:\n    n1: {kind: linux, image: i, labels: {labkeeper.dev/host: h1}}\n"
      "    n2: {kind: linux, image: i, labels: {labkeeper.dev/host: h2}}\n";
  FileLoad spread = LoadFileText(spread_text, "/tmp/lk-test/s.clab.yml");
  ASSERT_TRUE(spread.ok()) << spread.ErrorText();
  EXPECT_TRUE(spread.labs[0].Spread());
  EXPECT_EQ(spread.labs[0].host, "");
  EXPECT_EQ(spread.labs[0].Hosts(), (std::set<std::string>{"h1", "h2"}));
  FileLoad unplaced =
      LoadFileText(std::string(spread_text) + "    n3: {kind: linux, image: i}\n", "/tmp/lk-test/s.clab.yml");
  ASSERT_FALSE(unplaced.ok());
  EXPECT_NE(unplaced.ErrorText().find("s.clab.yml:6:"), std::string::npos) << unplaced.ErrorText();
  EXPECT_NE(unplaced.ErrorText().find("node n3 is placed on no host (label labkeeper.dev/host) in a lab spread over "
                                      "hosts h1, h2: place every node"),
            std::string::npos)
      << unplaced.ErrorText();
}

TEST(Placement, InALabResourceANodesLabelOverridesSpecHostAndSpecHostsGivesTheAddresses) {
  FileLoad r = LoadFileText(R"(apiVersion: labkeeper.dev/v1alpha1
kind: Lab
metadata: {name: a}
spec:
  host: h2
  hosts: {h1: 198.51.100.1, h2: "2001:db8::2"}
  topology:
    nodes:
      n1: {kind: linux, image: i, labels: {labkeeper.dev/host: h1}}
      n2: {kind: linux, image: i}
)",
                            "/tmp/lk-test/a.lab.yml");
  ASSERT_TRUE(r.ok()) << r.ErrorText();
  EXPECT_TRUE(r.labs[0].Spread());
  EXPECT_EQ(r.labs[0].nodes[0].host, "h1");
  EXPECT_EQ(r.labs[0].nodes[1].host, "h2");
  EXPECT_EQ(r.labs[0].host_addresses.at("h2"), "2001:db8::2");
  FileLoad bad = LoadFileText(R"(apiVersion: labkeeper.dev/v1alpha1
kind: Lab
metadata: {name: a}
spec:
  hosts: {h1: lab-host-1}
  topology:
    nodes:
      n1: {kind: linux, image: i}
)",
                              "/tmp/lk-test/a.lab.yml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.ErrorText().find("5:15: spec.hosts.h1: \"lab-host-1\" is not an IP address"), std::string::npos)
      << bad.ErrorText();
}

}  // namespace
}  // namespace lk
