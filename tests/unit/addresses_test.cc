// Addresses and prefixes as topology files write them.
#include "api/addresses.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace lk {
namespace {

TEST(Addresses, AnAddressIsOfItsFamilyWithoutAPrefixLength) {
  EXPECT_TRUE(IsAddress("172.20.20.5", AF_INET));
  EXPECT_TRUE(IsAddress("3fff:172:20:20::99", AF_INET6));
  EXPECT_FALSE(IsAddress("172.20.20.5", AF_INET6));
  EXPECT_FALSE(IsAddress("3fff::1", AF_INET));
  EXPECT_FALSE(IsAddress("172.20.20.5/24", AF_INET));
  EXPECT_FALSE(IsAddress("172.20.20.300", AF_INET));
  EXPECT_FALSE(IsAddress("", AF_INET));
}

TEST(Addresses, TheSameAddressWrittenTwoWaysIsTheSame) {
  EXPECT_TRUE(SameAddress("2001:DB8::2", "2001:db8:0::2"));
  EXPECT_TRUE(SameAddress("198.51.100.2", "198.51.100.2"));
  EXPECT_FALSE(SameAddress("198.51.100.2", "198.51.100.3"));
  EXPECT_FALSE(SameAddress("198.51.100.2", "::ffff:198.51.100.3"));
  EXPECT_TRUE(SameAddress("not-an-address", "not-an-address"));
  EXPECT_FALSE(SameAddress("not-an-address", "198.51.100.2"));
}

TEST(Addresses, APrefixHasALengthItsFamilyAllows) {
  EXPECT_TRUE(ParsePrefix("10.0.0.0/0", AF_INET));
  EXPECT_TRUE(ParsePrefix("10.0.0.0/32", AF_INET));
  EXPECT_FALSE(ParsePrefix("10.0.0.0/33", AF_INET));
  EXPECT_FALSE(ParsePrefix("10.0.0.0", AF_INET));
  EXPECT_FALSE(ParsePrefix("10.0.0.0/", AF_INET));
  EXPECT_FALSE(ParsePrefix("10.0.0.0/2x", AF_INET));
  EXPECT_FALSE(ParsePrefix("10.0.0.0/0024", AF_INET));
  EXPECT_TRUE(ParsePrefix("fd00::/128", AF_INET6));
  EXPECT_FALSE(ParsePrefix("fd00::/129", AF_INET6));
  EXPECT_FALSE(ParsePrefix("fd00::/64", AF_INET));
}

TEST(Addresses, ContainmentComparesTheFirstLengthBits) {
  auto p = *ParsePrefix("172.20.20.0/24", AF_INET);
  EXPECT_TRUE(p.Contains("172.20.20.0"));
  EXPECT_TRUE(p.Contains("172.20.20.255"));
  EXPECT_FALSE(p.Contains("172.20.21.1"));
  EXPECT_FALSE(p.Contains("3fff::1")) << "another family";
  auto odd = *ParsePrefix("10.1.2.0/23", AF_INET);
  EXPECT_TRUE(odd.Contains("10.1.3.200"));
  EXPECT_FALSE(odd.Contains("10.1.4.1"));
  EXPECT_TRUE(ParsePrefix("0.0.0.0/0", AF_INET)->Contains("203.0.113.9"));
  auto v6 = *ParsePrefix("fd00:10:78:140::/64", AF_INET6);
  EXPECT_TRUE(v6.Contains("fd00:10:78:140::3"));
  EXPECT_FALSE(v6.Contains("fd00:10:78:141::3"));
  EXPECT_TRUE(p.Contains(*ParsePrefix("172.20.20.8/30", AF_INET)));
  EXPECT_FALSE(p.Contains(*ParsePrefix("172.20.0.0/16", AF_INET))) << "wider than the subnet";
  EXPECT_FALSE(v6.Contains(*ParsePrefix("fd00:2::/80", AF_INET6)));
}

}  // namespace
}  // namespace lk
