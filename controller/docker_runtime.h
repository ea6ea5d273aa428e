// The container runtime on a Docker engine (API 1.41), through DockerClient.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "controller/docker_client.h"
#include "controller/env.h"
#include "controller/runtime.h"

namespace lk {

// Also removes the privilege-probe containers of labkeeper processes killed mid-probe. Its time
// (pull progress lines, retries) is `env`'s, which must outlive it.
std::unique_ptr<ContainerRuntime> MakeDockerRuntime(std::shared_ptr<DockerClient> client, Env& env);

// Capabilities the engine's process may hold (its bounding set), as Docker's CAP_ names.
// Read from the engine's pid when local, else this process's; empty when unknown.
std::vector<std::string> GrantableCapabilities();
// Capability names Docker knows that are not in `grantable`.
std::vector<std::string> MissingCapabilities(const std::vector<std::string>& grantable);

}  // namespace lk
