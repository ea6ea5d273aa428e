// Impairments as declared (#20): the values in containerlab's netem units, and where a file
// declares them: a link's or an endpoint's vars.netem, a Lab resource's spec.impairments; every
// error at its line and column.
#include <gtest/gtest.h>

#include "api/impairment.h"
#include "api/topology_codec.h"

namespace lk {
namespace {

Impairment Of(std::initializer_list<std::pair<const char*, const char*>> values) {
  Impairment imp;
  for (const auto& [k, v] : values) EXPECT_EQ(SetImpairmentValue(&imp, k, v), "") << k << "=" << v;
  return imp;
}

TEST(Impairment, ValuesInContainerlabsUnitsBecomeTheKernels) {
  Impairment imp = Of({{"delay", "50ms"},
                       {"jitter", "5ms"},
                       {"loss", "10"},
                       {"corruption", "0.5%"},
                       {"duplicate", "1"},
                       {"reorder", "25"},
                       {"rate", "1000"}});
  EXPECT_EQ(imp.delay_ns, 50000000);
  EXPECT_EQ(imp.jitter_ns, 5000000);
  EXPECT_EQ(imp.loss, PercentToProb(10));
  EXPECT_EQ(imp.rate_bytes, 125000u) << "1000 kbit/s";
  EXPECT_EQ(imp.str(), "delay 50ms jitter 5ms loss 10% corruption 0.5% duplicate 1% reorder 25% rate 1000kbit");
  EXPECT_EQ(Of({{"delay", "1.5s"}}).delay_ns, 1500000000);
  EXPECT_EQ(Of({{"delay", "200us"}}).str(), "delay 200us");
  EXPECT_EQ(Of({{"delay", "20"}}).delay_ns, 20000000) << "a bare number is milliseconds, as tc takes it";
  EXPECT_EQ(Of({{"loss", "100"}}).loss, 0xffffffffu);
  EXPECT_EQ(ProbToPercent(PercentToProb(33.3)), 33.3);
  EXPECT_EQ(Impairment{}.str(), "none");
}

TEST(Impairment, WhatIsNotAValueIsSaid) {
  Impairment imp;
  EXPECT_EQ(SetImpairmentValue(&imp, "delay", "soon"), "delay: \"soon\" is not a duration (such as 50ms, 1.5s, 200us)");
  EXPECT_EQ(SetImpairmentValue(&imp, "delay", "5 parsecs"),
            "delay: \"5 parsecs\" is not a duration (such as 50ms, 1.5s, 200us)");
  EXPECT_EQ(SetImpairmentValue(&imp, "jitter", "-5ms"),
            "jitter: \"-5ms\" is not a duration (such as 50ms, 1.5s, 200us)");
  EXPECT_EQ(SetImpairmentValue(&imp, "delay", "2h"), "delay: \"2h\" is not a duration (such as 50ms, 1.5s, 200us)");
  EXPECT_EQ(SetImpairmentValue(&imp, "delay", "3601s"), "delay: \"3601s\" is over an hour");
  EXPECT_EQ(SetImpairmentValue(&imp, "loss", "110"), "loss: \"110\" is not a percentage from 0 to 100");
  EXPECT_EQ(SetImpairmentValue(&imp, "rate", "1.5"), "rate: \"1.5\" is not a whole number of kbit/s");
  EXPECT_EQ(SetImpairmentValue(&imp, "latency", "5ms"),
            "unknown key \"latency\" (expected one of: delay, jitter, loss, corruption, duplicate, reorder, rate)");
  EXPECT_EQ(ImpairmentProblem(Of({{"jitter", "5ms"}})), "jitter needs a delay (netem varies the delay by it)");
  EXPECT_EQ(ImpairmentProblem(Of({{"reorder", "5"}})),
            "reorder needs a delay (netem reorders by sending some frames at once)");
  EXPECT_EQ(ImpairmentProblem(Of({{"delay", "5ms"}, {"reorder", "5"}})), "");
}

std::string Errors(const FileLoad& r) {
  return r.ErrorText();
}

const Endpoint* End(const LabSpec& lab, const std::string& node, const std::string& iface) {
  for (const auto& l : lab.links)
    for (const Endpoint* e : {&l.a, &l.b})
      if (e->node == node && e->iface == iface) return e;
  return nullptr;
}

TEST(Impairment, AContainerlabFileDeclaresThemInVarsNetemOfALinkOrAnEnd) {
  auto r = LoadFileText(R"(name: imp
topology:
  defaults: {kind: linux, image: img}
  nodes: {a: {}, b: {}, c: {}}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
      vars: {netem: {delay: 50ms, jitter: 5ms, loss: 10}, foo: bar}
    - type: veth
      endpoints:
        - {node: b, interface: eth2, vars: {netem: {rate: 1000}}}
        - {node: c, interface: eth1}
    - endpoints: ["a:eth2", "c:eth2"]
)",
                        "/tmp/lk-test/imp.clab.yml");
  ASSERT_TRUE(r.ok()) << Errors(r);
  const LabSpec& lab = r.labs[0];
  ASSERT_TRUE(End(lab, "a", "eth1")->impair);
  EXPECT_EQ(End(lab, "a", "eth1")->impair->str(), "delay 50ms jitter 5ms loss 10%");
  EXPECT_EQ(End(lab, "b", "eth1")->impair, End(lab, "a", "eth1")->impair) << "a link's: both ends";
  EXPECT_EQ(End(lab, "b", "eth2")->impair->str(), "rate 1000kbit");
  EXPECT_FALSE(End(lab, "c", "eth1")->impair) << "an end's: that end only";
  EXPECT_FALSE(End(lab, "a", "eth2")->impair);
}

TEST(Impairment, ALabResourceDeclaresThemInSpecImpairments) {
  auto r = LoadFileText(R"(apiVersion: labkeeper.dev/v1alpha1
kind: Lab
metadata: {name: imp}
spec:
  topology:
    defaults: {kind: linux, image: img}
    nodes: {a: {}, b: {}}
    links:
      - endpoints: ["a:eth1", "b:eth1"]
      - endpoints: ["a:eth2", "b:eth2"]
  impairments:
    - {endpoint: "a:eth1", delay: 20ms}
    - {link: "a:eth2--b:eth2", loss: 100}
)",
                        "/tmp/lk-test/imp.lab.yml");
  ASSERT_TRUE(r.ok()) << Errors(r);
  const LabSpec& lab = r.labs[0];
  EXPECT_EQ(End(lab, "a", "eth1")->impair->str(), "delay 20ms");
  EXPECT_FALSE(End(lab, "b", "eth1")->impair);
  EXPECT_EQ(End(lab, "a", "eth2")->impair->str(), "loss 100%");
  EXPECT_EQ(End(lab, "b", "eth2")->impair->str(), "loss 100%");
}

TEST(Impairment, EveryMistakeIsSaidWhereItIsWritten) {
  auto clab = LoadFileText(R"(name: imp
topology:
  defaults: {kind: linux, image: img}
  nodes: {a: {}, b: {}}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
      vars: {netem: {delay: soon, drop: 5}}
    - endpoints: ["a:eth2", "b:eth2"]
      vars: {netem: {jitter: 5ms}}
    - type: host
      host-interface: imphost
      endpoint: {node: a, interface: eth3}
      vars: {netem: {delay: 5ms}}
)",
                           "/tmp/lk-test/imp.clab.yml");
  std::string e = Errors(clab);
  EXPECT_NE(e.find("imp.clab.yml:7:29: links[0].vars.netem: delay: \"soon\" is not a duration"), std::string::npos)
      << e;
  EXPECT_NE(e.find("imp.clab.yml:7:35: links[0].vars.netem: unknown key \"drop\""), std::string::npos) << e;
  EXPECT_NE(e.find("imp.clab.yml:9:21: links[1].vars.netem: jitter needs a delay"), std::string::npos) << e;
  EXPECT_NE(e.find("imp.clab.yml:13:13: links[2]: vars.netem: impairments are made on the ends of veth links only, "
                   "not host"),
            std::string::npos)
      << e;
  auto lab = LoadFileText(R"(apiVersion: labkeeper.dev/v1alpha1
kind: Lab
metadata: {name: imp}
spec:
  topology:
    defaults: {kind: linux, image: img}
    nodes: {a: {}, b: {}}
    links:
      - endpoints: ["a:eth1", "b:eth1"]
  impairments:
    - {endpoint: "a:eth9", delay: 20ms}
    - {link: "a:eth1--b:eth1", endpoint: "a:eth1", loss: 1}
    - {link: "a:eth1--b:eth1", loss: lots}
)",
                          "/tmp/lk-test/imp.lab.yml");
  e = Errors(lab);
  EXPECT_NE(e.find("imp.lab.yml:11:18: spec.impairments[0].endpoint: no veth link has the end \"a:eth9\""),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("imp.lab.yml:12:7: spec.impairments[1]: give one of \"endpoint\""), std::string::npos) << e;
  EXPECT_NE(e.find("imp.lab.yml:13:38: spec.impairments[2]: loss: \"lots\" is not a percentage"), std::string::npos)
      << e;
}

}  // namespace
}  // namespace lk
