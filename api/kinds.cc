#include "api/kinds.h"

#include <regex>

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

const std::vector<KindInfo>& Kinds() {
  static const std::vector<KindInfo> kinds = [] {
    std::vector<KindInfo> k;
    k.push_back({"linux", false, {}, {}, "", nullptr});
    k.push_back({"nokia_srlinux",
                 false,
                 {"sudo", "bash", "-c", "touch /.dockerenv && /opt/srlinux/bin/sr_linux"},
                 {{"SRLINUX", "1"}},
                 "0:0",
                 SrlAlias});
    k.push_back({"arista_ceos",
                 false,
                 {"/sbin/init", "systemd.setenv=INTFTYPE=eth", "systemd.setenv=ETBA=1",
                  "systemd.setenv=SKIP_ZEROTOUCH_BARRIER_IN_SYSDBINIT=1", "systemd.setenv=CEOS=1",
                  "systemd.setenv=EOS_PLATFORM=ceoslab", "systemd.setenv=container=docker", "systemd.setenv=MAPETH0=1",
                  "systemd.setenv=MGMT_INTF=eth0"},
                 {{"CEOS", "1"},
                  {"EOS_PLATFORM", "ceoslab"},
                  {"container", "docker"},
                  {"ETBA", "1"},
                  {"SKIP_ZEROTOUCH_BARRIER_IN_SYSDBINIT", "1"},
                  {"INTFTYPE", "eth"},
                  {"MAPETH0", "1"},
                  {"MGMT_INTF", "eth0"}},
                 "",
                 CeosAlias});
    k.push_back({"juniper_crpd", false, {}, {}, "", nullptr});
    k.push_back({"cisco_xrd",
                 false,
                 {},
                 {{"XR_MGMT_INTERFACES", "linux:eth0,xr_name=Mg0/RP0/CPU0/0,chksum,snoop_v4"}},
                 "",
                 XrdAlias});
    k.push_back({"sonic-vs", false, {}, {}, "", nullptr});
    for (const char* vm :
         {"nokia_sros", "juniper_vmx", "juniper_vqfx", "juniper_vsrx", "juniper_vjunosswitch", "juniper_vjunosrouter",
          "cisco_xrv9k", "cisco_csr1000v", "cisco_n9kv", "cisco_c8000v", "cisco_cat9kv", "arista_veos", "vr-sros",
          "vr-vmx", "vr-xrv9k", "vr-veos", "vr-csr", "vr-n9kv"})
      k.push_back({vm, true, {}, {}, "", nullptr});
    return k;
  }();
  return kinds;
}

}  // namespace

const KindInfo* FindKind(const std::string& name) {
  static const std::map<std::string, std::string> short_names = {
      {"srl", "nokia_srlinux"}, {"ceos", "arista_ceos"}, {"crpd", "juniper_crpd"}, {"xrd", "cisco_xrd"}};
  auto sn = short_names.find(name);
  const std::string& full = sn == short_names.end() ? name : sn->second;
  for (const auto& k : Kinds())
    if (k.name == full) return &k;
  return nullptr;
}

std::string KnownKinds() {
  std::string out;
  for (const auto& k : Kinds()) out += (out.empty() ? "" : ", ") + k.name;
  return out;
}

std::string LinuxIfaceName(const std::string& kind, const std::string& iface) {
  const KindInfo* k = FindKind(kind);
  if (k && k->iface_alias)
    if (auto alias = k->iface_alias(iface)) return *alias;
  return iface;
}

}  // namespace lk
