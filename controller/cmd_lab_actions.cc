// `labkeeper reconcile|suspend|resume LAB...`: asks a running controller through its API.
#include "controller/cli.h"
#include "controller/client_commands.h"

namespace lk {

std::vector<CliCommand> AddLabActionCommands(CLI::App& app, ClientFlags& client) {
  std::vector<CliCommand> out;
  for (auto [name, help] : {std::pair{"reconcile", "Ask the controller for a pass over these labs now"},
                            std::pair{"suspend", "Stop the controller changing these labs (kept across restarts)"},
                            std::pair{"resume", "Let the controller change these labs again"}}) {
    auto labs = std::make_shared<std::vector<std::string>>();
    auto* cmd = app.add_subcommand(name, help);
    cmd->add_option("labs", *labs, "lab names")->required();
    client.AddTo(cmd);
    out.push_back({cmd, [labs, &client, action = std::string(name)] {
                     auto opts = client.Options();
                     return opts ? LabAction(*opts, action, *labs) : 2;
                   }});
  }
  return out;
}

}  // namespace lk
