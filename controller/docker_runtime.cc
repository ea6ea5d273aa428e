#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "api/arch.h"
#include "api/strings.h"
#include "controller/docker_runtime.h"

namespace lk {
namespace {

bool IsCapsFailure(const std::string& message) {
  return message.find("unable to apply caps") != std::string::npos;
}

std::string Str(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

ContainerState FromInspect(const nlohmann::json& j) {
  ContainerState c;
  c.id = Str(j, "Id");
  c.name = Str(j, "Name");
  if (!c.name.empty() && c.name[0] == '/') c.name.erase(0, 1);
  c.image_id = Str(j, "Image");
  const auto& cfg = j.value("Config", nlohmann::json::object());
  c.image = Str(cfg, "Image");
  if (cfg.contains("Labels") && cfg["Labels"].is_object())
    for (auto& [k, v] : cfg["Labels"].items()) c.labels[k] = v.get<std::string>();
  const auto& st = j.value("State", nlohmann::json::object());
  c.state = Str(st, "Status");
  c.pid = st.value("Pid", 0);
  const auto& nets = j.value("NetworkSettings", nlohmann::json::object()).value("Networks", nlohmann::json::object());
  // A container labkeeper did not make (containerlab's, adopted) names no management network:
  // its addresses are those of the first network that gave it any.
  std::string network = c.labels.count("labkeeper.dev/mgmt-network") ? c.labels["labkeeper.dev/mgmt-network"] : "";
  for (const auto& [name, n] : nets.items())
    if (name == network || (network.empty() && c.ipv4.empty() && c.ipv6.empty())) {
      c.ipv4 = Str(n, "IPAddress");
      c.ipv6 = Str(n, "GlobalIPv6Address");
    }
  return c;
}

// Published ports (host:container[/proto], container[/proto], ip:host:container) as the
// engine wants them: the container side exposed, the host side bound.
void Publish(const std::vector<std::string>& ports, nlohmann::json* host, nlohmann::json* exposed) {
  nlohmann::json bindings = nlohmann::json::object();
  for (const auto& p : ports) {
    std::string hostp, cont = p;
    if (size_t c = p.rfind(':'); c != std::string::npos) {
      hostp = p.substr(0, c);
      cont = p.substr(c + 1);
    }
    if (cont.find('/') == std::string::npos) cont += "/tcp";
    (*exposed)[cont] = nlohmann::json::object();
    std::string host_ip;
    if (size_t c = hostp.rfind(':'); c != std::string::npos) {
      host_ip = hostp.substr(0, c);
      hostp = hostp.substr(c + 1);
    }
    bindings[cont].push_back({{"HostIp", host_ip}, {"HostPort", hostp}});
  }
  (*host)["PortBindings"] = bindings;
}

std::string NodeObject(const ContainerSpec& spec) {
  auto it = spec.labels.find("clab-node-name");
  return "node/" + (it == spec.labels.end() ? spec.name : it->second);
}

// containerlab's extra node fields, as Docker's HostConfig.
void ApplyExtras(const ContainerExtras& x, nlohmann::json* host) {
  nlohmann::json& h = *host;
  if (x.cpu > 0) h["NanoCpus"] = static_cast<int64_t>(x.cpu * 1e9);
  if (!x.cpu_set.empty()) h["CpusetCpus"] = x.cpu_set;
  if (x.memory > 0) h["Memory"] = x.memory;
  if (x.shm_size > 0) h["ShmSize"] = x.shm_size;
  if (!x.cgroupns_mode.empty()) h["CgroupnsMode"] = x.cgroupns_mode;
  if (!x.cgroup_parent.empty()) h["CgroupParent"] = x.cgroup_parent;
  if (!x.pid_mode.empty()) h["PidMode"] = x.pid_mode;
  if (!x.restart_policy.empty()) h["RestartPolicy"] = {{"Name", x.restart_policy}};
  if (!x.dns.servers.empty()) h["Dns"] = x.dns.servers;
  if (!x.dns.search.empty()) h["DnsSearch"] = x.dns.search;
  if (!x.dns.options.empty()) h["DnsOptions"] = x.dns.options;
  for (const auto& v : x.volumes) h["Binds"].push_back(v);
  for (const auto& opt : x.security_opts) h["SecurityOpt"].push_back(opt);
  if (!x.tmpfs.empty()) {
    nlohmann::json t = nlohmann::json::object();
    for (const auto& entry : x.tmpfs) {
      size_t c = entry.find(':');
      t[entry.substr(0, c)] = c == std::string::npos ? "" : entry.substr(c + 1);
    }
    h["Tmpfs"] = t;
  }
  for (const auto& d : x.devices) {
    // HOST[:CONTAINER[:PERMISSIONS]]
    std::vector<std::string> parts;
    for (size_t b = 0, e; b <= d.size(); b = e + 1) {
      e = d.find(':', b);
      if (e == std::string::npos) e = d.size();
      parts.push_back(d.substr(b, e - b));
    }
    h["Devices"].push_back({{"PathOnHost", parts[0]},
                            {"PathInContainer", parts.size() > 1 ? parts[1] : parts[0]},
                            {"CgroupPermissions", parts.size() > 2 ? parts[2] : "rwm"}});
  }
}

// Sums up a pull's progress messages into a line now and then: layers done, bytes fetched.
class PullProgress {
 public:
  PullProgress(const Clock& clock, std::string ref, std::string platform, std::function<void(const std::string&)> out)
      : clock_(clock), ref_(std::move(ref)), platform_(std::move(platform)), out_(std::move(out)) {}

  void Add(const nlohmann::json& j) {
    std::string id = j.value("id", ""), status = j.value("status", "");
    if (!id.empty() && (status == "Pulling fs layer" || status == "Waiting" || status == "Downloading" ||
                        status == "Verifying Checksum" || status == "Download complete" || status == "Extracting" ||
                        status == "Pull complete" || status == "Already exists")) {
      Layer& l = layers_[id];
      if (status == "Pull complete" || status == "Already exists") l.done = true;
      if (j.contains("progressDetail") && j["progressDetail"].is_object()) {
        const auto& d = j["progressDetail"];
        if (status == "Downloading" && d.contains("current") && d.contains("total")) {
          l.current = d.value("current", 0.0);
          l.total = d.value("total", 0.0);
        }
      }
      if (status == "Download complete") l.current = l.total;
    }
    auto now = clock_.Now();
    if (!last_ || now - *last_ >= std::chrono::seconds(2)) {
      last_ = now;
      Emit();
    }
  }
  void Done() { Emit(true); }

 private:
  struct Layer {
    bool done = false;
    double current = 0, total = 0;
  };
  void Emit(bool done = false) {
    if (!out_) return;
    size_t complete = 0;
    double cur = 0, tot = 0;
    for (const auto& [id, l] : layers_) {
      complete += l.done;
      cur += l.done && l.total == 0 ? 0 : l.current;
      tot += l.total;
    }
    char mb[64] = "";
    if (tot > 0) std::snprintf(mb, sizeof mb, ", %.1f/%.1f MB", cur / 1e6, tot / 1e6);
    out_("pulling image " + ref_ + (platform_.empty() ? "" : " (" + platform_ + ")") + ": " + (done ? "done, " : "") +
         std::to_string(complete) + "/" + std::to_string(layers_.size()) + " layers" + mb);
  }
  const Clock& clock_;
  std::string ref_, platform_;
  std::function<void(const std::string&)> out_;
  std::map<std::string, Layer> layers_;
  std::optional<TimePoint> last_;  // the last line's time; none yet: the first message makes one
};

class DockerRuntime : public ContainerRuntime {
 public:
  DockerRuntime(std::shared_ptr<DockerClient> client, Env& env) : docker_(std::move(client)), env_(env) {}

  Result<std::vector<ContainerState>> List(const std::map<std::string, std::string>& labels) override {
    auto list = docker_->ListContainers(labels, true);
    if (!list) return list.status();
    std::vector<ContainerState> out;
    for (const auto& summary : *list) {
      auto c = Get(summary["Id"].get<std::string>());
      if (!c) return c.status();
      if (*c) out.push_back(**c);  // it may have gone in between
    }
    return out;
  }

  Result<std::set<std::string>> Names() override { return docker_->ContainerNames(); }

  Result<std::optional<ContainerState>> Get(const std::string& name) override {
    auto j = docker_->InspectContainer(name);
    if (!j) return j.status();
    if (j->is_null()) return std::optional<ContainerState>();
    return std::optional<ContainerState>(FromInspect(*j));
  }

  Result<std::string> EnsureImage(const std::string& ref, const std::string& policy, const std::string& platform,
                                  const std::function<void(const std::string&)>& progress) override {
    std::string p = Lower(policy);
    std::string want = platform.empty() ? "" : PlatformArch(platform);
    auto local = docker_->InspectImage(ref);
    if (!local) return local.status();
    std::string have = local->is_null() ? "" : NormalizeArch(Str(*local, "Architecture"), Str(*local, "Variant"));
    auto use = [&](const nlohmann::json& img) -> std::string { return want.empty() ? ref : Str(img, "Id"); };
    bool fits = !local->is_null() && (want.empty() || have == want);
    if (p != "always" && fits) return use(*local);
    if (p == "never")
      return Status::Fail(local->is_null() ? "image " + ref + " is not present and image-pull-policy is Never"
                                           : "image " + ref + " is present only for " + have + ", not " + want +
                                                 ", and image-pull-policy is Never");
    PullProgress tally(env_, ref, platform, progress);
    Status s = docker_->PullImage(ref, platform, [&](const nlohmann::json& j) { tally.Add(j); });
    if (!s)
      return Status::Fail("image " + ref + (local->is_null() ? " is not present locally and" : "") +
                          " could not be pulled: " + s.message());
    tally.Done();
    auto pulled = docker_->InspectImage(ref);
    if (!pulled) return pulled.status();
    if (pulled->is_null()) return Status::Fail("image " + ref + " is still missing after its pull");
    std::string got = NormalizeArch(Str(*pulled, "Architecture"), Str(*pulled, "Variant"));
    if (!want.empty() && got != want)
      return Status::Fail("image " + ref + " has no " + want + " variant (the pull gave " + got + ")");
    return use(*pulled);
  }

  std::string EngineArchitecture() override {
    std::lock_guard lock(arch_mu_);
    if (engine_arch_.empty())
      if (auto info = docker_->Info(); info && info->is_object())
        engine_arch_ = NormalizeArch(Str(*info, "Architecture"));
    return engine_arch_;
  }

  // Whether the engine can grant --privileged, learnt once from a throw-away container with no
  // network: a privileged start that fails on a lab network leaves a stale endpoint behind in
  // some engines ("has active endpoints" when the network is removed later).
  void ProbePrivileges(const std::string& image) {
    std::lock_guard lock(probe_mu_);
    if (probed_) return;
    nlohmann::json body = {
        {"Image", image},
        {"Cmd", {"true"}},
        {"Labels", {{"labkeeper.dev/managed-by", "labkeeper"}, {"labkeeper.dev/probe", "privileges"}}},
        {"HostConfig", {{"Privileged", true}, {"NetworkMode", "none"}}}};
    std::string name = "labkeeper-privilege-probe-" + std::to_string(getpid());
    docker_->RemoveContainer(name, true);
    auto id = docker_->CreateContainer(name, body);
    if (!id) return;  // say nothing: the node's own creation reports what is wrong
    Status s = docker_->StartContainer(*id);
    if (!s && IsCapsFailure(s.message())) restricted_ = true;
    docker_->RemoveContainer(*id, true);
    probed_ = true;
  }

  // Probes of labkeeper processes killed between creating and removing theirs (the pid in the
  // name no longer runs); a live process's is left alone. Done once, when the runtime is made.
  void RemoveStaleProbes() {
    auto list = docker_->ListContainers({{"labkeeper.dev/probe", "privileges"}}, true);
    if (!list || !list->is_array()) return;
    const std::string prefix = "/labkeeper-privilege-probe-";
    for (const auto& c : *list) {
      nlohmann::json names = c.value("Names", nlohmann::json::array());
      std::string name = names.is_array() && !names.empty() && names[0].is_string() ? names[0].get<std::string>() : "";
      if (name.rfind(prefix, 0) != 0) continue;
      long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
      bool alive = pid > 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
      if (!alive) docker_->RemoveContainer(c.value("Id", ""), true);
    }
  }

  Result<std::string> Run(const ContainerSpec& spec, const EventSink& events) override {
    if (spec.privileged) ProbePrivileges(spec.image);
    bool reduce = spec.privileged && restricted_.load();
    auto id = CreateAndStart(spec, reduce);
    bool retried = false;
    if (!id && spec.privileged && !reduce && IsCapsFailure(id.error())) {
      restricted_ = true;
      retried = true;
      id = CreateAndStart(spec, true);
    }
    if ((retried || (id && reduce)) && events) {
      std::vector<std::string> missing = MissingCaps();
      events({"Warning", "PrivilegesReduced", NodeObject(spec),
              "the engine cannot grant full privileges (unable to apply caps); running with every grantable "
              "capability and seccomp unconfined" +
                  (missing.empty() ? "" : " (missing: " + Join(missing, ", ") + ")")});
    }
    return id;
  }

  Result<std::string> ImageArchitecture(const std::string& ref) override {
    auto img = docker_->InspectImage(ref);
    if (!img) return img.status();
    if (img->is_null()) return std::string();
    return NormalizeArch(Str(*img, "Architecture"), Str(*img, "Variant"));
  }

  Status Start(const std::string& id) override { return docker_->StartContainer(id); }
  bool Healthy(const std::string& id) override {
    auto j = docker_->InspectContainer(id);
    if (!j || j->is_null()) return false;
    auto health = (*j)["State"].value("Health", nlohmann::json::object());
    return health.value("Status", "") == "healthy";
  }
  Status Remove(const std::string& id) override { return docker_->RemoveContainer(id, true); }
  Result<ExecResult> Exec(const std::string& id, const std::vector<std::string>& argv) override {
    return docker_->Exec(id, argv);
  }

  Result<bool> NetworkExists(const std::string& name) override {
    auto n = docker_->InspectNetwork(name);
    if (!n) return n.status();
    return !n->is_null();
  }

  Result<std::string> NetworkBridge(const std::string& name) override {
    auto n = docker_->InspectNetwork(name);
    if (!n) return n.status();
    if (n->is_null()) return Status::Fail("network " + name + " does not exist");
    auto options = (*n).value("Options", nlohmann::json::object());
    if (options.is_object() && options.contains("com.docker.network.bridge.name"))
      return options["com.docker.network.bridge.name"].get<std::string>();
    return "br-" + (*n)["Id"].get<std::string>().substr(0, 12);
  }

  Result<bool> EnsureNetwork(const MgmtNetwork& mgmt, const std::map<std::string, std::string>& labels) override {
    std::lock_guard lock(network_mu_);
    auto n = docker_->InspectNetwork(mgmt.network);
    if (!n) return n.status();
    if (!n->is_null()) return false;
    nlohmann::json ipam_config = nlohmann::json::array();
    if (!mgmt.ipv4_subnet.empty()) {
      nlohmann::json v4 = {{"Subnet", mgmt.ipv4_subnet}};
      if (!mgmt.ipv4_gw.empty()) v4["Gateway"] = mgmt.ipv4_gw;
      ipam_config.push_back(v4);
    }
    if (!mgmt.ipv6_subnet.empty()) {
      nlohmann::json v6 = {{"Subnet", mgmt.ipv6_subnet}};
      if (!mgmt.ipv6_gw.empty()) v6["Gateway"] = mgmt.ipv6_gw;
      ipam_config.push_back(v6);
    }
    nlohmann::json options = nlohmann::json::object();
    if (!mgmt.bridge.empty()) options["com.docker.network.bridge.name"] = mgmt.bridge;
    if (mgmt.mtu > 0) options["com.docker.network.driver.mtu"] = std::to_string(mgmt.mtu);
    nlohmann::json body = {{"Name", mgmt.network},
                           {"Driver", "bridge"},
                           {"CheckDuplicate", true},
                           {"EnableIPv6", !mgmt.ipv6_subnet.empty()},
                           {"IPAM", {{"Driver", "default"}, {"Config", ipam_config}}},
                           {"Options", options},
                           {"Labels", labels}};
    auto id = docker_->CreateNetwork(body);
    if (!id) return id.status();
    return true;
  }

  Result<NetworkRemoval> RemoveNetworkIfUnused(const std::string& name, const std::string& owner_label) override {
    std::lock_guard lock(network_mu_);
    auto n = docker_->InspectNetwork(name);
    if (!n) return n.status();
    if (n->is_null()) return NetworkRemoval::kKept;
    auto labels = (*n).value("Labels", nlohmann::json::object());
    if (!labels.is_object() || !labels.contains(owner_label)) return NetworkRemoval::kKept;
    const std::string id = (*n)["Id"].get<std::string>();
    // The engine releases a removed container's endpoint a moment after the removal returns: a
    // refusal with no container attached is retried for a few seconds, then is the engine's.
    for (int i = 0;; ++i) {
      auto containers = (*n).value("Containers", nlohmann::json::object());
      if (containers.is_object() && !containers.empty()) return NetworkRemoval::kKept;
      auto removed = docker_->RemoveNetwork(id);
      if (!removed) return removed.status();
      if (*removed) return NetworkRemoval::kRemoved;
      if (i == 20) return NetworkRemoval::kStuck;
      env_.Sleep(std::chrono::milliseconds(250));
      n = docker_->InspectNetwork(name);
      if (!n) return n.status();
      if (n->is_null()) return NetworkRemoval::kRemoved;
    }
  }

 private:
  // The capabilities the engine's host cannot grant; its bounding set does not change while it
  // runs, so it is read once (it may mean scanning /proc for dockerd).
  std::vector<std::string> MissingCaps() {
    std::lock_guard lock(caps_mu_);
    if (!missing_caps_) missing_caps_ = MissingCapabilities(GrantableCapabilities());
    return *missing_caps_;
  }

  nlohmann::json Body(const ContainerSpec& spec, bool reduced) {
    nlohmann::json env = nlohmann::json::array();
    for (const auto& [k, v] : spec.env) env.push_back(k + "=" + v);
    nlohmann::json host = {{"Binds", spec.binds}, {"Privileged", spec.privileged && !reduced}};
    if (spec.privileged && reduced) {
      // Every capability the engine knows, less those its host cannot grant.
      host["CapAdd"] = {"ALL"};
      std::vector<std::string> drop;
      for (const auto& c : MissingCaps()) {
        std::lock_guard lock(caps_mu_);
        if (!unknown_caps_.count(c)) drop.push_back(c);
      }
      host["CapDrop"] = drop;
      host["SecurityOpt"] = {"seccomp=unconfined", "apparmor=unconfined"};
    } else if (!spec.cap_add.empty()) {
      host["CapAdd"] = spec.cap_add;
    }
    if (!spec.sysctls.empty()) host["Sysctls"] = spec.sysctls;
    ApplyExtras(spec.extras, &host);
    bool shared_ns = StartsWith(spec.network_mode, "container:");
    if (shared_ns) {
      // DNS and published ports belong to the namespace's owner; Docker refuses them here.
      for (const char* k : {"Dns", "DnsSearch", "DnsOptions"}) host.erase(k);
    }
    nlohmann::json exposed = nlohmann::json::object();
    if (!spec.ports.empty() && !shared_ns) Publish(spec.ports, &host, &exposed);
    nlohmann::json body = {
        {"Image", spec.image},     {"Env", env},  {"Labels", spec.labels}, {"HostConfig", host},
        {"ExposedPorts", exposed}, {"Tty", true},  // as containerlab: a node whose command is a shell stays up on its
                                                   // terminal
    };
    if (!spec.hostname.empty() && !StartsWith(spec.network_mode, "container:") && spec.network_mode != "host")
      body["Hostname"] = spec.hostname;
    if (const auto& h = spec.extras.healthcheck) {
      auto ns = [](int s) { return static_cast<int64_t>(s) * 1000000000LL; };
      body["Healthcheck"] = {{"Test", h->test},
                             {"Interval", ns(h->interval)},
                             {"Timeout", ns(h->timeout)},
                             {"Retries", h->retries},
                             {"StartPeriod", ns(h->start_period)}};
    }
    if (!spec.user.empty()) body["User"] = spec.user;
    if (!spec.cmd.empty()) body["Cmd"] = spec.cmd;
    if (!spec.entrypoint.empty()) body["Entrypoint"] = spec.entrypoint;
    if (!spec.network_mode.empty()) {
      body["HostConfig"]["NetworkMode"] = spec.network_mode;
    } else if (!spec.network.empty()) {
      body["HostConfig"]["NetworkMode"] = spec.network;
      nlohmann::json ep = nlohmann::json::object();
      nlohmann::json ipam = nlohmann::json::object();
      if (!spec.mgmt_ipv4.empty()) ipam["IPv4Address"] = spec.mgmt_ipv4;
      if (!spec.mgmt_ipv6.empty()) ipam["IPv6Address"] = spec.mgmt_ipv6;
      if (!ipam.empty()) ep["IPAMConfig"] = ipam;
      if (!spec.extras.aliases.empty()) ep["Aliases"] = spec.extras.aliases;
      body["NetworkingConfig"] = {{"EndpointsConfig", {{spec.network, ep}}}};
    }
    return body;
  }

  Result<std::string> CreateAndStart(const ContainerSpec& spec, bool reduced) {
    auto id = docker_->CreateContainer(spec.name, Body(spec, reduced), spec.platform);
    // An engine older than the kernel does not know the newest capabilities' names: they cannot
    // be granted by it anyway, so they are left out of CapDrop.
    for (int i = 0; i < 8 && reduced && !id; ++i) {
      static const std::string kUnknown = "unknown capability: \"";
      size_t at = id.error().find(kUnknown);
      if (at == std::string::npos) break;
      size_t from = at + kUnknown.size();
      std::string cap = id.error().substr(from, id.error().find('"', from) - from);
      {
        std::lock_guard lock(caps_mu_);
        if (!unknown_caps_.insert(cap).second) break;
      }
      id = docker_->CreateContainer(spec.name, Body(spec, reduced), spec.platform);
    }
    if (!id) return id;
    Status s = docker_->StartContainer(*id);
    if (!s) {
      docker_->RemoveContainer(*id, true);  // nothing half-made stays behind
      return s;
    }
    return id;
  }

  std::shared_ptr<DockerClient> docker_;
  Env& env_;
  std::atomic<bool> restricted_{false};
  std::mutex caps_mu_;
  std::set<std::string> unknown_caps_;  // capability names this engine rejects
  std::optional<std::vector<std::string>> missing_caps_;
  std::mutex probe_mu_;
  bool probed_ = false;
  std::mutex network_mu_;
  std::mutex arch_mu_;
  std::string engine_arch_;
};

}  // namespace

std::unique_ptr<ContainerRuntime> MakeDockerRuntime(std::shared_ptr<DockerClient> client, Env& env) {
  auto runtime = std::make_unique<DockerRuntime>(std::move(client), env);
  runtime->RemoveStaleProbes();
  return runtime;
}

}  // namespace lk
