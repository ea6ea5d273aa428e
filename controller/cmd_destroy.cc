// `labkeeper destroy FILE... | --lab NAME | --all`: removes what labkeeper owns for the labs.
#include <filesystem>
#include <iostream>
#include <set>

#include "controller/applier.h"
#include "controller/cli.h"
#include "controller/cli_engine.h"
#include "controller/ownership.h"
#include "controller/status.h"

namespace lk {
namespace {

struct Target {
  std::string lab, network, lab_dir;  // lab_dir "": from the lab's containers
  std::string adopted_file;           // --adopt: containerlab's containers made from this file go too
};

struct DestroyArgs {
  std::vector<std::string> files, labs;
  bool all = false, cleanup = false, adopt = false;
  int max_workers = kDefaultMaxWorkers;
  ArtifactOptions artifacts;
};

int Destroy(const DestroyArgs& a) {
  const auto& [files, lab_names, all, cleanup, adopt, max_workers, artifacts] = a;
  std::vector<Target> targets;
  bool ok = true;
  for (const auto& lab : LoadAll(files, &ok))
    targets.push_back({lab.name, lab.mgmt.network, lab.LabDir(), AdoptedFile(lab, adopt)});
  if (!ok) return 1;
  for (const auto& n : lab_names) targets.push_back({n, "", "", ""});
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
      if (seen.insert(n.lab).second) targets.push_back({n.lab, "", "", ""});
  }
  Applier applier(*world->runtime, *world->links, *world->env, {max_workers, ""}, PrintEvent, PrintLine);
  int rc = 0;
  for (auto& [lab, network, lab_dir, adopted_file] : targets) {
    if (lab_dir.empty())
      if (auto list = world->runtime->List({{kLabLabel, lab}, {kManagedByLabel, kManagedByValue}}); list)
        lab_dir = LabDirOf(lab, *list);
    DestroyResult d = applier.Destroy(lab, network, adopted_file);
    PrintLine("lab " + lab + ": removed " + std::to_string(d.containers) + " containers" +
              (d.interfaces ? ", " + std::to_string(d.interfaces) + " host interfaces" : "") +
              (d.network_removed ? ", the management network" : ""));
    for (const auto& w : d.warnings) std::cerr << "  warning: " << w << "\n";
    for (const auto& f : d.failures) std::cerr << "  " << f << "\n";
    if (!d.failures.empty()) {
      rc = 1;
      continue;  // its names and directory stay while something of it is left
    }
    auto files_out = LabArtifacts(*world->env, artifacts).Remove(lab, lab_dir, cleanup);
    for (const auto& e : files_out.errors) std::cerr << "  warning: " << e << "\n";
    if (cleanup && !files_out.written.empty()) PrintLine("lab " + lab + ": removed its lab directory " + lab_dir);
    if (!cleanup && !lab_dir.empty() && std::filesystem::is_directory(lab_dir))
      PrintLine("lab " + lab + ": its lab directory " + lab_dir + " is kept (--cleanup removes it)");
  }
  return rc;
}

}  // namespace

CliCommand AddDestroyCommand(CLI::App& app) {
  auto a = std::make_shared<DestroyArgs>();
  auto* cmd =
      app.add_subcommand("destroy",
                         "Remove every container, interface, namespace and network labkeeper owns for the labs, and "
                         "their names from the host; the lab directory stays unless --cleanup");
  cmd->add_option("files", a->files, "topology files of the labs to remove");
  cmd->add_option("--lab", a->labs, "name of a lab to remove (repeatable)");
  cmd->add_flag("--all", a->all, "remove every lab labkeeper owns on this engine");
  cmd->add_flag("--cleanup", a->cleanup,
                "remove the lab directory (clab-LAB/ beside the topology file) too; kept by default, as node "
                "directories may hold saved configs");
  cmd->add_flag("--adopt", a->adopt,
                "for topology files: the containers containerlab made from the file for its lab go too (a lab "
                "taken over with apply --adopt); a Lab resource's spec.adopt asks for it");
  cmd->add_option("--max-workers", a->max_workers, "containers removed in parallel")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  AddNameFlags(cmd, &a->artifacts);
  return {cmd, [a] {
            if (a->files.empty() && a->labs.empty() && !a->all) {
              std::cerr << "labkeeper destroy: name topology files, --lab NAME or --all\n";
              return 2;
            }
            return Destroy(*a);
          }};
}

}  // namespace lk
