// The stages' order checked before anything runs: a wait-for cycle (or one closed by a node in
// another node's namespace) is a file error at the node that starts it.
#include "api/stage_graph.h"

#include <gtest/gtest.h>

#include <string>

#include "api/topology_codec.h"

namespace lk {
namespace {

LoadResult Load(const std::string& nodes) {
  return LoadTopologyText("name: s\ntopology:\n  defaults: {kind: linux, image: img:1}\n  nodes:\n" + nodes,
                          "/labs/s.clab.yml");
}

TEST(StageGraph, WaitsThatCloseACycleAreAnErrorAtTheNodeThatStartsIt) {
  auto r = Load(
      "    a: {stages: {create: {wait-for: [{node: b, stage: healthy}]}}}\n"
      "    b: {stages: {create-links: {wait-for: [{node: a, stage: create}]}}}\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].str(),
            "/labs/s.clab.yml:5:5: node \"a\": its stages wait for themselves (a create waits for b healthy; "
            "b create-links waits for a create): the lab could never be deployed");
}

TEST(StageGraph, AStageThatWaitsForALaterStageOfItsOwnNodeIsACycle) {
  auto r = Load("    a: {stages: {create: {wait-for: [{node: a, stage: configure}]}}}\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].str().find("a create waits for a configure"), std::string::npos) << r.errors[0].str();
}

TEST(StageGraph, NodesInEachOthersNamespaceAreACycle) {
  auto r = Load(
      "    a: {network-mode: \"container:b\"}\n"
      "    b: {network-mode: \"container:a\"}\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].str().find("a create waits for b create; b create waits for a create"), std::string::npos)
      << r.errors[0].str();
}

TEST(StageGraph, AChainOfWaitsAndAnEarlierStageOfItsOwnNodeAreNoCycle) {
  auto r = Load(
      "    a: {stages: {configure: {wait-for: [{node: a, stage: create-links}]}}}\n"
      "    b: {stages: {create: {wait-for: [{node: a, stage: healthy}]}}}\n"
      "    c: {network-mode: \"container:b\", stages: {create: {wait-for: [{node: b, stage: exit}]}}}\n"
      "    d: {network-mode: \"container:outside\"}\n");
  EXPECT_TRUE(r.errors.empty()) << r.errors[0].str();
}

TEST(StageGraph, TenThousandNodesInOneChainAreCheckedWithoutRecursion) {
  std::vector<NodeConfig> nodes(10000);
  for (size_t i = 0; i < nodes.size(); ++i) {
    nodes[i].name = "n" + std::to_string(i);
    if (i > 0) nodes[i].stages["create"].wait_for.push_back({"n" + std::to_string(i - 1), "exit"});
  }
  EXPECT_TRUE(FindStageCycle(nodes).node.empty());
  nodes[0].stages["create"].wait_for.push_back({"n9999", "create"});
  StageCycle c = FindStageCycle(nodes);
  EXPECT_EQ(c.node, "n0");
  EXPECT_NE(c.waits.find("n0 create waits for n9999 create"), std::string::npos);
}

}  // namespace
}  // namespace lk
