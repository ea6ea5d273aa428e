// The live topology page in a real browser against a real controller and lab (#19): Debian's
// chromium, headless, driven by playwright-core (tests/ui/page_test.js, which says what it
// checks). This runs it, with a guard that removes its lab whatever happens; the screenshots of
// each step are kept in test-artifacts/ui/ of the build directory.
#include <gtest/gtest.h>

#include <iostream>

#include "tests/support/support.h"

namespace lk {
namespace {

using test::Sh;

constexpr int kPagePort = 29622;

TEST(UiPage, TheLiveTopologyPageFollowsTheLabInARealBrowser) {
  ASSERT_EQ(Sh("test -x /usr/bin/chromium && echo yes"), "yes\n")
      << "Debian's chromium is not installed (scripts/install-deps.sh installs it)";
  const std::string ui = test::SourceDir() + "/tests/ui";
  ASSERT_EQ(Sh("test -d " + ui + "/node_modules/playwright-core && echo yes"), "yes\n")
      << "playwright-core is not installed in tests/ui (scripts/install-deps.sh: npm ci there)";
  test::LabGuard guard("lkpage");
  struct TokenIfGuard {  // the veth pair of the off-loopback step, if the script could not remove it
    ~TokenIfGuard() { Sh("/sbin/ip link del lkpage-t0 2>/dev/null"); }
  } token_if;
  std::string bin = test::LabkeeperBin();
  const std::string artifacts = bin.substr(0, bin.rfind('/') + 1) + "test-artifacts/ui";  // beside the build
  // A node of another architecture's image, when this machine emulates one (else said, and left out).
  std::string why, emulated;
  if (test::CanEmulateArm64(&why))
    emulated = std::string("LK_UI_EMULATED_IMAGE=") + test::kBusyboxArm64Image + " ";
  else
    std::cout << "no emulated node on the page: " << why << "\n";
  int status = -1;
  std::string out = Sh(emulated + "node " + ui + "/page_test.js " + test::LabkeeperBin() + " " +
                           std::to_string(kPagePort) + " " + artifacts + " " + test::kBusyboxImage + " 2>&1",
                       &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("page: every check held"), std::string::npos) << out;
  if (!emulated.empty()) {
    EXPECT_NE(out.find("ok   1. the emulated node"), std::string::npos) << out;
  }
}

}  // namespace
}  // namespace lk
