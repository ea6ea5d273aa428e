// Environment-variable expansion in all its forms (${VAR}, ${VAR:=default}, ${VAR:-x}, ...).
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "api/strings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::map<std::string, std::string> env = {{"A", "alpha"}, {"EMPTY", ""}, {"host_link", "ens3"}};
  std::string out = lk::ExpandEnv(std::string_view(reinterpret_cast<const char*>(data), size), &env);
  (void)out;
  return 0;
}
