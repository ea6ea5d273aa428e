#include "api/file_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace lk {

Result<std::string> ReadRegularFile(const std::string& path, size_t limit) {
  std::error_code ec;
  if (std::filesystem::file_status st = std::filesystem::status(path, ec); !ec && !std::filesystem::is_regular_file(st))
    return Status::Fail("cannot read " + path + ": not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Fail("cannot read " + path + ": " + std::strerror(errno));
  if (limit == std::string::npos) {
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // In pieces, so the limit costs nothing unless the file is that large (a limit of 16 MiB
  // zero-filled for a 2 KiB lab file was most of an idle controller's CPU).
  std::string out;
  char piece[65536];
  while (out.size() < limit && in) {
    in.read(piece, static_cast<std::streamsize>(std::min(sizeof piece, limit - out.size())));
    out.append(piece, static_cast<size_t>(in.gcount()));
  }
  return out;
}

namespace {
class Disk : public FileReader {
 public:
  bool Exists(const std::string& path) override {
    std::error_code ec;
    return std::filesystem::exists(path, ec);
  }
  Result<std::string> Read(const std::string& path, size_t limit) override { return ReadRegularFile(path, limit); }
};
}  // namespace

FileReader& DiskFiles() {
  static Disk disk;
  return disk;
}

}  // namespace lk
