// The lab as it really is: what the observer found in the engine and the kernel.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "controller/link_manager.h"
#include "controller/ownership.h"
#include "controller/runtime.h"

namespace lk {

struct ObservedNode {
  std::optional<ContainerState> container;  // the container holding the node's name, if any
  bool owned = false;                       // it carries labkeeper's labels for this lab
  // Observed when adopting: not labkeeper's, but made by containerlab for this node of this lab
  // from this file (MadeByContainerlabFor), with the interfaces containerlab made in it that do
  // not carry labkeeper's marker yet (none for a node that shares a namespace).
  bool containerlab = false;
  std::vector<Iface> clab_ifaces;
  std::vector<Iface> ifaces;        // owned interfaces of this lab in its namespace
  std::vector<std::string> strays;  // interfaces left by an interrupted link creation
  // bridge nodes: whether the bridge exists in its namespace; bridge-in-container and
  // ext-container nodes: the namespace could not be reached (the container is not running).
  bool bridge_present = false;
  std::string unreachable;
  // The namespace the node's interfaces live in, held open, when it was reached.
  std::shared_ptr<const NetNs> ns;
};

// The container that holds a non-container node's interfaces: the node's own name for
// ext-container, the holder of a "br|container" bridge (a lab node's container or any
// container by name); "" when they live in the host's namespace.
std::string HolderContainer(const LabSpec& lab, const NodeConfig& n);

// A veth-stitch's namespace, held open, and this lab's interfaces in it (its links' far ends).
struct ObservedStitch {
  std::shared_ptr<const NetNs> ns;
  std::vector<Iface> ifaces;
  std::vector<std::string> strays;  // left by an interrupted creation
};

struct ObservedLab {
  std::string lab;
  bool network_exists = true;
  std::map<std::string, ObservedNode> nodes;  // by desired node name
  // owned (or, adopting, containerlab's of the file) containers of this lab no longer desired
  std::vector<ContainerState> orphans;
  std::vector<Iface> host_ifaces;        // owned interfaces of this lab in the host namespace
  std::vector<std::string> host_strays;  // host interfaces left by an interrupted creation
  // adopting: containerlab's host interfaces named as this lab's host ends
  std::vector<Iface> host_clab_ifaces;
  std::shared_ptr<const NetNs> host_ns;             // the host's namespace, when it could be opened
  std::map<std::string, ObservedStitch> stitch_ns;  // the veth-stitch namespaces that exist, by name
  std::vector<std::string> stitch_orphans;          // this lab's veth-stitch namespaces no link wants
  std::vector<std::string> errors;                  // what could not be observed
  // The lab's containers as listed at the start (LabContainers: owned, and adopting containerlab's).
  std::vector<ContainerState> listed;
};

}  // namespace lk
