// IP addresses and prefixes as topology files write them, checked as the engine and the kernel
// would take them.
#pragma once

#include <array>
#include <optional>
#include <string>

namespace lk {

// "10.0.0.1" (family AF_INET) or "2001:db8::1" (AF_INET6), without a prefix length.
bool IsAddress(const std::string& s, int family);
// Two IP addresses, written alike or not ("2001:DB8::2" is "2001:db8::2"); anything that is not
// an address of either family is compared as text.
bool SameAddress(const std::string& x, const std::string& y);

struct Prefix {
  int family = 0;
  std::array<unsigned char, 16> bytes{};
  int length = 0;
  // The address (same family) lies in this prefix.
  bool Contains(const std::string& address) const;
  // `inner` lies wholly in this prefix.
  bool Contains(const Prefix& inner) const;
};
// "10.0.0.0/24", "2001:db8::/64"; nullopt when it is not one of `family`.
std::optional<Prefix> ParsePrefix(const std::string& s, int family);

}  // namespace lk
