#include "controller/lab_files.h"

#include "api/strings.h"

namespace lk {

namespace {
// The loader reads a template's vars file and env-files through the host seam too.
class EnvFiles : public FileReader {
 public:
  explicit EnvFiles(Env& env) : env_(env) {}
  bool Exists(const std::string& path) override { return env_.Exists(path); }
  Result<std::string> Read(const std::string& path, size_t limit) override { return env_.ReadFile(path, limit); }

 private:
  Env& env_;
};
}  // namespace

FoundFiles FindLabFiles(Env& env, const std::string& dir) {
  FoundFiles out;
  for (const auto& e : env.Walk(dir)) {
    if (!(IsTopologyFileName(e.path) || IsLabResourceFileName(e.path))) continue;
    if (e.kind == Env::Entry::kBroken) {
      out.unreadable[e.path] = "cannot read the file: " + e.error;  // a dangling or looping symlink
    } else if (e.kind != Env::Entry::kFile) {
      // Never opened: a FIFO would block the reader, a device could be anything.
      out.unreadable[e.path] = std::string("not a regular file (") +
                               (e.kind == Env::Entry::kDirectory ? "a directory"
                                : e.kind == Env::Entry::kFifo    ? "a FIFO"
                                                                 : "a special file") +
                               "), so not a lab file";
    } else if (auto text = env.ReadFile(e.path, kMaxFileBytes + 1); !text) {
      // One more byte than the loader's limit: an oversized file is read only as far as needed.
      out.unreadable[e.path] = "cannot read the file: " + text.error().substr(text.error().rfind(": ") + 2);
    } else {
      out.content[e.path] = std::move(*text);
    }
  }
  return out;
}

std::string InputsHash(Env& env, const std::string& content, const std::vector<std::string>& inputs) {
  std::string s = Hex64(Fnv1a64(content));
  for (const auto& p : inputs) {
    auto text = env.ReadFile(p, kMaxFileBytes + 1);
    s += "|" + p + "=" + (text ? Hex64(Fnv1a64(*text)) : std::string("absent"));
  }
  return Hex64(Fnv1a64(s));
}

Loaded LoadChanged(Env& env, const FoundFiles& files, std::map<std::string, std::vector<std::string>> known_inputs,
                   std::map<std::string, std::string> known_hash) {
  Loaded loaded;
  for (const auto& [path, content] : files.content) {
    bool unreadable = files.unreadable.count(path) > 0;
    std::string hash = InputsHash(env, (unreadable ? "unreadable:" : "") + content, known_inputs[path]);
    if (known_hash.count(path) && known_hash[path] == hash) continue;
    FileLoad load;
    if (unreadable) {
      Diagnostic d;  // member by member: GCC 12 -O2 warns falsely on a braced temporary here
      d.pos.file = path;
      d.pos.line = d.pos.column = 1;
      d.message = content;
      load.errors.push_back(std::move(d));
    } else {
      EnvFiles files(env);
      load = LoadFileText(content, path, nullptr, &files);
    }
    // Hashed again with the inputs this load found (a template's vars file, env-files).
    loaded[path] = {InputsHash(env, (unreadable ? "unreadable:" : "") + content, load.inputs), std::move(load)};
  }
  return loaded;
}

}  // namespace lk
