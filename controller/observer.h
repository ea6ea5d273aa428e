// The observer: builds the observed lab from the world alone (container labels and state, and
// the marked interfaces in each container's namespace), with no private state.
#pragma once

#include "api/topology.h"
#include "controller/link_manager.h"
#include "controller/observed.h"
#include "controller/runtime.h"

namespace lk {

class Observer {
 public:
  Observer(ContainerRuntime& runtime, LinkManager& links) : runtime_(runtime), links_(links) {}
  // Problems reading the world go into ObservedLab::errors; the caller decides what to do.
  ObservedLab Observe(const LabSpec& lab);
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
  ContainerRuntime& runtime_;
  LinkManager& links_;
};

}  // namespace lk
