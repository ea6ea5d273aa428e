// The exact reproducers of inputs that once hung, exhausted memory or reached undefined
// behaviour in the loader, the template renderer and the environment expansion. Each must now
// end, with a value or an error that says what is wrong.
#include <gtest/gtest.h>

#include <unistd.h>

#include <string>

#include "api/gotemplate.h"
#include "api/strings.h"
#include "api/topology_codec.h"

namespace lk {
namespace {

std::string RenderError(const std::string& text) {
  auto r = RenderGoTemplate(text, nlohmann::json::object());
  return r ? std::string() : r.error();
}

// yaml-cpp 0.7's YAML::LoadAll never returns on a lone ",", allocating all the while (its
// issue 1040); labkeeper splits documents itself and parses each alone (yaml::Doc::Load).
TEST(HostileInput, ALoneCommaIsNoLabAndEnds) {
  FileLoad lab = LoadFileText(",", "/nowhere/x.lab.yml");
  EXPECT_EQ(lab.ErrorText(), "/nowhere/x.lab.yml:1:1: the file holds no Lab document\n");
  FileLoad topo = LoadFileText(",", "/nowhere/x.clab.yml");
  EXPECT_FALSE(topo.ok());
  FileLoad later = LoadFileText(
      "apiVersion: labkeeper.dev/v1alpha1\nkind: Lab\nmetadata: {name: a}\nspec: {}\n---\n,\n", "/nowhere/y.lab.yml");
  EXPECT_FALSE(later.ok());
}

TEST(HostileInput, DocumentsAreSplitExactlyAndKeepTheirLines) {
  std::string doc =
      "apiVersion: labkeeper.dev/v1alpha1\nkind: Lab\nmetadata: {name: NAME}\nspec:\n"
      "  topology:\n    nodes:\n      n: {kind: linux, image: x, exec: [\"echo ---\"]}\n";
  auto named = [&](const std::string& n) { return std::string(doc).replace(doc.find("NAME"), 4, n); };
  // "---" inside a value, and a block scalar whose lines hold "---" indented: not markers.
  std::string text = "# leading comment\n" + named("a") + "  prune: true\n---\n" + named("b") +
                     "  suspend: false\n...\n--- # a comment after the marker\n" + named("c");
  FileLoad f = LoadFileText(text, "/nowhere/three.lab.yml");
  ASSERT_TRUE(f.ok()) << f.ErrorText();
  ASSERT_EQ(f.labs.size(), 3u);
  EXPECT_EQ(f.labs[2].name, "c");
  EXPECT_EQ(f.labs[0].nodes[0].exec, std::vector<std::string>{"echo ---"});
  // An error in the third document points at its line of the file.
  std::string bad = named("a") + "---\n" + named("b") + "---\n" + named("c") + "  bogus: 1\n";
  FileLoad e = LoadFileText(bad, "/nowhere/bad.lab.yml");
  EXPECT_NE(e.ErrorText().find("/nowhere/bad.lab.yml:24:3: "), std::string::npos) << e.ErrorText();
  // A syntax error in a later document too.
  FileLoad s = LoadFileText(named("a") + "---\nkind: [Lab\n", "/nowhere/syntax.lab.yml");
  EXPECT_NE(s.ErrorText().find("/nowhere/syntax.lab.yml:10:"), std::string::npos) << s.ErrorText();
}

TEST(HostileInput, DocumentCountHasALimit) {
  std::string text;
  for (size_t i = 0; i <= kMaxDocuments; ++i) text += "---\n{}\n";
  FileLoad f = LoadFileText(text, "/nowhere/many.lab.yml");
  EXPECT_EQ(f.ErrorText(), "/nowhere/many.lab.yml:" + std::to_string(2 * kMaxDocuments + 1) + ":1: more than " +
                               std::to_string(kMaxDocuments) + " documents in one file (the limit)\n");
}

TEST(HostileInput, SeqWithAZeroStepIsAnError) {
  EXPECT_EQ(RenderError("{{ range seq 5 0 1 }}{{ end }}"), "line 1: seq: a step of 0 never reaches the end");
}

TEST(HostileInput, IterationsHaveALimit) {
  EXPECT_NE(RenderError("{{ range seq 1 100000000 }}{{ end }}").find("exceed the limit of 1000000 iterations"),
            std::string::npos);
  // Nested ranges add up.
  EXPECT_NE(RenderError("{{ range seq 1 2000 }}{{ range seq 1 2000 }}{{ end }}{{ end }}").find("limit"),
            std::string::npos);
  // Within the limit, a seq is as before.
  auto ok = RenderGoTemplate("{{ range seq 1 3 }}{{ . }},{{ end }}", nlohmann::json::object());
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(ok->text, "1,2,3,");
}

TEST(HostileInput, OutputAndNestingHaveLimits) {
  std::string big(1 << 20, 'x');
  std::string err = RenderError("{{ range seq 1 100 }}" + big + "{{ end }}");
  EXPECT_NE(err.find("the rendered text exceeds the limit of 16 MiB"), std::string::npos) << err;
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "{{ if true }}";
  for (int i = 0; i < 100; ++i) deep += "{{ end }}";
  EXPECT_NE(RenderError(deep).find("nested deeper than 64 levels"), std::string::npos) << RenderError(deep);
}

// Out-of-range doubles and NaN once reached static_cast<long long> (undefined behaviour).
TEST(HostileInput, HugeNumbersAndNanAreNeverCastToIntegers) {
  auto huge = RenderGoTemplate("{{ 1e30 }} {{ -1e300 }} {{ 9223372036854775807 }}", nlohmann::json::object());
  ASSERT_TRUE(huge) << huge.error();
  EXPECT_EQ(huge->text, "1e+30 -1e+300 9.223372036854776e+18");
  auto nan =
      RenderGoTemplate("{{ add \"nan\" 1 }} {{ sub (mul 1e300 1e300) (mul 1e300 1e300) }}", nlohmann::json::object());
  ASSERT_TRUE(nan) << nan.error();
  EXPECT_EQ(nan->text, "null null");
  EXPECT_EQ(RenderError("{{ printf \"%d\" (add \"nan\" 1) }}"), "line 1: printf: not a finite number");
  EXPECT_EQ(RenderError("{{ printf \"%d\" 1e30 }}"), "line 1: printf: the number is too large for an integer");
  EXPECT_EQ(RenderError("{{ div 1e300 1e-300 }}"), "line 1: div: not a finite number");
  EXPECT_EQ(RenderError("{{ range seq 1 1e30 }}{{ end }}").find("seq: "), 8u);
}

// Every unterminated "${" once rescanned to the end of the text: quadratic in its length.
TEST(HostileInput, UnterminatedExpansionsAreReadOnce) {
  std::string text;
  for (int i = 0; i < (1 << 19); ++i) text += "${";  // 1 MiB
  EXPECT_EQ(ExpandEnv(text, nullptr), text);
  EXPECT_EQ(ExpandEnv("${A ${B} ${", nullptr), "${A ${B} ${");
  std::map<std::string, std::string> env = {{"B", "b"}};
  EXPECT_EQ(ExpandEnv("x ${ ${B} } ${B", &env), "x ${ ${B} } ${B");
  EXPECT_EQ(ExpandEnv("${B}${B} ${B", &env), "bb ${B");
}

}  // namespace
}  // namespace lk

#include <filesystem>
#include <fstream>

namespace lk {
namespace {

// A vars file of nine aliases of nine: 9^9 values once copied, from a file of a few hundred bytes.
TEST(HostileInput, AnAliasBombInAVarsFileHitsALimit) {
  std::string dir = std::filesystem::temp_directory_path() / ("lk-bomb-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string vars = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string p = "*a" + std::to_string(i - 1);
    vars += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + p + ", " + p + ", " + p + ", " + p + ", " +
            p + ", " + p + ", " + p + ", " + p + ", " + p + "]\n";
  }
  std::ofstream(dir + "/bomb.clab_vars.yaml") << vars;
  FileLoad f = LoadFileText("name: b\n{{ len .a9 }}\n", dir + "/bomb.clab.gotmpl");
  EXPECT_NE(f.ErrorText().find("bomb.clab_vars.yaml:"), std::string::npos) << f.ErrorText();
  EXPECT_NE(f.ErrorText().find("vars file: more than 100000 values (aliases included; the limit)"), std::string::npos)
      << f.ErrorText();
  std::filesystem::remove_all(dir);
}

TEST(HostileInput, AFileOverTheSizeLimitIsAnErrorThatSaysSo) {
  FileLoad f = LoadFileText(std::string(kMaxFileBytes + 1, '#'), "/nowhere/huge.clab.yml");
  EXPECT_EQ(f.ErrorText(), "/nowhere/huge.clab.yml:1:1: the file is " + std::to_string(kMaxFileBytes + 1) +
                               " bytes, over the limit of 8 MiB for a lab file\n");
}

}  // namespace
}  // namespace lk

namespace lk {
namespace {

// Nine aliases of nine used by a node's exec list: a few hundred bytes in the lab file itself
// that the reading would copy 9^9 times.
TEST(HostileInput, AnAliasBombInALabFileHitsALimit) {
  auto bomb = [](const std::string& indent) {  // 9^10 values in ten lines of nine aliases
    std::string lists = indent + "x-a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i <= 9; ++i) {
      std::string p = "*a" + std::to_string(i - 1);
      lists += indent + "x-a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + p + ", " + p + ", " + p + ", " +
               p + ", " + p + ", " + p + ", " + p + ", " + p + ", " + p + "]\n";
    }
    return lists;
  };
  std::string text = "name: b\ntopology:\n  kinds:\n    linux:\n      labels:\n" + bomb("        ") +
                     "  nodes:\n    n: {kind: linux, image: x, exec: *a9}\n";
  FileLoad f = LoadFileText(text, "/nowhere/bomb.clab.yml");
  EXPECT_NE(f.ErrorText().find("/nowhere/bomb.clab.yml:"), std::string::npos) << f.ErrorText();
  EXPECT_NE(f.ErrorText().find("more than 1000000 values (aliases included; the limit)"), std::string::npos)
      << f.ErrorText();
  // The file still names its lab, so that lab is Stalled with this reason, not just a file error.
  EXPECT_EQ(f.names, std::vector<std::string>{"b"});
  // The same in a Lab resource file: metadata.name is found before the values are counted.
  std::string resource = "apiVersion: labkeeper.dev/v1alpha1\nkind: Lab\nmetadata: {name: r}\nspec:\n  topology:\n" +
                         std::string("    kinds:\n      linux:\n        labels:\n") + bomb("          ") +
                         "    nodes:\n      n: {kind: linux, image: x, exec: *a9}\n";
  f = LoadFileText(resource, "/nowhere/bomb.lab.yml");
  EXPECT_NE(f.ErrorText().find("aliases included; the limit"), std::string::npos) << f.ErrorText();
  EXPECT_EQ(f.names, std::vector<std::string>{"r"});
}

TEST(HostileInput, NestingHasALimit) {
  std::string deep =
      "name: d\ntopology:\n  nodes:\n    n: {kind: linux, image: x, labels: {a: " + std::string(100, '[') +
      std::string(100, ']') + "}}\n";
  FileLoad f = LoadFileText(deep, "/nowhere/deep.clab.yml");
  EXPECT_NE(f.ErrorText().find("/nowhere/deep.clab.yml:4:"), std::string::npos) << f.ErrorText();
  EXPECT_NE(f.ErrorText().find("nested deeper than 64 levels (the limit)"), std::string::npos) << f.ErrorText();
  // Beyond yaml-cpp's own guard (2000 levels) its parser stops first: said so, not "bad file".
  std::string deeper = "name: d\ntopology: " + std::string(5000, '[') + std::string(5000, ']') + "\n";
  f = LoadFileText(deeper, "/nowhere/deeper.clab.yml");
  EXPECT_NE(f.ErrorText().find("YAML nested deeper than yaml-cpp's limit of 2000 levels"), std::string::npos)
      << f.ErrorText();
}

TEST(HostileInput, NodesAndLinksHaveLimits) {
  std::string nodes = "name: many\ntopology:\n  nodes:\n";
  for (size_t i = 0; i <= kMaxNodes; ++i) nodes += "    n" + std::to_string(i) + ": {kind: linux, image: x}\n";
  FileLoad f = LoadFileText(nodes, "/nowhere/many.clab.yml");
  std::string at = "/nowhere/many.clab.yml:" + std::to_string(kMaxNodes + 4) + ":5: more than " +
                   std::to_string(kMaxNodes) + " nodes in one lab";
  EXPECT_NE(f.ErrorText().find(at), std::string::npos) << f.ErrorText().substr(0, 500);

  std::string links =
      "name: many\ntopology:\n  nodes:\n    a: {kind: linux, image: x}\n    b: {kind: linux, image: x}\n"
      "  links:\n";
  for (size_t i = 0; i <= kMaxLinks; ++i) {
    std::string e = "e" + std::to_string(i);
    links += "    - endpoints: [a:" + e + ", b:" + e + "]\n";
  }
  f = LoadFileText(links, "/nowhere/links.clab.yml");
  at = "/nowhere/links.clab.yml:" + std::to_string(kMaxLinks + 7) + ":7: more than 50000 links in one lab (the limit)";
  EXPECT_NE(f.ErrorText().find(at), std::string::npos) << f.ErrorText().substr(0, 500);
}

// A short file whose references name a long value many times: the expansion is bounded, and the
// error points at the reference that crossed the limit.
TEST(HostileInput, EnvExpansionHasALimit) {
  std::map<std::string, std::string> env = {{"BIG", std::string(1 << 20, 'v')}};
  std::string text = "name: x\n# ";
  for (int i = 0; i < 20; ++i) text += "${BIG}";
  text += "\ntopology: {nodes: {}}\n";
  FileLoad f = LoadFileText(text, "/nowhere/env.clab.yml", &env);
  EXPECT_NE(f.ErrorText().find("/nowhere/env.clab.yml:2:"), std::string::npos) << f.ErrorText();
  EXPECT_NE(f.ErrorText().find("expanding ${...} makes the text longer than 16 MiB (the limit)"), std::string::npos)
      << f.ErrorText();
  size_t at = 0;
  auto r = ExpandEnvWithin("ab ${BIG}${BIG}", &env, (1 << 20) + 10, &at);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(at, 9u);
}

}  // namespace
}  // namespace lk
