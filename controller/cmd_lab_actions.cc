// `labkeeper reconcile|suspend|resume LAB...`: asks a running controller through its API;
// `labkeeper events [LAB...]` follows its events.
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
  auto ev = std::make_shared<EventsFollow>();
  auto* cmd = app.add_subcommand(
      "events", "Follow the controller's events as they happen (drift found, repaired, failed; each pass's result)");
  cmd->add_option("labs", ev->labs, "only these labs' events (default: every lab's)");
  cmd->add_option("-o,--output", ev->output, "text (one line each) or json (one JSON object each)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  auto* since = cmd->add_option("--since", ev->since,
                                "replay the events after this sequence number of run --boot (an event's seq; as "
                                "many as the controller keeps, 4096), then follow");
  cmd->add_option("--boot", ev->boot, "the controller's run that --since counts in (an event's boot)")->needs(since);
  since->needs("--boot");
  cmd->add_flag("--reconnect", ev->reconnect,
                "when the stream ends (the controller stopped or restarted), reconnect and resume after the last event "
                "printed, until interrupted");
  client.AddTo(cmd);
  out.push_back({cmd, [ev, &client] {
                   auto opts = client.Options();
                   return opts ? FollowEvents(*opts, *ev) : 2;
                 }});
  return out;
}

}  // namespace lk
