// What the CLI's commands that touch labs directly share: reading lab files, reaching the
// engine and the kernel, and printing events and progress lines as they come.
#pragma once

#include <CLI/CLI.hpp>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/topology.h"
#include "controller/docker_client.h"
#include "controller/docker_runtime.h"
#include "controller/env.h"
#include "controller/lab_artifacts.h"
#include "controller/link_manager.h"
#include "controller/runtime.h"

namespace lk {

// Every lab of the files; each file's errors printed, and `ok` false, for the invalid ones.
std::vector<LabSpec> LoadAll(const std::vector<std::string>& files, bool* ok);
// False, and why printed for `command`, when a lab is spread over hosts: only the controllers on
// those hosts make it, each its share (docs/multi-host.md).
bool NoneSpread(const std::vector<LabSpec>& labs, const std::string& command);

// The engine, the kernel and the host, as every command that touches labs needs them.
struct World {
  std::shared_ptr<DockerClient> docker;
  std::unique_ptr<Env> env;  // first: the runtime keeps it
  std::unique_ptr<ContainerRuntime> runtime;
  std::unique_ptr<LinkManager> links;
};
// nullopt (with the engine's error printed) when no Docker engine answers.
std::optional<World> Connect();
// Connect() begun on another thread while a command reads its files (the engine's answer and the
// parsing overlap); Take() waits for it and prints the engine's error as Connect() does, so the
// files' errors, printed before, keep their place.
class ConnectAhead {
 public:
  ConnectAhead();
  std::optional<World> Take();

 private:
  struct Reached {
    std::optional<World> world;
    std::string error;
  };
  std::future<Reached> reached_;
};

// --no-host-names, --hosts-file and --ssh-config-dir (apply, run, destroy): where a lab's names go.
void AddNameFlags(CLI::App* cmd, ArtifactOptions* opts);
// The lab directory's files and the lab's names written after a pass; what failed printed as a
// warning (a lab is not failed by them).
void WriteArtifacts(World& world, const ArtifactOptions& opts, const LabSpec& lab, bool adopt = false);

void PrintEvent(const Event& e);
void PrintLine(const std::string& line);

}  // namespace lk
