#include "controller/cli_engine.h"

#include <cstdio>
#include <iostream>

#include "api/topology_codec.h"

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

std::optional<World> Connect() {
  auto docker = std::make_shared<DockerClient>();
  auto v = docker->Version();
  if (!v) {
    std::cerr << "labkeeper: " << v.error() << "\n";
    return std::nullopt;
  }
  auto env = MakePosixEnv();
  auto runtime = MakeDockerRuntime(docker, *env);
  return World{docker, std::move(env), std::move(runtime), MakeNetlinkLinkManager()};
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
