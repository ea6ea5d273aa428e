// Lab files from git, with the real `git` in temporary directories: the revision of a file in a
// checkout (and whether it differs from that commit), and labkeeper's own checkout (`run --git`):
// the first fetch, a new commit switched to whole, a removed file's link gone, a sub-directory,
// a fetch that fails keeping the last good tree, a repository that cannot be fetched at start.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "controller/git_source.h"
#include "tests/support/support.h"

namespace lk {
namespace {

namespace fs = std::filesystem;
using test::Sh;
using test::Trim;

// A work repository `src` with `files`, committed, and a bare clone `repo.git` of it.
class GitRepoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Sh("git init -q -b main " + src());
    Write("one.clab.yml", "name: one\n");
    Write("labs/two.clab.yml", "name: two\n");
    Commit("first");
    Sh("git clone -q --bare " + src() + " " + bare());
  }
  std::string src() const { return dir_.path() + "/src"; }
  std::string bare() const { return dir_.path() + "/repo.git"; }
  std::string co() const { return dir_.path() + "/co"; }
  void Write(const std::string& rel, const std::string& text) {
    fs::create_directories(fs::path(src() + "/" + rel).parent_path());
    std::ofstream(src() + "/" + rel) << text;
  }
  std::string Commit(const std::string& msg) {
    Sh("cd " + src() + " && git add -A && " + test::kGitCommit + " -m " + msg);
    return Trim(Sh("git -C " + src() + " rev-parse HEAD"));
  }
  std::string Push() {
    Sh("git -C " + src() + " push -q " + bare() + " main");
    return Trim(Sh("git -C " + src() + " rev-parse HEAD"));
  }
  test::TempDir dir_;
};

std::map<std::string, std::string> Contents(const std::vector<std::string>& files) {
  std::map<std::string, std::string> m;
  for (const auto& f : files) m[f] = test::ReadText(f);
  return m;
}

TEST_F(GitRepoTest, AFilesRevisionIsItsCheckoutsCommitAndSaysWhenTheFileDiffersFromIt) {
  GitRevisions revs;
  std::string one = src() + "/one.clab.yml", two = src() + "/labs/two.clab.yml";
  std::string head = Trim(Sh("git -C " + src() + " rev-parse HEAD"));
  auto r = revs.Of(Contents({one, two}));
  EXPECT_EQ(r[one].revision, head);
  EXPECT_EQ(r[one].path, "one.clab.yml");
  EXPECT_EQ(r[two].path, "labs/two.clab.yml");
  EXPECT_FALSE(r[one].modified);
  EXPECT_TRUE(r[one].error.empty()) << r[one].error;
  Write("one.clab.yml", "name: one\n# edited\n");
  r = revs.Of(Contents({one, two}));
  EXPECT_TRUE(r[one].modified);
  EXPECT_FALSE(r[two].modified);
  EXPECT_EQ(r[one].revision, head);
  std::string second = Commit("second");  // the same content, now committed
  r = revs.Of(Contents({one, two}));
  EXPECT_EQ(r[one].revision, second);
  EXPECT_FALSE(r[one].modified);
  Write("three.clab.yml", "name: three\n");  // not committed at all
  std::string three = src() + "/three.clab.yml";
  r = revs.Of(Contents({one, three}));
  EXPECT_TRUE(r[three].modified);
  test::TempDir plain;
  std::ofstream(plain.path() + "/x.clab.yml") << "name: x\n";
  EXPECT_EQ(revs.Of(Contents({plain.path() + "/x.clab.yml"})).count(plain.path() + "/x.clab.yml"), 0u)
      << "a file in no git checkout has no revision";
}

TEST_F(GitRepoTest, OwnCheckoutSwitchesWholeToEachNewCommitAndKeepsTheLastGoodTreeWhenAFetchFails) {
  std::vector<std::string> log;
  int switches = 0;
  GitSourceOptions o;
  o.url = "file://" + bare();
  o.dir = co();
  GitSource source(
      o, [&](const std::string& l) { log.push_back(l); }, [&] { ++switches; });
  std::string first = Trim(Sh("git -C " + src() + " rev-parse HEAD"));
  ASSERT_TRUE(source.Start().ok());
  EXPECT_EQ(fs::read_symlink(co() + "/..data").string(), ".labkeeper-git/rev-" + first);
  EXPECT_EQ(test::ReadText(co() + "/one.clab.yml"), "name: one\n");
  EXPECT_EQ(test::ReadText(co() + "/labs/two.clab.yml"), "name: two\n");
  EXPECT_TRUE(source.Current().ok);
  EXPECT_EQ(source.Current().revision, first);
  // The revision each file is at, through the links, is the checkout's commit.
  GitRevisions revs;
  auto r = revs.Of(Contents({co() + "/one.clab.yml"}));
  EXPECT_EQ(r[co() + "/one.clab.yml"].revision, first);
  EXPECT_EQ(r[co() + "/one.clab.yml"].path, "one.clab.yml");
  EXPECT_FALSE(r[co() + "/one.clab.yml"].modified);

  Write("one.clab.yml", "name: one\n# v2\n");
  Sh("git -C " + src() + " rm -q labs/two.clab.yml");
  Commit("second");
  std::string second = Push();
  int before = switches;
  EXPECT_EQ(source.SyncOnce(), "");
  EXPECT_GT(switches, before);
  EXPECT_EQ(fs::read_symlink(co() + "/..data").string(), ".labkeeper-git/rev-" + second);
  EXPECT_EQ(test::ReadText(co() + "/one.clab.yml"), "name: one\n# v2\n");
  EXPECT_FALSE(fs::exists(fs::symlink_status(co() + "/labs"))) << "an entry the new tree lacks is gone";
  EXPECT_FALSE(fs::exists(co() + "/.labkeeper-git/rev-" + first)) << "the old tree is removed";
  EXPECT_EQ(revs.Of(Contents({co() + "/one.clab.yml"}))[co() + "/one.clab.yml"].revision, second);

  // The repository goes away: the fetch fails, the tree stays, the state says why.
  fs::rename(bare(), bare() + ".away");
  EXPECT_NE(source.SyncOnce(), "");
  GitSource::State s = source.Current();
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.reason, "FetchFailed");
  EXPECT_NE(s.message.find("keeping " + second.substr(0, 12)), std::string::npos) << s.message;
  EXPECT_EQ(test::ReadText(co() + "/one.clab.yml"), "name: one\n# v2\n");
  fs::rename(bare() + ".away", bare());
  EXPECT_EQ(source.SyncOnce(), "");
  EXPECT_TRUE(source.Current().ok);
  source.Stop();
}

TEST_F(GitRepoTest, OwnCheckoutOfASubDirectoryAndARepositoryThatCannotBeFetchedAtStart) {
  GitSourceOptions o;
  o.url = bare();  // a plain path works as well as file://
  o.dir = co();
  o.path = "labs";
  GitSource sub(
      o, [](const std::string&) {}, [] {});
  ASSERT_TRUE(sub.Start().ok());
  EXPECT_EQ(test::ReadText(co() + "/two.clab.yml"), "name: two\n");
  EXPECT_FALSE(fs::exists(co() + "/one.clab.yml"));
  sub.Stop();

  GitSourceOptions bad;
  bad.url = "file://" + dir_.path() + "/no-such.git";
  bad.dir = dir_.path() + "/co2";
  GitSource none(
      bad, [](const std::string&) {}, [] {});
  Status st = none.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("no-such.git"), std::string::npos) << st.message();

  GitSourceOptions theirs;  // a directory of someone's files is never taken for a checkout
  theirs.url = bare();
  theirs.dir = src();
  GitSource over(
      theirs, [](const std::string&) {}, [] {});
  st = over.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("holds files and is not labkeeper's checkout"), std::string::npos) << st.message();
  EXPECT_EQ(test::ReadText(src() + "/one.clab.yml"), "name: one\n");

  GitSourceOptions ref;
  ref.url = bare();
  ref.ref = "no-such-branch";
  ref.dir = dir_.path() + "/co3";
  GitSource missing(
      ref, [](const std::string&) {}, [] {});
  st = missing.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("no-such-branch"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace lk
