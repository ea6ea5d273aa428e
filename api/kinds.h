// The node kinds labkeeper knows, in one table (api/kind_table.cc): every kind containerlab has,
// with the container defaults containerlab gives it and the interface names it accepts.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lk {

// How a node of a kind becomes something on the host.
enum class Packaging {
  kContainer,  // a container image, run as containerlab runs it (SR Linux, cEOS, FRR, ...)
  kVm,         // a VM inside a vrnetlab-style container: launched with credentials and its NIC count
  kAttached,   // bridge, ovs-bridge, host, ext-container: not run by labkeeper; links attach to it
  kExternal,   // k8s-kind: a cluster another tool (kind) makes; labkeeper creates nothing for it
};

// A vendor interface name with one number in it, for the Linux name eth<N - offset + 1>:
// fortigate's port2 is eth1 (offset 2), vMX's ge-0/0/0 is eth1 (offset 0).
struct IfaceRule {
  const char* pattern;  // a regex whose first group is the number
  int offset;
};

struct NodeConfig;  // api/topology.h

// A node's place among its lab's nodes sorted by name (containerlab numbers them; by name, the
// number does not move when the file is reordered).
using NodeIndex = std::function<size_t(const std::string& node)>;

struct KindInfo {
  std::string name;                  // containerlab's long name, used in labels and messages
  std::vector<std::string> aliases;  // the other names containerlab takes for it
  Packaging packaging = Packaging::kContainer;
  std::vector<std::string> cmd;                // default command when the node sets none
  std::map<std::string, std::string> env;      // defaults under the node's own env
  std::map<std::string, std::string> sysctls;  // defaults under the node's own sysctls
  std::string user;                            // default user
  std::string username, password;              // kVm: the credentials vrnetlab's launch is given
  std::vector<IfaceRule> iface_rules;          // vendor names as eth<N>
  // A vendor name the rules cannot express (SR Linux's ethernet-1/1 is e1-1); nullopt: no alias.
  std::optional<std::string> (*iface_alias)(const std::string&) = nullptr;
  // A Linux interface name nodes of this kind must have (after aliases), and what to say
  // otherwise; empty: any name.
  std::string iface_required, iface_help;
  std::vector<std::string> types;  // the node `type` values it accepts; empty: any
  std::string note;                // where labkeeper runs it differently from containerlab
  // What containerlab sets for such a node beyond the defaults above, from the node's own values
  // once inherited (SR-SIM's chassis is its type), and from the whole lab (IOL's process id,
  // SR-SIM's base MAC); nullptr: nothing.
  void (*from_node)(NodeConfig*) = nullptr;
  void (*from_lab)(const std::string& lab, const NodeIndex& index, NodeConfig*) = nullptr;
  bool has_components = false;  // a node may list `components`: a distributed system (SR-SIM)
  bool IsVm() const { return packaging == Packaging::kVm; }
  bool RunsContainer() const { return packaging == Packaging::kContainer || packaging == Packaging::kVm; }
};

// Every kind, in table order.
const std::vector<KindInfo>& AllKinds();
// nullptr for a name that is no kind's name or alias.
const KindInfo* FindKind(const std::string& name);
// Every name and alias labkeeper takes, sorted: for messages and the JSON Schemas.
std::vector<std::string> KindNames();
std::string KnownKinds();
// The Linux name of an interface written for a node of `kind` (itself when it is no alias).
std::string LinuxIfaceName(const std::string& kind, const std::string& iface);
// Why `iface` (a Linux name) cannot be an interface of a node of `kind`; nullopt when it can.
std::optional<std::string> KindRefusesIface(const std::string& kind, const std::string& iface);

// Nokia SR-SIM: 1/2/c3/1 is e1-2-c3-1, 1/x2/3/4 is e1-x2-3-4.
std::optional<std::string> SrsimAlias(const std::string& n);

}  // namespace lk
