// `labkeeper validate FILE...`: every error as file:line:column: message; exit 1 on any.
#include <iostream>

#include "api/strings.h"
#include "controller/cli.h"
#include "controller/cli_engine.h"

namespace lk {

CliCommand AddValidateCommand(CLI::App& app) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("validate", "Check topology files; every error as file:line:column: message");
  cmd->add_option("files", *files, "topology files")->required();
  return {cmd, [files] {
            bool ok = true;
            for (const auto& lab : LoadAll(*files, &ok))
              std::cout << lab.file << ": valid (lab " << lab.name << ", " << Counted(lab.nodes.size(), "node") << ", "
                        << Counted(lab.links.size(), "link") << ")\n";
            return ok ? 0 : 1;
          }};
}

}  // namespace lk
