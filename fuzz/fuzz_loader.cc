// A lab file as the loader reads it. Built twice: LK_FUZZ_FILE names a *.clab.yml (a topology
// file, and through its "{{" a templated one) or a *.lab.yml (Lab resources, several documents).
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "api/topology_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> env = {{"HOME", "/root"}, {"LAB", "fuzz"}};
  lk::FileLoad r = lk::LoadFileText(text, LK_FUZZ_FILE, &env);
  if (r.ok() != r.errors.empty()) __builtin_trap();
  (void)r.ErrorText();
  return 0;
}
