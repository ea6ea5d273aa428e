// The CLI commands that talk to a running controller through its API. Shared by the full build
// and the client-only build (no Docker client, no netlink).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "controller/api_client.h"

namespace lk {

// `status [LAB]` from the controller: a table (or -o json) of nodes plus each lab's conditions
// and last events. nullopt when no controller answers (`why` says so); else the exit code.
std::optional<int> StatusViaServer(const ApiClientOptions& opts, const std::string& lab, const std::string& output,
                                   std::string* why);
// A lab's conditions, last pass and latest events, from an API lab document ({name, file,
// status, events}).
void PrintLabStatus(const nlohmann::json& doc);
// `plan --server URL LAB...`: exit 0 in sync, 1 changes pending, 2 error.
int PlanViaServer(const ApiClientOptions& opts, const std::vector<std::string>& labs, const std::string& output);
// `reconcile|suspend|resume LAB...`: exit 0 when every lab took it, 1 otherwise.
int LabAction(const ApiClientOptions& opts, const std::string& action, const std::vector<std::string>& labs);
// `events [LAB...] [-o json]`: the controller's events as they happen, one line (or one JSON
// object) each, until interrupted; exit 1 when no controller answers or the stream ends.
// `labkeeper events`: the stream from `since` of run `boot` (both from an event: every later one;
// boot empty: from now), printed; with `reconnect`, resumed from the last event printed whenever
// it ends (a controller restarted: its StreamGap event says so), until interrupted.
struct EventsFollow {
  std::vector<std::string> labs;
  std::string output = "text";
  uint64_t since = 0;
  std::string boot;
  bool reconnect = false;
};
int FollowEvents(const ApiClientOptions& opts, const EventsFollow& follow);

}  // namespace lk
