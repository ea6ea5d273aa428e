// Finding, hashing and loading the watched directory's lab files, on the fake host.
#include "controller/lab_files.h"

#include <gtest/gtest.h>

#include "tests/fakes/fake_env.h"

namespace lk::test {
namespace {

const char kLab[] = "name: f\ntopology:\n  nodes:\n    a: {kind: linux, image: img:1}\n";

TEST(LabFiles, OnlyLabFilesAreReadAndWhatIsNoRegularFileIsNeverOpened) {
  FakeEnv env;
  env.AddFile("/labs/a.clab.yml", kLab);
  env.AddFile("/labs/sub/b.lab.yml", "x");
  env.AddFile("/labs/notes.txt", "not a lab");
  env.AddSpecial("/labs/pipe.clab.yml", Env::Entry::kFifo);
  env.AddSpecial("/labs/gone.clab.yml", Env::Entry::kBroken, "No such file or directory");
  FoundFiles f = FindLabFiles(env, "/labs");
  EXPECT_EQ(f.content.size(), 2u);
  EXPECT_EQ(f.content.at("/labs/a.clab.yml"), kLab);
  EXPECT_EQ(f.unreadable.at("/labs/pipe.clab.yml"), "not a regular file (a FIFO), so not a lab file");
  EXPECT_EQ(f.unreadable.at("/labs/gone.clab.yml"), "cannot read the file: No such file or directory");
  std::vector<std::string> reads;
  for (const auto& c : env.Calls())
    if (c == "ReadFile") reads.push_back(c);
  EXPECT_EQ(reads.size(), 2u) << "the FIFO and the dangling link were never read";
}

TEST(LabFiles, AFileIsReadOnlyOneByteBeyondTheLoadersLimit) {
  FakeEnv env;
  env.AddFile("/labs/big.clab.yml", std::string(kMaxFileBytes + 100, 'x'));
  FoundFiles f = FindLabFiles(env, "/labs");
  EXPECT_EQ(f.content.at("/labs/big.clab.yml").size(), kMaxFileBytes + 1);
}

TEST(LabFiles, TheHashChangesWhenAnInputAppearsOrChanges) {
  FakeEnv env;
  std::string absent = InputsHash(env, kLab, {"/labs/f.env"});
  env.AddFile("/labs/f.env", "A=1\n");
  std::string one = InputsHash(env, kLab, {"/labs/f.env"});
  env.AddFile("/labs/f.env", "A=2\n");
  std::string two = InputsHash(env, kLab, {"/labs/f.env"});
  EXPECT_NE(absent, one);
  EXPECT_NE(one, two);
  EXPECT_EQ(two, InputsHash(env, kLab, {"/labs/f.env"}));
}

TEST(LabFiles, OnlyChangedFilesAreLoadedAgainAndAnUnreadableOneLoadsAsItsReason) {
  FakeEnv env;
  env.AddFile("/labs/a.clab.yml", kLab);
  env.AddSpecial("/labs/p.clab.yml", Env::Entry::kFifo);
  FoundFiles f = FindLabFiles(env, "/labs");
  for (const auto& [path, why] : f.unreadable) f.content[path] = why;
  Loaded first = LoadChanged(env, f, {}, {});
  ASSERT_EQ(first.size(), 2u);
  EXPECT_TRUE(first.at("/labs/a.clab.yml").second.ok());
  ASSERT_EQ(first.at("/labs/p.clab.yml").second.errors.size(), 1u);
  EXPECT_NE(first.at("/labs/p.clab.yml").second.errors[0].message.find("a FIFO"), std::string::npos);
  std::map<std::string, std::string> hashes;
  for (const auto& [path, hl] : first) hashes[path] = hl.first;
  EXPECT_TRUE(LoadChanged(env, f, {}, hashes).empty()) << "nothing changed";
}

TEST(LabFiles, AVarsFileAndEnvFilesAreReadThroughTheHostSeam) {
  FakeEnv env;  // none of these files is on the disk: the loader must read them through `env`
  env.AddFile("/labs/t.clab.gotmpl",
              "name: t\ntopology:\n  nodes:\n    {{ .node }}:\n"
              "      kind: linux\n      image: img:1\n      env-files: [n.env]\n");
  env.AddFile("/labs/t.clab_vars.yaml", "node: fromvars\n");
  env.AddFile("/labs/n.env", "# a comment\nCOLOUR=green\n");
  FoundFiles f = FindLabFiles(env, "/labs");
  Loaded loaded = LoadChanged(env, f, {}, {});
  const FileLoad& load = loaded.at("/labs/t.clab.gotmpl").second;
  ASSERT_TRUE(load.ok()) << load.ErrorText();
  ASSERT_EQ(load.labs.size(), 1u);
  const NodeConfig* node = load.labs[0].FindNode("fromvars");
  ASSERT_NE(node, nullptr) << "the node's name comes from the vars file";
  EXPECT_EQ(node->env.at("COLOUR"), "green");
  // A FIFO as the env-file is an error naming it.
  env.AddSpecial("/labs/n.env", Env::Entry::kFifo);
  Loaded again = LoadChanged(env, f, {}, {});
  EXPECT_NE(
      again.at("/labs/t.clab.gotmpl").second.ErrorText().find("env-files: cannot read /labs/n.env: not a regular file"),
      std::string::npos)
      << again.at("/labs/t.clab.gotmpl").second.ErrorText();
}

}  // namespace
}  // namespace lk::test
