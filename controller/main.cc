// labkeeper: the one binary. This file only wires the pieces together.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "controller/client_commands.h"
#include "controller/version.h"
#ifndef LABKEEPER_CLIENT_ONLY
#include "api/strings.h"
#include "api/topology_codec.h"
#include "controller/applier.h"
#include "controller/controller.h"
#include "controller/docker_client.h"
#include "controller/http_server.h"
#include "controller/link_manager.h"
#include "controller/runtime.h"
#include "controller/status.h"
#endif

namespace {

using namespace lk;

constexpr char kDefaultServer[] = "http://127.0.0.1:9580";

// --server and --token-file (or $LABKEEPER_SERVER and $LABKEEPER_TOKEN) for the client commands.
std::optional<ApiClientOptions> ClientOptions(const std::string& server, const std::string& token_file) {
  ApiClientOptions o;
  const char* env = std::getenv("LABKEEPER_SERVER");
  o.server = !server.empty() ? server : env && *env ? env : kDefaultServer;
  auto token = ClientToken(token_file);
  if (!token) {
    std::cerr << "labkeeper: " << token.error() << "\n";
    return std::nullopt;
  }
  o.token = *token;
  return o;
}

#ifndef LABKEEPER_CLIENT_ONLY
constexpr int kDefaultMaxWorkers = 4;  // see README, "Choosing --max-workers"

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

// The engine and the kernel, as every command that touches labs needs them.
struct World {
  std::shared_ptr<DockerClient> docker;
  std::unique_ptr<ContainerRuntime> runtime;
  std::unique_ptr<LinkManager> links;
};

// nullopt (with the engine's error printed) when no Docker engine answers.
std::optional<World> Connect() {
  auto docker = std::make_shared<DockerClient>();
  auto v = docker->Version();
  if (!v) {
    std::cerr << "labkeeper: " << v.error() << "\n";
    return std::nullopt;
  }
  auto runtime = MakeDockerRuntime(docker);
  return World{docker, std::move(runtime), MakeNetlinkLinkManager()};
}

void PrintEvent(const Event& e) {
  std::printf("  %s %s %s: %s\n", e.type.c_str(), e.reason.c_str(), e.object.c_str(), e.message.c_str());
  std::fflush(stdout);
}

void PrintLine(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

int Apply(const std::vector<std::string>& files, int max_workers, const std::string& emulation) {
  bool ok = true;
  auto labs = LoadAll(files, &ok);
  if (!ok) return 1;
  auto world = Connect();
  if (!world) return 1;
  auto& runtime = world->runtime;
  auto& links = world->links;
  std::mutex out_mu;
  Applier applier(
      *runtime, *links, {max_workers, "", nullptr, emulation},
      [&](const Event& e) {
        std::lock_guard l(out_mu);
        PrintEvent(e);
      },
      [&](const std::string& s) { PrintLine(s); });
  int rc = 0;
  for (const auto& lab : labs) {
    PrintLine("lab " + lab.name + " (" + lab.file + "): " + std::to_string(lab.nodes.size()) + " nodes, " +
              std::to_string(lab.links.size()) + " links");
    if (lab.suspend) {
      PrintLine("lab " + lab.name + ": suspended (spec.suspend), not changed");
      continue;
    }
    ApplyResult r = applier.Apply(lab);
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.1f s", r.seconds);
    if (r.plan.empty() && r.ok()) {
      PrintLine("lab " + lab.name + ": in sync, no changes (checked in " + secs + ")");
    } else if (r.ok()) {
      PrintLine("lab " + lab.name + ": applied " + std::to_string(r.done()) + " actions in " + secs +
                "; see `labkeeper status " + lab.name + "`");
    } else {
      rc = 1;
      std::string n = std::to_string(r.failures().size() + r.observe_errors.size());
      std::cerr << "lab " << lab.name << ": " << n << " failed, " << r.done() << " actions applied in " << secs
                << ":\n";
      for (const auto& f : r.observe_errors) std::cerr << "  " << f << "\n";
      for (const auto& f : r.failures()) std::cerr << "  " << f << "\n";
    }
  }
  return rc;
}

int Destroy(const std::vector<std::string>& files, const std::vector<std::string>& lab_names, bool all) {
  std::vector<std::pair<std::string, std::string>> targets;  // lab, network
  bool ok = true;
  for (const auto& lab : LoadAll(files, &ok)) targets.emplace_back(lab.name, lab.mgmt.network);
  if (!ok) return 1;
  for (const auto& n : lab_names) targets.emplace_back(n, "");
  auto world = Connect();
  if (!world) return 1;
  auto& runtime = world->runtime;
  if (all) {
    auto st = CollectStatus(*runtime);
    if (!st) {
      std::cerr << "labkeeper: " << st.error() << "\n";
      return 1;
    }
    std::set<std::string> seen;
    for (const auto& n : *st)
      if (seen.insert(n.lab).second) targets.emplace_back(n.lab, "");
  }
  Applier applier(*runtime, *world->links, {kDefaultMaxWorkers, ""}, PrintEvent, PrintLine);
  int rc = 0;
  for (const auto& [lab, network] : targets) {
    DestroyResult d = applier.Destroy(lab, network);
    PrintLine("lab " + lab + ": removed " + std::to_string(d.containers) + " containers" +
              (d.interfaces ? ", " + std::to_string(d.interfaces) + " host interfaces" : "") +
              (d.network_removed ? ", the management network" : ""));
    for (const auto& f : d.failures) std::cerr << "  " << f << "\n";
    if (!d.failures.empty()) rc = 1;
  }
  return rc;
}

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

int ShowStatus(const std::string& lab, const std::string& output, const std::string& state_dir,
               const ApiClientOptions& client) {
  std::string why;
  if (auto rc = StatusViaServer(client, lab, output, &why)) return *rc;
  // A script reading -o json finds where the answer came from in "source"; people get a line.
  if (output != "json") std::cerr << "labkeeper status: " << why << "; observing the engine directly\n";
  auto world = Connect();
  if (!world) return 1;
  auto& runtime = world->runtime;
  auto st = CollectStatus(*runtime, lab);
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

std::string Timestamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The controller as the HTTP API sees it.
class ControllerApi : public ApiBackend {
 public:
  explicit ControllerApi(Controller& c) : c_(c) {}
  std::string Metrics() override { return c_.Metrics(); }
  bool Ready() override { return c_.Synced(); }
  nlohmann::json Labs() override { return c_.LabsJson(); }
  std::optional<nlohmann::json> Lab(const std::string& name) override { return c_.LabJson(name); }
  std::optional<nlohmann::json> Plan(const std::string& name) override { return c_.PlanJson(name); }
  bool Reconcile(const std::string& name) override {
    if (!c_.HasLab(name)) return false;
    c_.ReconcileNow(name);
    return true;
  }
  Suspend SetSuspended(const std::string& name, bool suspended) override {
    switch (c_.SetSuspended(name, suspended)) {
      case Controller::SuspendResult::kNoSuchLab:
        return Suspend::kNoSuchLab;
      case Controller::SuspendResult::kSuspendedByFile:
        return Suspend::kSuspendedByFile;
      case Controller::SuspendResult::kNotSaved:
        return Suspend::kNotSaved;
      case Controller::SuspendResult::kOk:
        break;
    }
    return Suspend::kOk;
  }

 private:
  Controller& c_;
};

int Run(const ControllerOptions& opts, const std::string& listen, const std::string& token_file) {
  // Writes will need a bearer token off loopback; refuse to expose the controller without one.
  std::string token;
  if (!IsLoopbackListen(listen) && token_file.empty()) {
    std::cerr << "labkeeper run: --listen " << listen << " is not a loopback address; give --token-file too\n";
    return 2;
  }
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    if (!std::getline(in, token) || token.empty()) {
      std::cerr << "labkeeper run: --token-file " << token_file << ": cannot read a token from it\n";
      return 2;
    }
  }
  // Signals are taken by sigwait below: block them before any thread starts.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::mutex out_mu;
  auto log = [&](const std::string& line) {
    std::lock_guard l(out_mu);
    std::printf("%s %s\n", Timestamp().c_str(), line.c_str());
    std::fflush(stdout);
  };
  auto world = Connect();
  if (!world) return 1;
  auto& runtime = world->runtime;
  auto& links = world->links;
  RealClock clock;
  Controller controller(world->docker, *runtime, *links, clock, opts, log);
  ControllerApi api(controller);
  HttpServer http(listen, api, ApiOptions{token, IsLoopbackListen(listen)});
  if (Status s = http.Start(); !s) {
    std::cerr << "labkeeper run: " << s.message() << "\n";
    return 1;
  }
  if (Status s = controller.Start(); !s) {
    std::cerr << "labkeeper run: " << s.message() << "\n";
    return 1;
  }
  log("labkeeper " + std::string(kVersion) + " watching " + opts.dir + " (" + std::to_string(opts.workers) +
      " workers, status in " + opts.state_dir + "/status.json, API on http://" + listen +
      "/api/v1/labs, metrics on /metrics" + (token.empty() ? "" : ", writes need the bearer token") + ")");
  int sig = 0;
  sigwait(&set, &sig);
  log(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
      "; finishing in-flight actions, labs stay up");
  controller.Stop();
  http.Stop();
  log("stopped");
  return 0;
}

// `plan`: what apply would do, without doing it. Exit 0 in sync, 1 changes pending, 2 error
// (the kubectl diff convention).
int PlanCmd(const std::vector<std::string>& files, const std::string& output) {
  bool ok = true;
  auto labs = LoadAll(files, &ok);
  if (!ok) return 2;
  auto world = Connect();
  if (!world) return 2;
  auto& runtime = world->runtime;
  auto& links = world->links;
  Applier applier(*runtime, *links, {kDefaultMaxWorkers, ""}, nullptr, nullptr);
  nlohmann::json out = {{"labs", nlohmann::json::array()}};
  bool pending = false, failed = false;
  for (const auto& lab : labs) {
    ApplyResult r = applier.Apply(lab, /*dry_run=*/true);
    out["labs"].push_back(
        {{"name", lab.name}, {"file", lab.file}, {"actions", r.plan.json()}, {"errors", r.observe_errors}});
    pending |= !r.plan.empty();
    failed |= !r.observe_errors.empty();
    if (output == "json") continue;
    if (!r.observe_errors.empty()) {
      std::cerr << "lab " << lab.name << ": cannot observe: " << Join(r.observe_errors, "; ") << "\n";
    } else if (r.plan.empty()) {
      std::cout << "lab " << lab.name << ": in sync, no changes\n";
    } else {
      std::cout << "lab " << lab.name << " (" << lab.file << "): " << r.plan.actions.size() << " actions\n";
      for (const auto& a : r.plan.actions)
        std::cout << "  " << ActionName(a.kind) << " " << a.object << " (" << a.reason << ")\n";
    }
  }
  if (output == "json") std::cout << out.dump(2) << "\n";
  return failed ? 2 : pending ? 1 : 0;
}

int Validate(const std::vector<std::string>& files) {
  bool ok = true;
  auto labs = LoadAll(files, &ok);
  for (const auto& lab : labs)
    std::cout << lab.file << ": valid (lab " << lab.name << ", " << lab.nodes.size() << " nodes, " << lab.links.size()
              << " links)\n";
  return ok ? 0 : 1;
}

#endif  // LABKEEPER_CLIENT_ONLY

int Version() {
  std::cout << "labkeeper " << kVersion << " (git " << kGitHash << ")\n";
#ifdef LABKEEPER_CLIENT_ONLY
  std::cout << "client-only build: status, plan --server, reconcile, suspend and resume talk to a controller's API\n";
  return 0;
#else
  DockerClient docker;
  auto v = docker.Version();
  if (v) {
    std::cout << "docker engine " << v->value("Version", "?") << " at " << docker.host()
              << ", API 1.41 in use (engine max " << v->value("ApiVersion", "?") << ")\n";
  } else {
    std::cout << "docker engine: " << v.error() << "\n";
  }
  return 0;
#endif
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"labkeeper keeps containerlab labs exactly as their files describe, on a real Docker engine."};
  app.require_subcommand(1);
  // --server / --token-file on every command that talks to a controller.
  std::string server, token_file_client;
  auto client_flags = [&](CLI::App* cmd) {
    cmd->add_option("--server", server,
                    std::string("the controller's URL (default $LABKEEPER_SERVER, else ") + kDefaultServer + ")");
    cmd->add_option("--token-file", token_file_client,
                    "file holding the controller's bearer token (default $LABKEEPER_TOKEN); needed for writes");
  };

#ifndef LABKEEPER_CLIENT_ONLY
  std::vector<std::string> files;
  int max_workers = kDefaultMaxWorkers;
  auto* apply = app.add_subcommand(
      "apply", "Create, repair or remove containers and links until the labs match their files, then exit");
  apply->add_option("files", files, "containerlab topology files (*.clab.yml)")->required();
  apply->add_option("--max-workers", max_workers, "containers created in parallel")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  std::string apply_emulation = "warn";
  apply
      ->add_option("--emulation", apply_emulation,
                   "nodes whose image is not the engine's architecture: allow, warn (a Warning event) or deny "
                   "(the node fails, the rest of the lab converges)")
      ->check(CLI::IsMember({"allow", "warn", "deny"}))
      ->capture_default_str();

  std::vector<std::string> destroy_files, destroy_labs;
  bool destroy_all = false;
  auto* destroy =
      app.add_subcommand("destroy", "Remove every container, interface and network labkeeper owns for the labs");
  destroy->add_option("files", destroy_files, "topology files of the labs to remove");
  destroy->add_option("--lab", destroy_labs, "name of a lab to remove (repeatable)");
  destroy->add_flag("--all", destroy_all, "remove every lab labkeeper owns on this engine");

  ControllerOptions run_opts;
  std::string resync = "30s", listen = "127.0.0.1:9580", token_file;
  auto* run =
      app.add_subcommand("run", "The controller: watch a directory of lab files and keep every lab converged, forever");
  run->add_option("--dir", run_opts.dir, "directory of *.clab.yml and *.lab.yml files (searched recursively)")
      ->required();
  run->add_option("--listen", listen, "ADDR:PORT of the HTTP listener (/api/v1, /metrics, /healthz, /readyz)")
      ->capture_default_str();
  run->add_option("--token-file", token_file,
                  "bearer token for the API's writes (and for every API call off loopback); required when --listen "
                  "is not loopback");
  run->add_option("--state-dir", run_opts.state_dir,
                  "where status.json and the API's suspensions (suspended.json) are kept")
      ->capture_default_str();
  run->add_option("--resync", resync, "periodic full reconcile, as a safety net (500ms, 30s, 5m)")
      ->capture_default_str();
  run->add_option("--workers", run_opts.workers, "labs reconciled in parallel")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  run->add_option("--max-workers", run_opts.max_workers, "containers created in parallel within a lab")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  run->add_option("--emulation", run_opts.emulation,
                  "nodes whose image is not the engine's architecture: allow, warn or deny (a Lab resource's "
                  "spec.emulation overrides it for its lab)")
      ->check(CLI::IsMember({"allow", "warn", "deny"}))
      ->capture_default_str();
  run->add_option("--host-id", run_opts.owner,
                  "this controller's id, written as label labkeeper.dev/owner (default: host name)");
#endif

  std::string status_lab, status_output = "table", status_state_dir = "/run/labkeeper";
#ifdef LABKEEPER_CLIENT_ONLY
  const char* status_help =
      "Show labs from a controller's API: node, kind, image, architecture, state, management addresses, conditions";
  const char* plan_help =
      "Ask a controller what a pass over the named labs would do; exit 0 in sync, 1 pending, 2 error";
  const char* plan_args = "lab names";
  const char* app_help = "labkeeper (client-only build): talk to a labkeeper controller through its HTTP API.";
#else
  const char* status_help =
      "Show labs: node, kind, image, architecture, state, management addresses, conditions; from the controller's "
      "API, or observed directly when no controller answers";
  const char* plan_help =
      "Show what apply would do, with a reason per action; exit 0 in sync, 1 changes pending, 2 error. With --server, "
      "ask a running controller about named labs";
  const char* plan_args = "topology or Lab files; with --server, lab names";
  const char* app_help = nullptr;
#endif
  if (app_help) app.description(app_help);
  auto* status = app.add_subcommand("status", status_help);
  status->add_option("lab", status_lab, "only this lab");
#ifndef LABKEEPER_CLIENT_ONLY
  status->add_option("--state-dir", status_state_dir, "where a controller that does not answer left its status")
      ->capture_default_str();
#endif
  status->add_option("-o,--output", status_output, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  client_flags(status);

  std::vector<std::string> plan_files;
  std::string plan_output = "text";
  auto* plan = app.add_subcommand("plan", plan_help);
  plan->add_option("labs", plan_files, plan_args)->required();
  plan->add_option("-o,--output", plan_output, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  client_flags(plan);

  std::vector<std::string> action_labs;
  std::map<std::string, CLI::App*> actions;
  for (auto [name, help] : {std::pair{"reconcile", "Ask the controller for a pass over these labs now"},
                            std::pair{"suspend", "Stop the controller changing these labs (kept across restarts)"},
                            std::pair{"resume", "Let the controller change these labs again"}}) {
    auto* cmd = app.add_subcommand(name, help);
    cmd->add_option("labs", action_labs, "lab names")->required();
    client_flags(cmd);
    actions[name] = cmd;
  }

#ifndef LABKEEPER_CLIENT_ONLY
  std::vector<std::string> validate_files;
  auto* validate = app.add_subcommand("validate", "Check topology files; every error as file:line:column: message");
  validate->add_option("files", validate_files, "topology files")->required();
#endif

  auto* version = app.add_subcommand("version", "Print labkeeper's version and git hash (and the Docker API in use)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // usage errors exit 2; invalid files exit 1
  }
  auto client = ClientOptions(server, token_file_client);
  if (!client) return 2;
  for (const auto& [name, cmd] : actions)
    if (cmd->parsed()) return LabAction(*client, name, action_labs);
  if (version->parsed()) return Version();
#ifdef LABKEEPER_CLIENT_ONLY
  if (status->parsed()) {
    std::string why;
    if (auto rc = StatusViaServer(*client, status_lab, status_output, &why)) return *rc;
    std::cerr << "labkeeper status: " << why << " (this client-only build cannot observe an engine itself)\n";
    return 1;
  }
  if (plan->parsed()) return PlanViaServer(*client, plan_files, plan_output);
  (void)status_state_dir;
  return 0;
#else
  if (apply->parsed()) return Apply(files, max_workers, apply_emulation);
  if (destroy->parsed()) {
    if (destroy_files.empty() && destroy_labs.empty() && !destroy_all) {
      std::cerr << "labkeeper destroy: name topology files, --lab NAME or --all\n";
      return 2;
    }
    return Destroy(destroy_files, destroy_labs, destroy_all);
  }
  if (status->parsed()) return ShowStatus(status_lab, status_output, status_state_dir, *client);
  if (run->parsed()) {
    auto d = ParseDuration(resync);
    if (!d) {
      std::cerr << "labkeeper run: --resync: " << d.error() << "\n";
      return 2;
    }
    run_opts.resync = *d;
    return Run(run_opts, listen, token_file);
  }
  if (validate->parsed()) return Validate(validate_files);
  if (plan->parsed()) {
    if (plan->count("--server")) return PlanViaServer(*client, plan_files, plan_output);
    return PlanCmd(plan_files, plan_output);
  }
  return 0;
#endif
}
