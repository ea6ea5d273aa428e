#include "controller/link_manager.h"

#include "controller/netem.h"

#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/act/mirred.h>
#include <netlink/route/addr.h>
#include <netlink/route/classifier.h>
#include <netlink/route/cls/u32.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/vxlan.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/tc.h>

#include <cstdio>
#include <map>

namespace lk {
namespace {

struct SockDeleter {
  void operator()(nl_sock* s) const { nl_socket_free(s); }
};
struct CacheDeleter {
  void operator()(nl_cache* c) const { nl_cache_free(c); }
};
struct LinkDeleter {
  void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
struct VethDeleter {
  void operator()(rtnl_link* l) const { rtnl_link_veth_release(l); }
};
struct AddrDeleter {
  void operator()(nl_addr* a) const { nl_addr_put(a); }
};
using SockPtr = std::unique_ptr<nl_sock, SockDeleter>;
using CachePtr = std::unique_ptr<nl_cache, CacheDeleter>;
using LinkPtr = std::unique_ptr<rtnl_link, LinkDeleter>;
using VethPtr = std::unique_ptr<rtnl_link, VethDeleter>;
using AddrPtr = std::unique_ptr<nl_addr, AddrDeleter>;

std::string NlError(int err) {
  return nl_geterror(err);
}

// A route netlink socket bound to one namespace: opened on a thread inside it, then used from
// any thread (a netlink socket stays in the namespace it was created in).
Result<SockPtr> OpenSocket(const NetNs& ns) {
  SockPtr sock;
  int err = 0;
  Status entered = RunInNetns(ns, [&] {
    sock.reset(nl_socket_alloc());
    if (!sock) {
      err = -NLE_NOMEM;
      return;
    }
    err = nl_connect(sock.get(), NETLINK_ROUTE);
  });
  if (!entered) return entered;
  if (err < 0) return Status::Fail("netlink socket in " + ns.name() + ": " + NlError(err));
  return sock;
}

Status SetMacOn(rtnl_link* link, const std::string& mac) {
  if (mac.empty()) return Status::Ok();
  nl_addr* raw = nullptr;
  int err = nl_addr_parse(mac.c_str(), AF_LLC, &raw);
  if (err < 0) return Status::Fail("bad MAC address " + mac + ": " + NlError(err));
  AddrPtr addr(raw);
  rtnl_link_set_addr(link, addr.get());
  return Status::Ok();
}

Result<LinkPtr> Get(nl_sock* sock, const NetNs& ns, const std::string& name) {
  rtnl_link* raw = nullptr;
  int err = rtnl_link_get_kernel(sock, 0, name.c_str(), &raw);
  if (err < 0) return Status::Fail("interface " + name + " in " + ns.name() + ": " + NlError(err));
  return LinkPtr(raw);
}

struct MsgDeleter {
  void operator()(nl_msg* m) const { nlmsg_free(m); }
};

// RTM_NEWLINKPROP with one IFLA_ALT_IFNAME in its IFLA_PROP_LIST: `ip link property add altname`.
Status AddAltNameOn(nl_sock* sock, const NetNs& ns, int ifindex, const std::string& name, const std::string& alt) {
  std::unique_ptr<nl_msg, MsgDeleter> msg(nlmsg_alloc_simple(RTM_NEWLINKPROP, NLM_F_REQUEST | NLM_F_CREATE));
  if (!msg) return Status::Fail("altname " + alt + ": out of memory");
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = ifindex;
  nlattr* list = nullptr;
  if (nlmsg_append(msg.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0 ||
      !(list = nla_nest_start(msg.get(), IFLA_PROP_LIST)) ||
      nla_put_string(msg.get(), IFLA_ALT_IFNAME, alt.c_str()) < 0)
    return Status::Fail("altname " + alt + ": message too long");
  nla_nest_end(msg.get(), list);
  int err = nl_send_auto(sock, msg.get());
  if (err >= 0) err = nl_wait_for_ack(sock);
  if (err < 0 && err != -NLE_EXIST)
    return Status::Fail("add altname " + alt + " to " + name + " in " + ns.name() + ": " + NlError(err));
  return Status::Ok();
}

// One RTM_NEWLINK of a dump: the interface's name and its IFLA_ALT_IFNAMEs.
int CollectAltNames(nl_msg* msg, void* arg) {
  auto* out = static_cast<std::map<std::string, std::vector<std::string>>*>(arg);
  nlattr* tb[IFLA_MAX + 1] = {};
  if (nlmsg_parse(nlmsg_hdr(msg), sizeof(ifinfomsg), tb, IFLA_MAX, nullptr) < 0 || !tb[IFLA_IFNAME] ||
      !tb[IFLA_PROP_LIST])
    return NL_OK;
  std::vector<std::string> names;
  nlattr* a = nullptr;
  int rem = 0;
  nla_for_each_nested(a, tb[IFLA_PROP_LIST], rem) {
    if (nla_type(a) == IFLA_ALT_IFNAME) names.emplace_back(nla_get_string(a));
  }
  if (!names.empty()) (*out)[nla_get_string(tb[IFLA_IFNAME])] = std::move(names);
  return NL_OK;
}

// Applies `edit` to a change request for interface `name` in `ns`.
template <typename Edit>
Status Change(const NetNs& ns, const std::string& name, const std::string& what, Edit edit) {
  auto sock = OpenSocket(ns);
  if (!sock) return sock.status();
  auto orig = Get(sock->get(), ns, name);
  if (!orig) return orig.status();
  LinkPtr change(rtnl_link_alloc());
  if (Status s = edit(change.get()); !s) return s;
  int err = rtnl_link_change(sock->get(), orig->get(), change.get(), 0);
  if (err < 0) return Status::Fail(what + " of " + name + " in " + ns.name() + ": " + NlError(err));
  return Status::Ok();
}

// Gives the interface its final name and ownership marker and brings it up, in one request.
Status Finish(const NetNs& ns, const IfaceSpec& spec) {
  const std::string& current = spec.temp_name.empty() ? spec.name : spec.temp_name;
  return Change(ns, current, "rename, mark and bring up", [&](rtnl_link* l) {
    if (current != spec.name) rtnl_link_set_name(l, spec.name.c_str());
    rtnl_link_set_ifalias(l, spec.marker.c_str());
    rtnl_link_set_flags(l, IFF_UP);
    return Status::Ok();
  });
}

void Fill(rtnl_link* l, const IfaceSpec& spec, int mtu) {
  rtnl_link_set_name(l, (spec.temp_name.empty() ? spec.name : spec.temp_name).c_str());
  rtnl_link_set_mtu(l, static_cast<unsigned>(mtu));
}

// A vxlan link's remote VTEP, as written ("" when it has none).
std::string VxlanRemote(rtnl_link* l) {
  nl_addr* raw = nullptr;
  if (rtnl_link_vxlan_get_group(l, &raw) < 0 || !raw) return "";
  char buf[64];
  std::string s = nl_addr2str(raw, buf, sizeof buf);
  nl_addr_put(raw);
  return s.substr(0, s.find('/'));
}

class NetlinkLinkManager : public LinkManager {
 public:
  Result<NetNs> OfPid(int pid) override { return NetNs::OfPid(pid); }
  Result<NetNs> Host() override { return NetNs::Host(); }

  Status CreateVeth(const NetNs& ns_a, const IfaceSpec& a, const NetNs& ns_b, const IfaceSpec& b, int mtu) override {
    auto sock = OpenSocket(ns_a);
    if (!sock) return sock.status();
    VethPtr veth(rtnl_link_veth_alloc());
    if (!veth) return Status::Fail("cannot allocate a veth link");
    LinkPtr peer(rtnl_link_veth_get_peer(veth.get()));
    Fill(veth.get(), a, mtu);
    Fill(peer.get(), b, mtu);
    if (Status s = SetMacOn(veth.get(), a.mac); !s) return s;
    if (Status s = SetMacOn(peer.get(), b.mac); !s) return s;
    // The first end is created in the socket's own namespace, the peer straight in ns_b.
    rtnl_link_set_ns_fd(peer.get(), ns_b.fd());
    int err = rtnl_link_add(sock->get(), veth.get(), NLM_F_CREATE | NLM_F_EXCL);
    if (err < 0) {
      std::string msg =
          "create veth " + a.name + " (" + ns_a.name() + ") <-> " + b.name + " (" + ns_b.name() + "): " + NlError(err);
      if (err == -NLE_EXIST) msg += ": an interface with one of these names already exists";
      return Status::Fail(msg);
    }
    // The kernel ignores IFLA_IFALIAS when it creates a link, and cannot bring the peer up
    // before the pair is joined (veth_open: ENOTCONN), so markers and IFF_UP come after.
    Status s = Finish(ns_a, a);
    if (s) s = Finish(ns_b, b);
    if (!s) {
      // Deleting either end removes the pair; whichever name it has now.
      if (!Delete(ns_a, a.temp_name.empty() ? a.name : a.temp_name).ok() || !a.temp_name.empty()) Delete(ns_a, a.name);
      return s;
    }
    return Status::Ok();
  }

  Status CreateSingle(const NetNs& underlay, const NetNs& target, const IfaceSpec& spec,
                      const SingleLinkSpec& link) override {
    auto sock = OpenSocket(underlay);
    if (!sock) return sock.status();
    LinkPtr l;
    if (link.kind == "macvlan") {
      auto parent = Get(sock->get(), underlay, link.parent);
      if (!parent) return Status::Fail("macvlan parent: " + parent.error());
      l.reset(rtnl_link_macvlan_alloc());
      rtnl_link_set_link(l.get(), rtnl_link_get_ifindex(parent->get()));
      int mode = rtnl_link_macvlan_str2mode(link.mode.c_str());
      if (mode < 0)
        return Status::Fail("macvlan mode \"" + link.mode + "\" is not one of private, vepa, bridge, passthru");
      rtnl_link_macvlan_set_mode(l.get(), static_cast<uint32_t>(mode));
    } else if (link.kind == "vxlan") {
      l.reset(rtnl_link_vxlan_alloc());
      rtnl_link_vxlan_set_id(l.get(), link.vni);
      rtnl_link_vxlan_set_port(l.get(), link.port);
      nl_addr* raw = nullptr;
      if (int err = nl_addr_parse(link.remote.c_str(), AF_UNSPEC, &raw); err < 0)
        return Status::Fail("vxlan remote \"" + link.remote + "\": " + NlError(err));
      AddrPtr remote(raw);
      rtnl_link_vxlan_set_group(l.get(), remote.get());
    } else {
      l.reset(rtnl_link_alloc());
      rtnl_link_set_type(l.get(), link.kind.c_str());
    }
    rtnl_link_set_name(l.get(), (spec.temp_name.empty() ? spec.name : spec.temp_name).c_str());
    if (link.mtu > 0) rtnl_link_set_mtu(l.get(), static_cast<unsigned>(link.mtu));
    if (Status s = SetMacOn(l.get(), spec.mac); !s) return s;
    // Created from the underlay's namespace (its parent and UDP socket live there), straight
    // into the target's.
    rtnl_link_set_ns_fd(l.get(), target.fd());
    int err = rtnl_link_add(sock->get(), l.get(), NLM_F_CREATE | NLM_F_EXCL);
    if (err < 0) {
      std::string msg = "create " + link.kind + " " + spec.name + " (" + target.name() + "): " + NlError(err);
      if (err == -NLE_OPNOTSUPP || err == -NLE_NOATTR)
        msg += ": this kernel has no " + link.kind + " support (Unknown device type)";
      return Status::Fail(msg);
    }
    Status s = Finish(target, spec);
    if (!s) Delete(target, spec.temp_name.empty() ? spec.name : spec.temp_name);
    return s;
  }

  Status Redirect(const NetNs& ns, const std::string& from, const std::string& to) override {
    auto sock = OpenSocket(ns);
    if (!sock) return sock.status();
    auto src = Get(sock->get(), ns, from);
    if (!src) return Status::Fail("redirect from " + from + ": " + src.error());
    auto dst = Get(sock->get(), ns, to);
    if (!dst) return Status::Fail("redirect to " + to + ": " + dst.error());
    int src_index = rtnl_link_get_ifindex(src->get());
    std::string what = "redirect " + from + " -> " + to + " in " + ns.name();
    // An ingress qdisc on `from` (kept when it is there already) ...
    std::unique_ptr<rtnl_qdisc, void (*)(rtnl_qdisc*)> qdisc(rtnl_qdisc_alloc(), rtnl_qdisc_put);
    rtnl_tc_set_ifindex(TC_CAST(qdisc.get()), src_index);
    rtnl_tc_set_parent(TC_CAST(qdisc.get()), TC_H_INGRESS);
    rtnl_tc_set_handle(TC_CAST(qdisc.get()), TC_HANDLE(0xffff, 0));
    rtnl_tc_set_kind(TC_CAST(qdisc.get()), "ingress");
    int err = rtnl_qdisc_add(sock->get(), qdisc.get(), NLM_F_CREATE);
    if (err < 0 && err != -NLE_EXIST) return Status::Fail(what + ": ingress qdisc: " + NlError(err));
    // ... and a u32 filter matching every frame, whose action sends it out of `to` (the match-all
    // classifier is often not built into kernels; u32 with an empty key is, and means the same).
    std::unique_ptr<rtnl_cls, void (*)(rtnl_cls*)> cls(rtnl_cls_alloc(), rtnl_cls_put);
    rtnl_tc_set_ifindex(TC_CAST(cls.get()), src_index);
    rtnl_tc_set_parent(TC_CAST(cls.get()), TC_HANDLE(0xffff, 0));
    rtnl_tc_set_kind(TC_CAST(cls.get()), "u32");
    rtnl_cls_set_protocol(cls.get(), ETH_P_ALL);
    rtnl_cls_set_prio(cls.get(), 1);
    if ((err = rtnl_u32_add_key_uint32(cls.get(), 0, 0, 0, 0)) < 0 || (err = rtnl_u32_set_cls_terminal(cls.get())) < 0)
      return Status::Fail(what + ": u32 key: " + NlError(err));
    rtnl_act* act = rtnl_act_alloc();
    if (!act) return Status::Fail(what + ": out of memory");
    rtnl_tc_set_kind(TC_CAST(act), "mirred");
    rtnl_mirred_set_action(act, TCA_EGRESS_REDIR);
    rtnl_mirred_set_policy(act, TC_ACT_STOLEN);
    rtnl_mirred_set_ifindex(act, static_cast<uint32_t>(rtnl_link_get_ifindex(dst->get())));
    err = rtnl_u32_add_action(cls.get(), act);
    rtnl_act_put(act);
    if (err < 0) return Status::Fail(what + ": mirred action: " + NlError(err));
    err = rtnl_cls_add(sock->get(), cls.get(), NLM_F_CREATE | NLM_F_EXCL);
    if (err < 0) return Status::Fail(what + ": filter: " + NlError(err));
    return Status::Ok();
  }

  Status AddAddress(const NetNs& ns, const std::string& name, const std::string& cidr) override {
    auto sock = OpenSocket(ns);
    if (!sock) return sock.status();
    auto link = Get(sock->get(), ns, name);
    if (!link) return Status::Fail("address " + cidr + ": " + link.error());
    nl_addr* raw = nullptr;
    if (int err = nl_addr_parse(cidr.c_str(), AF_UNSPEC, &raw); err < 0)
      return Status::Fail("address \"" + cidr + "\": " + NlError(err));
    AddrPtr local(raw);
    std::unique_ptr<rtnl_addr, void (*)(rtnl_addr*)> addr(rtnl_addr_alloc(), rtnl_addr_put);
    rtnl_addr_set_ifindex(addr.get(), rtnl_link_get_ifindex(link->get()));
    rtnl_addr_set_family(addr.get(), nl_addr_get_family(local.get()));
    if (int err = rtnl_addr_set_local(addr.get(), local.get()); err < 0)
      return Status::Fail("address \"" + cidr + "\": " + NlError(err));
    int err = rtnl_addr_add(sock->get(), addr.get(), NLM_F_CREATE);
    if (err < 0 && err != -NLE_EXIST)
      return Status::Fail("add address " + cidr + " to " + name + " in " + ns.name() + ": " + NlError(err));
    return Status::Ok();
  }

  Status SetMaster(const NetNs& ns, const std::string& name, const std::string& master) override {
    auto sock = OpenSocket(ns);
    if (!sock) return sock.status();
    auto m = Get(sock->get(), ns, master);
    if (!m) return Status::Fail("bridge " + master + ": " + m.error());
    int index = rtnl_link_get_ifindex(m->get());
    return Change(ns, name, "enslave to " + master, [index](rtnl_link* l) {
      rtnl_link_set_master(l, index);
      return Status::Ok();
    });
  }

  Status AddAltName(const NetNs& ns, const std::string& name, const std::string& altname) override {
    auto sock = OpenSocket(ns);
    if (!sock) return sock.status();
    auto link = Get(sock->get(), ns, name);
    if (!link) return Status::Fail("altname " + altname + ": " + link.error());
    return AddAltNameOn(sock->get(), ns, rtnl_link_get_ifindex(link->get()), name, altname);
  }

  Result<NetNs> MakeNamed(const std::string& name) override { return MakeNamedNetns(name); }
  Result<std::optional<NetNs>> FindNamed(const std::string& name) override { return FindNamedNetns(name); }
  Result<std::vector<std::string>> ListNamed() override { return ListNamedNetns(); }
  Status DeleteNamed(const std::string& name) override { return DeleteNamedNetns(name); }

  Result<std::map<std::string, std::vector<std::string>>> AltNames(const NetNs& ns) override {
    auto sock = OpenSocket(ns);
    if (!sock) return sock.status();
    std::map<std::string, std::vector<std::string>> out;
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    int err = nl_socket_modify_cb(sock->get(), NL_CB_VALID, NL_CB_CUSTOM, CollectAltNames, &out);
    if (err >= 0) err = nl_send_simple(sock->get(), RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof ifi);
    if (err >= 0) err = nl_recvmsgs_default(sock->get());
    if (err < 0) return Status::Fail("list alternative names in " + ns.name() + ": " + NlError(err));
    return out;
  }

  Result<std::vector<Iface>> List(const NetNs& ns) override {
    auto sock = OpenSocket(ns);
    if (!sock) return sock.status();
    nl_cache* raw = nullptr;
    int err = rtnl_link_alloc_cache(sock->get(), AF_UNSPEC, &raw);
    if (err < 0) return Status::Fail("list interfaces in " + ns.name() + ": " + NlError(err));
    CachePtr cache(raw);
    // Addresses by interface index (IPv4, and IPv6 other than link-local).
    std::map<int, std::vector<std::string>> addresses;
    nl_cache* raw_addrs = nullptr;
    if (rtnl_addr_alloc_cache(sock->get(), &raw_addrs) >= 0) {
      CachePtr addrs(raw_addrs);
      for (nl_object* o = nl_cache_get_first(addrs.get()); o; o = nl_cache_get_next(o)) {
        auto* a = reinterpret_cast<rtnl_addr*>(o);
        nl_addr* local = rtnl_addr_get_local(a);
        if (!local || rtnl_addr_get_scope(a) == RT_SCOPE_LINK) continue;
        char buf[128];
        addresses[rtnl_addr_get_ifindex(a)].push_back(nl_addr2str(local, buf, sizeof buf));
      }
    }
    std::vector<Iface> out;
    for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
      auto* l = reinterpret_cast<rtnl_link*>(o);
      Iface i;
      i.name = rtnl_link_get_name(l) ? rtnl_link_get_name(l) : "";
      i.ifindex = rtnl_link_get_ifindex(l);
      i.peer_ifindex = rtnl_link_get_link(l);
      if (const char* t = rtnl_link_get_type(l)) i.kind = t;
      if (const char* a = rtnl_link_get_ifalias(l)) i.alias = a;
      if (i.kind == "vxlan") i.remote = VxlanRemote(l);
      i.mtu = static_cast<int>(rtnl_link_get_mtu(l));
      if (auto it = addresses.find(i.ifindex); it != addresses.end()) i.addresses = it->second;
      if (nl_addr* addr = rtnl_link_get_addr(l)) {
        char buf[64];
        i.mac = nl_addr2str(addr, buf, sizeof buf);
      }
      unsigned flags = rtnl_link_get_flags(l);
      i.admin_up = flags & IFF_UP;
      i.oper_up = rtnl_link_get_operstate(l) == IF_OPER_UP;
      i.rx_bytes = rtnl_link_get_stat(l, RTNL_LINK_RX_BYTES);
      i.tx_bytes = rtnl_link_get_stat(l, RTNL_LINK_TX_BYTES);
      i.rx_packets = rtnl_link_get_stat(l, RTNL_LINK_RX_PACKETS);
      i.tx_packets = rtnl_link_get_stat(l, RTNL_LINK_TX_PACKETS);
      i.rx_errors = rtnl_link_get_stat(l, RTNL_LINK_RX_ERRORS);
      i.tx_errors = rtnl_link_get_stat(l, RTNL_LINK_TX_ERRORS);
      i.rx_dropped = rtnl_link_get_stat(l, RTNL_LINK_RX_DROPPED);
      i.tx_dropped = rtnl_link_get_stat(l, RTNL_LINK_TX_DROPPED);
      out.push_back(std::move(i));
    }
    auto qdiscs = ReadRootQdiscs(sock->get());
    if (!qdiscs) return Status::Fail("list interfaces in " + ns.name() + ": " + qdiscs.error());
    for (auto& i : out)
      if (auto q = qdiscs->find(i.ifindex); q != qdiscs->end()) {
        i.qdisc = q->second.kind;
        i.qdisc_handle = q->second.handle;
        i.netem = q->second.netem;
      }
    return out;
  }

  Status SetImpairment(const NetNs& ns, const std::string& name, const Impairment& imp) override {
    auto sock = OpenSocket(ns);
    if (!sock) return sock.status();
    auto link = Get(sock->get(), ns, name);
    if (!link) return Status::Fail("impairment: " + link.error());
    Status s = SetNetemQdisc(sock->get(), rtnl_link_get_ifindex(link->get()), imp);
    return s ? s : Status::Fail(name + " in " + ns.name() + ": " + s.message());
  }

  Status ClearImpairment(const NetNs& ns, const std::string& name) override {
    auto sock = OpenSocket(ns);
    if (!sock) return sock.status();
    auto link = Get(sock->get(), ns, name);
    if (!link) return Status::Fail("impairment: " + link.error());
    Status s = DeleteOwnQdisc(sock->get(), rtnl_link_get_ifindex(link->get()));
    return s ? s : Status::Fail(name + " in " + ns.name() + ": " + s.message());
  }

  Status Delete(const NetNs& ns, const std::string& name) override {
    auto sock = OpenSocket(ns);
    if (!sock) return sock.status();
    LinkPtr l(rtnl_link_alloc());
    rtnl_link_set_name(l.get(), name.c_str());
    int err = rtnl_link_delete(sock->get(), l.get());
    if (err < 0 && err != -NLE_NODEV && err != -NLE_OBJ_NOTFOUND)
      return Status::Fail("delete " + name + " in " + ns.name() + ": " + NlError(err));
    return Status::Ok();
  }

  Status SetUp(const NetNs& ns, const std::string& name) override {
    return Change(ns, name, "set up", [](rtnl_link* l) {
      rtnl_link_set_flags(l, IFF_UP);
      return Status::Ok();
    });
  }

  Status SetMtu(const NetNs& ns, const std::string& name, int mtu) override {
    return Change(ns, name, "set mtu", [mtu](rtnl_link* l) {
      rtnl_link_set_mtu(l, static_cast<unsigned>(mtu));
      return Status::Ok();
    });
  }

  Status SetMac(const NetNs& ns, const std::string& name, const std::string& mac) override {
    return Change(ns, name, "set mac", [&](rtnl_link* l) { return SetMacOn(l, mac); });
  }

  Status Mark(const NetNs& ns, const std::string& name, const std::string& marker) override {
    return Change(ns, name, "mark", [&](rtnl_link* l) {
      rtnl_link_set_ifalias(l, marker.c_str());
      return Status::Ok();
    });
  }
};

}  // namespace

std::unique_ptr<LinkManager> MakeNetlinkLinkManager() {
  return std::make_unique<NetlinkLinkManager>();
}

}  // namespace lk
