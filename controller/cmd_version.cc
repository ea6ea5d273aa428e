// `labkeeper version`: the build, and the Docker engine and API version in use.
#include <iostream>

#include "controller/cli.h"
#include "controller/version.h"
#ifndef LABKEEPER_CLIENT_ONLY
#include "controller/docker_client.h"
#endif

namespace lk {

CliCommand AddVersionCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("version", "Print labkeeper's version and git hash (and the Docker API in use)");
  return {cmd, [] {
            std::cout << "labkeeper " << kVersion << " (git " << kGitHash << ")\n";
#ifdef LABKEEPER_CLIENT_ONLY
            std::cout << "client-only build: status, plan --server, reconcile, suspend and resume talk to a "
                         "controller's API\n";
#else
            DockerClient docker;
            auto v = docker.Version();
            if (v)
              std::cout << "docker engine " << v->value("Version", "?") << " at " << docker.host()
                        << ", API 1.41 in use (engine max " << v->value("ApiVersion", "?") << ")\n";
            else
              std::cout << "docker engine: " << v.error() << "\n";
#endif
            return 0;
          }};
}

}  // namespace lk
