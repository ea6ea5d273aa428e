// containerlab's own topology files (../shared/containerlab-corpus: its lab-examples/ and tests/,
// unchanged): every one is loaded and, where labkeeper takes it, planned against an empty host,
// which must make exactly its container nodes, bridges and links. The files labkeeper still
// refuses are listed below with the reason, and printed, so none is skipped silently; one that
// becomes accepted fails the test until it leaves the list.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>

#include "api/topology_codec.h"
#include "controller/planner.h"
#include "tests/support/support.h"

namespace lk {
namespace {

namespace fs = std::filesystem;

// Relative path -> what its first error says. None, since labkeeper took veth-stitch (issue 14);
// the list stays for the next file containerlab adds that labkeeper cannot yet take.
const std::map<std::string, std::string> kRefused = {};

size_t Count(const Plan& p, ActionKind k) {
  return static_cast<size_t>(
      std::count_if(p.actions.begin(), p.actions.end(), [&](const Action& a) { return a.kind == k; }));
}

TEST(ContainerlabCorpus, EveryFileIsPlannedExactlyOrRefusedForItsListedReason) {
  const std::string root = test::SharedDir() + "/containerlab-corpus";
  if (!fs::is_directory(root)) GTEST_SKIP() << root << " is not here";
  auto files = test::TopologyFilesUnder(root);
  size_t templates = static_cast<size_t>(std::count_if(files.begin(), files.end(), [](const std::string& f) {
    return f.size() > 7 && f.compare(f.size() - 7, 7, ".gotmpl") == 0;
  }));
  EXPECT_EQ(files.size() - templates, 96u) << "the corpus holds containerlab's 96 topology files, and templates";
  size_t planned = 0;
  std::string refused;
  for (const auto& file : files) {
    std::string rel = file.substr(root.size() + 1);
    FileLoad r = LoadFile(file);
    if (auto known = kRefused.find(rel); known != kRefused.end()) {
      EXPECT_FALSE(r.ok()) << rel << " is accepted now: take it off kRefused";
      EXPECT_NE(r.ErrorText().find(known->second), std::string::npos) << rel << ":\n" << r.ErrorText();
      refused += "  " + rel + ": " + known->second + "\n";
      continue;
    }
    ASSERT_TRUE(r.ok()) << rel << ":\n" << r.ErrorText();
    for (const LabSpec& lab : r.labs) {
      ObservedLab none;
      none.lab = lab.name;
      Plan p = MakePlan(lab, none);
      size_t containers = 0, bridges = 0;
      for (const auto& n : lab.nodes) {
        containers += n.IsContainer();
        bridges += n.IsBridge();
      }
      EXPECT_EQ(Count(p, ActionKind::kCreateContainer), containers) << rel;
      EXPECT_EQ(Count(p, ActionKind::kCreateBridge), bridges) << rel;
      EXPECT_EQ(Count(p, ActionKind::kCreateLink), lab.links.size()) << rel;
      EXPECT_EQ(Count(p, ActionKind::kConflict), 0u) << rel;
    }
    ++planned;
  }
  std::printf("containerlab corpus: %zu of %zu files planned; refused, with the reason:\n%s", planned, files.size(),
              refused.c_str());
  EXPECT_EQ(planned + kRefused.size(), files.size()) << "a listed file is not in the corpus";
}

}  // namespace
}  // namespace lk
