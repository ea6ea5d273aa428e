#include "api/strings.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace lk {

Result<std::vector<std::string>> ShellSplit(std::string_view line) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        cur += c;
    } else if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else if (c == '\\' && i + 1 < line.size() &&
                 (line[i + 1] == '"' || line[i + 1] == '\\' || line[i + 1] == '$')) {
        cur += line[++i];
      } else {
        cur += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      cur += line[++i];
      in_word = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) words.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (quote != 0) return Status::Fail(std::string("unterminated ") + quote + " quote in: " + std::string(line));
  if (in_word) words.push_back(std::move(cur));
  return words;
}

namespace {

bool IsNameStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

std::optional<std::string> Lookup(const std::string& name, std::map<std::string, std::string>* vars) {
  if (auto it = vars->find(name); it != vars->end()) return it->second;
  if (const char* v = std::getenv(name.c_str())) return std::string(v);
  return std::nullopt;
}

}  // namespace

std::string ExpandEnv(std::string_view text, const std::map<std::string, std::string>* overrides) {
  size_t at = 0;
  auto out = ExpandEnvWithin(text, overrides, std::string::npos, &at);
  return out ? std::move(*out) : std::string();
}

namespace {

// The text a "${BODY}" stands for: ${NAME}, ${NAME-word}, ${NAME:-word}, ${NAME=word},
// ${NAME:=word} (which sets NAME for what follows), ${NAME+word}, ${NAME:+word}; anything else is
// kept as written (`verbatim`).
std::string ExpandBraced(std::string_view body, std::string_view verbatim, std::map<std::string, std::string>* vars) {
  size_t k = 0;
  while (k < body.size() && IsNameChar(body[k])) ++k;
  std::string name(body.substr(0, k));
  std::string_view rest = body.substr(k);
  if (name.empty() || !IsNameStart(name[0])) return std::string(verbatim);
  auto v = Lookup(name, vars);
  if (rest.empty()) return v ? *v : std::string(verbatim);
  bool colon = rest[0] == ':';
  if (colon) rest.remove_prefix(1);
  if (rest.empty()) return std::string(verbatim);
  char op = rest[0];
  std::string word(rest.substr(1));
  bool unset_or_empty = !v || (colon && v->empty());
  switch (op) {
    case '-':
      return unset_or_empty ? word : *v;
    case '=':
      if (!unset_or_empty) return *v;
      (*vars)[name] = word;
      return word;
    case '+':
      return unset_or_empty ? "" : word;
    default:
      return std::string(verbatim);
  }
}

}  // namespace

Result<std::string> ExpandEnvWithin(std::string_view text, const std::map<std::string, std::string>* overrides,
                                    size_t max_bytes, size_t* at) {
  // `:=` assignments are visible to later references in the same text, as in a shell.
  std::map<std::string, std::string> vars;
  if (overrides) vars = *overrides;
  std::string out;
  out.reserve(text.size());
  // The first '}' at or after the last place looked from (npos: none is left). The text is read
  // once, however many "${" are never closed: no rescan to its end for each of them.
  size_t next_close = 0;
  size_t last_ref = 0;  // where the last reference expanded starts
  auto too_long = [&] {
    *at = last_ref;
    std::string msg = "expanding ${...} makes the text longer than ";
    msg += std::to_string(max_bytes >> 20);
    msg += " MiB (the limit)";
    return Status::Fail(std::move(msg));
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (out.size() > max_bytes) return too_long();
    char c = text[i];
    if (c != '$' || i + 1 >= text.size()) {
      out += c;
      continue;
    }
    char n = text[i + 1];
    if (n == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (IsNameStart(n)) {
      last_ref = i;
      size_t j = i + 1;
      while (j < text.size() && IsNameChar(text[j])) ++j;
      std::string name(text.substr(i + 1, j - i - 1));
      auto v = Lookup(name, &vars);
      out += v ? *v : std::string(text.substr(i, j - i));
      i = j - 1;
      continue;
    }
    if (n != '{') {
      out += c;
      continue;
    }
    if (next_close != std::string_view::npos && next_close < i + 2) next_close = text.find('}', i + 2);
    size_t close = next_close;
    if (close == std::string_view::npos) {
      out += c;
      continue;
    }
    last_ref = i;
    std::string_view body = text.substr(i + 2, close - i - 2);
    out += ExpandBraced(body, text.substr(i, close - i + 1), &vars);
    i = close;
  }
  if (out.size() > max_bytes) return too_long();
  return out;
}

namespace {
constexpr uint64_t kFnvOffset = 14695981039346656037ull;
uint64_t Fnv1a64From(uint64_t h, std::string_view data) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}
}  // namespace

uint64_t Fnv1a64(std::string_view data) {
  return Fnv1a64From(kFnvOffset, data);
}

uint64_t Fnv1a64(std::initializer_list<std::string_view> parts) {
  uint64_t h = kFnvOffset;
  for (std::string_view p : parts) h = Fnv1a64From(h, p);
  return h;
}

std::string Hex64(uint64_t v) {
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = "0123456789abcdef"[v & 0xf];
  return out;
}

std::string Counted(size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace lk
