// What the HTTP server's reaper reads of the kernel's TCP counters: the connections accepted in
// its namespace, parsed from /proc/net/snmp's text, and read from this process's own file.
#include "controller/tcp_counters.h"

#include <gtest/gtest.h>

namespace lk {
namespace {

const char* kSnmp =
    "Ip: Forwarding DefaultTTL InReceives\n"
    "Ip: 1 64 2417\n"
    "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails CurrEstab\n"
    "Tcp: 1 200 120000 -1 13046 12328 432 0\n"
    "Udp: InDatagrams NoPorts\n"
    "Udp: 5 0\n";

TEST(PassiveOpens, IsReadFromTheTcpValuesLineByItsColumnName) {
  EXPECT_EQ(ParsePassiveOpens(kSnmp), 12328u);
  // Another kernel's column order.
  EXPECT_EQ(ParsePassiveOpens("Tcp: PassiveOpens ActiveOpens\nTcp: 7 9\n"), 7u);
}

TEST(PassiveOpens, IsNothingWhenTheTextHasNoSuchCounter) {
  EXPECT_EQ(ParsePassiveOpens(""), std::nullopt);
  EXPECT_EQ(ParsePassiveOpens("Tcp: ActiveOpens\nTcp: 3\n"), std::nullopt);
  EXPECT_EQ(ParsePassiveOpens("Tcp: PassiveOpens\n"), std::nullopt);  // no values line
  EXPECT_EQ(ParsePassiveOpens("Tcp: PassiveOpens\nTcp: -1\n"), std::nullopt);
  EXPECT_EQ(ParsePassiveOpens("Tcp: PassiveOpens\nTcp: 99999999999999999999999\n"), std::nullopt);
}

TEST(PassiveOpens, ThisProcessReadsItsNamespacesCounterAgainAndAgain) {
  // Every Linux since 2.6 has the counter; it never goes back; one descriptor reads it again.
  PassiveOpensReader reader;
  auto a = reader.Read();
  ASSERT_TRUE(a.has_value());
  auto b = reader.Read();
  ASSERT_TRUE(b.has_value());
  EXPECT_GE(*b, *a);
}

}  // namespace
}  // namespace lk
