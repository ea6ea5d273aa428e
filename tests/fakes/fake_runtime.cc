#include "tests/fakes/fake_runtime.h"

#include <thread>

namespace lk::test {

void FakeRuntime::AddImage(const std::string& ref, const std::string& arch) {
  std::lock_guard lock(mu_);
  images_[ref] = arch;
}

void FakeRuntime::AddPullable(const std::string& ref, const std::string& arch) {
  std::lock_guard lock(mu_);
  pullable_[ref] = arch;
}

void FakeRuntime::OnExec(std::function<ExecResult(const std::string&, const std::vector<std::string>&)> fn) {
  std::lock_guard lock(mu_);
  exec_ = std::move(fn);
}

void FakeRuntime::Stop(const std::string& name_or_id) {
  std::lock_guard lock(mu_);
  if (Container* c = Find(name_or_id)) {
    c->state.state = "exited";
    c->state.pid = 0;
  }
}

void FakeRuntime::SetHealthy(const std::string& name_or_id, bool healthy) {
  std::lock_guard lock(mu_);
  if (Container* c = Find(name_or_id)) c->healthy = healthy;
}

std::optional<ContainerSpec> FakeRuntime::SpecOf(const std::string& name) const {
  std::lock_guard lock(mu_);
  for (const auto& [id, c] : containers_)
    if (c.spec.name == name) return c.spec;
  return std::nullopt;
}

FakeRuntime::Container* FakeRuntime::Find(const std::string& name_or_id) {
  if (auto it = containers_.find(name_or_id); it != containers_.end()) return &it->second;
  for (auto& [id, c] : containers_)
    if (c.spec.name == name_or_id) return &c;
  return nullptr;
}

Result<std::vector<ContainerState>> FakeRuntime::List(const std::map<std::string, std::string>& labels) {
  if (std::string e = Enter("List"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  std::vector<ContainerState> out;
  for (const auto& [id, c] : containers_) {
    bool match = true;
    for (const auto& [k, v] : labels) {
      auto l = c.state.labels.find(k);
      match = match && l != c.state.labels.end() && (v.empty() || l->second == v);
    }
    if (match) out.push_back(c.state);
  }
  return out;
}

Result<std::optional<ContainerState>> FakeRuntime::Get(const std::string& name) {
  if (std::string e = Enter("Get"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  Container* c = Find(name);
  return c ? std::optional<ContainerState>(c->state) : std::nullopt;
}

Result<std::set<std::string>> FakeRuntime::Names() {
  if (std::string e = Enter("Names"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  std::set<std::string> out;
  for (const auto& [id, c] : containers_) out.insert(c.spec.name);
  return out;
}

Result<std::string> FakeRuntime::EnsureImage(const std::string& ref, const std::string& policy,
                                             const std::string& /*platform*/,
                                             const std::function<void(const std::string&)>& progress) {
  if (std::string e = Enter("EnsureImage"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  bool present = images_.count(ref) > 0;
  if (present && policy != "Always" && policy != "always") return ref;
  if (policy == "Never" || policy == "never")
    return Status::Fail("image " + ref + " is not present and image-pull-policy is Never");
  auto p = pullable_.find(ref);
  if (p == pullable_.end())
    return present ? Result<std::string>(ref)
                   : Status::Fail("image " + ref + " is not present locally and could not be pulled: not found");
  if (progress) progress("pulling " + ref + ": done");
  images_[ref] = p->second;
  return ref;
}

Result<std::string> FakeRuntime::Run(const ContainerSpec& spec, const EventSink& /*events*/) {
  if (std::string e = Enter("Run"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  if (!images_.count(spec.image) && spec.image.rfind("sha256:", 0) != 0)
    return Status::Fail("create container " + spec.name + ": No such image: " + spec.image);
  if (Find(spec.name)) return Status::Fail("create container " + spec.name + ": the name is already in use");
  if (!spec.network.empty() && !networks_.count(spec.network))
    return Status::Fail("create container " + spec.name + ": network " + spec.network + " not found");
  if (spec.network_mode.rfind("container:", 0) == 0) {  // as the engine: that container must run
    const Container* ns = Find(spec.network_mode.substr(10));
    if (!ns || !ns->state.running())
      return Status::Fail("start container " + spec.name +
                          ": cannot join network of a non running container: " + spec.network_mode.substr(10));
  }
  std::string id = "fake" + std::to_string(next_id_++);
  Container c;
  c.spec = spec;
  // An address on the management network, as the engine's IPAM hands them out.
  std::string v4 = spec.network.empty()      ? ""
                   : !spec.mgmt_ipv4.empty() ? spec.mgmt_ipv4
                                             : "172.20.20." + std::to_string(next_ip_++);
  c.state = {id, spec.name, spec.image, "sha256:" + spec.image, "running", next_pid_++, spec.labels, v4, ""};
  containers_[id] = std::move(c);
  return id;
}

Result<std::string> FakeRuntime::ImageArchitecture(const std::string& ref) {
  if (std::string e = Enter("ImageArchitecture"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  auto it = images_.find(ref);
  return it == images_.end() ? std::string() : it->second;
}

Status FakeRuntime::Start(const std::string& id) {
  if (std::string e = Enter("Start"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  Container* c = Find(id);
  if (!c) return Status::Fail("start container " + id + ": No such container");
  if (!c->state.running()) {
    c->state.state = "running";
    c->state.pid = next_pid_++;
  }
  return Status::Ok();
}

bool FakeRuntime::Healthy(const std::string& id) {
  Enter("Healthy");
  std::lock_guard lock(mu_);
  Container* c = Find(id);
  return c && c->healthy;
}

Status FakeRuntime::Remove(const std::string& id) {
  if (std::string e = Enter("Remove"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  if (Container* c = Find(id)) containers_.erase(c->state.id);
  return Status::Ok();  // a container already gone is removed, as the engine's force-remove says
}

Result<ExecResult> FakeRuntime::Exec(const std::string& id, const std::vector<std::string>& argv) {
  if (std::string e = Enter("Exec"); !e.empty()) return Status::Fail(e);
  std::function<ExecResult(const std::string&, const std::vector<std::string>&)> fn;
  {
    std::lock_guard lock(mu_);
    Container* c = Find(id);
    if (!c) return Status::Fail("exec in " + id + ": No such container");
    if (!c->state.running()) return Status::Fail("exec in " + id + ": container is not running");
    fn = exec_;
  }
  return fn ? fn(id, argv) : ExecResult{0, ""};
}

Result<bool> FakeRuntime::NetworkExists(const std::string& name) {
  if (std::string e = Enter("NetworkExists"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  return networks_.count(name) > 0;
}

Result<std::string> FakeRuntime::NetworkBridge(const std::string& name) {
  if (std::string e = Enter("NetworkBridge"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  if (!networks_.count(name)) return Status::Fail("network " + name + " does not exist");
  return "br-" + name.substr(0, 12);
}

Result<bool> FakeRuntime::EnsureNetwork(const MgmtNetwork& mgmt, const std::map<std::string, std::string>& labels) {
  if (std::string e = Enter("EnsureNetwork"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  return networks_.emplace(mgmt.network, labels).second;
}

Result<NetworkRemoval> FakeRuntime::RemoveNetworkIfUnused(const std::string& name, const std::string& owner_label) {
  if (std::string e = Enter("RemoveNetworkIfUnused"); !e.empty()) return Status::Fail(e);
  std::lock_guard lock(mu_);
  auto n = networks_.find(name);
  if (n == networks_.end() || !n->second.count(owner_label)) return NetworkRemoval::kKept;
  for (const auto& [id, c] : containers_)
    if (c.spec.network == name) return NetworkRemoval::kKept;
  if (stuck_networks_.count(name)) return NetworkRemoval::kStuck;
  networks_.erase(n);
  return NetworkRemoval::kRemoved;
}

void FakeRuntime::StickNetwork(const std::string& name) {
  std::lock_guard lock(mu_);
  stuck_networks_.insert(name);
}

}  // namespace lk::test
