// An in-memory ContainerRuntime for tests that need no engine: containers, images and networks
// as maps, with fault injection (a method that fails or stalls on demand) and a log of calls.
// It keeps the contract tests/contract/runtime_contract.h states for every runtime.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "controller/runtime.h"
#include "tests/fakes/faults.h"

namespace lk::test {

class FakeRuntime : public ContainerRuntime {
 public:
  // --- what the world holds -------------------------------------------------------------------
  // An image present locally, for `arch`.
  void AddImage(const std::string& ref, const std::string& arch = "amd64");
  // An image a pull would fetch (absent until pulled).
  void AddPullable(const std::string& ref, const std::string& arch = "amd64");
  // What `Exec` answers for a command (the argv joined by spaces); default exit 0, no output.
  void OnExec(std::function<ExecResult(const std::string& container, const std::vector<std::string>& argv)> fn);
  // A container stops, as if its process ended (or the engine stopped it).
  void Stop(const std::string& name_or_id);
  void SetHealthy(const std::string& name_or_id, bool healthy);
  // The engine keeps refusing to remove the network though nothing is attached (a stale
  // endpoint count, as Docker's engine sometimes keeps).
  void StickNetwork(const std::string& name);

  // --- faults -----------------------------------------------------------------------------------
  // The next `times` calls of `method` ("Run", "List", "Remove", ...) fail with `message`.
  void FailNext(const std::string& method, const std::string& message, int times = 1) {
    faults_.FailNext(method, message, times);
  }
  // Every call of `method` waits this long before it answers (0 to stop stalling).
  void Stall(const std::string& method, std::chrono::milliseconds delay) { faults_.Stall(method, delay); }
  // Every call made so far, by method name, in order.
  std::vector<std::string> Calls() const { return faults_.Calls(); }
  // The spec a container was created with.
  std::optional<ContainerSpec> SpecOf(const std::string& name) const;

  // --- ContainerRuntime ---------------------------------------------------------------------------
  Result<std::vector<ContainerState>> List(const std::map<std::string, std::string>& labels) override;
  Result<std::optional<ContainerState>> Get(const std::string& name) override;
  Result<std::set<std::string>> Names() override;
  Result<std::string> EnsureImage(const std::string& ref, const std::string& policy, const std::string& platform,
                                  const std::function<void(const std::string&)>& progress) override;
  std::string EngineArchitecture() override { return "amd64"; }
  Result<std::string> Run(const ContainerSpec& spec, const EventSink& events) override;
  Result<std::string> ImageArchitecture(const std::string& ref) override;
  Status Start(const std::string& id) override;
  bool Healthy(const std::string& id) override;
  Status Remove(const std::string& id) override;
  Result<ExecResult> Exec(const std::string& id, const std::vector<std::string>& argv) override;
  Result<bool> NetworkExists(const std::string& name) override;
  Result<std::string> NetworkBridge(const std::string& name) override;
  Result<bool> EnsureNetwork(const MgmtNetwork& mgmt, const std::map<std::string, std::string>& labels) override;
  Result<NetworkRemoval> RemoveNetworkIfUnused(const std::string& name, const std::string& owner_label) override;

 private:
  struct Container {
    ContainerSpec spec;
    ContainerState state;
    bool healthy = false;
  };
  std::string Enter(const std::string& method) { return faults_.Enter(method); }
  Container* Find(const std::string& name_or_id);  // under mu_

  mutable std::mutex mu_;
  std::map<std::string, Container> containers_;           // by id
  std::map<std::string, std::string> images_, pullable_;  // ref -> architecture
  std::set<std::string> stuck_networks_;
  std::map<std::string, std::map<std::string, std::string>> networks_;  // name -> labels
  std::function<ExecResult(const std::string&, const std::vector<std::string>&)> exec_;
  Faults faults_;
  int next_id_ = 1, next_pid_ = 1000;
  int next_ip_ = 2;  // the next management address, 172.20.20.N
};

}  // namespace lk::test
