#include "controller/container_spec.h"

#include "api/strings.h"
#include "controller/ownership.h"

namespace lk {

ContainerSpec ContainerSpecFor(const LabSpec& lab, const NodeConfig& n, const std::string& owner) {
  ContainerSpec s;
  s.name = lab.ContainerName(n.name);
  s.image = n.image;
  s.platform = n.platform;
  s.hostname = n.hostname.empty() ? n.name : n.hostname;
  s.user = n.user;
  s.cmd = n.cmd;
  s.entrypoint = n.entrypoint;
  s.env = n.env;
  s.sysctls = n.sysctls;
  s.binds = n.binds;
  s.ports = n.ports;
  s.cap_add = n.cap_add;
  s.privileged = n.privileged;
  s.extras = n.extras;
  s.network_mode = n.network_mode;
  // network-mode container:NODE names a node of this lab: its container, by containerlab's name.
  if (std::string on = n.NamespaceOf(); !on.empty() && lab.FindNode(on))
    s.network_mode = "container:" + lab.ContainerName(on);
  if (n.network_mode.empty()) s.network = lab.mgmt.network;
  s.mgmt_ipv4 = n.mgmt_ipv4;
  s.mgmt_ipv6 = n.mgmt_ipv6;
  s.labels = n.labels;
  s.labels[kLabLabel] = lab.name;
  s.labels[kNodeNameLabel] = n.name;
  s.labels["clab-node-longname"] = s.name;
  s.labels["clab-node-kind"] = n.kind;
  s.labels["clab-node-type"] = n.type;
  s.labels["clab-node-group"] = n.group;
  s.labels["clab-topo-file"] = lab.file;
  s.labels["clab-node-lab-dir"] = lab.LabDir() + "/" + n.name;
  s.labels[kManagedByLabel] = kManagedByValue;
  s.labels[kOwnerLabel] = owner;
  s.labels[kSpecHashLabel] = n.SpecHash();
  s.labels[kMgmtNetworkLabel] = lab.mgmt.network;
  return s;
}

}  // namespace lk
