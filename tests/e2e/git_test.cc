// Labs straight from git, on the real engine: `labkeeper run --git` from a repository served by
// `git daemon` on 127.0.0.1 (and by a file:// URL), a commit that changes a lab reaching the
// engine with its revision in the lab's status, a fetch that fails keeping the lab and raising
// SourceFetched=False; and a lab directory that is a git checkout, its labs' status saying the
// commit and when the file differs from it. Everything is named lktest-git-*.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "tests/support/support.h"

namespace lk {
namespace {

using test::Sh;
using test::Trim;

constexpr int kDaemonPort = 29418;

class GitLabs : public test::LabDirTest {
 protected:
  std::string src() const { return dir_.path() + "/src"; }
  std::string served() const { return dir_.path() + "/served"; }
  std::string Commit(const std::string& file, const std::string& text) {
    std::ofstream(src() + "/" + file) << text;
    Sh("cd " + src() + " && git add -A && " + test::kGitCommit + " -m change");
    return Trim(Sh("git -C " + src() + " rev-parse HEAD"));
  }
  nlohmann::json Source(const test::ControllerProcess& c, const std::string& lab) {
    nlohmann::json l = c.Lab(lab);
    return l.is_object() && l.contains("source") ? l["source"] : nlohmann::json::object();
  }
};

TEST_F(GitLabs, RunGitReconcilesEachCommitFromAGitDaemonAndKeepsTheLabWhenAFetchFails) {
  ASSERT_TRUE(test::EngineAnswers());
  test::LabGuard guard("lktest-git-a");
  Sh("git init -q -b main " + src());
  std::string first = Commit("a.clab.yml", test::BusyboxLab("lktest-git-a", {"n1"}));
  Sh("mkdir -p " + served() + " && git clone -q --bare " + src() + " " + served() + "/labs.git");
  auto daemon = std::make_unique<test::GitDaemon>(served(), kDaemonPort, dir_.path() + "/daemon.log");
  ASSERT_TRUE(daemon->Listens()) << test::ReadText(dir_.path() + "/daemon.log.err");
  std::string url = "git://127.0.0.1:" + std::to_string(kDaemonPort) + "/labs.git";
  test::ControllerProcess c(labs() + "/checkout", state(), "--git " + url + " --git-interval 1s --resync 2s");
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-git-a", "Ready", "True", test::kStartBound)) << c.Log();
  EXPECT_TRUE(test::WaitFor([&] { return Source(c, "lktest-git-a").value("lastAppliedRevision", "") == first; },
                            test::kPassBound))
      << Source(c, "lktest-git-a").dump();
  EXPECT_EQ(c.Condition("lktest-git-a", "SourceFetched"), "True");
  EXPECT_EQ(Source(c, "lktest-git-a").value("path", ""), "a.clab.yml");

  // A commit that adds a node reaches the engine; the status names that commit.
  std::string second = Commit("a.clab.yml", test::BusyboxLab("lktest-git-a", {"n1", "n2"}));
  Sh("git -C " + src() + " push -q " + served() + "/labs.git main");
  EXPECT_TRUE(test::WaitFor([] { return test::LabContainers("lktest-git-a").count("clab-lktest-git-a-n2") > 0; },
                            test::kPassBound))
      << c.Log();
  EXPECT_TRUE(test::WaitFor([&] { return Source(c, "lktest-git-a").value("lastAppliedRevision", "") == second; },
                            test::kPassBound))
      << Source(c, "lktest-git-a").dump();
  EXPECT_FALSE(Source(c, "lktest-git-a").value("modified", true));

  // The server goes: the fetch fails, the lab stays as it is and Ready, the condition says why.
  daemon.reset();
  EXPECT_TRUE(c.WaitCondition("lktest-git-a", "SourceFetched", "False", test::kPassBound)) << c.Log();
  EXPECT_NE(c.ConditionMessage("lktest-git-a", "SourceFetched").find("keeping " + second.substr(0, 12)),
            std::string::npos)
      << c.ConditionMessage("lktest-git-a", "SourceFetched");
  EXPECT_EQ(c.Condition("lktest-git-a", "Ready"), "True");
  EXPECT_EQ(test::LabContainers("lktest-git-a").size(), 2u);
  daemon = std::make_unique<test::GitDaemon>(served(), kDaemonPort, dir_.path() + "/daemon2.log");
  ASSERT_TRUE(daemon->Listens());
  EXPECT_TRUE(c.WaitCondition("lktest-git-a", "SourceFetched", "True", test::kPassBound)) << c.Log();

  // The file leaves the repository: the lab is pruned, as when a file leaves a directory.
  Sh("cd " + src() + " && git rm -q a.clab.yml && " + test::kGitCommit + " -m gone && git push -q " + served() +
     "/labs.git main");
  EXPECT_TRUE(test::WaitFor([] { return test::LabContainers("lktest-git-a").empty(); }, test::kPassBound)) << c.Log();
  c.Signal(SIGTERM);
  EXPECT_EQ(c.Wait(), 0);
}

TEST_F(GitLabs, RunGitFromAFileUrlAndALabDirectoryThatIsACheckoutSayWhichCommitTheirLabsAreAt) {
  ASSERT_TRUE(test::EngineAnswers());
  test::LabGuard guard("lktest-git-b");
  // The watched directory is itself a git checkout (no --git): the lab's status names HEAD, and
  // says when the file on disk differs from it.
  Sh("git init -q -b main " + labs());
  std::ofstream(labs() + "/b.clab.yml") << test::BusyboxLab("lktest-git-b", {"n1"});
  Sh("cd " + labs() + " && git add -A && " + test::kGitCommit + " -m first");
  std::string head = Trim(Sh("git -C " + labs() + " rev-parse HEAD"));
  test::ControllerProcess c(labs(), state(), "--resync 2s");
  c.Start();
  ASSERT_TRUE(c.WaitCondition("lktest-git-b", "Ready", "True", test::kStartBound)) << c.Log();
  EXPECT_TRUE(test::WaitFor([&] { return Source(c, "lktest-git-b").value("lastAppliedRevision", "") == head; },
                            test::kPassBound))
      << Source(c, "lktest-git-b").dump();
  EXPECT_FALSE(Source(c, "lktest-git-b").value("modified", true));
  std::ofstream(labs() + "/b.clab.yml") << test::BusyboxLab("lktest-git-b", {"n1", "n2"});
  EXPECT_TRUE(test::WaitFor([&] { return Source(c, "lktest-git-b").value("modified", false); }, test::kPassBound))
      << Source(c, "lktest-git-b").dump();
  EXPECT_NE(Source(c, "lktest-git-b").value("message", "").find("differs from commit " + head.substr(0, 12)),
            std::string::npos);
  EXPECT_TRUE(test::WaitFor([] { return test::LabContainers("lktest-git-b").count("clab-lktest-git-b-n2") > 0; },
                            test::kPassBound));
  EXPECT_TRUE(
      test::WaitFor([&] { return Source(c, "lktest-git-b").value("lastAppliedModified", false); }, test::kPassBound));
  // Committed: the status follows the new commit, and nothing differs.
  Sh("cd " + labs() + " && git add -A && " + test::kGitCommit + " -m second");
  std::string second = Trim(Sh("git -C " + labs() + " rev-parse HEAD"));
  EXPECT_TRUE(test::WaitFor([&] { return Source(c, "lktest-git-b").value("lastAppliedRevision", "") == second; },
                            test::kPassBound))
      << Source(c, "lktest-git-b").dump();
  EXPECT_FALSE(Source(c, "lktest-git-b").value("modified", true));
  test::CmdResult st = test::Labkeeper("status lktest-git-b");
  EXPECT_NE(st.out.find("source: as in commit " + second.substr(0, 12) + "; last applied from " + second.substr(0, 12)),
            std::string::npos)
      << st.out;
  c.Signal(SIGTERM);
  EXPECT_EQ(c.Wait(), 0);

  // The same repository through --git and a file:// URL, in a directory of its own.
  test::ControllerProcess g(dir_.path() + "/checkout", state() + "/g", "--git file://" + labs() + " --resync 2s");
  g.Start();
  EXPECT_TRUE(test::WaitFor([&] { return Source(g, "lktest-git-b").value("lastAppliedRevision", "") == second; },
                            test::kStartBound))
      << g.Log();
  EXPECT_EQ(test::LabContainers("lktest-git-b").size(), 2u);
  g.Signal(SIGTERM);
  EXPECT_EQ(g.Wait(), 0);
}

}  // namespace
}  // namespace lk
