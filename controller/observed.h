// The lab as it really is: what the observer found in the engine and the kernel.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "controller/link_manager.h"
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
  return Endpoint{kHostNode, link.stitch_vxlan, "", "", ""};
}

struct ObservedNode {
  std::optional<ContainerState> container;  // the container holding the node's name, if any
  bool owned = false;                       // it carries labkeeper's labels for this lab
  std::vector<Iface> ifaces;                // owned interfaces of this lab in its namespace
  std::vector<std::string> strays;          // interfaces left by an interrupted link creation
  // bridge nodes: whether the bridge exists in its namespace; bridge-in-container and
  // ext-container nodes: the namespace could not be reached (the container is not running).
  bool bridge_present = false;
  std::string unreachable;
};

// The container that holds a non-container node's interfaces: the node's own name for
// ext-container, the holder of a "br|container" bridge (a lab node's container or any
// container by name); "" when they live in the host's namespace.
std::string HolderContainer(const LabSpec& lab, const NodeConfig& n);

struct ObservedLab {
  std::string lab;
  bool network_exists = true;
  std::map<std::string, ObservedNode> nodes;  // by desired node name
  std::vector<ContainerState> orphans;        // owned containers of this lab no longer desired
  std::vector<Iface> host_ifaces;             // owned interfaces of this lab in the host namespace
  std::vector<std::string> host_strays;       // host interfaces left by an interrupted creation
  std::vector<std::string> errors;            // what could not be observed
};

}  // namespace lk
