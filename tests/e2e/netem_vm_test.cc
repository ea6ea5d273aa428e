// The effect of an impairment, on a real kernel that has netem (#20): this machine's kernel has
// none, so tests/vm/run-netem-vm.sh boots Debian's cloud kernel under qemu-system-x86_64 (TCG),
// loads veth and sch_netem by path, and runs lk-netem-check (tests/vm/netem_check.cc:
// labkeeper's link manager and planner, static) as its only program: two namespaces joined by
// a veth, a declared impairment made, read back through netlink, and measured with pings (delay
// 50 ms adds at least 45 ms, a changed value takes effect, loss 100% drops everything, a removed
// one restores the base RTT, a recreated veth gets its impairment back).
#include <gtest/gtest.h>

#include "tests/support/support.h"

namespace lk {
namespace {

using test::Sh;

TEST(NetemVm, AnImpairmentDoesWhatItSaysOnAKernelWithNetem) {
#ifndef LK_NETEM_CHECK_BIN
  GTEST_SKIP() << "lk-netem-check is not built in a sanitizer build (it links statically)";
#else
  for (const char* tool : {"qemu-system-x86_64", "busybox"})
    ASSERT_EQ(Sh(std::string("command -v ") + tool + " >/dev/null && echo yes"), "yes\n")
        << tool << " is not installed (scripts/install-deps.sh installs it)";
  std::string bin = test::LabkeeperBin();
  const std::string work = bin.substr(0, bin.rfind('/') + 1) + "test-artifacts/netem-vm";  // beside the build
  int status = -1;
  std::string out = Sh(
      "bash " + test::SourceDir() + "/tests/vm/run-netem-vm.sh " + LK_NETEM_CHECK_BIN + " " + work + " 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  for (const char* step :
       {"insmod veth: ok", "insmod sch_netem: ok", "ok   read back through netlink: delay 50ms",
        "ok   delay 50ms adds at least 45 ms", "ok   delay 100ms takes effect", "ok   loss 100% drops everything",
        "ok   the base RTT is back", "ok   the recreated veth has its impairment back", "netem-vm: every check held"})
    EXPECT_NE(out.find(step), std::string::npos) << step << "\n" << out;
#endif
}

}  // namespace
}  // namespace lk
