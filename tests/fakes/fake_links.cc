#include "tests/fakes/fake_links.h"

#include "controller/netem.h"

#include <algorithm>
#include <cstdio>

namespace lk::test {

#define LK_FAKE_ENTER(method) \
  if (std::string e = faults_.Enter(method); !e.empty()) return Status::Fail(e)

FakeLinks::Space& FakeLinks::SpaceOf(const std::string& ns) {
  auto [it, fresh] = spaces_.try_emplace(ns);
  if (fresh) {
    Iface lo;
    lo.name = "lo";
    lo.ifindex = 1;
    lo.mtu = 65536;
    lo.mac = "00:00:00:00:00:00";
    it->second["lo"].iface = lo;
  }
  return it->second;
}

FakeLinks::Entry* FakeLinks::At(const std::string& ns, const std::string& name) {
  Space& s = SpaceOf(ns);
  auto it = s.find(name);
  return it == s.end() ? nullptr : &it->second;
}

Status FakeLinks::Missing(const std::string& ns, const std::string& name) {
  return Status::Fail("no interface " + name + " in namespace " + ns);
}

Iface FakeLinks::Make(const IfaceSpec& spec, const std::string& kind, int mtu) {
  Iface i;
  i.name = spec.name;
  i.ifindex = next_index_++;
  i.kind = kind;
  i.alias = spec.marker;
  i.mtu = mtu > 0 ? mtu : 1500;
  if (spec.mac.empty()) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "02:fa:4e:00:%02x:%02x", (next_mac_ >> 8) & 0xff, next_mac_ & 0xff);
    ++next_mac_;
    i.mac = buf;
  } else {
    i.mac = spec.mac;
  }
  i.admin_up = i.oper_up = true;
  return i;
}

void FakeLinks::Erase(const std::string& ns, const std::string& name) {
  Entry* e = At(ns, name);
  if (!e) return;
  std::string peer_ns = e->peer_ns, peer = e->peer_name;
  bool bridge = e->iface.kind == "bridge";
  SpaceOf(ns).erase(name);
  if (bridge)
    for (auto& [n, port] : SpaceOf(ns))
      if (port.master == name) port.master.clear();
  if (!peer.empty()) Erase(peer_ns, peer);
}

Result<NetNs> FakeLinks::OfPid(int pid) {
  LK_FAKE_ENTER("OfPid");
  if (pid <= 0) return Status::Fail("no process to take a network namespace from (pid " + std::to_string(pid) + ")");
  return NetNs::Named("pid " + std::to_string(pid));
}

Result<NetNs> FakeLinks::Host() {
  LK_FAKE_ENTER("Host");
  return NetNs::Named("host");
}

Status FakeLinks::CreateVeth(const NetNs& ns_a, const IfaceSpec& a, const NetNs& ns_b, const IfaceSpec& b, int mtu) {
  LK_FAKE_ENTER("CreateVeth");
  std::lock_guard lock(mu_);
  for (auto [ns, spec] : {std::pair{&ns_a, &a}, std::pair{&ns_b, &b}})
    if (At(ns->name(), spec->name))
      return Status::Fail("cannot create veth " + a.name + "/" + b.name + ": " + spec->name + " exists in namespace " +
                          ns->name());
  if (ns_a.name() == ns_b.name() && a.name == b.name)
    return Status::Fail("cannot create veth " + a.name + "/" + b.name + ": both ends have one name");
  Entry ea{Make(a, "veth", mtu), "", "", ns_b.name(), b.name};
  Entry eb{Make(b, "veth", mtu), "", "", ns_a.name(), a.name};
  ea.iface.peer_ifindex = eb.iface.ifindex;
  eb.iface.peer_ifindex = ea.iface.ifindex;
  SpaceOf(ns_a.name())[a.name] = ea;
  SpaceOf(ns_b.name())[b.name] = eb;
  return Status::Ok();
}

Status FakeLinks::CreateSingle(const NetNs& underlay, const NetNs& target, const IfaceSpec& spec,
                               const SingleLinkSpec& link) {
  LK_FAKE_ENTER("CreateSingle");
  std::lock_guard lock(mu_);
  if (At(target.name(), spec.name))
    return Status::Fail("cannot create " + link.kind + " " + spec.name + ": it exists in namespace " + target.name());
  if (link.kind == "macvlan" && !At(underlay.name(), link.parent))
    return Status::Fail("cannot create macvlan " + spec.name + ": no parent " + link.parent);
  Iface& made = SpaceOf(target.name())[spec.name].iface = Make(spec, link.kind, link.mtu);
  if (link.kind == "vxlan") made.remote = link.remote;
  return Status::Ok();
}

Status FakeLinks::Redirect(const NetNs& ns, const std::string& from, const std::string& to) {
  LK_FAKE_ENTER("Redirect");
  std::lock_guard lock(mu_);
  Entry* f = At(ns.name(), from);
  if (!f) return Missing(ns.name(), from);
  if (!At(ns.name(), to)) return Missing(ns.name(), to);
  f->redirect = to;
  return Status::Ok();
}

Status FakeLinks::AddAddress(const NetNs& ns, const std::string& name, const std::string& cidr) {
  LK_FAKE_ENTER("AddAddress");
  std::lock_guard lock(mu_);
  Entry* e = At(ns.name(), name);
  if (!e) return Missing(ns.name(), name);
  if (cidr.find('/') == std::string::npos) return Status::Fail("bad address " + cidr + ": no prefix length");
  auto& a = e->iface.addresses;
  if (std::find(a.begin(), a.end(), cidr) == a.end()) a.push_back(cidr);
  return Status::Ok();
}

Status FakeLinks::SetMaster(const NetNs& ns, const std::string& name, const std::string& master) {
  LK_FAKE_ENTER("SetMaster");
  std::lock_guard lock(mu_);
  Entry* e = At(ns.name(), name);
  Entry* m = At(ns.name(), master);
  if (!e) return Missing(ns.name(), name);
  if (!m || m->iface.kind != "bridge") return Status::Fail("no bridge " + master + " in namespace " + ns.name());
  e->master = master;
  return Status::Ok();
}

Result<std::vector<Iface>> FakeLinks::List(const NetNs& ns) {
  if (std::string e = faults_.Enter("List"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  std::vector<Iface> out;
  for (const auto& [name, e] : SpaceOf(ns.name())) {
    out.push_back(e.iface);
    out.back().altnames.clear();  // as netlink's List: alternative names come from AltNames
  }
  std::sort(out.begin(), out.end(), [](const Iface& x, const Iface& y) { return x.ifindex < y.ifindex; });
  return out;
}

Status FakeLinks::Delete(const NetNs& ns, const std::string& name) {
  LK_FAKE_ENTER("Delete");
  std::lock_guard lock(mu_);
  Erase(ns.name(), name);
  return Status::Ok();
}

Status FakeLinks::SetUp(const NetNs& ns, const std::string& name) {
  LK_FAKE_ENTER("SetUp");
  std::lock_guard lock(mu_);
  Entry* e = At(ns.name(), name);
  if (!e) return Missing(ns.name(), name);
  e->iface.admin_up = e->iface.oper_up = true;
  return Status::Ok();
}

Status FakeLinks::SetMtu(const NetNs& ns, const std::string& name, int mtu) {
  LK_FAKE_ENTER("SetMtu");
  std::lock_guard lock(mu_);
  Entry* e = At(ns.name(), name);
  if (!e) return Missing(ns.name(), name);
  if (mtu < 68) return Status::Fail("cannot set MTU " + std::to_string(mtu) + " on " + name + ": Invalid argument");
  e->iface.mtu = mtu;
  return Status::Ok();
}

Status FakeLinks::SetMac(const NetNs& ns, const std::string& name, const std::string& mac) {
  LK_FAKE_ENTER("SetMac");
  std::lock_guard lock(mu_);
  Entry* e = At(ns.name(), name);
  if (!e) return Missing(ns.name(), name);
  e->iface.mac = mac;
  return Status::Ok();
}

Status FakeLinks::SetImpairment(const NetNs& ns, const std::string& name, const Impairment& imp) {
  LK_FAKE_ENTER("SetImpairment");
  std::lock_guard lock(mu_);
  Entry* e = At(ns.name(), name);
  if (!e) return Missing(ns.name(), name);
  if (no_netem_)
    return Status::Fail(name + " in " + ns.name() +
                        ": this kernel has no netem qdisc (sch_netem is not built in or loaded)");
  e->iface.qdisc = "netem";  // as the kernel's replace: whatever the root was
  e->iface.qdisc_handle = kOwnQdiscHandle;
  e->iface.netem = imp;
  return Status::Ok();
}

Status FakeLinks::ClearImpairment(const NetNs& ns, const std::string& name) {
  LK_FAKE_ENTER("ClearImpairment");
  std::lock_guard lock(mu_);
  Entry* e = At(ns.name(), name);
  if (!e) return Missing(ns.name(), name);
  if (e->iface.qdisc_handle != kOwnQdiscHandle)
    return Status::Fail(name + " in " + ns.name() + ": remove netem: Invalid input data or parameter");
  e->iface.qdisc = "noqueue";
  e->iface.qdisc_handle = 0;
  e->iface.netem.reset();
  return Status::Ok();
}

void FakeLinks::SetQdiscBehindItsBack(const std::string& ns, const std::string& name, const std::string& kind,
                                      uint32_t handle) {
  std::lock_guard lock(mu_);
  if (Entry* e = At(ns, name)) {
    e->iface.qdisc = kind;
    e->iface.qdisc_handle = handle;
    e->iface.netem.reset();
  }
}

Status FakeLinks::Mark(const NetNs& ns, const std::string& name, const std::string& marker) {
  LK_FAKE_ENTER("Mark");
  std::lock_guard lock(mu_);
  Entry* e = At(ns.name(), name);
  if (!e) return Missing(ns.name(), name);
  e->iface.alias = marker;
  return Status::Ok();
}

Status FakeLinks::AddAltName(const NetNs& ns, const std::string& name, const std::string& altname) {
  LK_FAKE_ENTER("AddAltName");
  std::lock_guard lock(mu_);
  Entry* e = At(ns.name(), name);
  if (!e) return Missing(ns.name(), name);
  if (altname.size() > 127)
    return Status::Fail("add altname " + altname + " to " + name + ": Numerical result out of range");
  auto& names = e->iface.altnames;
  if (std::find(names.begin(), names.end(), altname) == names.end()) names.push_back(altname);
  return Status::Ok();
}

Result<std::map<std::string, std::vector<std::string>>> FakeLinks::AltNames(const NetNs& ns) {
  if (std::string e = faults_.Enter("AltNames"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [name, e] : SpaceOf(ns.name()))
    if (!e.iface.altnames.empty()) out[name] = e.iface.altnames;
  return out;
}

void FakeLinks::DelAltNameBehindItsBack(const std::string& ns, const std::string& name, const std::string& altname) {
  std::lock_guard lock(mu_);
  if (Entry* e = At(ns, name)) std::erase(e->iface.altnames, altname);
}

std::optional<Iface> FakeLinks::Find(const std::string& ns, const std::string& name) const {
  std::lock_guard lock(mu_);
  auto s = spaces_.find(ns);
  if (s == spaces_.end()) return std::nullopt;
  auto it = s->second.find(name);
  if (it == s->second.end()) return std::nullopt;
  return it->second.iface;
}

std::string FakeLinks::MasterOf(const std::string& ns, const std::string& name) const {
  std::lock_guard lock(mu_);
  auto s = spaces_.find(ns);
  if (s == spaces_.end() || !s->second.count(name)) return "";
  return s->second.at(name).master;
}

std::string FakeLinks::RedirectOf(const std::string& ns, const std::string& from) const {
  std::lock_guard lock(mu_);
  auto s = spaces_.find(ns);
  if (s == spaces_.end() || !s->second.count(from)) return "";
  return s->second.at(from).redirect;
}

Result<NetNs> FakeLinks::MakeNamed(const std::string& name) {
  LK_FAKE_ENTER("MakeNamed");
  if (name.empty() || name.find('/') != std::string::npos)
    return Status::Fail("\"" + name + "\" cannot name a namespace");
  std::lock_guard lock(mu_);
  named_.insert(name);
  SpaceOf("netns " + name);
  return NetNs::Named("netns " + name);
}

Result<std::optional<NetNs>> FakeLinks::FindNamed(const std::string& name) {
  LK_FAKE_ENTER("FindNamed");
  std::lock_guard lock(mu_);
  if (!named_.count(name)) return std::optional<NetNs>();
  return std::optional<NetNs>(NetNs::Named("netns " + name));
}

Result<std::vector<std::string>> FakeLinks::ListNamed() {
  LK_FAKE_ENTER("ListNamed");
  std::lock_guard lock(mu_);
  return std::vector<std::string>(named_.begin(), named_.end());
}

Status FakeLinks::DeleteNamed(const std::string& name) {
  LK_FAKE_ENTER("DeleteNamed");
  std::lock_guard lock(mu_);
  named_.erase(name);
  std::vector<std::string> inside;
  for (const auto& [n, e] : SpaceOf("netns " + name)) inside.push_back(n);
  for (const auto& n : inside) Erase("netns " + name, n);  // a veth's peer goes too
  spaces_.erase("netns " + name);
  return Status::Ok();
}

std::vector<std::string> FakeLinks::All() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [ns, space] : spaces_)
    for (const auto& [name, e] : space)
      if (name != "lo") out.push_back(ns + "/" + name);
  std::sort(out.begin(), out.end());
  return out;
}

void FakeLinks::DeleteBehindItsBack(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mu_);
  Erase(ns, name);
}

void FakeLinks::SetDownBehindItsBack(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mu_);
  if (Entry* e = At(ns, name)) e->iface.admin_up = e->iface.oper_up = false;
}

void FakeLinks::CountTraffic(const std::string& ns, const std::string& name, uint64_t bytes, uint64_t packets) {
  std::lock_guard lock(mu_);
  if (Entry* e = At(ns, name)) {
    e->iface.rx_bytes += bytes;
    e->iface.tx_bytes += bytes;
    e->iface.rx_packets += packets;
    e->iface.tx_packets += packets;
  }
}

void FakeLinks::SetMtuBehindItsBack(const std::string& ns, const std::string& name, int mtu) {
  std::lock_guard lock(mu_);
  if (Entry* e = At(ns, name)) e->iface.mtu = mtu;
}

void FakeLinks::AddForeign(const std::string& ns, const Iface& iface) {
  std::lock_guard lock(mu_);
  Entry e;
  e.iface = iface;
  e.iface.ifindex = next_index_++;
  SpaceOf(ns)[iface.name] = e;
}

}  // namespace lk::test
