#include "controller/cli.h"

#include <cstdlib>
#include <iostream>

namespace lk {

void ClientFlags::AddTo(CLI::App* cmd) {
  cmd->add_option("--server", server,
                  std::string("the controller's URL (default $LABKEEPER_SERVER, else ") + kDefaultServer + ")");
  cmd->add_option("--token-file", token_file,
                  "file holding the controller's bearer token (default $LABKEEPER_TOKEN); needed for writes");
}

std::optional<ApiClientOptions> ClientFlags::Options() const {
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

}  // namespace lk
