// The lab as labkeeper wants it: a containerlab topology resolved into nodes and links.
// TopologyFile (as written) and LabSpec (resolved) are separate types; Resolve() is the one
// step that applies inheritance, expansion and validation between them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/impairment.h"

namespace lk {

// Where a value was written: file:line:column (1-based), for error messages.
struct SourcePos {
  std::string file;
  int line = 0;
  int column = 0;
  std::string str() const;
  bool operator==(const SourcePos&) const = default;
};

// One validation or parse problem, always tied to a place in a file.
struct Diagnostic {
  SourcePos pos;
  std::string message;
  std::string str() const { return pos.str() + ": " + message; }
};

struct DnsConfig {
  std::vector<std::string> servers, search, options;
  bool operator==(const DnsConfig&) const = default;
};

struct Healthcheck {
  std::vector<std::string> test;                                 // e.g. ["CMD-SHELL", "cat /etc/os-release"]
  int interval = 0, timeout = 0, retries = 0, start_period = 0;  // seconds, as containerlab
  bool operator==(const Healthcheck&) const = default;
};

// containerlab's stages: a node goes through create, create-links, configure, healthy and exit;
// a stage may wait for other nodes' stages and run commands when it is entered or left.
struct StageWait {
  std::string node, stage = "create";
  bool operator==(const StageWait&) const = default;
};
struct StageExec {
  std::string command, phase = "on-enter", target = "container";  // target: container | host
  bool operator==(const StageExec&) const = default;
};
struct Stage {
  std::vector<StageWait> wait_for;
  std::vector<StageExec> exec;
  bool operator==(const Stage&) const = default;
};
const std::vector<std::string>& StageNames();  // in order
int StageIndex(const std::string& name);       // -1 when unknown

// Container settings beyond the basics, as containerlab's node fields of the same names.
struct ContainerExtras {
  double cpu = 0;  // CPUs (NanoCpus)
  std::string cpu_set;
  int64_t memory = 0, shm_size = 0;  // bytes
  std::vector<std::string> devices, tmpfs, security_opts, volumes, aliases;
  std::string cgroupns_mode, cgroup_parent, pid_mode, restart_policy;
  DnsConfig dns;
  std::optional<Healthcheck> healthcheck;
  bool operator==(const ContainerExtras&) const = default;
};

// Where each value of a mapping was written, by key ("mac"; "binds[2]" for an item of a list):
// errors point at the value itself, as an editor's YAML language server underlines it.
struct WrittenAt {
  std::map<std::string, SourcePos> at;
  // The value's position; `fallback` when the key was not written here.
  const SourcePos& Of(const std::string& key, const SourcePos& fallback) const {
    auto it = at.find(key);
    return it == at.end() ? fallback : it->second;
  }
};

// One entry of a nokia_srsim node's `components`: a CPM or line card of a distributed SR-SIM,
// run as its own container in the namespace of the first (its sfm, mda and xiom shape the
// startup configuration containerlab writes, and are kept unapplied with the list).
struct ComponentDefinition {
  std::string slot;  // A, B (CPMs) or a line card number
  std::string type;  // the card type: NOKIA_SROS_CARD
  std::map<std::string, std::string> env;
  SourcePos pos;
  bool operator==(const ComponentDefinition&) const = default;
};

// Node fields as written at one level of containerlab's inheritance chain
// (topology.defaults, a kind, a group, or the node itself).
struct NodeDefinition {
  std::optional<std::string> kind, group, type, image, image_pull_policy, cmd, entrypoint, user, hostname, network_mode,
      mgmt_ipv4, mgmt_ipv6, platform;
  std::optional<bool> privileged;
  std::map<std::string, std::string> env, labels, sysctls;
  std::vector<std::string> binds, exec, ports, cap_add;
  std::optional<double> cpu;
  std::optional<std::string> cpu_set, memory, shm_size, cgroupns_mode, cgroup_parent, pid_mode, restart_policy;
  std::optional<int> startup_delay;
  std::vector<std::string> env_files, devices, tmpfs, security_opts, volumes, aliases;
  std::optional<DnsConfig> dns;
  std::optional<Healthcheck> healthcheck;
  std::map<std::string, Stage> stages;
  std::vector<std::string> wait_for;  // the older form: wait for these nodes' create stage
  std::vector<ComponentDefinition> components;
  // Keys accepted but not applied to the container (vendor fields, ...), as YAML text:
  // they count in the spec hash, so editing one recreates the node.
  std::map<std::string, std::string> unapplied;
  // Binds are relative to this directory (the topology file's).
  std::string base_dir;
  SourcePos pos;
  WrittenAt written;
};

struct MgmtNetwork {
  std::string network = "clab";
  std::string ipv4_subnet = "172.20.20.0/24";
  std::string ipv4_gw;
  // containerlab's default management network is dual stack; a file that names either subnet
  // gets only the families it names.
  std::string ipv6_subnet = "3fff:172:20:20::/64";
  std::string ipv6_gw;
  std::string bridge;
  int mtu = 0;  // 0: the engine's default
  bool operator==(const MgmtNetwork&) const = default;
};

struct EndpointDefinition {
  std::string node;
  std::string iface;
  std::string mac;
  std::string ipv4, ipv6;  // address/prefix put on the interface
  std::optional<Impairment> netem;  // vars.netem of the extended form
  SourcePos pos;
  WrittenAt written;  // the extended form's keys; a brief endpoint is one scalar, at pos
};

struct LinkDefinition {
  std::string type;  // veth, host, mgmt-net, macvlan, dummy, vxlan, vxlan-stitch, veth-stitch (brief resolved)
  std::vector<EndpointDefinition> endpoints;
  std::string host_interface;  // host and mgmt-net: the host end; macvlan: the parent
  std::string mode;            // macvlan
  std::string remote;          // vxlan, vxlan-stitch
  std::optional<int> mtu, vni, dst_port;
  std::optional<Impairment> netem;  // vars.netem: both ends (an end's own vars.netem wins)
  SourcePos pos;
  WrittenAt written;  // host-interface also where a brief "macvlan:PARENT" end wrote it
};

struct TopologyFile {
  std::string path;  // absolute
  std::string name;
  std::optional<std::string> prefix;
  MgmtNetwork mgmt;
  NodeDefinition defaults;
  std::map<std::string, NodeDefinition> kinds, groups;
  std::vector<std::pair<std::string, NodeDefinition>> nodes;  // file order
  std::vector<LinkDefinition> links;
  SourcePos name_pos;
};

// A node after inheritance: everything needed to create its container.
struct NodeConfig {
  std::string name;
  std::string kind = "linux";
  std::string type, group, image, image_pull_policy = "IfNotPresent", user, hostname, network_mode, mgmt_ipv4,
                                  mgmt_ipv6, platform;
  std::vector<std::string> cmd, entrypoint;  // argv; empty = the image's
  std::map<std::string, std::string> env, labels, sysctls;
  std::vector<std::string> binds;  // absolute host paths, "src:dst[:opts]"
  std::vector<std::string> exec, ports, cap_add;
  bool privileged = true;  // containerlab runs every container privileged
  ContainerExtras extras;
  int startup_delay = 0;                // seconds to wait before creating the container
  std::map<std::string, Stage> stages;  // with node-level wait-for folded into stages["create"]
  std::map<std::string, std::string> unapplied;
  // The host whose controller makes it (--host-id): its labkeeper.dev/host label, else a Lab
  // resource's spec.host; "" = unplaced.
  std::string host;
  SourcePos pos;

  // Hash of everything that shapes the container; stored as a label to detect spec changes.
  std::string SpecHash() const;
  // Whether labkeeper runs a container for it (its kind's packaging, api/kinds.h): bridge,
  // ovs-bridge, host and ext-container nodes are attached to (only a missing Linux bridge is
  // created), and a k8s-kind cluster is made by another tool.
  bool IsContainer() const;
  bool IsBridge() const { return kind == "bridge" || kind == "ovs-bridge"; }
  // A bridge node written "br|container" is bridge br inside that container's namespace.
  std::string BridgeName() const { return name.substr(0, name.find('|')); }
  std::string BridgeHolder() const {
    return name.find('|') == std::string::npos ? "" : name.substr(name.find('|') + 1);
  }
  // network-mode container:NAME: the container (a lab node's name, or any container's) whose
  // network namespace it joins; "" otherwise.
  std::string NamespaceOf() const { return network_mode.rfind("container:", 0) == 0 ? network_mode.substr(10) : ""; }
  // Its interfaces live in the host's namespace (host kind, and a bridge not inside a container).
  bool InHostNamespace() const { return kind == "host" || (IsBridge() && BridgeHolder().empty()); }
  // A container in a namespace it does not own: the host's (network-mode host) or another's.
  bool SharesNamespace() const { return network_mode == "host" || !NamespaceOf().empty(); }
  bool operator==(const NodeConfig&) const = default;
};

// One end of a link. node "host" with kind host means the host's network namespace.
struct Endpoint {
  std::string node;
  std::string iface;       // the kernel's name
  std::string mac;         // always set after Resolve (generated when not given)
  std::string ipv4, ipv6;  // address/prefix to put on the interface; empty: none
  std::string altname;     // a host interface written longer than 15 characters, kept as an altname
  std::optional<Impairment> impair;  // netem on what it sends (docs/impairments.md); none: no qdisc of labkeeper's
  bool operator==(const Endpoint&) const = default;
};

struct LinkConfig {
  std::string type;             // veth | host | mgmt-net | macvlan | dummy | vxlan | vxlan-stitch | veth-stitch
  Endpoint a, b;                // host, mgmt-net, vxlan-stitch: b.node is "host"; one-ended: b is empty
  int mtu = 9500;               // containerlab's default for veth; 0: the kernel's default for the kind
  std::string parent;           // macvlan: the host interface it sits on
  std::string mode = "bridge";  // macvlan
  std::string remote;           // vxlan
  int vni = 0;
  int dst_port = 14789;  // containerlab's default VXLAN port
  // vxlan-stitch: b is the veth's host end ve-<node>_<iface>; this VXLAN device vx-<node>_<iface>
  // in the host namespace is joined to it by tc redirects, as containerlab stitches them.
  std::string stitch_vxlan;
  // veth-stitch: a and b are two nodes' ends, each a veth whose far end, named after its node,
  // lies in this network namespace of the link's own (/run/netns/NAME); tc redirects join the
  // two far ends, as containerlab stitches them (a plain veth's traffic, on netdevs of their own).
  std::string stitch_netns;
  SourcePos pos;
  bool OneEnded() const { return b.node.empty(); }
  // Stable identity of the link inside its lab, used in ownership markers.
  std::string Id() const;
  bool operator==(const LinkConfig&) const = default;
};

inline constexpr char kHostNode[] = "host";
// A node label placing it on a host (inherited like any label: topology.defaults.labels places
// a whole lab).
inline constexpr char kHostLabel[] = "labkeeper.dev/host";

// The named network namespaces of a lab's veth-stitch links: lk-<lab>-vstitch-<6 hex digits>.
std::string VethStitchNetnsPrefix(const std::string& lab);
// Whether `netns` is one of those (the prefix, then exactly 6 hex digits: lab "a" does not
// own lab "a-b"'s).
bool IsVethStitchNetnsOf(const std::string& lab, const std::string& netns);

// A host interface name longer than Linux's 15 characters (an altname holds up to 127): the kernel
// name labkeeper gives the interface, its first 8 characters and a hash of the whole,
// "some_ver-3f9a1c". The long name is its alternative name, which `ip` resolves like a name.
std::string KernelIfaceName(const std::string& long_name);
inline constexpr size_t kMaxAltNameLength = 127;

// The MAC an end gets when the file gives none: containerlab's aa:c1:ab OUI and a stable hash of
// lab, node and interface, so a recreated link gets the same MAC.
std::string GeneratedMac(const std::string& lab, const std::string& node, const std::string& iface);

struct LabSpec;
// Places each node (its labkeeper.dev/host label, else `fallback`, a Lab resource's spec.host)
// and the lab: on the one host its nodes share, or spread over several (host "", Spread()). In a
// spread lab every node is placed: an unplaced one is an error at the node.
std::optional<Diagnostic> PlaceByNodeLabels(LabSpec* lab, const std::string& fallback = "");

struct LabSpec {
  std::string name;
  std::optional<std::string> prefix;
  std::string file;  // absolute path of the topology file
  std::string dir;   // its directory
  MgmtNetwork mgmt;
  std::vector<NodeConfig> nodes;
  std::vector<LinkConfig> links;
  // From a Lab resource (*.lab.yml); a plain topology file keeps the defaults.
  bool suspend = false;   // spec.suspend or annotation labkeeper.dev/suspend: "true"
  bool prune = true;      // spec.prune: remove the lab when its file is deleted
  std::string emulation;  // spec.emulation: allow | warn | deny for this lab; "" = the controller's
  bool adopt = false;     // spec.adopt: take over what containerlab runs for this lab and this file
  // The host whose controller reconciles it (--host-id): spec.host, or the labkeeper.dev/host
  // label every node carries; "" = unplaced, or spread over several hosts (Spread()).
  std::string host;
  // A Lab resource's spec.hosts: each host's underlay address, for the lab's cross-host links.
  std::map<std::string, std::string> host_addresses;
  // Its nodes are placed on more than one host: each host's controller makes its own nodes and
  // its end of every link between hosts (a VXLAN tunnel).
  bool Spread() const;
  // The hosts its nodes are placed on (one for a lab on one host; none when unplaced).
  std::set<std::string> Hosts() const;

  // containerlab's naming: clab-<lab>-<node>, honouring prefix ("" and "__lab-name"); an
  // ext-container node is the container of that name, made by someone else.
  std::string ContainerName(const std::string& node) const;
  std::string ContainerName(const NodeConfig& node) const;  // the same for a node at hand, no search
  // containerlab's lab directory: <file dir>/clab-<lab>, or $CLAB_LABDIR_BASE/clab-<lab> when set.
  std::string LabDir() const;
  const NodeConfig* FindNode(const std::string& name) const;
  // The end is an interface of the host's own namespace: the `host` endpoint, a host-kind node,
  // or a bridge the host holds.
  bool EndInHostNamespace(const Endpoint& e) const;
};

}  // namespace lk
