#include "api/strings.h"

#include <gtest/gtest.h>

namespace lk {
namespace {

TEST(ShellSplit, QuotesAndEscapes) {
  auto r = ShellSplit(R"(ash -c "echo $MYVAR > /tmp/var && sleep 9999" 'a b' c\ d)");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<std::string>{"ash", "-c", "echo $MYVAR > /tmp/var && sleep 9999", "a b", "c d"}));
}

TEST(ShellSplit, UnterminatedQuoteIsAnError) {
  auto r = ShellSplit("echo 'oops");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("unterminated"), std::string::npos);
}

TEST(ExpandEnv, AllForms) {
  std::map<std::string, std::string> env = {{"SET", "v"}, {"EMPTY", ""}};
  EXPECT_EQ(ExpandEnv("$SET ${SET}", &env), "v v");
  EXPECT_EQ(ExpandEnv("${UNSET_LK_VAR:-d} ${EMPTY:-d} ${EMPTY-d}", &env), "d d ");
  EXPECT_EQ(ExpandEnv("${UNSET_LK_VAR:=x} $UNSET_LK_VAR", &env), "x x");
  EXPECT_EQ(ExpandEnv("${SET:+alt} ${UNSET_LK_VAR2:+alt}|", &env), "alt |");
  EXPECT_EQ(ExpandEnv("$$SET costs $$5", &env), "$SET costs $5");
}

TEST(ExpandEnv, UnsetVariablesStayVerbatim) {
  std::map<std::string, std::string> env;
  EXPECT_EQ(ExpandEnv("echo $LK_NOT_SET ${LK_NOT_SET} $1", &env), "echo $LK_NOT_SET ${LK_NOT_SET} $1");
}

TEST(Fnv1a64, KnownVectors) {
  EXPECT_EQ(Hex64(Fnv1a64("")), "cbf29ce484222325");
  EXPECT_EQ(Hex64(Fnv1a64("a")), "af63dc4c8601ec8c");
  EXPECT_EQ(Hex64(0), "0000000000000000");
  EXPECT_EQ(Hex64(0xfedcba9876543210ull), "fedcba9876543210");
}

TEST(Fnv1a64, OfPartsIsOfTheirConcatenation) {
  EXPECT_EQ(Fnv1a64({"lab", "/", "", "node:eth1"}), Fnv1a64("lab/node:eth1"));
  EXPECT_EQ(Fnv1a64({}), Fnv1a64(""));
}

}  // namespace
}  // namespace lk

#include "api/arch.h"

namespace lk {
namespace {

TEST(Arch, NormalizedAsOciNamesThem) {
  struct Row {
    const char* arch;
    const char* variant;
    const char* want;
  } rows[] = {
      {"x86_64", "", "amd64"},   {"amd64", "", "amd64"},   {"aarch64", "", "arm64"}, {"arm64", "v8", "arm64"},
      {"arm64/v8", "", "arm64"}, {"armv7l", "", "arm/v7"}, {"arm", "v7", "arm/v7"},  {"arm", "v6", "arm/v6"},
      {"armhf", "", "arm/v7"},   {"i686", "", "386"},      {"s390x", "", "s390x"},   {"PPC64LE", "", "ppc64le"},
  };
  for (const auto& r : rows) EXPECT_EQ(NormalizeArch(r.arch, r.variant), r.want) << r.arch << " " << r.variant;
  EXPECT_EQ(PlatformArch("linux/arm64"), "arm64");
  EXPECT_EQ(PlatformArch("linux/arm/v7"), "arm/v7");
  EXPECT_EQ(PlatformArch("linux/amd64"), "amd64");
  EXPECT_TRUE(IsEmulated("arm64", "x86_64"));
  EXPECT_FALSE(IsEmulated("amd64", "x86_64"));
  EXPECT_FALSE(IsEmulated("aarch64", "arm64"));
  EXPECT_FALSE(IsEmulated("", "amd64")) << "unknown is not reported emulated";
}

TEST(Counted, OneIsSingular) {
  EXPECT_EQ(Counted(1, "link"), "1 link");
  EXPECT_EQ(Counted(0, "link"), "0 links");
  EXPECT_EQ(Counted(3, "node"), "3 nodes");
}

TEST(CaseMapping, AsciiOnly) {
  EXPECT_EQ(Lower("IfNotPresent"), "ifnotpresent");
  EXPECT_EQ(Upper("a1b"), "A1B");
}

}  // namespace
}  // namespace lk
