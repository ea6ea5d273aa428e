#include "controller/state_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/support.h"

namespace lk {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(StateDir, AWriteReplacesTheFileWhole) {
  test::TempDir dir;
  std::string path = dir.path() + "/status.json";
  ASSERT_TRUE(WriteFileAtomically(path, "one\n").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "two\n").ok());
  EXPECT_EQ(Read(path), "two\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(StateDir, AFailedWriteNamesTheFileAndTheReasonAndLeavesTheOldFile) {
  test::TempDir dir;
  std::string path = dir.path() + "/status.json";
  ASSERT_TRUE(WriteFileAtomically(path, "good\n").ok());
  // A directory where the temporary file would go: the write fails, the old file stays.
  std::filesystem::create_directory(path + ".tmp");
  Status s = WriteFileAtomically(path, "new\n");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "cannot write " + path + ": Is a directory");
  EXPECT_EQ(Read(path), "good\n");
  s = WriteFileAtomically(dir.path() + "/missing/status.json", "x");
  EXPECT_EQ(s.message(), "cannot write " + dir.path() + "/missing/status.json: No such file or directory");
}

TEST(StateDir, ItLogsWhenWritesStartAndStopFailingAndCountsThem) {
  test::TempDir dir;
  std::vector<std::string> log;
  StateDir state(dir.path() + "/gone", [&](const std::string& line) { log.push_back(line); });
  EXPECT_TRUE(state.health().error.empty());
  EXPECT_FALSE(state.Write("status.json", "x").ok());
  EXPECT_FALSE(state.Write("status.json", "x").ok());  // the same error again: logged once
  StateDir::Health h = state.health();
  EXPECT_EQ(h.failures, 2u);
  EXPECT_EQ(h.error, "cannot write " + dir.path() + "/gone/status.json: No such file or directory");
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find(h.error + "; reconciling goes on"), std::string::npos) << log[0];
  std::filesystem::create_directory(dir.path() + "/gone");
  EXPECT_TRUE(state.Write("status.json", "x").ok());
  EXPECT_TRUE(state.health().error.empty());
  EXPECT_EQ(state.health().failures, 2u);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1], "state directory: " + dir.path() + "/gone is writable again");
}

}  // namespace
}  // namespace lk
