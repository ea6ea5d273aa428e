#include "api/topology_codec.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>
#include <unordered_map>

#include <arpa/inet.h>

#include "api/codec_internal.h"
#include "api/gotemplate.h"
#include "api/kinds.h"
#include "api/strings.h"

namespace fs = std::filesystem;

namespace lk {

using codec::Parser;

std::optional<std::string> InvalidIfaceName(const std::string& name) {
  if (name.empty()) return "is empty";
  if (name.size() > 15) return "is " + std::to_string(name.size()) + " characters long; Linux allows at most 15";
  if (name == "." || name == "..") return "is not a valid interface name";
  for (char c : name)
    if (c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c)))
      return std::string("contains '") + c + "', which Linux does not allow in interface names";
  return std::nullopt;
}

bool IsTopologyFileName(const std::string& path) {
  auto ends = [&](std::string_view s) {
    return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
  };
  return ends(".clab.yml") || ends(".clab.yaml") || ends(".clab.gotmpl");
}

std::string LoadResult::ErrorText() const {
  std::string out;
  for (const auto& e : errors) out += e.str() + "\n";
  return out;
}

namespace {

void SortErrors(std::vector<Diagnostic>* errors) {
  std::stable_sort(errors->begin(), errors->end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.pos.line, a.pos.column) < std::pair(b.pos.line, b.pos.column);
  });
}

// The lab name a document declares (`name:` of a topology file, `metadata.name` of a Lab), if it
// is a scalar; only the keys on the way are looked up.
std::optional<std::string> DeclaredLabName(const yaml::Node& doc, bool lab_resource) {
  if (!doc.IsMap()) return std::nullopt;
  const yaml::Node holder = lab_resource ? doc["metadata"] : doc;
  if (!holder || !holder.IsMap()) return std::nullopt;
  const yaml::Node name = holder["name"];
  if (!name || !name.IsScalar()) return std::nullopt;
  return name.Scalar();
}

}  // namespace

std::string FileLoad::ErrorText() const {
  std::string out;
  for (const auto& e : errors) out += e.str() + "\n";
  return out;
}

bool IsLabResourceFileName(const std::string& path) {
  auto ends = [&](std::string_view s) {
    return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
  };
  return ends(".lab.yml") || ends(".lab.yaml");
}

namespace {

// Limits of converting a YAML value: aliases share nodes, so a small file can name an
// exponential number of values (a "billion laughs" alias bomb); each is counted as it is copied.
constexpr size_t kMaxYamlValues = 100000;
constexpr int kMaxYamlDepth = 64;

struct YamlLimitError : std::runtime_error {
  YamlLimitError(const YAML::Mark& at, const std::string& what) : std::runtime_error(what), mark(at) {}
  YAML::Mark mark;
};

// Spends one value of *budget on `n` (a yaml-cpp node or a yaml::Node), at `depth`; throws when a
// limit is passed.
template <typename YamlNode>
void SpendYamlValue(const YamlNode& n, size_t* budget, int depth, size_t max_values, int max_depth) {
  if (*budget == 0) {
    std::string msg = "more than ";
    msg += std::to_string(max_values);
    msg += " values (aliases included; the limit)";
    throw YamlLimitError(n.Mark(), msg);
  }
  --*budget;
  if (depth > max_depth) {
    std::string msg = "nested deeper than ";
    msg += std::to_string(max_depth);
    msg += " levels (the limit)";
    throw YamlLimitError(n.Mark(), msg);
  }
}

// Counts the values `n` holds, as a reader that copies them would meet them.
void CountYamlValues(const yaml::Node& n, size_t* budget, int depth, size_t max_values, int max_depth) {
  SpendYamlValue(n, budget, depth, max_values, max_depth);
  if (n.IsMap()) {
    for (auto it = n.begin(); it != n.end(); ++it) {
      CountYamlValues(it->first, budget, depth + 1, max_values, max_depth);
      CountYamlValues(it->second, budget, depth + 1, max_values, max_depth);
    }
  } else if (n.IsSequence()) {
    for (const auto& item : n) CountYamlValues(item, budget, depth + 1, max_values, max_depth);
  }
}

nlohmann::json YamlToJson(const YAML::Node& n, size_t* budget, int depth) {
  SpendYamlValue(n, budget, depth, kMaxYamlValues, kMaxYamlDepth);
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json o = nlohmann::json::object();
      for (auto it = n.begin(); it != n.end(); ++it) o[it->first.Scalar()] = YamlToJson(it->second, budget, depth + 1);
      return o;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& item : n) a.push_back(YamlToJson(item, budget, depth + 1));
      return a;
    }
    case YAML::NodeType::Scalar: {
      const std::string& v = n.Scalar();
      if (n.Tag() == "!") return v;  // quoted: a string
      if (v == "true" || v == "false") return v == "true";
      try {
        size_t used = 0;
        long long i = std::stoll(v, &used);
        if (used == v.size()) return i;
        double d = std::stod(v, &used);
        if (used == v.size()) return d;
      } catch (...) {
      }
      return v;
    }
    default:
      return nullptr;
  }
}

// The documents of a multi-document file, split at its document markers: a line that starts
// with "---" (followed by a blank or the line's end) begins a document, a line that starts with
// "..." ends one. YAML forbids both at the start of a line inside any content (block scalars and
// multi-line flow or quoted scalars included: c-forbidden in YAML 1.2, 6.5.7 of 1.1), so the split
// is exact. Each part is then parsed alone (yaml::Doc::Load reads one document, as YAML::Load
// does, and returns); yaml-cpp 0.7's YAML::LoadAll, which Debian 12 ships, loops forever allocating on some
// inputs (a file holding only ",": its issue 1040) and is not used.
struct DocumentText {
  std::string text;
  int first_line;  // 0-based line of the file where `text` begins
};

std::vector<DocumentText> SplitDocuments(const std::string& text) {
  auto marker = [&](size_t p, const char* m) {
    if (text.compare(p, 3, m) != 0) return false;
    return p + 3 == text.size() || text[p + 3] == ' ' || text[p + 3] == '\t' || text[p + 3] == '\n' ||
           text[p + 3] == '\r';
  };
  std::vector<DocumentText> out;
  size_t start = 0;
  int start_line = 0, line = 0;
  for (size_t p = 0; p < text.size(); ++line) {
    size_t eol = text.find('\n', p);
    size_t next = eol == std::string::npos ? text.size() : eol + 1;
    if (marker(p, "---") && p > start) {  // a new document begins here
      out.push_back({text.substr(start, p - start), start_line});
      start = p;
      start_line = line;
    } else if (marker(p, "...")) {  // the document ends with this line
      out.push_back({text.substr(start, next - start), start_line});
      start = next;
      start_line = line + 1;
    }
    p = next;
  }
  if (start < text.size() || out.empty()) out.push_back({text.substr(start), start_line});
  return out;
}

// Member by member: GCC 12 at -O2 warns falsely (-Wmaybe-uninitialized) on a braced temporary.
void PushError(std::vector<Diagnostic>* errors, const std::string& file, int line, int column, std::string message) {
  Diagnostic d;
  d.pos.file = file;
  d.pos.line = line;
  d.pos.column = column;
  d.message = std::move(message);
  errors->push_back(std::move(d));
}

// containerlab's vars file for a templated topology: <base>.clab_vars.yaml (or .yml, .json)
// beside it, where <base> is the file name without .clab.yml / .clab.yaml / .clab.gotmpl.
std::vector<std::string> VarsFileCandidates(const std::string& path) {
  std::string base = path;
  for (const char* ext : {".clab.gotmpl", ".clab.yml", ".clab.yaml"}) {
    std::string e = ext;
    if (base.size() > e.size() && base.compare(base.size() - e.size(), e.size(), e) == 0) {
      base.resize(base.size() - e.size());
      break;
    }
  }
  std::vector<std::string> out;
  for (const char* ext : {".clab_vars.yaml", ".clab_vars.yml", ".clab_vars.json"}) out.push_back(base + ext);
  return out;
}

// The first candidate that exists, or "".
std::string VarsFileFor(const std::vector<std::string>& candidates, FileReader& files) {
  for (const auto& c : candidates)
    if (files.Exists(c)) return c;
  return "";
}

// Renders a templated file (containerlab's Go templates, with a vars file beside it) into
// `rendered`, with the template line of each rendered line; false, with the error, when it fails.
bool RenderTemplate(const std::string& text, const std::string& abs, FileReader& files, FileLoad* r,
                    std::string* rendered, std::vector<int>* line_map) {
  nlohmann::json vars = nlohmann::json::object();
  // Every candidate is an input: editing the vars file, or adding one, changes the lab.
  std::vector<std::string> candidates = VarsFileCandidates(abs);
  r->inputs.insert(r->inputs.end(), candidates.begin(), candidates.end());
  if (std::string vf = VarsFileFor(candidates, files); !vf.empty()) {
    // One byte beyond the limit is enough to know a file is over it.
    auto content = files.Read(vf, kMaxFileBytes + 1);
    if (!content) {  // never opened when it is no regular file: a FIFO would block the reader
      PushError(&r->errors, vf, 1, 1, "vars file: " + content.error());
      return false;
    }
    if (content->size() > kMaxFileBytes) {
      PushError(&r->errors, vf, 1, 1, "vars file: over the limit of " + std::to_string(kMaxFileBytes >> 20) + " MiB");
      return false;
    }
    try {
      size_t budget = kMaxYamlValues;
      vars = YamlToJson(YAML::Load(*content), &budget, 0);
    } catch (const YAML::Exception& e) {
      r->errors.push_back({{vf, e.mark.line + 1, e.mark.column + 1}, "vars file: " + e.msg});
      return false;
    } catch (const YamlLimitError& e) {
      PushError(&r->errors, vf, e.mark.line + 1, e.mark.column + 1, std::string("vars file: ") + e.what());
      return false;
    }
  }
  auto out = RenderGoTemplate(text, vars);
  if (!out) {
    // "line N: message": point at that line of the file.
    int line = 1;
    std::string msg = out.error();
    if (msg.rfind("line ", 0) == 0) {
      size_t colon = msg.find(": ");
      line = std::atoi(msg.substr(5, colon - 5).c_str());
      msg = msg.substr(colon + 2);
    }
    PushError(&r->errors, abs, line, 1, "template: " + msg);
    return false;
  }
  *rendered = out->text;
  *line_map = out->lines;
  return true;
}

// Errors in a rendered template point at the template line the user wrote.
void PointAtTemplate(const std::vector<int>& line_map, const std::string& abs, std::vector<Diagnostic>* errors) {
  for (auto& e : *errors)
    if (!line_map.empty() && e.pos.file == abs && e.pos.line >= 1 &&
        static_cast<size_t>(e.pos.line) <= line_map.size()) {
      int rendered_line = e.pos.line;
      e.pos.line = line_map[static_cast<size_t>(rendered_line) - 1];
      e.message += " (line " + std::to_string(rendered_line) + " of the rendered template)";
    }
}

// The YAML documents of a file's expanded text, each with the file line its text starts at
// (0-based); false, with the error, when one cannot be read or the file holds too much.
struct Documents {
  std::vector<std::unique_ptr<yaml::Doc>> docs;
  std::vector<int> lines;
};
bool ReadDocuments(const std::string& expanded, const std::string& abs, FileLoad* r, Documents* out) {
  std::vector<DocumentText> texts;
  if (IsLabResourceFileName(abs)) {
    texts = SplitDocuments(expanded);
    if (texts.size() > kMaxDocuments) {
      PushError(&r->errors, abs, texts[kMaxDocuments].first_line + 1, 1,
                "more than " + std::to_string(kMaxDocuments) + " documents in one file (the limit)");
      return false;
    }
  } else {
    texts.push_back({expanded, 0});  // a topology file is one document, as containerlab reads it
  }
  for (const auto& t : texts) {
    try {
      // One document, as YAML::Load reads it; YAML::LoadAll is never called (see SplitDocuments).
      out->docs.push_back(yaml::Doc::Load(t.text));
      out->lines.push_back(t.first_line);
    } catch (const YAML::DeepRecursion& e) {
      PushError(&r->errors, abs, e.mark.line + 1 + t.first_line, e.mark.column + 1,
                "YAML nested deeper than yaml-cpp's limit of 2000 levels");
      return false;
    } catch (const YAML::ParserException& e) {
      PushError(&r->errors, abs, e.mark.line + 1 + t.first_line, e.mark.column + 1, "YAML syntax error: " + e.msg);
      return false;
    }
  }
  // The names come first, read off the top of each document without walking anything below, so
  // a file that fails any later check still names the labs it is about (they become Stalled).
  for (const auto& doc : out->docs)
    if (auto name = DeclaredLabName(doc->Root(), IsLabResourceFileName(abs))) r->names.push_back(std::move(*name));
  // Aliases share nodes, so a small file can name an exponential number of values (a "billion
  // laughs" alias bomb); the reading below copies them, so they are counted, each use of an alias
  // again, before anything is read, and so is the nesting.
  size_t budget = kMaxFileValues;
  for (size_t k = 0; k < out->docs.size(); ++k) {
    try {
      CountYamlValues(out->docs[k]->Root(), &budget, 0, kMaxFileValues, kMaxFileDepth);
    } catch (const YamlLimitError& e) {
      PushError(&r->errors, abs, e.mark.line + 1 + out->lines[k], e.mark.column + 1, e.what());
      return false;
    }
  }
  return true;
}

// Each document parsed and resolved; the labs are given only when the whole file is valid.
void ResolveDocuments(const Documents& d, const std::string& abs, FileReader& files, FileLoad* r) {
  Parser parser(abs, fs::path(abs).parent_path().string());
  parser.files = &files;
  std::vector<LabSpec> labs;
  for (size_t k = 0; k < d.docs.size(); ++k) {
    const yaml::Node doc = d.docs[k]->Root();
    parser.line_offset = d.lines[k];
    parser.DuplicateKeys(doc);
    if (IsLabResourceFileName(abs)) {
      if (doc.IsNull()) continue;  // an empty document between two ---
      if (auto lab = codec::ResolveLabDocument(&parser, d.docs[k].get(), r)) labs.push_back(std::move(*lab));
    } else {
      if (auto lab = codec::ResolveRoot(&parser, doc, &r->errors)) labs.push_back(std::move(*lab));
    }
    for (auto& e : parser.errors) r->errors.push_back(std::move(e));
    parser.errors.clear();
  }
  r->inputs.insert(r->inputs.end(), parser.inputs.begin(), parser.inputs.end());
  bool any_document = std::any_of(d.docs.begin(), d.docs.end(), [](const auto& doc) { return !doc->Root().IsNull(); });
  if (IsLabResourceFileName(abs) && !any_document) PushError(&r->errors, abs, 1, 1, "the file holds no Lab document");
  std::set<std::string> seen;
  for (const auto& lab : labs)
    if (!seen.insert(lab.name).second)
      PushError(&r->errors, abs, 1, 1, "lab " + lab.name + " is defined twice in this file");
  if (r->errors.empty()) r->labs = std::move(labs);
}

}  // namespace

FileLoad LoadFileText(const std::string& text, const std::string& path, const std::map<std::string, std::string>* env,
                      FileReader* other_files) {
  FileReader& files = other_files ? *other_files : DiskFiles();
  FileLoad r;
  std::string abs = fs::absolute(path).lexically_normal().string();
  if (text.size() > kMaxFileBytes) {
    PushError(&r.errors, abs, 1, 1,
              "the file is " + std::to_string(text.size()) + " bytes, over the limit of " +
                  std::to_string(kMaxFileBytes >> 20) + " MiB for a lab file");
    return r;
  }
  std::string rendered = text;
  std::vector<int> line_map;  // rendered line -> template line, for templated files
  if (text.find("{{") != std::string::npos && !RenderTemplate(text, abs, files, &r, &rendered, &line_map)) return r;
  size_t over_at = 0;
  auto expansion = ExpandEnvWithin(rendered, env, kMaxExpandedBytes, &over_at);
  if (!expansion) {
    int line = 1 + static_cast<int>(std::count(rendered.begin(), rendered.begin() + static_cast<long>(over_at), '\n'));
    size_t line_start = rendered.rfind('\n', over_at == 0 ? 0 : over_at - 1);
    line_start = line_start == std::string::npos || over_at == 0 ? 0 : line_start + 1;
    PushError(&r.errors, abs, line, static_cast<int>(over_at - line_start) + 1, expansion.error());
  } else if (Documents docs; ReadDocuments(*expansion, abs, &r, &docs)) {
    ResolveDocuments(docs, abs, files, &r);
  }
  PointAtTemplate(line_map, abs, &r.errors);
  SortErrors(&r.errors);
  if (!r.errors.empty()) r.labs.clear();
  return r;
}

FileLoad LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    FileLoad r;
    PushError(&r.errors, path, 0, 0, "cannot read the file: " + std::string(std::strerror(errno)));
    return r;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return LoadFileText(ss.str(), path);
}

namespace {
LoadResult SingleLab(FileLoad f) {
  LoadResult r;
  r.errors = std::move(f.errors);
  if (r.errors.empty() && f.labs.size() == 1) r.lab = std::move(f.labs[0]);
  return r;
}
}  // namespace

LoadResult LoadTopologyText(const std::string& text, const std::string& path,
                            const std::map<std::string, std::string>* env) {
  return SingleLab(LoadFileText(text, path, env));
}

LoadResult LoadTopologyFile(const std::string& path) {
  return SingleLab(LoadFile(path));
}

}  // namespace lk
