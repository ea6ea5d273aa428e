// labkeeper: the one binary. This file only wires the pieces together.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "api/strings.h"
#include "api/topology_codec.h"
#include "controller/applier.h"
#include "controller/controller.h"
#include "controller/docker_client.h"
#include "controller/http_server.h"
#include "controller/link_manager.h"
#include "controller/runtime.h"
#include "controller/status.h"
#include "controller/version.h"

namespace {

using namespace lk;

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

int Apply(const std::vector<std::string>& files, int max_workers) {
  bool ok = true;
  auto labs = LoadAll(files, &ok);
  if (!ok) return 1;
  auto world = Connect();
  if (!world) return 1;
  auto& runtime = world->runtime;
  auto& links = world->links;
  std::mutex out_mu;
  Applier applier(
      *runtime, *links, {max_workers, ""},
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
    std::cout << "lab " << l["name"].get<std::string>() << " (" << l.value("file", "") << ")\n  conditions:";
    for (const auto& cond : l["conditions"]) {
      std::cout << " " << cond["type"].get<std::string>() << "=" << cond["status"].get<std::string>();
      if (cond["status"] == "True" && !cond["message"].get<std::string>().empty() && cond["type"] != "Ready")
        std::cout << " (" << cond["reason"].get<std::string>() << ": " << cond["message"].get<std::string>() << ")";
    }
    const auto& last = l["lastReconcile"];
    std::cout << "\n  last reconcile: " << last.value("time", "-") << ", " << last.value("result", "-") << ", "
              << last.value("actions", 0) << " actions; " << l.value("reconciles", 0) << " passes\n";
    const auto& events = l["events"];
    size_t from = events.size() > 5 ? events.size() - 5 : 0;
    for (size_t i = from; i < events.size(); ++i) {
      const auto& e = events[i];
      std::cout << "  " << e["time"].get<std::string>() << " " << e["type"].get<std::string>() << " "
                << e["reason"].get<std::string>() << " " << e["object"].get<std::string>() << ": "
                << e["message"].get<std::string>() << "\n";
    }
  }
  for (const auto& m : c["manifestErrors"])
    std::cout << "invalid file " << m["file"].get<std::string>() << ":\n" << m["errors"].get<std::string>();
}

int ShowStatus(const std::string& lab, const std::string& output, const std::string& state_dir) {
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

int Run(const ControllerOptions& opts, const std::string& listen, const std::string& token_file) {
  // Writes will need a bearer token off loopback; refuse to expose the controller without one.
  if (!IsLoopbackListen(listen) && token_file.empty()) {
    std::cerr << "labkeeper run: --listen " << listen << " is not a loopback address; give --token-file too\n";
    return 2;
  }
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    std::string token;
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
  HttpServer http(listen, {[&] { return controller.Metrics(); }, [&] { return controller.Synced(); }});
  if (Status s = http.Start(); !s) {
    std::cerr << "labkeeper run: " << s.message() << "\n";
    return 1;
  }
  if (Status s = controller.Start(); !s) {
    std::cerr << "labkeeper run: " << s.message() << "\n";
    return 1;
  }
  log("labkeeper " + std::string(kVersion) + " watching " + opts.dir + " (" + std::to_string(opts.workers) +
      " workers, status in " + opts.state_dir + "/status.json, metrics on http://" + listen + "/metrics)");
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
    nlohmann::json actions = nlohmann::json::array();
    for (const auto& a : r.plan.actions)
      actions.push_back({{"action", ActionName(a.kind)}, {"object", a.object}, {"reason", a.reason}});
    out["labs"].push_back({{"name", lab.name}, {"file", lab.file}, {"actions", actions}, {"errors", r.observe_errors}});
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

int Version() {
  std::cout << "labkeeper " << kVersion << " (git " << kGitHash << ")\n";
  DockerClient docker;
  auto v = docker.Version();
  if (v) {
    std::cout << "docker engine " << v->value("Version", "?") << " at " << docker.host()
              << ", API 1.41 in use (engine max " << v->value("ApiVersion", "?") << ")\n";
  } else {
    std::cout << "docker engine: " << v.error() << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"labkeeper keeps containerlab labs exactly as their files describe, on a real Docker engine."};
  app.require_subcommand(1);

  std::vector<std::string> files;
  int max_workers = kDefaultMaxWorkers;
  auto* apply = app.add_subcommand(
      "apply", "Create, repair or remove containers and links until the labs match their files, then exit");
  apply->add_option("files", files, "containerlab topology files (*.clab.yml)")->required();
  apply->add_option("--max-workers", max_workers, "containers created in parallel")
      ->check(CLI::Range(1, 64))
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
  run->add_option("--listen", listen, "ADDR:PORT of the HTTP listener (/metrics, /healthz, /readyz)")
      ->capture_default_str();
  run->add_option("--token-file", token_file, "bearer token for writes; required when --listen is not loopback");
  run->add_option("--state-dir", run_opts.state_dir, "where the status file (status.json) is written")
      ->capture_default_str();
  run->add_option("--resync", resync, "periodic full reconcile, as a safety net (500ms, 30s, 5m)")
      ->capture_default_str();
  run->add_option("--workers", run_opts.workers, "labs reconciled in parallel")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  run->add_option("--max-workers", run_opts.max_workers, "containers created in parallel within a lab")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  run->add_option("--host-id", run_opts.owner,
                  "this controller's id, written as label labkeeper.dev/owner (default: host name)");

  std::string status_lab, status_output = "table", status_state_dir = "/run/labkeeper";
  auto* status = app.add_subcommand(
      "status", "Show labkeeper's labs: node, kind, image, architecture, state, management addresses");
  status->add_option("lab", status_lab, "only this lab");
  status->add_option("--state-dir", status_state_dir, "where a running controller writes its status")
      ->capture_default_str();
  status->add_option("-o,--output", status_output, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();

  std::vector<std::string> plan_files;
  std::string plan_output = "text";
  auto* plan = app.add_subcommand(
      "plan", "Show what apply would do, with a reason per action; exit 0 in sync, 1 changes pending, 2 error");
  plan->add_option("files", plan_files, "topology or Lab files")->required();
  plan->add_option("-o,--output", plan_output, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  std::vector<std::string> validate_files;
  auto* validate = app.add_subcommand("validate", "Check topology files; every error as file:line:column: message");
  validate->add_option("files", validate_files, "topology files")->required();

  auto* version =
      app.add_subcommand("version", "Print labkeeper's version, git hash and the Docker API version in use");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // usage errors exit 2; invalid files exit 1
  }
  if (apply->parsed()) return Apply(files, max_workers);
  if (destroy->parsed()) {
    if (destroy_files.empty() && destroy_labs.empty() && !destroy_all) {
      std::cerr << "labkeeper destroy: name topology files, --lab NAME or --all\n";
      return 2;
    }
    return Destroy(destroy_files, destroy_labs, destroy_all);
  }
  if (status->parsed()) return ShowStatus(status_lab, status_output, status_state_dir);
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
  if (plan->parsed()) return PlanCmd(plan_files, plan_output);
  if (version->parsed()) return Version();
  return 0;
}
