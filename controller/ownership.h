// Ownership, in one place: what makes a container, a network or an interface labkeeper's. The
// world holds it (labels on containers and networks, a marker as each interface's alias, a
// temporary name while an interface is made), never a private file; nothing without it is touched.
#pragma once

#include <optional>
#include <string>

#include "api/topology.h"
#include "controller/runtime.h"

namespace lk {

inline constexpr char kManagedByLabel[] = "labkeeper.dev/managed-by";
inline constexpr char kManagedByValue[] = "labkeeper";
inline constexpr char kOwnerLabel[] = "labkeeper.dev/owner";
inline constexpr char kSpecHashLabel[] = "labkeeper.dev/spec-hash";
inline constexpr char kMgmtNetworkLabel[] = "labkeeper.dev/mgmt-network";
inline constexpr char kLabLabel[] = "containerlab";
inline constexpr char kNodeNameLabel[] = "clab-node-name";
// The image reference a node was created from, when the container was created from an id.
inline constexpr char kImageLabel[] = "labkeeper.dev/image";

// The image reference a container's node names (what status shows).
inline std::string NodeImage(const ContainerState& c) {
  auto it = c.labels.find(kImageLabel);
  return it == c.labels.end() ? c.image : it->second;
}
// The image whose architecture a container runs: its image id, since a tag may have moved on.
inline std::string RunningImage(const ContainerState& c) {
  return c.image_id.empty() ? c.image : c.image_id;
}

// The ownership marker labkeeper writes as an interface alias, naming lab, node and link.
struct IfaceMarker {
  std::string lab, node, link;
  std::string str() const { return "labkeeper lab=" + lab + " node=" + node + " link=" + link; }
  static std::optional<IfaceMarker> Parse(const std::string& alias);
  bool operator==(const IfaceMarker&) const = default;
};

// The name a link end has between its creation and its marking: a deterministic function of
// lab, link and end, so an interface left by an interrupted creation is recognisably ours.
std::string TempIfaceName(const std::string& lab, const LinkConfig& link, const Endpoint& end);
// The VXLAN device of a vxlan-stitch, as an end in the host namespace (for its temporary name).
inline Endpoint StitchEnd(const LinkConfig& link) {
  return Endpoint{kHostNode, link.stitch_vxlan, "", "", "", ""};
}

// A veth-stitch end's far end, in the link's namespace: named after the end's node.
inline Endpoint FarEnd(const Endpoint& end) {
  return Endpoint{end.node, end.node, "", "", "", ""};
}

}  // namespace lk
