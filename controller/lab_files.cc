#include "controller/lab_files.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/strings.h"

namespace lk {

namespace fs = std::filesystem;

namespace {

// A file's content, at most `limit` bytes of it (one more than the loader's limit, so that an
// oversized file is read only as far as needed to say so).
std::string ReadAll(const fs::path& p, size_t limit) {
  std::ifstream in(p, std::ios::binary);
  if (limit == std::string::npos) {
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string out(limit, '\0');
  in.read(out.data(), static_cast<std::streamsize>(limit));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

}  // namespace

FoundFiles FindLabFiles(const std::string& dir) {
  FoundFiles out;
  std::error_code ec;
  fs::recursive_directory_iterator it(
      dir, fs::directory_options::follow_directory_symlink | fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.rfind('.', 0) == 0) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    std::string path = it->path().string();
    if (!(IsTopologyFileName(path) || IsLabResourceFileName(path))) continue;
    std::error_code sec;
    fs::file_status st = fs::status(it->path(), sec);  // follows symlinks
    if (sec) {
      out.unreadable[path] = "cannot read the file: " + sec.message();  // a dangling or looping symlink
      continue;
    }
    if (!fs::is_regular_file(st)) {
      // Never opened: a FIFO would block the reader, a device could be anything.
      out.unreadable[path] = std::string("not a regular file (") +
                             (fs::is_directory(st) ? "a directory"
                              : fs::is_fifo(st)    ? "a FIFO"
                                                   : "a special file") +
                             "), so not a lab file";
      continue;
    }
    std::ifstream probe(it->path());
    if (!probe) {
      out.unreadable[path] = "cannot read the file: " + std::string(std::strerror(errno));
      continue;
    }
    out.content[path] = ReadAll(it->path(), kMaxFileBytes + 1);
  }
  return out;
}

std::string InputsHash(const std::string& content, const std::vector<std::string>& inputs) {
  std::string s = Hex64(Fnv1a64(content));
  for (const auto& p : inputs) {
    std::error_code ec;
    bool present = fs::is_regular_file(p, ec);
    s += "|" + p + "=" + (present ? Hex64(Fnv1a64(ReadAll(p, kMaxFileBytes + 1))) : std::string("absent"));
  }
  return Hex64(Fnv1a64(s));
}

Loaded LoadChanged(const FoundFiles& files, std::map<std::string, std::vector<std::string>> known_inputs,
                   std::map<std::string, std::string> known_hash) {
  Loaded loaded;
  for (const auto& [path, content] : files.content) {
    bool unreadable = files.unreadable.count(path) > 0;
    std::string hash = InputsHash((unreadable ? "unreadable:" : "") + content, known_inputs[path]);
    if (known_hash.count(path) && known_hash[path] == hash) continue;
    FileLoad load;
    if (unreadable) {
      Diagnostic d;  // member by member: GCC 12 -O2 warns falsely on a braced temporary here
      d.pos.file = path;
      d.pos.line = d.pos.column = 1;
      d.message = content;
      load.errors.push_back(std::move(d));
    } else {
      load = LoadFileText(content, path);
    }
    // Hashed again with the inputs this load found (a template's vars file, env-files).
    loaded[path] = {InputsHash((unreadable ? "unreadable:" : "") + content, load.inputs), std::move(load)};
  }
  return loaded;
}

}  // namespace lk
