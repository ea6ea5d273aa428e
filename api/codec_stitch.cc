// The two stitched link types' own rules: vxlan-stitch's host-side names, and veth-stitch's
// namespace and what containerlab refuses in one (links/link_veth_stitched.go).
#include "api/codec_internal.h"
#include "api/strings.h"
#include "api/topology_codec.h"

namespace lk::codec {

std::string VxlanStitchHostName(const std::string& lab, const Endpoint& a, const std::string& prefix) {
  std::string n = prefix + a.node + "_" + a.iface;
  return n.size() <= 15 ? n : prefix + Hex64(Fnv1a64(lab + "/" + a.node + "/" + a.iface)).substr(0, 12);
}

std::string VethStitchNetns(const std::string& lab, const LinkDefinition& l) {
  const EndpointDefinition &a = l.endpoints[0], &b = l.endpoints[1];
  std::string seed = lab + '\0' + a.node + "/" + a.iface + '\0' + b.node + "/" + b.iface;
  return VethStitchNetnsPrefix(lab) + Hex64(Fnv1a64(seed)).substr(0, 6);
}

std::vector<std::pair<SourcePos, std::string>> VethStitchRefusals(const LinkDefinition& l, const std::string& node_a,
                                                                  const std::string& node_b) {
  std::vector<std::pair<SourcePos, std::string>> out;
  if (l.endpoints.size() != 2) return out;
  if (node_a == node_b)
    out.emplace_back(l.endpoints[1].written.Of("node", l.endpoints[1].pos),
                     "a veth-stitch link cannot start and end on the same node " + node_a);
  for (size_t i = 0; i < 2; ++i) {
    const EndpointDefinition& e = l.endpoints[i];
    const std::string& node = i == 0 ? node_a : node_b;
    if (auto why = InvalidIfaceName(node))
      out.emplace_back(e.written.Of("node", e.pos),
                       "node name \"" + node + "\" names the stitch's interface for that end, and " + *why);
    for (const char* key : {"mac", "ipv4", "ipv6"})
      if (e.written.at.count(key))
        out.emplace_back(e.written.Of(key, e.pos),
                         std::string("a veth-stitch end carries no ") + key + ": the stitch is transparent at layer 2");
  }
  return out;
}

}  // namespace lk::codec
