#include "api/gotemplate.h"

#include <gtest/gtest.h>

namespace lk {
namespace {

std::string Render(const std::string& t, const nlohmann::json& vars = nlohmann::json::object()) {
  auto r = RenderGoTemplate(t, vars);
  return r.ok() ? r->text : "ERROR: " + r.error();
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

TEST(GoTemplate, EachRenderedLineKnowsItsTemplateLine) {
  nlohmann::json vars = {{"n", 3}};
  auto r = RenderGoTemplate("a: 1\nnodes:\n{{- range $i := seq 1 .n }}\n  n{{ $i }}: {}\n{{- end }}\nz: 2\n", vars);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->text, "a: 1\nnodes:\n  n1: {}\n  n2: {}\n  n3: {}\nz: 2\n");
  std::vector<int> want = {1, 2, 4, 4, 4, 6, 7};
  EXPECT_EQ(r->lines, want);
}

}  // namespace
}  // namespace lk

#include "api/topology_codec.h"

namespace lk {
namespace {

TEST(GoTemplate, ErrorsInTheRenderedTextPointAtTheTemplate) {
  // The error is on rendered line 5 (n3, made by the range), which comes from template line 5.
  std::string tpl =
      "name: t\ntopology:\n  nodes:\n{{- range $i := seq 1 3 }}\n    n{{ $i }}: {kind: linux, image: i, cpu: "
      "{{ if eq $i 3 }}lots{{ else }}1{{ end }}}\n{{- end }}\n";
  FileLoad f = LoadFileText(tpl, "/tmp/lk-test/t.clab.yml");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.ErrorText().find("t.clab.yml:5:"), std::string::npos) << f.ErrorText();
  EXPECT_NE(f.ErrorText().find("(line 6 of the rendered template)"), std::string::npos) << f.ErrorText();
}

}  // namespace
}  // namespace lk
