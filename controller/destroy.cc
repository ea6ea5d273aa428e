// Destroy: every container, interface and veth-stitch namespace a lab owns goes, then its
// management network when labkeeper made it and nothing uses it.
#include <mutex>
#include <set>

#include "controller/applier.h"
#include "controller/observer.h"

namespace lk {

namespace {

// The lab's veth-stitch namespaces, with their far ends.
void RemoveStitchNamespaces(LinkManager& links, const std::string& lab, const ProgressSink& progress,
                            DestroyResult* d) {
  auto named = links.ListNamed();
  if (!named) return d->failures.push_back("named namespaces: " + named.error());
  for (const auto& name : *named) {
    if (!IsVethStitchNetnsOf(lab, name)) continue;
    if (Status s = links.DeleteNamed(name); !s)
      d->failures.push_back("namespace " + name + ": " + s.message());
    else
      progress("  namespace " + name + ": removed");
  }
}

}  // namespace

DestroyResult Applier::Destroy(const std::string& lab, const std::string& network, const std::string& adopted_file) {
  DestroyResult d;
  auto owned = LabContainers(runtime_, lab, adopted_file);
  if (!owned) {
    d.failures.push_back(owned.error());
    return d;
  }
  std::set<std::string> networks;
  if (!network.empty()) networks.insert(network);
  std::mutex mu;
  ParallelFor(owned->size(), opts_.max_workers, [&](size_t i) {
    const ContainerState& c = (*owned)[i];
    Status s = runtime_.Remove(c.id);
    std::lock_guard lock(mu);
    if (auto it = c.labels.find(kMgmtNetworkLabel); it != c.labels.end()) networks.insert(it->second);
    if (s) {
      ++d.containers;
      progress_("  container " + c.name + ": removed");
    } else {
      d.failures.push_back("container " + c.name + ": " + s.message());
    }
  });
  if (Status s = env_.RemoveBridgeRules(lab); !s) d.failures.push_back(s.message());
  // Only interfaces carrying this lab's marker are removed; failures are reported for the host's.
  Observer observer(runtime_, links_);
  auto remove_marked = [&](const NetNs& ns, bool report) {
    auto ifaces = observer.OwnedIfaces(ns, lab);
    if (!ifaces) return;
    for (const auto& i : *ifaces) {
      Status s = links_.Delete(ns, i.name);
      if (s)
        ++d.interfaces;
      else if (report)
        d.failures.push_back("host interface " + i.name + ": " + s.message());
    }
  };
  // Links to containers labkeeper does not own (ext-container, bridges inside them) leave
  // marked ends in those containers.
  if (auto all = runtime_.List({}))
    for (const auto& c : *all)
      if (c.running() && c.pid > 0)
        if (auto ns = links_.OfPid(c.pid)) remove_marked(*ns, false);
  // Host ends die with their peers; a leftover host interface of this lab goes too.
  if (auto host = links_.Host()) remove_marked(*host, true);
  RemoveStitchNamespaces(links_, lab, progress_, &d);
  for (const auto& net : networks) {
    auto removed = runtime_.RemoveNetworkIfUnused(net, kManagedByLabel);
    if (!removed) {
      d.failures.push_back("network " + net + ": " + removed.error());
    } else if (*removed == NetworkRemoval::kRemoved) {
      d.network_removed = true;
      progress_("  network " + net + ": removed (created by labkeeper, no longer used)");
    } else if (*removed == NetworkRemoval::kStuck) {
      d.warnings.push_back("network " + net +
                           ": left in place: no container is attached, yet the engine still counts an endpoint "
                           "on it (an engine fault, moby/moby#17217; restarting the engine clears it)");
    }
  }
  return d;
}

}  // namespace lk
