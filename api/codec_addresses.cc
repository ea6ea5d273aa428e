// The parser's addresses: link ends' addresses, the nodes' management addresses and the mgmt
// section's subnets, each error at the value itself.
#include <arpa/inet.h>

#include "api/codec_internal.h"

namespace lk::codec {

namespace {

const char* Family(int family) {
  return family == AF_INET ? "IPv4" : "IPv6";
}
const char* AddressForm(int family) {
  return family == AF_INET ? "a.b.c.d" : "2001:db8::1";
}
const char* PrefixForm(int family) {
  return family == AF_INET ? "a.b.c.d/len" : "2001:db8::/64";
}

}  // namespace

std::string Parser::Address(const yaml::Node& n, int family, const std::string& what) {
  if (!n || n.IsNull()) return "";
  std::string expected = std::string("an ") + Family(family) + " address with prefix length (" +
                         (family == AF_INET ? "a.b.c.d/len" : "2001:db8::1/64") + ")";
  if (!n.IsScalar()) {
    Error(n, what + ": expected " + expected);
    return "";
  }
  const std::string& s = n.Scalar();
  if (s.empty()) return "";  // containerlab's "no address on this end" (ipv4: ["", 10.0.0.2/24])
  bool ok = ParsePrefix(s, family).has_value();
  if (!ok) Error(n, what + ": \"" + s + "\" is not " + expected);
  return ok ? s : "";
}

std::optional<std::string> Parser::MgmtAddress(const yaml::Node& node, const char* key, int family,
                                               const std::string& what) {
  auto v = Str(node, key, what);
  if (!v || v->empty()) return v;
  const std::optional<Prefix>& subnet = family == AF_INET ? mgmt_v4_ : mgmt_v6_;
  std::string where = what + "." + key;
  if (!IsAddress(*v, family))
    Error(node[key], where + ": \"" + *v + "\" is not an " + Family(family) + " address (" + AddressForm(family) + ")");
  else if (subnet && !subnet->Contains(*v))
    Error(node[key], where + ": " + *v + " is outside the management subnet (mgmt." +
                         (family == AF_INET ? "ipv4" : "ipv6") + "-subnet)");
  return v;
}

void Parser::MgmtAddresses(const yaml::Node& mgmt) {
  for (int family : {AF_INET, AF_INET6}) {
    std::string v = family == AF_INET ? "ipv4" : "ipv6";
    std::optional<Prefix>& subnet = family == AF_INET ? mgmt_v4_ : mgmt_v6_;
    if (yaml::Node s = mgmt[v + "-subnet"]; s && s.IsScalar() && !s.Scalar().empty()) {
      subnet = ParsePrefix(s.Scalar(), family);
      if (!subnet)
        Error(s, "mgmt." + v + "-subnet: \"" + s.Scalar() + "\" is not an " + Family(family) + " prefix (" +
                     PrefixForm(family) + ")");
    }
    if (yaml::Node gw = mgmt[v + "-gw"]; gw && gw.IsScalar() && !gw.Scalar().empty()) {
      if (!IsAddress(gw.Scalar(), family))
        Error(gw, "mgmt." + v + "-gw: \"" + gw.Scalar() + "\" is not an " + Family(family) + " address (" +
                      AddressForm(family) + ")");
      else if (subnet && !subnet->Contains(gw.Scalar()))
        Error(gw, "mgmt." + v + "-gw: " + gw.Scalar() + " is outside mgmt." + v + "-subnet");
    }
    if (yaml::Node r = mgmt[v + "-range"]; r && r.IsScalar() && !r.Scalar().empty()) {
      auto range = ParsePrefix(r.Scalar(), family);
      if (!range)
        Error(r, "mgmt." + v + "-range: \"" + r.Scalar() + "\" is not an " + Family(family) + " prefix (" +
                     PrefixForm(family) + ")");
      else if (subnet && !subnet->Contains(*range))
        Error(r, "mgmt." + v + "-range: " + r.Scalar() + " is outside mgmt." + v + "-subnet");
    }
  }
}

}  // namespace lk::codec
