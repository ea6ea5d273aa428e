// GET /api/v1/labs/{name}/interfaces, as the controller answers it (every seam faked): each
// interface of the lab as the kernel reports it now, with its node, state and counters; the
// kernel is asked, never the engine.
#include <map>
#include <string>

#include "tests/unit/controller_loop_fixture.h"

namespace lk::test {
namespace {

class LabInterfacesTest : public ControllerLoopTest {
 protected:
  // The lab's interfaces by "node:interface".
  std::map<std::string, nlohmann::json> Interfaces() {
    std::map<std::string, nlohmann::json> out;
    auto doc = c_->InterfacesJson("x");
    if (!doc) return out;
    for (const auto& i : (*doc)["interfaces"])
      out[i["node"].get<std::string>() + ":" + i["interface"].get<std::string>()] = i;
    return out;
  }
};

TEST_F(LabInterfacesTest, EachInterfaceOfTheLabWithItsStateAndCountersAsTheKernelHasThemNow) {
  WriteLab("x.clab.yml", kLab);
  Start();
  ASSERT_TRUE(Converged());
  auto before = Interfaces();
  ASSERT_EQ(before.size(), 2u) << "a:eth1 and b:eth1, nothing of another lab or the host";
  EXPECT_TRUE(before["a:eth1"]["operUp"].get<bool>());
  EXPECT_EQ(before["a:eth1"]["mtu"], 9500);
  links_.CountTraffic(Ns("clab-x-a"), "eth1", 1500, 10);
  links_.SetDownBehindItsBack(Ns("clab-x-b"), "eth1");
  auto after = Interfaces();
  EXPECT_EQ(after["a:eth1"]["rxBytes"].get<uint64_t>() - before["a:eth1"]["rxBytes"].get<uint64_t>(), 1500u);
  EXPECT_EQ(after["a:eth1"]["txPackets"].get<uint64_t>() - before["a:eth1"]["txPackets"].get<uint64_t>(), 10u);
  EXPECT_FALSE(after["b:eth1"]["operUp"].get<bool>()) << "read now, not at the last pass";
  auto doc = c_->InterfacesJson("x");
  ASSERT_TRUE(doc);
  EXPECT_EQ((*doc)["lab"], "x");
  EXPECT_TRUE((*doc)["readAtMillis"].is_number_integer());
  EXPECT_FALSE(c_->InterfacesJson("nope")) << "no such lab (the API's 404: ApiRoute.OneRowPerRule)";
}

}  // namespace
}  // namespace lk::test
