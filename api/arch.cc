#include "api/arch.h"

#include <algorithm>

#include "api/strings.h"

namespace lk {

std::string NormalizeArch(const std::string& arch, const std::string& variant) {
  std::string a = Lower(arch), v = Lower(variant);
  if (size_t slash = a.find('/'); slash != std::string::npos) {
    if (v.empty()) v = a.substr(slash + 1);
    a = a.substr(0, slash);
  }
  if (a == "x86_64" || a == "amd64" || a == "x86-64" || a == "x64") return "amd64";
  if (a == "aarch64" || a == "arm64") return "arm64";  // arm64/v8 is arm64
  if (a == "armv7l" || a == "armv7" || a == "armhf") return "arm/v7";
  if (a == "armv6l" || a == "armv6" || a == "armel") return "arm/v6";
  if (a == "arm") return "arm/" + (v.empty() ? std::string("v7") : v);
  if (a == "i386" || a == "i686" || a == "386" || a == "x86") return "386";
  return a;
}

std::string PlatformArch(const std::string& platform) {
  size_t slash = platform.find('/');
  return NormalizeArch(slash == std::string::npos ? platform : platform.substr(slash + 1));
}

bool IsEmulated(const std::string& image, const std::string& engine) {
  if (image.empty() || engine.empty()) return false;
  return NormalizeArch(image) != NormalizeArch(engine);
}

}  // namespace lk
