// `labkeeper status [LAB]`: from the controller's API; in the full build, observed from the
// engine directly when no controller answers (with the status file a controller left).
#include <signal.h>

#include <fstream>
#include <iostream>

#include "controller/cli.h"
#include "controller/client_commands.h"
#ifndef LABKEEPER_CLIENT_ONLY
#include "controller/cli_engine.h"
#include "controller/status.h"
#endif

namespace lk {
namespace {

#ifndef LABKEEPER_CLIENT_ONLY
// The controller's status file, when a controller has written one.
std::optional<nlohmann::json> ControllerStatus(const std::string& state_dir) {
  std::ifstream in(state_dir + "/status.json");
  if (!in) return std::nullopt;
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

void PrintControllerStatus(const nlohmann::json& c, const std::string& lab) {
  int pid = c["controller"].value("pid", 0);
  bool alive = pid > 0 && kill(pid, 0) == 0;
  std::cout << "\ncontroller " << (alive ? "running (pid " + std::to_string(pid) + ")" : "not running") << ", watching "
            << c["controller"].value("dir", "?") << "; status as of " << c["controller"].value("updated", "?") << "\n";
  for (const auto& l : c["labs"]) {
    if (!lab.empty() && l["name"] != lab) continue;
    PrintLabStatus({{"name", l["name"]}, {"file", l.value("file", "")}, {"status", l}, {"events", l["events"]}});
  }
  for (const auto& m : c["manifestErrors"])
    std::cout << "invalid file " << m["file"].get<std::string>() << ":\n" << m["errors"].get<std::string>();
}

// What the engine shows, when no controller answers (`why` says what the API call said).
int StatusFromEngine(const std::string& lab, const std::string& output, const std::string& state_dir,
                     const std::string& why) {
  // A script reading -o json finds where the answer came from in "source"; people get a line.
  if (output != "json") std::cerr << "labkeeper status: " << why << "; observing the engine directly\n";
  auto world = Connect();
  if (!world) return 1;
  auto st = CollectStatus(*world->runtime, lab);
  if (!st) {
    std::cerr << "labkeeper: " << st.error() << "\n";
    return 1;
  }
  auto controller = ControllerStatus(state_dir);
  if (output == "json") {
    nlohmann::json j = StatusJson(*st);
    j["source"] = "engine";
    j["why"] = why + "; observed the engine directly";
    if (controller) j["controller"] = *controller;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  if (st->empty())
    std::cout << (lab.empty() ? "no labs are deployed by labkeeper\n" : "lab " + lab + " has no containers\n");
  else
    std::cout << StatusTable(*st);
  if (controller) PrintControllerStatus(*controller, lab);
  return 0;
}
#endif

}  // namespace

CliCommand AddStatusCommand(CLI::App& app, ClientFlags& client) {
  struct Args {
    std::string lab, output = "table", state_dir = "/run/labkeeper";
  };
  auto a = std::make_shared<Args>();
#ifdef LABKEEPER_CLIENT_ONLY
  const char* help =
      "Show labs from a controller's API: node, kind, image, architecture, state, management addresses, conditions";
#else
  const char* help =
      "Show labs: node, kind, image, architecture, state, management addresses, conditions; from the controller's "
      "API, or observed directly when no controller answers";
#endif
  auto* cmd = app.add_subcommand("status", help);
  cmd->add_option("lab", a->lab, "only this lab");
#ifndef LABKEEPER_CLIENT_ONLY
  cmd->add_option("--state-dir", a->state_dir, "where a controller that does not answer left its status")
      ->capture_default_str();
#endif
  cmd->add_option("-o,--output", a->output, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  client.AddTo(cmd);
  return {cmd, [a, &client] {
            auto opts = client.Options();
            if (!opts) return 2;
            std::string why;
            if (auto rc = StatusViaServer(*opts, a->lab, a->output, &why)) return *rc;
#ifdef LABKEEPER_CLIENT_ONLY
            std::cerr << "labkeeper status: " << why << " (this client-only build cannot observe an engine itself)\n";
            return 1;
#else
            return StatusFromEngine(a->lab, a->output, a->state_dir, why);
#endif
          }};
}

}  // namespace lk
