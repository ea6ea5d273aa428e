// The observer: builds the observed lab from the world alone (container labels and state, and
// the marked interfaces in each container's namespace), with no private state.
#pragma once

#include <set>

#include "api/topology.h"
#include "controller/link_manager.h"
#include "controller/observed.h"
#include "controller/runtime.h"

namespace lk {

class Observer {
 public:
  Observer(ContainerRuntime& runtime, LinkManager& links) : runtime_(runtime), links_(links) {}
  // Problems reading the world go into ObservedLab::errors; the caller decides what to do.
  // `adopt`: containerlab's containers of this lab and file, and the interfaces it made in them,
  // are observed as such (ObservedNode::containerlab) instead of as someone else's.
  ObservedLab Observe(const LabSpec& lab, bool adopt = false);
  // Owned interfaces of `lab` in a namespace.
  Result<std::vector<Iface>> OwnedIfaces(const NetNs& ns, const std::string& lab);
  // Owned interfaces, and the names of interfaces left by an interrupted creation of one of
  // the lab's links (see TempIfaceName).
  Status Scan(const NetNs& ns, const LabSpec& lab, std::vector<Iface>* owned, std::vector<std::string>* strays);

 private:
  // Sorts a namespace's interfaces into this lab's owned ones and its interrupted creations.
  static void Classify(std::vector<Iface> all, const LabSpec& lab, std::vector<Iface>* owned,
                       std::vector<std::string>* strays);
  // A node that is not a container labkeeper runs: its bridge and the namespace it lives in.
  void ObserveAttached(const LabSpec& lab, const NodeConfig& n, ObservedNode* on, ObservedLab* o);
  // The lab's veth-stitch namespaces: those its links want, with their interfaces; the others.
  void ObserveStitches(const LabSpec& lab, ObservedLab* o);
  // A container's namespace: the lab's interfaces in it, and when containerlab made the
  // container, containerlab's interfaces too.
  void ScanNode(const LabSpec& lab, const std::string& node, ObservedNode* on, ObservedLab* o);
  void MatchNodes(const LabSpec& lab, ObservedLab* o);  // o->listed to o->nodes and o->orphans
  // Adopting: containerlab's interfaces in the host's namespace named as this lab's host ends.
  void AdoptableHostEnds(const LabSpec& lab, ObservedLab* o);
  // Containerlab's interfaces among `all` (not marked by labkeeper), restricted to `names` when given.
  Status ClabIfaces(const NetNs& ns, const std::vector<Iface>& all, const std::set<std::string>* names,
                    std::vector<Iface>* out);
  ContainerRuntime& runtime_;
  LinkManager& links_;
};

}  // namespace lk
