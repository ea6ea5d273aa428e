// The README's two set-up commands: there are exactly two, CI runs the second, and the first
// leaves the example lab running. (The second is the command that runs this very test.)
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support/support.h"

namespace lk {
namespace {

using test::Sh;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The first line of the fenced block that follows `marker` in the README.
std::string CommandAfter(const std::string& readme, const std::string& marker) {
  size_t m = readme.find(marker);
  if (m == std::string::npos) return "";
  size_t fence = readme.find("```sh\n", m);
  if (fence == std::string::npos) return "";
  size_t start = fence + 6;
  return readme.substr(start, readme.find('\n', start) - start);
}

TEST(Readme, TwoCommandsAndCiRunsTheTestOne) {
  std::string readme = ReadFile(test::SourceDir() + "/README.md");
  ASSERT_FALSE(readme.empty());
  EXPECT_EQ(CommandAfter(readme, "<!-- setup-command -->"), "bash scripts/quickstart.sh");
  EXPECT_EQ(CommandAfter(readme, "<!-- test-command -->"), "bash scripts/test.sh");
  std::string ci = ReadFile(test::SourceDir() + "/.ci/run");
  EXPECT_NE(ci.find("scripts/test.sh"), std::string::npos) << ".ci/run must call the README's test command";
}

TEST(Readme, SetupCommandLeavesTheExampleLabRunning) {
  std::string readme = ReadFile(test::SourceDir() + "/README.md");
  std::string cmd = CommandAfter(readme, "<!-- setup-command -->");
  ASSERT_FALSE(cmd.empty());
  bool was_running = !test::LabContainers("labkeeper-demo").empty();
  int st = 1;
  std::string out = Sh("cd " + test::SourceDir() + " && " + cmd, &st);
  struct Restore {
    bool keep;
    ~Restore() {
      if (!keep) test::LabGuard guard("labkeeper-demo");
    }
  } restore{was_running};
  ASSERT_EQ(st, 0) << out;
  EXPECT_NE(out.find("labkeeper status labkeeper-demo"), std::string::npos) << "it ends with where to look\n" << out;
  auto status = test::Labkeeper("status labkeeper-demo -o json");
  ASSERT_EQ(status.status, 0) << status.out;
  auto j = nlohmann::json::parse(status.out);
  ASSERT_EQ(j["labs"].size(), 1u);
  ASSERT_EQ(j["labs"][0]["nodes"].size(), 6u);
  for (const auto& n : j["labs"][0]["nodes"]) EXPECT_EQ(n["state"], "running") << n.dump();
}

}  // namespace
}  // namespace lk
