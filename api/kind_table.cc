// The kind table: every kind containerlab has (its documentation's list, with the aliases each
// kind registers), and what containerlab does for it that shapes the container. Files, config
// templates and boot-time configuration containerlab writes into the lab directory are not
// here: labkeeper keeps them unapplied (see docs/format.md, "Kinds").
#include <cstdio>
#include <regex>

#include "api/kinds.h"
#include "api/strings.h"
#include "api/topology.h"

namespace lk {
namespace {

// SR Linux: ethernet-1/1 -> e1-1, ethernet-1/3/1 -> e1-3-1.
std::optional<std::string> SrlAlias(const std::string& n) {
  static const std::regex re("^ethernet-([0-9]+)/([0-9]+)(?:/([0-9]+))?$");
  std::smatch m;
  if (!std::regex_match(n, m, re)) return std::nullopt;
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on `"-" + std::string` at -O2.
  std::string out = "e";
  out.append(m[1].first, m[1].second).append(1, '-').append(m[2].first, m[2].second);
  if (m[3].matched) out.append(1, '-').append(m[3].first, m[3].second);
  return out;
}

// cEOS: Ethernet1 -> eth1, Ethernet1/2 -> eth1_2.
std::optional<std::string> CeosAlias(const std::string& n) {
  static const std::regex re("^[Ee]th(?:ernet)?([0-9]+)(?:/([0-9]+))?$");
  std::smatch m;
  if (!std::regex_match(n, m, re) || n.rfind("eth", 0) == 0) return std::nullopt;
  return "eth" + m[1].str() + (m[2].matched ? "_" + m[2].str() : "");
}

// XRd: GigabitEthernet0/0/0/1 -> Gi0-0-0-1.
std::optional<std::string> XrdAlias(const std::string& n) {
  static const std::regex re("^(?:GigabitEthernet|Gi)([0-9]+)/([0-9]+)/([0-9]+)/([0-9]+)$");
  std::smatch m;
  if (!std::regex_match(n, m, re)) return std::nullopt;
  return "Gi" + m[1].str() + "-" + m[2].str() + "-" + m[3].str() + "-" + m[4].str();
}

// Cisco IOL: Ethernet<slot>/<port> (or e<slot>/<port>) is eth<slot*4+port>: four ports a slot.
std::optional<std::string> IolAlias(const std::string& n) {
  static const std::regex re("^(?:e|Ethernet) ?([0-9])/([0-3])$");
  std::smatch m;
  if (!std::regex_match(n, m, re)) return std::nullopt;
  return "eth" + std::to_string(std::stoi(m[1].str()) * 4 + std::stoi(m[2].str()));
}

KindInfo Container(std::string name, std::vector<std::string> aliases = {}) {
  KindInfo k;
  k.name = std::move(name);
  k.aliases = std::move(aliases);
  return k;
}

KindInfo Vm(std::string name, std::vector<std::string> aliases, std::string username, std::string password,
            std::vector<IfaceRule> rules) {
  KindInfo k = Container(std::move(name), std::move(aliases));
  k.packaging = Packaging::kVm;
  k.username = std::move(username);
  k.password = std::move(password);
  k.env = {{"USERNAME", k.username}, {"PASSWORD", k.password}, {"CONNECTION_MODE", "tc"}};
  k.iface_rules = std::move(rules);
  return k;
}

KindInfo Other(std::string name, Packaging p) {
  KindInfo k = Container(std::move(name));
  k.packaging = p;
  return k;
}

KindInfo SrLinux() {
  KindInfo k = Container("nokia_srlinux", {"srl"});
  k.cmd = {"sudo", "bash", "-c", "touch /.dockerenv && /opt/srlinux/bin/sr_linux"};
  k.env = {{"SRLINUX", "1"}};
  k.user = "0:0";
  k.iface_alias = SrlAlias;
  return k;
}

// SR-SIM's chassis is the node's type (SR-1 when it names none).
void SrsimChassis(NodeConfig* n) {
  n->env.emplace("NOKIA_SROS_CHASSIS", n->type.empty() ? "SR-1" : n->type);
}

// SR-SIM's base MAC, 1c:<lab>:<node>:00:00:00 as containerlab's scheme without its randomness:
// the spec stays the same from one pass to the next. A component's node is the one it was
// written in, so a distributed system has one MAC.
void SrsimBaseMac(const std::string& lab, const NodeIndex& index, NodeConfig* n) {
  if (n->env.count("NOKIA_SROS_SYSTEM_BASE_MAC")) return;
  auto written = n->labels.find("labkeeper.dev/srsim-node");
  std::string base = written == n->labels.end() ? n->name : written->second;
  char mac[32];
  std::snprintf(mac, sizeof mac, "1c:%02x:%02x:00:00:00", static_cast<unsigned>(Fnv1a64(lab) & 0xff),
                static_cast<unsigned>(index(base) & 0xff));
  n->env["NOKIA_SROS_SYSTEM_BASE_MAC"] = mac;
}

// Cisco IOL's process id: the node's number in the lab, from 1.
void IolPid(const std::string&, const NodeIndex& index, NodeConfig* n) {
  n->env.emplace("IOL_PID", std::to_string(index(n->name) + 1));
}

KindInfo SrSim() {
  KindInfo k = Container("nokia_srsim");
  k.env = {{"SRSIM", "1"}, {"NOKIA_SROS_SLOT", "A"}};  // NOKIA_SROS_CHASSIS: the node's type
  k.sysctls = {{"net.ipv4.ip_forward", "0"},
               {"net.ipv6.conf.all.disable_ipv6", "0"},
               {"net.ipv6.conf.default.disable_ipv6", "0"},
               {"net.ipv6.conf.all.accept_dad", "0"},
               {"net.ipv6.conf.default.accept_dad", "0"},
               {"net.ipv6.conf.all.autoconf", "0"},
               {"net.ipv6.conf.default.autoconf", "0"},
               {"net.ipv4.conf.all.rp_filter", "0"},
               {"net.ipv4.conf.default.rp_filter", "0"},
               {"net.ipv6.conf.all.accept_ra", "0"},
               {"net.ipv6.conf.default.accept_ra", "0"}};
  k.user = "0:0";
  k.iface_alias = SrsimAlias;
  k.iface_required = "^(e[0-9]+-(x[0-9]+-)?[0-9]+-(c[0-9]+-)?[0-9]+|eth[0-9]+)$";
  k.iface_help = "1/2/3, 1/2/c3/4, 1/x2/3/4, 1/x2/3/c4/5, their Linux forms e1-2-3 and so on, or ethN";
  k.from_node = SrsimChassis;
  k.from_lab = SrsimBaseMac;
  k.has_components = true;
  return k;
}

KindInfo Ceos() {
  KindInfo k = Container("arista_ceos", {"ceos"});
  k.cmd = {"/sbin/init",
           "systemd.setenv=INTFTYPE=eth",
           "systemd.setenv=ETBA=1",
           "systemd.setenv=SKIP_ZEROTOUCH_BARRIER_IN_SYSDBINIT=1",
           "systemd.setenv=CEOS=1",
           "systemd.setenv=EOS_PLATFORM=ceoslab",
           "systemd.setenv=container=docker",
           "systemd.setenv=MAPETH0=1",
           "systemd.setenv=MGMT_INTF=eth0"};
  k.env = {{"CEOS", "1"},
           {"EOS_PLATFORM", "ceoslab"},
           {"container", "docker"},
           {"ETBA", "1"},
           {"SKIP_ZEROTOUCH_BARRIER_IN_SYSDBINIT", "1"},
           {"INTFTYPE", "eth"},
           {"MAPETH0", "1"},
           {"MGMT_INTF", "eth0"}};
  k.iface_alias = CeosAlias;
  return k;
}

std::vector<KindInfo> Containers() {
  std::vector<KindInfo> k;
  k.push_back(Container("linux"));
  k.push_back(SrLinux());
  k.push_back(SrSim());
  k.push_back(Ceos());
  k.push_back(Container("juniper_crpd", {"crpd"}));
  k.push_back(Container("juniper_cjunosevolved", {"cjunosevolved"}));
  k.back().iface_rules = {{"^et-0/0/([0-9]+)$", -3}};  // et-0/0/0 is eth4: eth1-3 are its own
  k.push_back(Container("juniper_csrx", {"csrx"}));
  k.push_back(Container("cisco_xrd", {"xrd"}));
  k.back().env = {{"XR_MGMT_INTERFACES", "linux:eth0,xr_name=Mg0/RP0/CPU0/0,chksum,snoop_v4"}};
  k.back().iface_alias = XrdAlias;
  k.push_back(Container("cisco_iol"));
  k.back().iface_alias = IolAlias;
  k.back().iface_required = "^eth[1-9][0-9]*$";
  k.back().iface_help =
      "Ethernet<slot>/<port> or e<slot>/<port> with slot 0-9 and port 0-3, or ethN; "
      "Ethernet0/0 is its management interface";
  k.back().types = {"iol", "l2"};
  k.back().from_lab = IolPid;
  k.push_back(Container("cisco_c8000", {"c8000"}));
  k.push_back(Container("cumulus_cvx", {"cvx"}));
  k.back().iface_required = "^swp[0-9.]+$";
  k.back().iface_help = "swpN";
  k.back().note = "run with Docker; containerlab's default runtime for it is ignite (a Firecracker VM)";
  k.push_back(Container("sonic-vs"));
  k.push_back(Container("keysight_ixia-c-one"));
  k.push_back(Container("fdio_vpp"));
  k.push_back(Container("arrcus_arcos"));
  k.push_back(Container("veesix_osvbng"));
  k.push_back(Container("6wind_vsr"));
  k.push_back(Container("vyosnetworks_vyos"));
  k.push_back(Container("rare"));
  return k;
}

std::vector<KindInfo> Vms() {
  const char* gi = "^(?:Gi|GigabitEthernet)0/([0-9]+)$";
  std::vector<KindInfo> k;
  k.push_back(Vm("nokia_sros", {"vr-sros", "vr-nokia_sros"}, "admin", "admin",
                 {{"^1/1/([0-9]+)$", 1}, {"^1/1/c([0-9]+)/1$", 1}}));
  k.push_back(Vm("juniper_vmx", {"vr-vmx", "vr-juniper_vmx"}, "admin", "admin@123", {{"^ge-0/0/([0-9]+)$", 0}}));
  k.push_back(Vm("juniper_vqfx", {"vr-vqfx", "vr-juniper_vqfx"}, "admin", "admin@123", {{"^xe-0/0/([0-9]+)$", 0}}));
  k.push_back(Vm("juniper_vsrx", {"vr-vsrx", "vr-juniper_vsrx"}, "admin", "admin@123", {{"^ge-0/0/([0-9]+)$", 0}}));
  k.push_back(Vm("juniper_vjunosrouter", {"vr-vjunosrouter"}, "admin", "admin@123", {{"^ge-0/0/([0-9]+)$", 0}}));
  k.push_back(Vm("juniper_vjunosswitch", {"vr-vjunosswitch"}, "admin", "admin@123", {{"^ge-0/0/([0-9]+)$", 0}}));
  k.push_back(Vm("juniper_vjunosevolved", {"vr-vjunosevolved"}, "admin", "admin@123", {{"^et-0/0/([0-9]+)$", 0}}));
  k.push_back(
      Vm("cisco_xrv", {"vr-xrv", "vr-cisco_xrv"}, "clab", "clab@123", {{"^(?:Gi|GigabitEthernet)0/0/0/([0-9]+)$", 0}}));
  k.push_back(Vm("cisco_xrv9k", {"vr-xrv9k", "vr-cisco_xrv9k"}, "clab", "clab@123",
                 {{"^(?:Gi|GigabitEthernet)0/0/0/([0-9]+)$", 0}}));
  k.push_back(Vm("cisco_csr1000v", {"vr-csr", "vr-cisco_csr1000v"}, "admin", "admin",
                 {{"^(?:Gi|GigabitEthernet)([0-9]+)$", 2}}));
  k.push_back(Vm("cisco_c8000v", {"vr-c8000v", "vr-cisco_c8000v"}, "admin", "admin",
                 {{"^(?:Gi|GigabitEthernet)([0-9]+)$", 2}}));
  k.push_back(Vm("cisco_n9kv", {"vr-n9kv", "vr-cisco_n9kv"}, "admin", "admin", {{"^(?:Eth|Ethernet)1/([0-9]+)$", 1}}));
  k.push_back(Vm("cisco_nxos", {"vr-nxos", "vr-cisco_nxos"}, "admin", "admin", {{"^(?:Eth|Ethernet)2/([0-9]+)$", 1}}));
  k.push_back(Vm("cisco_cat9kv", {"vr-cat9kv", "vr-cisco_cat9kv"}, "admin", "admin",
                 {{"^(?:Gi|GigabitEthernet)1/0/([0-9]+)$", 1}}));
  k.push_back(Vm("cisco_ftdv", {"vr-ftdv", "vr-cisco_ftdv"}, "admin", "Admin@123", {{gi, 0}}));
  k.push_back(Vm("cisco_asav", {"vr-asav", "vr-cisco_asav"}, "admin", "CiscoAsa1!", {{gi, 0}}));
  k.push_back(Vm("cisco_vios", {"vr-vios", "vr-cisco_vios"}, "admin", "admin", {{gi, 1}}));  // Gi0/0: management
  k.push_back(Vm("arista_veos", {"vr-veos", "vr-arista_veos"}, "admin", "admin", {{"^(?:Et|Ethernet)([0-9]+)$", 1}}));
  k.push_back(Vm("aruba_aoscx", {"vr-aoscx", "vr-aruba_aoscx"}, "admin", "admin", {{"^1/1/([0-9]+)$", 1}}));
  k.push_back(Vm("dell_ftosv", {"vr-ftosv", "vr-dell_ftosv"}, "admin", "admin", {{"^ethernet1/1/([0-9]+)$", 1}}));
  k.push_back(Vm("mikrotik_ros", {"vr-ros", "vr-mikrotik_ros"}, "admin", "admin", {{"^ether([0-9]+)$", 2}}));
  k.push_back(
      Vm("paloalto_panos", {"vr-pan", "vr-paloalto_panos"}, "admin", "Admin@123", {{"^ethernet1/([0-9]+)$", 1}}));
  k.push_back(Vm("fortinet_fortigate", {}, "admin", "admin", {{"^port([0-9]+)$", 2}}));
  k.back().env.insert({{"VCPU", "2"}, {"RAM", "2048"}});
  k.push_back(Vm("f5_bigip-ve", {}, "admin", "admin", {{"^1\\.([0-9]+)$", 1}}));
  k.push_back(Vm("ciena_saos", {}, "admin", "admin", {{"^([0-9]+)$", 1}}));
  k.push_back(Vm("dell_sonic", {}, "admin", "admin", {{"^Ethernet([0-9]+)$", 0}}));
  k.push_back(Vm("sonic-vm", {}, "admin", "admin", {{"^Ethernet([0-9]+)$", 0}}));
  for (const char* plain : {"ipinfusion_ocnos", "openbsd", "freebsd", "checkpoint_cloudguard", "huawei_vrp"})
    k.push_back(Vm(plain, {}, "admin", "admin", {}));
  k.push_back(Vm("generic_vm", {}, "clab", "clab@123", {}));
  return k;
}

}  // namespace

const std::vector<KindInfo>& AllKinds() {
  static const std::vector<KindInfo> kinds = [] {
    std::vector<KindInfo> k = Containers();
    for (auto& vm : Vms()) k.push_back(std::move(vm));
    for (const char* attached : {"bridge", "ovs-bridge", "host", "ext-container"})
      k.push_back(Other(attached, Packaging::kAttached));
    k.push_back(Other("k8s-kind", Packaging::kExternal));
    k.back().note = "a KinD cluster, made by kind as containerlab has it made; labkeeper creates nothing for it";
    return k;
  }();
  return kinds;
}

}  // namespace lk
