// The engine's own floor for bench/deploy_floor.sh: what creating, starting and removing N
// containers costs through the Docker API with nothing of labkeeper's around it (no lab, no links,
// no observation), PAR at a time, over the same client labkeeper uses.
//   engine_floor up   NAME IMAGE N PAR   a bridge network NAME, then containers NAME-1..N on it
//   engine_floor down NAME N PAR         the containers force-removed, then the network
// Everything it makes carries the label lkbench=NAME. Exit 1 with the engine's error on a failure.
#include <iostream>
#include <mutex>
#include <string>

#include "controller/applier.h"
#include "controller/docker_client.h"

namespace {

int Fail(const std::string& what) {
  std::cerr << "engine_floor: " << what << "\n";
  return 1;
}

int Up(lk::DockerClient& docker, const std::string& name, const std::string& image, int n, int par) {
  nlohmann::json net = {{"Name", name}, {"Driver", "bridge"}, {"Labels", {{"lkbench", name}}}};
  if (auto id = docker.CreateNetwork(net); !id) return Fail("network " + name + ": " + id.error());
  std::mutex mu;
  std::string error;
  lk::ParallelFor(static_cast<size_t>(n), par, [&](size_t i) {
    std::string c = name + "-" + std::to_string(i + 1);
    nlohmann::json body = {{"Image", image},
                           {"Hostname", "n" + std::to_string(i + 1)},
                           {"Labels", {{"lkbench", name}}},
                           {"HostConfig", {{"NetworkMode", name}}}};
    auto id = docker.CreateContainer(c, body);
    lk::Status s = id ? docker.StartContainer(*id) : lk::Status::Fail(id.error());
    std::lock_guard lock(mu);
    if (!s && error.empty()) error = c + ": " + s.message();
  });
  return error.empty() ? 0 : Fail(error);
}

int Down(lk::DockerClient& docker, const std::string& name, int n, int par) {
  std::mutex mu;
  std::string error;
  lk::ParallelFor(static_cast<size_t>(n), par, [&](size_t i) {
    std::string c = name + "-" + std::to_string(i + 1);
    lk::Status s = docker.RemoveContainer(c, true);
    std::lock_guard lock(mu);
    if (!s && error.empty()) error = c + ": " + s.message();
  });
  if (auto removed = docker.RemoveNetwork(name); !removed || !*removed)
    return Fail("network " + name + ": " + (removed ? "the engine would not remove it" : removed.error()));
  return error.empty() ? 0 : Fail(error);
}

}  // namespace

int main(int argc, char** argv) {
  std::string verb = argc > 1 ? argv[1] : "";
  try {
    lk::DockerClient docker;
    if (verb == "up" && argc == 6) return Up(docker, argv[2], argv[3], std::stoi(argv[4]), std::stoi(argv[5]));
    if (verb == "down" && argc == 5) return Down(docker, argv[2], std::stoi(argv[3]), std::stoi(argv[4]));
  } catch (const std::exception& e) {  // a count that is not a number
    return Fail(e.what());
  }
  std::cerr << "usage: engine_floor up NAME IMAGE N PAR | engine_floor down NAME N PAR\n";
  return 2;
}
