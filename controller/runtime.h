// The seam between the controller and the container engine: a pure interface and the value
// types it speaks in. The Docker implementation is in docker_runtime.h.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/result.h"
#include "api/topology.h"

namespace lk {

// A Normal or Warning event about one object, as in Kubernetes.
struct Event {
  std::string type;  // Normal | Warning
  std::string reason;
  std::string object;  // e.g. node/router1, link/router1:eth1--router2:eth1
  std::string message;
};
using EventSink = std::function<void(const Event&)>;

// What a command run in a container printed, and how it ended.
struct ExecResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved as the engine sent them
};

// Everything needed to create one container.
struct ContainerSpec {
  std::string name;
  std::string image;
  std::string platform;
  std::string hostname;
  std::string user;
  std::vector<std::string> cmd, entrypoint;
  std::map<std::string, std::string> env, labels, sysctls;
  std::vector<std::string> binds, ports, cap_add;
  std::string network;  // management network to attach to ("" for none)
  std::string network_mode;
  std::string mgmt_ipv4, mgmt_ipv6;
  bool privileged = false;
  ContainerExtras extras;  // cpu, memory, dns, healthcheck, ... (containerlab's node fields)
};

// A container as the engine reports it.
struct ContainerState {
  std::string id;
  std::string name;
  std::string image;
  std::string image_id;
  std::string state;  // created | running | paused | restarting | exited | dead
  int pid = 0;
  std::map<std::string, std::string> labels;
  std::string ipv4, ipv6;  // on the management network
  bool running() const { return state == "running"; }
};

// What RemoveNetworkIfUnused did with a network.
enum class NetworkRemoval {
  kRemoved,
  kKept,   // absent, not labkeeper's, or a container is attached to it
  kStuck,  // no container is attached, yet the engine keeps refusing: it still counts an endpoint
           // (an engine fault, moby/moby#17217; restarting the engine clears it)
};

class ContainerRuntime {
 public:
  virtual ~ContainerRuntime() = default;
  virtual Result<std::vector<ContainerState>> List(const std::map<std::string, std::string>& labels) = 0;
  // nullopt when no container has that name.
  virtual Result<std::optional<ContainerState>> Get(const std::string& name) = 0;
  // The name of every container, running or not, whoever made it: one listing, no inspection.
  virtual Result<std::set<std::string>> Names() = 0;
  // Makes the image present as the policy says (IfNotPresent: pulled only when missing, or
  // present only for another architecture than `platform` asks for; Always; Never) and returns
  // what to create the container from: `ref`, or, when a platform is given, the id of that
  // platform's image (a tag holds one architecture at a time). `progress` gets a line now and
  // then while a pull runs ("pulling ...: 3/5 layers, 12.0/40.1 MB").
  virtual Result<std::string> EnsureImage(const std::string& ref, const std::string& policy,
                                          const std::string& platform,
                                          const std::function<void(const std::string&)>& progress) = 0;
  // The engine's architecture, normalized ("amd64", "arm64"); "" when unknown.
  virtual std::string EngineArchitecture() = 0;
  // Creates and starts; returns the container id. A privileged container on an engine that
  // cannot grant full privileges runs with every grantable capability, with a Warning event.
  virtual Result<std::string> Run(const ContainerSpec& spec, const EventSink& events) = 0;
  // The image's architecture, normalized ("amd64", "arm64", "arm/v7"); "" when not present.
  virtual Result<std::string> ImageArchitecture(const std::string& ref) = 0;
  virtual Status Start(const std::string& id) = 0;
  // True when the container's healthcheck reports healthy.
  virtual bool Healthy(const std::string& id) = 0;
  virtual Status Remove(const std::string& id) = 0;
  virtual Result<ExecResult> Exec(const std::string& id, const std::vector<std::string>& argv) = 0;
  virtual Result<bool> NetworkExists(const std::string& name) = 0;
  // The Linux bridge behind a bridge network (for mgmt-net links).
  virtual Result<std::string> NetworkBridge(const std::string& name) = 0;
  // Creates the management network when missing; true when this call created it.
  virtual Result<bool> EnsureNetwork(const MgmtNetwork& mgmt, const std::map<std::string, std::string>& labels) = 0;
  // Removes the network when it carries `owner_label` and no container is attached to it.
  virtual Result<NetworkRemoval> RemoveNetworkIfUnused(const std::string& name, const std::string& owner_label) = 0;
};

}  // namespace lk
