// The CLI's pieces: each command registers its own options on the app and returns what to run
// when it was the one parsed; main only parses and dispatches. Shared by the full build and the
// client-only build.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "controller/api_client.h"

namespace lk {

inline constexpr char kDefaultServer[] = "http://127.0.0.1:9580";
inline constexpr int kDefaultMaxWorkers = 4;  // see README, "Choosing --max-workers"

// A subcommand and what to run when it is the one on the command line; the exit code.
struct CliCommand {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// --server and --token-file, on every command that talks to a controller; one set per app.
struct ClientFlags {
  std::string server, token_file;
  void AddTo(CLI::App* cmd);
  // The flags, else $LABKEEPER_SERVER / $LABKEEPER_TOKEN, else the defaults; nullopt (with
  // the reason printed) when a token file cannot be read.
  std::optional<ApiClientOptions> Options() const;
};

// Each command, in its own file (cmd_NAME.cc). The client-only build has the ones that talk to
// a controller: status, plan (with --server), reconcile, suspend, resume, version.
CliCommand AddStatusCommand(CLI::App& app, ClientFlags& client);
CliCommand AddPlanCommand(CLI::App& app, ClientFlags& client);
std::vector<CliCommand> AddLabActionCommands(CLI::App& app, ClientFlags& client);
CliCommand AddVersionCommand(CLI::App& app);
#ifndef LABKEEPER_CLIENT_ONLY
CliCommand AddApplyCommand(CLI::App& app);
CliCommand AddDestroyCommand(CLI::App& app);
CliCommand AddRunCommand(CLI::App& app);
CliCommand AddValidateCommand(CLI::App& app);
#endif

}  // namespace lk
