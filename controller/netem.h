// The netem qdisc labkeeper keeps as an interface's root (#20, docs/impairments.md), through
// netlink (libnl's messages; libnl's own netem object knows neither the rate nor 64-bit delays).
// Used by the link manager; not an interface of labkeeper's otherwise.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "api/impairment.h"
#include "api/result.h"

struct nl_sock;

namespace lk {

// labkeeper's root qdisc handle, 1ab: ("lab"): a root qdisc with another handle is not ours.
inline constexpr uint32_t kOwnQdiscHandle = 0x01ab0000;

// An interface's root qdisc as the kernel reports it.
struct RootQdisc {
  std::string kind;                 // "noqueue", "netem", "tbf", ...
  uint32_t handle = 0;              // 0: the kernel's default (no one's)
  std::optional<Impairment> netem;  // kind netem: what it does
};

// The root qdiscs of the socket's namespace, by interface index.
Result<std::map<int, RootQdisc>> ReadRootQdiscs(nl_sock* sock);
// Makes (or changes in place) labkeeper's netem root qdisc on `ifindex`. A kernel without netem
// fails with "this kernel has no netem qdisc".
Status SetNetemQdisc(nl_sock* sock, int ifindex, const Impairment& imp);
// Removes labkeeper's root qdisc from `ifindex`: the kernel refuses when the root is another's.
Status DeleteOwnQdisc(nl_sock* sock, int ifindex);

}  // namespace lk
