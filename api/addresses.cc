#include "api/addresses.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace lk {

namespace {

bool SamePrefix(const std::array<unsigned char, 16>& a, const std::array<unsigned char, 16>& b, int length) {
  for (int bit = 0; bit < length; ++bit) {
    int mask = 0x80 >> (bit % 8);
    if ((a[bit / 8] & mask) != (b[bit / 8] & mask)) return false;
  }
  return true;
}

}  // namespace

bool IsAddress(const std::string& s, int family) {
  std::array<unsigned char, 16> buf{};
  return !s.empty() && inet_pton(family, s.c_str(), buf.data()) == 1;
}

bool SameAddress(const std::string& x, const std::string& y) {
  std::array<unsigned char, 16> a{}, b{};
  for (int family : {AF_INET, AF_INET6})
    if (inet_pton(family, x.c_str(), a.data()) == 1 && inet_pton(family, y.c_str(), b.data()) == 1) return a == b;
  return x == y;
}

std::optional<Prefix> ParsePrefix(const std::string& s, int family) {
  size_t slash = s.find('/');
  if (slash == std::string::npos) return std::nullopt;
  std::string addr = s.substr(0, slash), len = s.substr(slash + 1);
  const int max = family == AF_INET ? 32 : 128;
  if (len.empty() || len.size() > 3 ||
      !std::all_of(len.begin(), len.end(), [](unsigned char c) { return std::isdigit(c); }))
    return std::nullopt;
  Prefix p;
  p.family = family;
  p.length = std::stoi(len);
  if (p.length > max || inet_pton(family, addr.c_str(), p.bytes.data()) != 1) return std::nullopt;
  return p;
}

bool Prefix::Contains(const std::string& address) const {
  std::array<unsigned char, 16> a{};
  return inet_pton(family, address.c_str(), a.data()) == 1 && SamePrefix(bytes, a, length);
}

bool Prefix::Contains(const Prefix& inner) const {
  return inner.family == family && inner.length >= length && SamePrefix(bytes, inner.bytes, length);
}

}  // namespace lk
