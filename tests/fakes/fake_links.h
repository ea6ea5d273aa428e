// An in-memory LinkManager: namespaces by name ("host", "pid N"), each a map of interfaces,
// veth pairs that die together, bridges with ports, addresses and redirects; with fault
// injection and the drifts a test makes by hand. It keeps the contract
// tests/contract/link_contract.h states for every link manager.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controller/link_manager.h"
#include "tests/fakes/faults.h"

namespace lk::test {

class FakeLinks : public LinkManager {
 public:
  // --- what a test looks at, and the drifts it makes ----------------------------------------
  std::optional<Iface> Find(const std::string& ns, const std::string& name) const;
  std::string MasterOf(const std::string& ns, const std::string& name) const;
  std::string RedirectOf(const std::string& ns, const std::string& from) const;
  // Every interface but lo, as "ns/name", sorted.
  std::vector<std::string> All() const;
  // Someone else's hands: deletes an interface (a veth takes its peer along), takes one down,
  // changes its MTU; or adds an interface labkeeper did not make.
  void DeleteBehindItsBack(const std::string& ns, const std::string& name);
  void SetDownBehindItsBack(const std::string& ns, const std::string& name);
  // Traffic through an interface: its counters grow as the kernel's would (sent and received).
  void CountTraffic(const std::string& ns, const std::string& name, uint64_t bytes, uint64_t packets);
  void SetMtuBehindItsBack(const std::string& ns, const std::string& name, int mtu);
  void DelAltNameBehindItsBack(const std::string& ns, const std::string& name, const std::string& altname);
  void AddForeign(const std::string& ns, const Iface& iface);
  // A root qdisc put (or, kind "noqueue" and handle 0, `tc qdisc del` of one) by someone else.
  void SetQdiscBehindItsBack(const std::string& ns, const std::string& name, const std::string& kind, uint32_t handle);
  // A kernel without the netem qdisc (as this machine's): SetImpairment fails as the real one does.
  void WithoutNetem() { no_netem_ = true; }

  // --- faults: methods by name ("CreateVeth", "List", "OfPid", ...) ---------------------------
  void FailNext(const std::string& method, const std::string& message, int times = 1) {
    faults_.FailNext(method, message, times);
  }
  void Stall(const std::string& method, std::chrono::milliseconds delay) { faults_.Stall(method, delay); }
  std::vector<std::string> Calls() const { return faults_.Calls(); }

  // --- LinkManager ------------------------------------------------------------------------------
  Result<NetNs> OfPid(int pid) override;
  Result<NetNs> Host() override;
  Status CreateVeth(const NetNs& ns_a, const IfaceSpec& a, const NetNs& ns_b, const IfaceSpec& b, int mtu) override;
  Status CreateSingle(const NetNs& underlay, const NetNs& target, const IfaceSpec& spec,
                      const SingleLinkSpec& link) override;
  Status Redirect(const NetNs& ns, const std::string& from, const std::string& to) override;
  Status AddAddress(const NetNs& ns, const std::string& name, const std::string& cidr) override;
  Status SetMaster(const NetNs& ns, const std::string& name, const std::string& master) override;
  Result<std::vector<Iface>> List(const NetNs& ns) override;
  Status Delete(const NetNs& ns, const std::string& name) override;
  Status SetUp(const NetNs& ns, const std::string& name) override;
  Status SetMtu(const NetNs& ns, const std::string& name, int mtu) override;
  Status SetMac(const NetNs& ns, const std::string& name, const std::string& mac) override;
  Status SetImpairment(const NetNs& ns, const std::string& name, const Impairment& imp) override;
  Status ClearImpairment(const NetNs& ns, const std::string& name) override;
  Status Mark(const NetNs& ns, const std::string& name, const std::string& marker) override;
  Status AddAltName(const NetNs& ns, const std::string& name, const std::string& altname) override;
  Result<std::map<std::string, std::vector<std::string>>> AltNames(const NetNs& ns) override;
  // Named namespaces are "netns NAME".
  Result<NetNs> MakeNamed(const std::string& name) override;
  Result<std::optional<NetNs>> FindNamed(const std::string& name) override;
  Result<std::vector<std::string>> ListNamed() override;
  Status DeleteNamed(const std::string& name) override;

 private:
  struct Entry {
    Iface iface;
    std::string master, redirect;
    std::string peer_ns, peer_name;  // veth: the other end
  };
  using Space = std::map<std::string, Entry>;
  Space& SpaceOf(const std::string& ns);                           // under mu_; made with lo
  Entry* At(const std::string& ns, const std::string& name);       // under mu_
  Status Missing(const std::string& ns, const std::string& name);  // "no interface NAME in NS"
  Iface Make(const IfaceSpec& spec, const std::string& kind, int mtu);
  void Erase(const std::string& ns, const std::string& name);  // under mu_; a veth's peer too

  Faults faults_;
  bool no_netem_ = false;
  mutable std::mutex mu_;
  std::map<std::string, Space> spaces_;
  std::set<std::string> named_;
  int next_index_ = 2, next_mac_ = 1;
};

}  // namespace lk::test
