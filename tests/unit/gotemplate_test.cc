#include "api/gotemplate.h"

#include <gtest/gtest.h>

#include "api/kinds.h"

namespace lk {
namespace {

std::string Render(const std::string& t, const nlohmann::json& vars = nlohmann::json::object()) {
  auto r = RenderGoTemplate(t, vars);
  return r.ok() ? *r : "ERROR: " + r.error();
}

TEST(GoTemplate, FieldsVariablesAndTrimming) {
  nlohmann::json vars = {{"spines", {{"num", 2}, {"prefix", "spine"}}}, {"name", "lab"}};
  EXPECT_EQ(Render("name: {{ .name }}", vars), "name: lab");
  EXPECT_EQ(Render("a\n{{- $.name -}}\nb", vars), "alabb");
  EXPECT_EQ(Render("{{ $p := .spines.prefix }}{{ $p }}1", vars), "spine1");
  EXPECT_EQ(Render("{{/* a comment */}}x"), "x");
}

TEST(GoTemplate, RangeOverSeqAndLists) {
  nlohmann::json vars = {{"n", 3}, {"names", {"a", "b"}}};
  EXPECT_EQ(Render("{{- range $i := seq 1 $.n }} n{{ $i }}{{ end }}", vars), " n1 n2 n3");
  EXPECT_EQ(Render("{{ range .names }}[{{ . }}]{{ end }}", vars), "[a][b]");
  EXPECT_EQ(Render("{{ range $i, $v := .names }}{{ $i }}={{ $v }} {{ end }}", vars), "0=a 1=b ");
  EXPECT_EQ(Render("{{ range $i := seq 1 2 }}{{ range $j := seq 1 2 }}{{ $i }}{{ $j }} {{ end }}{{ end }}"),
            "11 12 21 22 ");
}

TEST(GoTemplate, IfElseAndFunctions) {
  nlohmann::json vars = {{"on", true}, {"count", 0}};
  EXPECT_EQ(Render("{{ if .on }}yes{{ else }}no{{ end }}", vars), "yes");
  EXPECT_EQ(Render("{{ if .count }}yes{{ else }}no{{ end }}", vars), "no");
  EXPECT_EQ(Render("{{ if .missing }}yes{{ end }}end", vars), "end");
  EXPECT_EQ(Render("{{ printf \"e1-%d\" (add 1 2) }}"), "e1-3");
  EXPECT_EQ(Render("{{ printf \"%02d|%s\" 7 \"x\" }}"), "07|x");
  EXPECT_EQ(Render("{{ if eq .count 0 }}zero{{ end }}", vars), "zero");
  EXPECT_EQ(Render("{{ if and .on (not .count) }}ok{{ end }}", vars), "ok");
}

TEST(GoTemplate, UnsupportedConstructsNameThemselvesAndTheirLine) {
  EXPECT_EQ(Render("a\n{{ with .x }}{{ end }}"),
            "ERROR: line 2: \"with\" is not supported in topology templates by labkeeper");
  EXPECT_EQ(Render("a\nb\n{{ .x | upper }}"),
            "ERROR: line 3: pipelines with \"|\" are not supported in topology templates by labkeeper");
  EXPECT_EQ(Render("{{ toYaml .x }}"),
            "ERROR: line 1: function \"toYaml\" is not supported in topology templates by labkeeper");
  EXPECT_EQ(Render("{{ if .x }}never closed"), "ERROR: line 1: {{if}} without a matching {{end}}");
  EXPECT_EQ(Render("x {{ .a"), "ERROR: line 1: unclosed action: \"{{\" without \"}}\"");
  EXPECT_EQ(Render("{{ $nope }}"), "ERROR: line 1: undefined variable $nope");
}

TEST(Kinds, InterfaceAliasesAndDefaults) {
  EXPECT_EQ(LinuxIfaceName("nokia_srlinux", "ethernet-1/1"), "e1-1");
  EXPECT_EQ(LinuxIfaceName("nokia_srlinux", "ethernet-1/3/2"), "e1-3-2");
  EXPECT_EQ(LinuxIfaceName("srl", "e1-1"), "e1-1");
  EXPECT_EQ(LinuxIfaceName("arista_ceos", "Ethernet1"), "eth1");
  EXPECT_EQ(LinuxIfaceName("arista_ceos", "eth1"), "eth1");
  EXPECT_EQ(LinuxIfaceName("cisco_xrd", "GigabitEthernet0/0/0/1"), "Gi0-0-0-1");
  EXPECT_EQ(LinuxIfaceName("linux", "ethernet-1/1"), "ethernet-1/1");
  ASSERT_NE(FindKind("ceos"), nullptr);
  EXPECT_EQ(FindKind("ceos")->env.at("CEOS"), "1");
  EXPECT_TRUE(FindKind("vr-sros")->vm);
  EXPECT_EQ(FindKind("nonsense"), nullptr);
}

}  // namespace
}  // namespace lk
