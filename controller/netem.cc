#include "controller/netem.h"

#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>

namespace lk {
namespace {

struct NetemMsgDeleter {
  void operator()(nl_msg* m) const { nlmsg_free(m); }
};
using NetemMsgPtr = std::unique_ptr<nl_msg, NetemMsgDeleter>;

// Sends `msg` and waits for the kernel's answer: 0, or libnl's negative error.
int Request(nl_sock* sock, nl_msg* msg) {
  int err = nl_send_auto(sock, msg);
  if (err < 0) return err;
  return nl_wait_for_ack(sock);
}

NetemMsgPtr QdiscMessage(int type, int flags, int ifindex, uint32_t handle) {
  NetemMsgPtr msg(nlmsg_alloc_simple(type, flags));
  if (!msg) return msg;
  tcmsg tcm{};
  tcm.tcm_family = AF_UNSPEC;
  tcm.tcm_ifindex = ifindex;
  tcm.tcm_handle = handle;
  tcm.tcm_parent = TC_H_ROOT;
  if (nlmsg_append(msg.get(), &tcm, sizeof tcm, NLMSG_ALIGNTO) < 0) msg.reset();
  return msg;
}

// netem's options: struct tc_netem_qopt, then attributes (not a nest of its own).
std::optional<Impairment> ParseNetem(nlattr* opts) {
  if (!opts || nla_len(opts) < static_cast<int>(sizeof(tc_netem_qopt))) return std::nullopt;
  tc_netem_qopt q;
  std::memcpy(&q, nla_data(opts), sizeof q);
  Impairment imp;
  imp.delay_ns = static_cast<int64_t>(q.latency) << 6;  // PSCHED ticks, when no 64-bit value follows
  imp.jitter_ns = static_cast<int64_t>(q.jitter) << 6;
  imp.loss = q.loss;
  imp.duplicate = q.duplicate;
  int rest = nla_len(opts) - NLA_ALIGN(static_cast<int>(sizeof q));
  if (rest > 0) {
    nlattr* tb[TCA_NETEM_MAX + 1] = {};
    auto* first = reinterpret_cast<nlattr*>(static_cast<char*>(nla_data(opts)) + NLA_ALIGN(sizeof q));
    if (nla_parse(tb, TCA_NETEM_MAX, first, rest, nullptr) < 0) return imp;
    auto s64 = [&](int t, int64_t* out) {
      if (tb[t] && nla_len(tb[t]) >= 8) std::memcpy(out, nla_data(tb[t]), 8);
    };
    s64(TCA_NETEM_LATENCY64, &imp.delay_ns);
    s64(TCA_NETEM_JITTER64, &imp.jitter_ns);
    if (tb[TCA_NETEM_REORDER] && nla_len(tb[TCA_NETEM_REORDER]) >= static_cast<int>(sizeof(tc_netem_reorder))) {
      tc_netem_reorder r;
      std::memcpy(&r, nla_data(tb[TCA_NETEM_REORDER]), sizeof r);
      imp.reorder = r.probability;
    }
    if (tb[TCA_NETEM_CORRUPT] && nla_len(tb[TCA_NETEM_CORRUPT]) >= static_cast<int>(sizeof(tc_netem_corrupt))) {
      tc_netem_corrupt c;
      std::memcpy(&c, nla_data(tb[TCA_NETEM_CORRUPT]), sizeof c);
      imp.corruption = c.probability;
    }
    if (tb[TCA_NETEM_RATE] && nla_len(tb[TCA_NETEM_RATE]) >= static_cast<int>(sizeof(tc_netem_rate))) {
      tc_netem_rate r;
      std::memcpy(&r, nla_data(tb[TCA_NETEM_RATE]), sizeof r);
      imp.rate_bytes = r.rate;
    }
    uint64_t rate64 = 0;
    if (tb[TCA_NETEM_RATE64] && nla_len(tb[TCA_NETEM_RATE64]) >= 8) {
      std::memcpy(&rate64, nla_data(tb[TCA_NETEM_RATE64]), 8);
      imp.rate_bytes = rate64;
    }
  }
  return imp;
}

int OnQdisc(nl_msg* msg, void* arg) {
  auto* out = static_cast<std::map<int, RootQdisc>*>(arg);
  nlmsghdr* hdr = nlmsg_hdr(msg);
  if (hdr->nlmsg_type != RTM_NEWQDISC) return NL_OK;
  auto* tcm = static_cast<tcmsg*>(nlmsg_data(hdr));
  if (tcm->tcm_parent != TC_H_ROOT) return NL_OK;
  nlattr* tb[TCA_MAX + 1] = {};
  if (nlmsg_parse(hdr, sizeof(tcmsg), tb, TCA_MAX, nullptr) < 0) return NL_OK;
  RootQdisc q;
  if (tb[TCA_KIND]) q.kind = nla_get_string(tb[TCA_KIND]);
  q.handle = tcm->tcm_handle;
  if (q.kind == "netem") q.netem = ParseNetem(tb[TCA_OPTIONS]);
  (*out)[tcm->tcm_ifindex] = std::move(q);
  return NL_OK;
}

}  // namespace

Result<std::map<int, RootQdisc>> ReadRootQdiscs(nl_sock* sock) {
  std::map<int, RootQdisc> out;
  tcmsg tcm{};
  tcm.tcm_family = AF_UNSPEC;
  int err = nl_send_simple(sock, RTM_GETQDISC, NLM_F_DUMP, &tcm, sizeof tcm);
  if (err < 0) return Status::Fail(std::string("list qdiscs: ") + nl_geterror(err));
  nl_cb* base = nl_socket_get_cb(sock);  // a reference of its own, given back at once
  std::unique_ptr<nl_cb, void (*)(nl_cb*)> cb(nl_cb_clone(base), nl_cb_put);
  nl_cb_put(base);
  if (!cb) return Status::Fail("list qdiscs: out of memory");
  nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, OnQdisc, &out);
  err = nl_recvmsgs(sock, cb.get());
  if (err < 0) return Status::Fail(std::string("list qdiscs: ") + nl_geterror(err));
  return out;
}

Status SetNetemQdisc(nl_sock* sock, int ifindex, const Impairment& imp) {
  NetemMsgPtr msg = QdiscMessage(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex, kOwnQdiscHandle);
  if (!msg) return Status::Fail("netem: out of memory");
  tc_netem_qopt q{};
  constexpr int64_t kTicksMax = std::numeric_limits<uint32_t>::max();
  q.latency = static_cast<uint32_t>(std::min(imp.delay_ns >> 6, kTicksMax));
  q.jitter = static_cast<uint32_t>(std::min(imp.jitter_ns >> 6, kTicksMax));
  q.limit = 1000;  // tc's default
  q.loss = imp.loss;
  q.duplicate = imp.duplicate;
  q.gap = imp.reorder ? 1 : 0;  // as tc: reordering sends every other frame at once
  nl_msg* m = msg.get();
  bool ok = nla_put_string(m, TCA_KIND, "netem") >= 0;
  auto* opts = static_cast<nlattr*>(nlmsg_tail(nlmsg_hdr(m)));
  ok = ok && nla_put(m, TCA_OPTIONS, sizeof q, &q) >= 0;
  ok = ok && nla_put(m, TCA_NETEM_LATENCY64, sizeof imp.delay_ns, &imp.delay_ns) >= 0;
  ok = ok && nla_put(m, TCA_NETEM_JITTER64, sizeof imp.jitter_ns, &imp.jitter_ns) >= 0;
  tc_netem_reorder reorder{imp.reorder, 0};
  ok = ok && nla_put(m, TCA_NETEM_REORDER, sizeof reorder, &reorder) >= 0;
  tc_netem_corrupt corrupt{imp.corruption, 0};
  ok = ok && nla_put(m, TCA_NETEM_CORRUPT, sizeof corrupt, &corrupt) >= 0;
  tc_netem_rate rate{};
  rate.rate = imp.rate_bytes >= (uint64_t{1} << 32) ? ~0u : static_cast<uint32_t>(imp.rate_bytes);
  ok = ok && nla_put(m, TCA_NETEM_RATE, sizeof rate, &rate) >= 0;
  if (imp.rate_bytes >= (uint64_t{1} << 32)) ok = ok && nla_put(m, TCA_NETEM_RATE64, 8, &imp.rate_bytes) >= 0;
  if (!ok) return Status::Fail("netem: message too large");
  // The options' length covers what follows them (iproute2's NLMSG_TAIL arithmetic).
  opts->nla_len = static_cast<uint16_t>(static_cast<char*>(nlmsg_tail(nlmsg_hdr(m))) - reinterpret_cast<char*>(opts));
  int err = Request(sock, m);
  if (err == -NLE_OBJ_NOTFOUND)
    return Status::Fail("this kernel has no netem qdisc (sch_netem is not built in or loaded)");
  if (err < 0) return Status::Fail(std::string("netem ") + imp.str() + ": " + nl_geterror(err));
  return Status::Ok();
}

Status DeleteOwnQdisc(nl_sock* sock, int ifindex) {
  NetemMsgPtr msg = QdiscMessage(RTM_DELQDISC, 0, ifindex, kOwnQdiscHandle);
  if (!msg) return Status::Fail("netem: out of memory");
  int err = Request(sock, msg.get());
  if (err < 0) return Status::Fail(std::string("remove netem: ") + nl_geterror(err));
  return Status::Ok();
}

}  // namespace lk
