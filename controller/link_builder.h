// How a pass makes and repairs the lab's links and bridges, in the namespaces the observation
// holds. A node whose container the pass removes, creates or starts has a new namespace, looked
// up (once) from its new process; nothing here lists interfaces to find out what is there.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/topology.h"
#include "controller/env.h"
#include "controller/link_manager.h"
#include "controller/observed.h"
#include "controller/planner.h"
#include "controller/runtime.h"

namespace lk {

class LinkBuilder {
 public:
  // `renewed`: the nodes whose containers this pass replaces or starts.
  LinkBuilder(ContainerRuntime& runtime, LinkManager& links, Env& env, const LabSpec& lab, const ObservedLab& observed,
              std::set<std::string> renewed);

  // A link of the file: what is left of it (ends marked as this lab's) goes first.
  Status Create(const LinkConfig& l);
  // The drift `a` names on one end of `l` (down, MTU, MAC, a missing address).
  Status Repair(const Action& a, const LinkConfig& l);
  // A kImpair: the end's declared impairment made (or changed), or, none declared, labkeeper's removed.
  Status Impair(const Action& a, const LinkConfig& l);
  // A link containerlab made, taken over as it is: each end gets this lab's marker.
  Status Adopt(const LinkConfig& l);
  // A bridge node's Linux bridge, marked as the lab's (a bridge that was there is never touched).
  Status MakeBridge(const NodeConfig& n);
  Status DeleteIface(const std::string& node, const std::string& iface);
  // A veth-stitch namespace no link wants, with what is in it.
  Status DeleteNetns(const std::string& name) { return links_.DeleteNamed(name); }

 private:
  // The namespace of a node (or kHostNode), or nullptr with the reason in Why(node).
  const NetNs* NsOf(const std::string& node);
  std::shared_ptr<const NetNs> LookUp(const std::string& node);
  Status Why(const std::string& node);
  // The lab's interfaces the observation found in a node's namespace (none in a renewed one).
  std::vector<Iface> OwnedIn(const std::string& node) const;
  void RemoveLeftovers(const std::string& node, const NetNs& ns, const std::set<std::string>& names);
  Status CreateOneEnded(const LinkConfig& l, const NetNs& na);
  Status Join(const LinkConfig& l, const NetNs& na, const NetNs& nb);  // bridges and mgmt-net
  Status Stitch(const LinkConfig& l, const NetNs& host);
  Status CreateVethStitch(const LinkConfig& l, const NetNs& na, const NetNs& nb);
  IfaceSpec Spec(const LinkConfig& l, const Endpoint& e) const;
  Status Addresses(const Endpoint& e, const NetNs& ns);

  ContainerRuntime& runtime_;
  LinkManager& links_;
  Env& env_;
  const LabSpec& lab_;
  const ObservedLab& observed_;
  std::set<std::string> renewed_;
  std::mutex mu_;  // guards the caches
  std::map<std::string, std::shared_ptr<const NetNs>> ns_;
  std::map<std::string, std::string> why_;
};

}  // namespace lk
