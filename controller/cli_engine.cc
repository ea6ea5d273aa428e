#include "controller/cli_engine.h"

#include <cstdio>
#include <iostream>
#include <set>

#include "api/topology_codec.h"
#include "controller/ownership.h"

namespace lk {

std::vector<LabSpec> LoadAll(const std::vector<std::string>& files, bool* ok) {
  std::vector<LabSpec> labs;
  for (const auto& f : files) {
    FileLoad r = LoadFile(f);
    if (!r.ok()) {
      std::cerr << r.ErrorText();
      std::cerr << f << ": " << r.errors.size() << (r.errors.size() == 1 ? " error" : " errors") << "\n";
      *ok = false;
    } else {
      for (auto& lab : r.labs) labs.push_back(std::move(lab));
    }
  }
  return labs;
}

bool NoneSpread(const std::vector<LabSpec>& labs, const std::string& command) {
  bool none = true;
  for (const auto& lab : labs) {
    if (!lab.Spread()) continue;
    std::set<std::string> hosts = lab.Hosts();
    std::string list;
    for (const auto& h : hosts) list += (list.empty() ? "" : ", ") + h;
    std::cerr << "labkeeper " << command << ": lab " << lab.name << " is spread over hosts " << list
              << ": each host's controller (labkeeper run --host-id ID --peer ...) makes its share "
                 "(docs/multi-host.md); "
              << command << " works on a lab on one host\n";
    none = false;
  }
  return none;
}

void AddNameFlags(CLI::App* cmd, ArtifactOptions* opts) {
  cmd->add_flag_callback(
      "--no-host-names", [opts] { opts->names = false; },
      "leave the hosts file and the SSH client configs alone: no lab's block of names or clab-LAB.conf is written "
      "or removed");
  cmd->add_option("--hosts-file", opts->hosts_file, "the hosts file a lab's block of names is kept in")
      ->envname("LABKEEPER_HOSTS_FILE")
      ->capture_default_str();
  cmd->add_option("--ssh-config-dir", opts->ssh_config_dir, "where a lab's SSH client config (clab-LAB.conf) goes")
      ->envname("LABKEEPER_SSH_CONFIG_DIR")
      ->capture_default_str();
}

void WriteArtifacts(World& world, const ArtifactOptions& opts, const LabSpec& lab, bool adopt) {
  auto list = LabContainers(*world.runtime, lab.name, AdoptedFile(lab, adopt));
  if (!list) {
    std::cerr << "lab " << lab.name << ": warning: lab directory not written: " << list.error() << "\n";
    return;
  }
  auto out = LabArtifacts(*world.env, opts).Update(lab, *list);
  for (const auto& e : out.errors) std::cerr << "lab " << lab.name << ": warning: " << e << "\n";
}

std::optional<World> Connect() {
  return ConnectAhead().Take();
}

ConnectAhead::ConnectAhead()
    : reached_(std::async(std::launch::async, [] {
        Reached r;
        auto docker = std::make_shared<DockerClient>();
        auto v = docker->Version();
        if (!v) {
          r.error = v.error();
          return r;
        }
        auto env = MakePosixEnv();
        auto runtime = MakeDockerRuntime(docker, *env);
        r.world = World{docker, std::move(env), std::move(runtime), MakeNetlinkLinkManager()};
        return r;
      })) {}

std::optional<World> ConnectAhead::Take() {
  Reached r = reached_.get();
  if (!r.world) std::cerr << "labkeeper: " << r.error << "\n";
  return std::move(r.world);
}

void PrintEvent(const Event& e) {
  std::printf("  %s %s %s: %s\n", e.type.c_str(), e.reason.c_str(), e.object.c_str(), e.message.c_str());
  std::fflush(stdout);
}

void PrintLine(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace lk
