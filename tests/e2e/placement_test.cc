// Placement on the real engine: two controllers with different ids, one lab directory, one
// engine. Each lab is reconciled (made, repaired) by the controller it is placed on only; the
// other lists it as placed elsewhere and never touches it. Everything is named lktest-place-*.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/support.h"

namespace lk {
namespace {

using test::Sh;
using test::Trim;

std::string Owner(const std::string& container) {
  return Trim(Sh("docker inspect -f '{{index .Config.Labels \"labkeeper.dev/owner\"}}' " + container + " 2>/dev/null"));
}

std::string PlacedReason(const test::ControllerProcess& c, const std::string& lab) {
  nlohmann::json l = c.Lab(lab);
  if (!l.is_object()) return "";
  for (const auto& cond : l["conditions"])
    if (cond["type"] == "Placed") return cond["status"].get<std::string>() + "/" + cond["reason"].get<std::string>();
  return "";
}

class Placement : public test::LabDirTest {};

TEST_F(Placement, TwoControllersOnOneEngineEachReconcileOnlyTheLabPlacedOnThem) {
  ASSERT_TRUE(test::EngineAnswers());
  test::LabGuard ga("lktest-place-a"), gb("lktest-place-b");
  std::ofstream(labs() + "/a.clab.yml") << "name: lktest-place-a\ntopology:\n"
                                           "  defaults: {labels: {labkeeper.dev/host: lktest-h1}}\n"
                                           "  nodes:\n    n1: {kind: linux, image: "
                                        << test::kBusyboxImage << "}\n";
  std::ofstream(labs() + "/b.lab.yml") << "apiVersion: labkeeper.dev/v1alpha1\nkind: Lab\n"
                                          "metadata: {name: lktest-place-b}\nspec:\n  host: lktest-h2\n"
                                          "  topology:\n    nodes:\n      n1: {kind: linux, image: "
                                       << test::kBusyboxImage << "}\n";
  test::ControllerProcess h1(labs(), state() + "/h1", "--host-id lktest-h1 --unplaced ignore --resync 2s");
  test::ControllerProcess h2(labs(), state() + "/h2",
                             "--host-id lktest-h2 --unplaced ignore --resync 2s --listen 127.0.0.1:9581");
  h1.Start();
  h2.Start();
  ASSERT_TRUE(h1.WaitCondition("lktest-place-a", "Ready", "True", test::kStartBound)) << h1.Log();
  ASSERT_TRUE(h2.WaitCondition("lktest-place-b", "Ready", "True", test::kStartBound)) << h2.Log();
  EXPECT_EQ(Owner("clab-lktest-place-a-n1"), "lktest-h1");
  EXPECT_EQ(Owner("clab-lktest-place-b-n1"), "lktest-h2");
  EXPECT_EQ(PlacedReason(h1, "lktest-place-a"), "True/PlacedHere");
  EXPECT_EQ(PlacedReason(h1, "lktest-place-b"), "False/PlacedElsewhere");
  EXPECT_EQ(PlacedReason(h2, "lktest-place-a"), "False/PlacedElsewhere");
  EXPECT_NE(h2.ConditionMessage("lktest-place-a", "Placed").find("placed on host lktest-h1"), std::string::npos);
  // A drift of a's is repaired by h1, its container still h1's after any number of h2's passes.
  Sh("docker rm -f clab-lktest-place-a-n1");
  EXPECT_TRUE(test::WaitFor([] { return Owner("clab-lktest-place-a-n1") == "lktest-h1"; }, test::kPassBound))
      << h1.Log();
  EXPECT_EQ(Owner("clab-lktest-place-b-n1"), "lktest-h2");
  h1.Signal(SIGTERM);
  h2.Signal(SIGTERM);
  h1.Wait();
  h2.Wait();
}

}  // namespace
}  // namespace lk
