// labkeeper: the one binary. main only parses the command line and runs the command parsed;
// each command is in its own file (cmd_*.cc, see cli.h).
#include <CLI/CLI.hpp>

#include "controller/cli.h"

int main(int argc, char** argv) {
  using namespace lk;
  CLI::App app{"labkeeper keeps containerlab labs exactly as their files describe, on a real Docker engine."};
#ifdef LABKEEPER_CLIENT_ONLY
  app.description("labkeeper (client-only build): talk to a labkeeper controller through its HTTP API.");
#endif
  app.require_subcommand(1);
  ClientFlags client;
  std::vector<CliCommand> commands;
#ifndef LABKEEPER_CLIENT_ONLY
  commands.push_back(AddApplyCommand(app));
  commands.push_back(AddDestroyCommand(app));
  commands.push_back(AddRunCommand(app));
#endif
  commands.push_back(AddStatusCommand(app, client));
  commands.push_back(AddPlanCommand(app, client));
  for (auto& c : AddLabActionCommands(app, client)) commands.push_back(std::move(c));
#ifndef LABKEEPER_CLIENT_ONLY
  commands.push_back(AddValidateCommand(app));
#endif
  commands.push_back(AddVersionCommand(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // usage errors exit 2; invalid files exit 1
  }
  for (const auto& c : commands)
    if (c.app->parsed()) return c.run();
  return 0;
}
