#include "api/file_reader.h"

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
  std::string out(limit, '\0');
  in.read(out.data(), static_cast<std::streamsize>(limit));
  out.resize(static_cast<size_t>(in.gcount()));
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
