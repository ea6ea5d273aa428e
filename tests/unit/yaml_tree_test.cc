// The codec's YAML documents (api/yaml_tree.h) against yaml-cpp's own YAML::Load, which they
// replace: for every topology file in ../shared and for the corners of YAML, the same values,
// types, scalars, tags, lines and columns, order, shared (aliased) values, errors, conversions
// and dumps. (A mark's `pos` is libyaml's, in characters; the codec reads only lines and columns.)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <yaml-cpp/depthguard.h>

#include "api/yaml_tree.h"
#include "tests/support/support.h"

namespace lk {
namespace {

// Compares `ours` with `theirs` to `depth` levels; `same` maps each of our values to the yaml-cpp
// node it matched, so an alias must be the very node its anchor is in both.
void ExpectSame(const yaml::Node& ours, const YAML::Node& theirs, const std::string& at,
                std::map<uint32_t, YAML::Node>* same, int depth = 0) {
  ASSERT_EQ(static_cast<bool>(ours), theirs.IsDefined()) << at;
  if (!ours || depth > 40) return;
  ASSERT_EQ(ours.Type(), theirs.Type()) << at;
  EXPECT_EQ(ours.Scalar(), theirs.Scalar()) << at;
  EXPECT_EQ(ours.Tag(), theirs.Tag()) << at;
  EXPECT_EQ(ours.Mark().line, theirs.Mark().line) << at;
  EXPECT_EQ(ours.Mark().column, theirs.Mark().column) << at;
  ASSERT_EQ(ours.size(), theirs.size()) << at;
  if (auto [it, fresh] = same->emplace(ours.Id(), theirs); !fresh) {
    EXPECT_TRUE(it->second.is(theirs)) << at << ": one value here, two in yaml-cpp";
    return;  // its children were compared where it was first met
  }
  if (ours.IsSequence())
    for (size_t i = 0; i < ours.size(); ++i)
      ExpectSame(ours[i], theirs[i], at + "[" + std::to_string(i) + "]", same, depth + 1);
  if (ours.IsMap()) {
    auto mine = ours.begin();
    for (auto it = theirs.begin(); it != theirs.end(); ++it, ++mine) {
      ExpectSame(mine->first, it->first, at + ".<key>", same, depth + 1);
      ExpectSame(mine->second, it->second, at + "." + it->first.Scalar(), same, depth + 1);
    }
    EXPECT_TRUE(mine == ours.end()) << at;
  }
}

void ExpectLoadsAlike(const std::string& text, const std::string& what) {
  SCOPED_TRACE(what);
  YAML::Node theirs = YAML::Load(text);
  auto doc = yaml::Doc::Load(text);
  std::map<uint32_t, YAML::Node> same;
  ExpectSame(doc->Root(), theirs, "root", &same);
  EXPECT_EQ(YAML::Dump(yaml::ToYamlCpp(doc->Root())), YAML::Dump(theirs));
}

// Corners of YAML the topology files use, or that a hostile or careless file could.
const std::vector<std::string> kCorners = {
    "",
    "# only a comment\n",
    "---\n",
    "--- a\n...\n",
    "~",
    "plain: text\nquoted: \"text\"\nsingle: 'text'\nempty:\nnull: null\ntilde: ~\nNULL: NULL\nqnull: \"null\"\n",
    "tagged: !!str 12\nint: !!int 7\ncustom: !mine {a: 1}\nseq: !!seq [a]\n",
    "a: 1\na: 2\nb: {x: 1, x: 2}\n",
    "? [a, b]\n: complex\n? {k: v}\n: map key\n~: null key\n",
    "base: &b {kind: linux, image: x}\none: *b\ntwo: *b\nlist: &l [1, 2]\nagain: *l\n",
    "scalar: &s text\nuse: *s\nkeys:\n  *s : value\n",
    "x: &a one\ny: &a two\nz: &b three\nuse-a: *a\nuse-b: *b\n",
    "self: &me [1, *me]\n",
    "block: |\n  line one\n  line two\nfolded: >-\n  a\n  b\nkeep: |+\n  x\n\n",
    "multi: this is\n  one plain\n  scalar\nflow: {a: [1, {b: c}], d: 'e''f'}\n",
    "- a\n- - b\n  - c\n- {d: e}\n-\n- \"\"\n",
    "nodes:\n  n1: {}\n  n2:\n    kind: linux\n    exec: [\"echo ---\", 'ip a']\n",
    "anchors: &x\n  a: 1\nmerge:\n  <<: *x\n  b: 2\n",
    "# caf\u00e9\nk\u00e9y:  # a comment \u00e9\n  - \u00e9t\u00e9\nempty: # \u00e9\nlast:",
    "a: 1\nlast:",
    "a:\n  b:   ",
    "- x\n-",
    "{a: , b: 1, c: }\n",
    "unicode: \"\\u00e9t\\u00e9\"\nescapes: \"a\\tb\\nc\"\nbool: [yes, no, on, off, true, False]\n",
};

TEST(YamlTree, TheCornersOfYamlLoadAsYamlCppLoadsThem) {
  for (size_t i = 0; i < kCorners.size(); ++i) ExpectLoadsAlike(kCorners[i], "corner " + std::to_string(i));
}

TEST(YamlTree, EveryTopologyFileInSharedLoadsAsYamlCppLoadsIt) {
  size_t files = 0;
  for (const char* dir : {"/containerlab-corpus", "/clab-examples"}) {
    const std::string root = test::SharedDir() + dir;
    if (!std::filesystem::is_directory(root)) GTEST_SKIP() << root << " is not here";
    for (const auto& f : test::TopologyFilesUnder(root)) {
      std::ifstream in(f);
      std::stringstream text;
      text << in.rdbuf();
      if (text.str().find("{{") != std::string::npos) continue;  // a template: YAML once rendered
      ExpectLoadsAlike(text.str(), f);
      ++files;
    }
  }
  EXPECT_GE(files, 90u);
}

TEST(YamlTree, ErrorsAreYamlCppsWithTheirMarks) {
  size_t refused = 0;
  for (const std::string text :
       {"a: [1, 2\n", "a: b: c\n", "- a\nb: c\n", "a: *nowhere\n", "\"open\n", "[,]", "a:\n\tb: c\n"}) {
    SCOPED_TRACE(text);
    std::string theirs, ours;
    int their_line = -2, our_line = -2;
    try {
      YAML::Load(text);
    } catch (const YAML::Exception& e) {
      theirs = e.msg;
      their_line = e.mark.line;
      ++refused;
    }
    try {
      yaml::Doc::Load(text);
    } catch (const YAML::Exception& e) {
      ours = e.msg;
      our_line = e.mark.line;
    }
    EXPECT_EQ(ours, theirs);
    EXPECT_EQ(our_line, their_line);
  }
  EXPECT_GE(refused, 3u) << "the texts above are meant to be refused";
  std::string deep(3000, '[');
  EXPECT_THROW(yaml::Doc::Load(deep), YAML::DeepRecursion);
}

// What a value converts to, or "!" when yaml-cpp refuses it.
template <typename T, typename N>
std::string Converted(const N& n) {
  try {
    std::ostringstream out;
    out << n.template as<T>();
    return out.str();
  } catch (const YAML::Exception&) {
    return "!";
  }
}

TEST(YamlTree, ValuesConvertAsYamlCppConvertsThem) {
  const std::string text =
      "[0x1F, 0o17, 017, -3, 1e3, 1.5, 12abc, yes, No, on, OFF, y, true, \"7\", '', ~, {a: 1}, [1], 99999999999]";
  YAML::Node theirs = YAML::Load(text);
  auto doc = yaml::Doc::Load(text);
  ASSERT_EQ(doc->Root().size(), theirs.size());
  for (size_t i = 0; i < theirs.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(Converted<int>(doc->Root()[i]), Converted<int>(theirs[i]));
    EXPECT_EQ(Converted<bool>(doc->Root()[i]), Converted<bool>(theirs[i]));
    EXPECT_EQ(Converted<double>(doc->Root()[i]), Converted<double>(theirs[i]));
    EXPECT_EQ(Converted<std::string>(doc->Root()[i]), Converted<std::string>(theirs[i]));
  }
  EXPECT_THROW(yaml::Node().as<int>(), YAML::BadConversion);
}

TEST(YamlTree, LookupsFindTheFirstKeyAndAnswerUndefinedForWhatIsNotThere) {
  auto doc = yaml::Doc::Load("a: 1\na: 2\nlist: [x, y]\n~: z\n");
  yaml::Node root = doc->Root();
  EXPECT_EQ(root["a"].Scalar(), "1");
  EXPECT_FALSE(root["b"]);
  EXPECT_FALSE(root["list"]["a"]);
  EXPECT_EQ(root["list"][1].Scalar(), "y");
  EXPECT_FALSE(root["list"][2]);
  EXPECT_FALSE(root["a"][0]);
  EXPECT_FALSE(root[""]) << "a null key is no key \"\"";
  EXPECT_EQ(root["a"].size(), 0u);
  EXPECT_FALSE(yaml::Node()["a"]);
  EXPECT_TRUE(yaml::Node().begin() == yaml::Node().end());
}

TEST(YamlTree, ANewMapHoldsTheDocumentsOwnValuesAndIsWrittenNowhere) {
  auto doc = yaml::Doc::Load("metadata: {name: lab}\nspec:\n  topology: {nodes: {n: {}}}\n");
  yaml::Node root = doc->Root();
  const std::string& held = root["metadata"]["name"].Scalar();  // a reference kept across NewMap
  yaml::Node made = doc->NewMap({{"name", root["metadata"]["name"]}, {"topology", root["spec"]["topology"]}});
  EXPECT_EQ(held, "lab");
  EXPECT_TRUE(made.IsMap());
  EXPECT_EQ(made.size(), 2u);
  EXPECT_TRUE(made["topology"].is(root["spec"]["topology"]));
  EXPECT_EQ(made["topology"].Mark().line, 2);
  EXPECT_EQ(made.Mark().line, -1);
  EXPECT_EQ(made.begin()->first.Mark().line, -1);
  EXPECT_EQ(made.begin()->first.Scalar(), "name");
}

}  // namespace
}  // namespace lk
