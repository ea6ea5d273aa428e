#include "controller/ownership.h"

#include "api/strings.h"

namespace lk {

std::optional<IfaceMarker> IfaceMarker::Parse(const std::string& alias) {
  const std::string head = "labkeeper ";
  if (alias.compare(0, head.size(), head) != 0) return std::nullopt;
  IfaceMarker m;
  size_t pos = head.size();
  while (pos < alias.size()) {
    size_t sp = alias.find(' ', pos);
    std::string field = alias.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
    pos = sp == std::string::npos ? alias.size() : sp + 1;
    size_t eq = field.find('=');
    if (eq == std::string::npos) continue;
    std::string k = field.substr(0, eq), v = field.substr(eq + 1);
    if (k == "lab")
      m.lab = v;
    else if (k == "node")
      m.node = v;
    else if (k == "link")
      m.link = v;
  }
  if (m.lab.empty() || m.node.empty()) return std::nullopt;
  return m;
}

std::string TempIfaceName(const std::string& lab, const LinkConfig& link, const Endpoint& end) {
  return "lkt" + Hex64(Fnv1a64(lab + "/" + link.Id() + "/" + end.node + ":" + end.iface)).substr(0, 12);
}

}  // namespace lk
