// `labkeeper apply FILE...`: one pass over each lab until it matches its file, then exit.
#include <cstdio>
#include <iostream>
#include <mutex>

#include "api/strings.h"
#include "controller/applier.h"
#include "controller/cli.h"
#include "controller/cli_engine.h"

namespace lk {
namespace {

// The pass's outcome in one line (and every failure under it); false when something failed.
bool Report(const LabSpec& lab, const ApplyResult& r) {
  for (const auto& n : r.plan.adopted) PrintLine("  node " + n + ": made by containerlab, taken over as it is");
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.1f s", r.seconds);
  if (r.plan.empty() && r.ok()) {
    PrintLine("lab " + lab.name + ": in sync, no changes (checked in " + secs + ")");
  } else if (r.ok()) {
    PrintLine("lab " + lab.name + ": applied " + std::to_string(r.done()) + " actions in " + secs +
              "; see `labkeeper status " + lab.name + "`");
  } else {
    std::string n = std::to_string(r.failures().size() + r.observe_errors.size());
    std::cerr << "lab " << lab.name << ": " << n << " failed, " << r.done() << " actions applied in " << secs << ":\n";
    for (const auto& f : r.observe_errors) std::cerr << "  " << f << "\n";
    for (const auto& f : r.failures()) std::cerr << "  " << f << "\n";
    return false;
  }
  return true;
}

int Apply(const std::vector<std::string>& files, int max_workers, const std::string& emulation, bool adopt,
          const ArtifactOptions& artifacts) {
  bool ok = true;
  ConnectAhead engine;  // while the files are read
  auto labs = LoadAll(files, &ok);
  if (!ok || !NoneSpread(labs, "apply")) return 1;
  auto world = engine.Take();
  if (!world) return 1;
  std::mutex out_mu;
  Applier applier(
      *world->runtime, *world->links, *world->env, {max_workers, "", nullptr, emulation, adopt},
      [&](const Event& e) {
        std::lock_guard l(out_mu);
        PrintEvent(e);
      },
      [&](const std::string& s) { PrintLine(s); });
  int rc = 0;
  for (const auto& lab : labs) {
    PrintLine("lab " + lab.name + " (" + lab.file + "): " + Counted(lab.nodes.size(), "node") + ", " +
              Counted(lab.links.size(), "link"));
    if (lab.suspend) {
      PrintLine("lab " + lab.name + ": suspended (spec.suspend), not changed");
      continue;
    }
    if (!Report(lab, applier.Apply(lab))) rc = 1;
    WriteArtifacts(*world, artifacts, lab, adopt);
  }
  return rc;
}

}  // namespace

CliCommand AddApplyCommand(CLI::App& app) {
  struct Args {
    std::vector<std::string> files;
    int max_workers = kDefaultMaxWorkers;
    std::string emulation = "warn";
    bool adopt = false;
    ArtifactOptions artifacts;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "apply", "Create, repair or remove containers and links until the labs match their files, then exit");
  cmd->add_option("files", a->files, "containerlab topology files (*.clab.yml)")->required();
  cmd->add_option("--max-workers", a->max_workers, "containers created in parallel")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--emulation", a->emulation,
                  "nodes whose image is not the engine's architecture: allow, warn (a Warning event) or deny "
                  "(the node fails, the rest of the lab converges)")
      ->check(CLI::IsMember({"allow", "warn", "deny"}))
      ->capture_default_str();
  cmd->add_flag("--adopt", a->adopt,
                "take over a running containerlab lab of the same file: containers with containerlab's labels "
                "for this lab and file whose image and kind match are kept as they are, its links too; the rest "
                "is replaced, with the reason");
  AddNameFlags(cmd, &a->artifacts);
  return {cmd, [a] { return Apply(a->files, a->max_workers, a->emulation, a->adopt, a->artifacts); }};
}

}  // namespace lk
