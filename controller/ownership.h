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
inline constexpr char kNodeKindLabel[] = "clab-node-kind";
inline constexpr char kTopoFileLabel[] = "clab-topo-file";
// containerlab marks the interfaces it makes with an alternative name of this prefix.
inline constexpr char kClabOwnershipPrefix[] = "clab-o-";
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

// Adoption: a container labkeeper does not own, made by containerlab for this node of this lab
// from this very file (its labels containerlab, clab-node-name and clab-topo-file say so).
bool MadeByContainerlabFor(const ContainerState& c, const LabSpec& lab, const std::string& node);
// Why such a container is not the node's spec ("" when it is): its image or its kind differ.
std::string AdoptionMismatch(const ContainerState& c, const NodeConfig& n);
// An interface containerlab made: one of its alternative names has containerlab's prefix.
bool HasClabOwnershipAltName(const std::vector<std::string>& altnames);
// A lab's containers: labkeeper's own and, when `adopted_file` is given (a lab taken over with
// --adopt), those containerlab made for the lab from that file that carry no labkeeper label.
Result<std::vector<ContainerState>> LabContainers(ContainerRuntime& runtime, const std::string& lab,
                                                  const std::string& adopted_file = "");
// The file whose containerlab containers are the lab's: the lab's own when adopting, else "".
inline std::string AdoptedFile(const LabSpec& lab, bool adopt) {
  return adopt || lab.adopt ? lab.file : "";
}

// The ownership marker labkeeper writes as an interface alias, naming lab, node and link.
struct IfaceMarker {
  std::string lab, node, link;
  std::string str() const { return "labkeeper lab=" + lab + " node=" + node + " link=" + link; }
  // The marker of an interface containerlab made, taken over as it was (adopted).
  std::string adopted() const { return str() + " origin=containerlab"; }
  static bool IsAdopted(const std::string& alias) { return alias.find(" origin=containerlab") != std::string::npos; }
  static std::optional<IfaceMarker> Parse(const std::string& alias);
  bool operator==(const IfaceMarker&) const = default;
};

// The name a link end has between its creation and its marking: a deterministic function of
// lab, link and end, so an interface left by an interrupted creation is recognisably ours.
// Every such name begins with kTempIfacePrefix.
inline constexpr const char* kTempIfacePrefix = "lkt";
std::string TempIfaceName(const std::string& lab, const LinkConfig& link, const Endpoint& end);
// The VXLAN device of a vxlan-stitch, as an end in the host namespace (for its temporary name).
inline Endpoint StitchEnd(const LinkConfig& link) {
  return Endpoint{kHostNode, link.stitch_vxlan, "", "", "", "", std::nullopt};
}

// A veth-stitch end's far end, in the link's namespace: named after the end's node.
inline Endpoint FarEnd(const Endpoint& end) {
  return Endpoint{end.node, end.node, "", "", "", "", std::nullopt};
}

}  // namespace lk
