// What containerlab writes around a running lab, written by labkeeper the same way: the lab
// directory beside the topology file (clab-<lab>/, a directory per node under it) holding
// topology-data.json, ansible-inventory.yml and nornir-simple-inventory.yml, and the lab's names
// on the host: a marked block in /etc/hosts and /etc/ssh/ssh_config.d/clab-<lab>.conf. Each file
// is written whole (atomically) and only when what it says changed; a line of /etc/hosts outside
// the lab's block is never touched. The renderers are pure; LabArtifacts writes through Env.
#pragma once

#include <string>
#include <vector>

#include "api/result.h"
#include "api/topology.h"
#include "controller/env.h"
#include "controller/runtime.h"

namespace lk {

struct ArtifactOptions {
  bool names = true;  // the /etc/hosts block and the SSH client config; off: neither is written
  std::string hosts_file = "/etc/hosts";
  std::string ssh_config_dir = "/etc/ssh/ssh_config.d";
};

// --- the files' text, from the lab's spec and its containers as the engine reports them ------
std::string TopologyDataJson(const LabSpec& lab, const std::vector<ContainerState>& containers);
std::string AnsibleInventory(const LabSpec& lab, const std::vector<ContainerState>& containers);
std::string NornirInventory(const LabSpec& lab, const std::vector<ContainerState>& containers);
// containerlab's markers: "###### CLAB-<lab>-START ######" and "...-END ######".
std::string HostsBlock(const std::string& lab, const std::vector<ContainerState>& containers);
// `hosts` with the lab's block replaced by `block` where it stood, appended when it had none, or
// removed when `block` is empty; every other line as it was. An error for a block begun and not
// ended (containerlab refuses it too: what to keep would be a guess).
Result<std::string> WithHostsBlock(const std::string& hosts, const std::string& lab, const std::string& block);
std::string SshConfig(const LabSpec& lab, const std::vector<ContainerState>& containers);
// The SSH client config's path for a lab: DIR/clab-<lab>.conf.
std::string SshConfigPath(const ArtifactOptions& opts, const std::string& lab);

class LabArtifacts {
 public:
  LabArtifacts(Env& env, ArtifactOptions opts) : env_(env), opts_(std::move(opts)) {}

  struct Outcome {
    std::vector<std::string> written;  // paths rewritten because what they say changed
    std::vector<std::string> errors;   // "path: why"; the lab itself is not failed by them
  };
  // Makes the lab directory and its node directories, and writes every file that differs.
  Outcome Update(const LabSpec& lab, const std::vector<ContainerState>& containers);
  // The lab is gone: its names leave the host. Its directory stays (node directories may hold
  // saved configs) unless `cleanup`, and then only a directory named clab-<lab>.
  Outcome Remove(const std::string& lab, const std::string& lab_dir, bool cleanup);

 private:
  void Write(const std::string& path, const std::string& text, Outcome* out);
  void EditHosts(const std::string& lab, const std::string& block, Outcome* out);
  Env& env_;
  ArtifactOptions opts_;
};

// The lab directory of a lab whose file is not at hand, from its containers' clab-node-lab-dir
// label (<dir>/clab-<lab>/<node>); "" when none carries one.
std::string LabDirOf(const std::string& lab, const std::vector<ContainerState>& containers);

}  // namespace lk
