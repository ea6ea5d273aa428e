// The malformed corpus under tests/malformed: each file must produce the error named for it in
// tests/malformed/EXPECTED, at the exact line and column; none may crash or hang the parser.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include "api/topology_codec.h"
#include "tests/support/support.h"

namespace lk {
namespace {

TEST(MalformedCorpus, EachFileGivesItsExactErrorAndPosition) {
  std::string dir = test::SourceDir() + "/tests/malformed";
  std::ifstream expected(dir + "/EXPECTED");
  ASSERT_TRUE(expected) << "no " << dir << "/EXPECTED";
  std::string line;
  int cases = 0;
  while (std::getline(expected, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    std::string file = dir + "/" + line.substr(0, tab);
    std::string want = line.substr(tab + 1);  // "L:C: message"
    auto start = std::chrono::steady_clock::now();
    FileLoad r = LoadFile(file);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_LT(took, std::chrono::seconds(5)) << file << " took too long: the parser may loop";
    ASSERT_FALSE(r.ok()) << file << " was accepted";
    std::string text = r.ErrorText();
    // Messages may name absolute paths under the corpus directory; EXPECTED writes them $DIR.
    for (size_t p; (p = text.find(dir + "/", text.find(':') + 1)) != std::string::npos;)
      text.replace(p, dir.size(), "$DIR");
    EXPECT_NE(text.find(file + ":" + want), std::string::npos) << file << "\nwant: " << want << "\ngot:\n" << text;
    ++cases;
  }
  EXPECT_GE(cases, 40);
}

}  // namespace
}  // namespace lk
