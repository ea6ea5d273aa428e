// CPU architectures as Docker and the kernel name them, normalized to the OCI names
// (amd64, arm64, arm/v7, ...), so an image's architecture compares with the engine's.
#pragma once

#include <string>

namespace lk {

// "x86_64", "amd64" -> "amd64"; "aarch64", "arm64", "arm64/v8" -> "arm64"; "armv7l", "armhf",
// "arm", "arm/v7" -> "arm/v7"; "armv6l", "arm/v6" -> "arm/v6"; "i386", "i686", "386" -> "386";
// anything else lower-cased as it is. `variant` (an image's Variant) is folded in.
std::string NormalizeArch(const std::string& arch, const std::string& variant = "");
// The architecture of a platform string: "linux/arm64" -> "arm64", "linux/arm/v7" -> "arm/v7".
std::string PlatformArch(const std::string& platform);
// Whether an image of architecture `image` runs emulated on an engine of `engine` (both
// normalized or not); false when either is unknown.
bool IsEmulated(const std::string& image, const std::string& engine);

}  // namespace lk
