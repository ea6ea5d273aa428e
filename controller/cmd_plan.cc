// `labkeeper plan`: what apply would do, without doing it; with --server, what a running
// controller's next pass would do. Exit 0 in sync, 1 changes pending, 2 error (kubectl diff's).
#include <iostream>

#include "controller/cli.h"
#include "controller/client_commands.h"
#ifndef LABKEEPER_CLIENT_ONLY
#include "api/strings.h"
#include "controller/applier.h"
#include "controller/cli_engine.h"
#endif

namespace lk {
namespace {

#ifndef LABKEEPER_CLIENT_ONLY
void PrintPlan(const LabSpec& lab, const ApplyResult& r) {
  if (!r.observe_errors.empty()) {
    std::cerr << "lab " << lab.name << ": cannot observe: " << Join(r.observe_errors, "; ") << "\n";
  } else if (r.plan.empty()) {
    std::cout << "lab " << lab.name << ": in sync, no changes\n";
    for (const auto& n : r.plan.adopted) std::cout << "  node " << n << ": made by containerlab, taken over as it is\n";
  } else {
    std::cout << "lab " << lab.name << " (" << lab.file << "): " << r.plan.actions.size() << " actions\n";
    for (const auto& n : r.plan.adopted) std::cout << "  node " << n << ": made by containerlab, taken over as it is\n";
    for (const auto& a : r.plan.actions)
      std::cout << "  " << ActionName(a.kind) << " " << a.object << " (" << a.reason << ")\n";
  }
}

int PlanFiles(const std::vector<std::string>& files, const std::string& output, bool adopt) {
  bool ok = true;
  ConnectAhead engine;  // while the files are read
  auto labs = LoadAll(files, &ok);
  if (!ok || !NoneSpread(labs, "plan")) return 2;
  auto world = engine.Take();
  if (!world) return 2;
  ApplyOptions opts{kDefaultMaxWorkers, ""};
  opts.adopt = adopt;
  Applier applier(*world->runtime, *world->links, *world->env, opts, nullptr, nullptr);
  nlohmann::json out = {{"labs", nlohmann::json::array()}};
  bool pending = false, failed = false;
  for (const auto& lab : labs) {
    ApplyResult r = applier.Apply(lab, /*dry_run=*/true);
    out["labs"].push_back(
        {{"name", lab.name}, {"file", lab.file}, {"actions", r.plan.json()}, {"errors", r.observe_errors}});
    if (!r.plan.adopted.empty()) out["labs"].back()["adopted"] = r.plan.adopted;
    pending |= !r.plan.empty();
    failed |= !r.observe_errors.empty();
    if (output != "json") PrintPlan(lab, r);
  }
  if (output == "json") std::cout << out.dump(2) << "\n";
  return failed ? 2 : pending ? 1 : 0;
}
#endif

}  // namespace

CliCommand AddPlanCommand(CLI::App& app, ClientFlags& client) {
  struct Args {
    std::vector<std::string> labs;
    std::string output = "text";
    bool adopt = false;
  };
  auto a = std::make_shared<Args>();
#ifdef LABKEEPER_CLIENT_ONLY
  const char* help = "Ask a controller what a pass over the named labs would do; exit 0 in sync, 1 pending, 2 error";
  const char* args = "lab names";
#else
  const char* help =
      "Show what apply would do, with a reason per action; exit 0 in sync, 1 changes pending, 2 error. With --server, "
      "ask a running controller about named labs";
  const char* args = "topology or Lab files; with --server, lab names";
#endif
  auto* cmd = app.add_subcommand("plan", help);
  cmd->add_option("labs", a->labs, args)->required();
  cmd->add_option("-o,--output", a->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
#ifndef LABKEEPER_CLIENT_ONLY
  cmd->add_flag("--adopt", a->adopt,
                "as apply --adopt: show a running containerlab lab of the same file taken over (its matching "
                "containers listed as taken over as they are)");
#endif
  client.AddTo(cmd);
  return {cmd, [a, cmd, &client] {
            auto opts = client.Options();
            if (!opts) return 2;
#ifndef LABKEEPER_CLIENT_ONLY
            if (!cmd->count("--server")) return PlanFiles(a->labs, a->output, a->adopt);
#else
            (void)cmd;
#endif
            return PlanViaServer(*opts, a->labs, a->output);
          }};
}

}  // namespace lk
