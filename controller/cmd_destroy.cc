// `labkeeper destroy FILE... | --lab NAME | --all`: removes what labkeeper owns for the labs.
#include <iostream>
#include <set>

#include "controller/applier.h"
#include "controller/cli.h"
#include "controller/cli_engine.h"
#include "controller/status.h"

namespace lk {
namespace {

int Destroy(const std::vector<std::string>& files, const std::vector<std::string>& lab_names, bool all) {
  std::vector<std::pair<std::string, std::string>> targets;  // lab, network
  bool ok = true;
  for (const auto& lab : LoadAll(files, &ok)) targets.emplace_back(lab.name, lab.mgmt.network);
  if (!ok) return 1;
  for (const auto& n : lab_names) targets.emplace_back(n, "");
  auto world = Connect();
  if (!world) return 1;
  if (all) {
    auto st = CollectStatus(*world->runtime);
    if (!st) {
      std::cerr << "labkeeper: " << st.error() << "\n";
      return 1;
    }
    std::set<std::string> seen;
    for (const auto& n : *st)
      if (seen.insert(n.lab).second) targets.emplace_back(n.lab, "");
  }
  Applier applier(*world->runtime, *world->links, *world->env, {kDefaultMaxWorkers, ""}, PrintEvent, PrintLine);
  int rc = 0;
  for (const auto& [lab, network] : targets) {
    DestroyResult d = applier.Destroy(lab, network);
    PrintLine("lab " + lab + ": removed " + std::to_string(d.containers) + " containers" +
              (d.interfaces ? ", " + std::to_string(d.interfaces) + " host interfaces" : "") +
              (d.network_removed ? ", the management network" : ""));
    for (const auto& w : d.warnings) std::cerr << "  warning: " << w << "\n";
    for (const auto& f : d.failures) std::cerr << "  " << f << "\n";
    if (!d.failures.empty()) rc = 1;
  }
  return rc;
}

}  // namespace

CliCommand AddDestroyCommand(CLI::App& app) {
  struct Args {
    std::vector<std::string> files, labs;
    bool all = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd =
      app.add_subcommand("destroy", "Remove every container, interface and network labkeeper owns for the labs");
  cmd->add_option("files", a->files, "topology files of the labs to remove");
  cmd->add_option("--lab", a->labs, "name of a lab to remove (repeatable)");
  cmd->add_flag("--all", a->all, "remove every lab labkeeper owns on this engine");
  return {cmd, [a] {
            if (a->files.empty() && a->labs.empty() && !a->all) {
              std::cerr << "labkeeper destroy: name topology files, --lab NAME or --all\n";
              return 2;
            }
            return Destroy(a->files, a->labs, a->all);
          }};
}

}  // namespace lk
