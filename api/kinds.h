// The node kinds labkeeper knows: their container defaults and interface-name aliases.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lk {

struct KindInfo {
  std::string name;
  bool vm = false;                         // a VM packaged in a container (vrnetlab): accepted and planned
  std::vector<std::string> cmd;            // default command when the node sets none
  std::map<std::string, std::string> env;  // defaults under the node's own env
  std::string user;
  // The Linux interface name for a name written in the vendor's style ("ethernet-1/1" for
  // SR Linux is e1-1); nullopt when the name is not an alias.
  std::optional<std::string> (*iface_alias)(const std::string&) = nullptr;
};

// nullptr for a kind labkeeper does not know.
const KindInfo* FindKind(const std::string& name);
// Every known kind name, for messages.
std::string KnownKinds();
// The Linux name of an interface written for a node of `kind` (itself when it is no alias).
std::string LinuxIfaceName(const std::string& kind, const std::string& iface);

}  // namespace lk
