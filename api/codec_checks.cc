// The parser's checks of a node's values against what the engine takes (Docker's port, cpuset,
// pid and cgroup namespace forms) and what containerlab's schema allows, each error at the value; and
// keys written twice in a mapping.
#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/addresses.h"
#include "api/codec_internal.h"
#include "api/strings.h"
#include "api/topology_codec.h"

namespace lk::codec {

namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t at; (at = s.find(sep, start)) != std::string::npos; start = at + 1)
    out.push_back(s.substr(start, at - start));
  out.push_back(s.substr(start));
  return out;
}

bool Digits(const std::string& s) {
  return !s.empty() && s.size() <= 10 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// "80", "8000-8010": ports 1..65535, a range low to high.
bool PortOrRange(const std::string& s) {
  size_t dash = s.find('-');
  std::string lo = s.substr(0, dash), hi = dash == std::string::npos ? lo : s.substr(dash + 1);
  if (!Digits(lo) || !Digits(hi)) return false;
  long a = std::stol(lo), b = std::stol(hi);
  return a >= 1 && b <= 65535 && a <= b;
}

// Docker's [[ip:]host-port:]container-port[/tcp|udp|sctp]; an IPv6 ip is written in brackets.
bool PortMapping(std::string s) {
  if (size_t slash = s.rfind('/'); slash != std::string::npos) {
    std::string proto = s.substr(slash + 1);
    if (proto != "tcp" && proto != "udp" && proto != "sctp") return false;
    s = s.substr(0, slash);
  }
  std::string ip;
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find("]:");
    if (close == std::string::npos || !IsAddress(s.substr(1, close - 1), AF_INET6)) return false;
    s = s.substr(close + 2);
    ip = "v6";
  }
  std::vector<std::string> parts = Split(s, ':');
  if (parts.size() == 3 && ip.empty()) {
    if (!IsAddress(parts[0], AF_INET)) return false;
    parts.erase(parts.begin());
  }
  if (parts.size() == 1) return PortOrRange(parts[0]);
  return parts.size() == 2 && (parts[0].empty() || PortOrRange(parts[0])) && PortOrRange(parts[1]);
}

// "0-3,8,10-11".
bool CpuSet(const std::string& s) {
  if (s.empty()) return false;
  for (const auto& item : Split(s, ',')) {
    size_t dash = item.find('-');
    std::string lo = item.substr(0, dash), hi = dash == std::string::npos ? lo : item.substr(dash + 1);
    if (!Digits(lo) || !Digits(hi) || std::stol(lo) > std::stol(hi)) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> InvalidHostIfaceName(const std::string& name) {
  if (name.size() > kMaxAltNameLength)
    return "is " + std::to_string(name.size()) + " characters long; an altname holds at most 127";
  if (name.size() <= 15) return InvalidIfaceName(name);
  for (size_t at = 0; at < name.size(); at += 15)  // the characters, 15 at a time
    if (auto why = InvalidIfaceName(name.substr(at, 15))) return why;
  return std::nullopt;
}

void Parser::CheckNodeValues(const yaml::Node& n, const NodeDefinition& d, const std::string& what) {
  auto bad = [&](const char* key, const std::string& message) { Error(n[key], what + "." + key + ": " + message); };
  if (d.startup_delay && *d.startup_delay < 0) bad("startup-delay", "expected seconds, 0 or more");
  if (d.cpu && *d.cpu <= 0) bad("cpu", "expected a number of CPUs above 0, such as 1.5");
  if (d.image_pull_policy && !d.image_pull_policy->empty()) {
    std::string p = Lower(*d.image_pull_policy);
    if (p != "ifnotpresent" && p != "always" && p != "never")
      bad("image-pull-policy", "\"" + *d.image_pull_policy + "\": expected IfNotPresent, Always or Never");
  }
  if (d.cpu_set && !d.cpu_set->empty() && !CpuSet(*d.cpu_set))
    bad("cpu-set", "\"" + *d.cpu_set + "\" is not a list of CPUs (such as 0-3,8)");
  if (d.pid_mode && !d.pid_mode->empty() && *d.pid_mode != "host" &&
      !(StartsWith(*d.pid_mode, "container:") && d.pid_mode->size() > 10))
    bad("pid-mode", "\"" + *d.pid_mode + "\": expected host or container:NAME");
  if (d.cgroupns_mode && !d.cgroupns_mode->empty() && *d.cgroupns_mode != "host" && *d.cgroupns_mode != "private")
    bad("cgroupns-mode", "\"" + *d.cgroupns_mode + "\": expected host or private");
  if (d.network_mode && *d.network_mode == "container:") bad("network-mode", "container: names no container");
  for (size_t i = 0; i < d.ports.size(); ++i)
    if (!PortMapping(d.ports[i]))
      Error(n["ports"][i], what + ".ports[" + std::to_string(i) + "]: \"" + d.ports[i] +
                               "\" is not [[ip:]host-port:]container-port[/tcp|udp|sctp] with ports 1..65535");
  if (d.dns)
    for (size_t i = 0; i < d.dns->servers.size(); ++i)
      if (!IsAddress(d.dns->servers[i], AF_INET) && !IsAddress(d.dns->servers[i], AF_INET6))
        Error(n["dns"]["servers"][i],
              what + ".dns.servers[" + std::to_string(i) + "]: \"" + d.dns->servers[i] + "\" is not an IP address");
  if (yaml::Node hc = Field(n, "healthcheck"); hc && hc.IsMap())
    for (const char* key : {"interval", "timeout", "start-period", "retries"})
      if (yaml::Node v = Child(hc, key); v && v.IsScalar() && !v.Scalar().empty() && v.Scalar()[0] == '-')
        Error(v, what + ".healthcheck." + key + ": expected 0 or more");
}

// Views of the tree's own key strings (they live as long as the tree).
void Parser::DuplicateKeys(const yaml::Node& n, int depth) {
  if (depth > 64) return;  // deeper files were refused before (kMaxFileDepth)
  if (n.IsSequence())
    for (const auto& item : n) DuplicateKeys(item, depth + 1);
  if (!n.IsMap()) return;
  // Each key and where it was first written (views of the tree's own strings): a mapping of a
  // few keys is searched in place, a larger one (topology.nodes) through a hash.
  constexpr size_t kFew = 16;
  std::vector<std::pair<std::string_view, YAML::Mark>> few;
  std::unordered_map<std::string_view, YAML::Mark> many;
  for (auto it = n.begin(); it != n.end(); ++it) {
    yaml::Node key = it->first;  // a handle: the iterator's pair is a temporary
    if (key.IsScalar()) {
      std::string_view k = key.Scalar();
      std::optional<YAML::Mark> first;
      if (many.empty()) {
        for (const auto& [seen, mark] : few)
          if (seen == k) first = mark;
        if (!first) few.emplace_back(k, key.Mark());
        if (few.size() > kFew) many.insert(few.begin(), few.end());
      } else if (auto [at, fresh] = many.emplace(k, key.Mark()); !fresh) {
        first = at->second;
      }
      if (first)
        Error(key, "duplicate key \"" + key.Scalar() + "\" (first at line " +
                       std::to_string(first->line + 1 + line_offset) + ", column " + std::to_string(first->column + 1) +
                       ")");
    }
    DuplicateKeys(it->second, depth + 1);
  }
}

}  // namespace lk::codec
