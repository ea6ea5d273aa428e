#include "api/gotemplate.h"

#include <cmath>

#include <algorithm>

#include <cctype>
#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>
#include <vector>

namespace lk {
namespace {

struct TemplateError : std::runtime_error {
  TemplateError(int line, const std::string& msg) : std::runtime_error("line " + std::to_string(line) + ": " + msg) {}
};

struct Piece {
  bool action = false;
  std::string text;  // literal text, or the action's inside without delimiters and trim marks
  int line = 1;
};

// Splits into text and actions, applying {{- and -}} trimming.
std::vector<Piece> Lex(const std::string& s) {
  std::vector<Piece> out;
  size_t pos = 0;
  int line = 1;
  auto count_lines = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) line += s[i] == '\n';
  };
  bool trim_next = false;
  while (pos <= s.size()) {
    size_t open = s.find("{{", pos);
    std::string text = s.substr(pos, open == std::string::npos ? std::string::npos : open - pos);
    int text_line = line;
    count_lines(pos, open == std::string::npos ? s.size() : open);
    if (trim_next) {
      size_t b = text.find_first_not_of(" \t\r\n");
      if (b != std::string::npos)
        for (size_t k = 0; k < b; ++k) text_line += text[k] == '\n';  // where what is left starts
      text = b == std::string::npos ? "" : text.substr(b);
    }
    if (open == std::string::npos) {
      out.push_back({false, text, text_line});
      break;
    }
    size_t close = s.find("}}", open + 2);
    if (close == std::string::npos) throw TemplateError(line, "unclosed action: \"{{\" without \"}}\"");
    std::string inner = s.substr(open + 2, close - open - 2);
    bool trim_left =
        !inner.empty() && inner[0] == '-' && (inner.size() == 1 || std::isspace(static_cast<unsigned char>(inner[1])));
    bool trim_right =
        inner.size() >= 2 && inner.back() == '-' && std::isspace(static_cast<unsigned char>(inner[inner.size() - 2]));
    if (trim_left) {
      inner.erase(0, 1);
      size_t e = text.find_last_not_of(" \t\r\n");
      text = e == std::string::npos ? "" : text.substr(0, e + 1);
    }
    if (trim_right) inner.pop_back();
    out.push_back({false, text, text_line});
    out.push_back({true, inner, line});
    count_lines(open, close + 2);
    trim_next = trim_right;
    pos = close + 2;
  }
  return out;
}

// Words of an action: quoted strings stay whole (with their quotes), parentheses are words.
std::vector<std::string> Words(const std::string& s, int line) {
  std::vector<std::string> w;
  size_t i = 0;
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
    } else if (s[i] == '"' || s[i] == '`') {
      char q = s[i];
      size_t j = i + 1;
      while (j < s.size() && s[j] != q) j += (s[j] == '\\' && q == '"') ? 2 : 1;
      if (j >= s.size()) throw TemplateError(line, "unterminated string in {{" + s + "}}");
      w.push_back(s.substr(i, j - i + 1));
      i = j + 1;
    } else if (s[i] == '(' || s[i] == ')' || s[i] == '|') {
      w.push_back(std::string(1, s[i++]));
    } else {
      size_t j = i;
      while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])) && s[j] != '(' && s[j] != ')') ++j;
      w.push_back(s.substr(i, j - i));
      i = j;
    }
  }
  return w;
}

bool Truthy(const nlohmann::json& v) {
  if (v.is_null()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) return v.get<double>() != 0;
  if (v.is_string() || v.is_array() || v.is_object()) return !v.empty();
  return true;
}

// True when `d` is a whole number that a long long holds exactly (so the cast is defined).
bool IsWhole(double d) {
  // 2^63 is exactly representable; every double in [-2^63, 2^63) converts without overflow.
  return std::isfinite(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == std::trunc(d);
}

std::string Print(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "<no value>";
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (IsWhole(d)) return std::to_string(static_cast<long long>(d));
  }
  return v.dump();
}

double Num(const nlohmann::json& v, int line, const std::string& fn) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    try {
      return std::stod(v.get<std::string>());
    } catch (...) {
    }
  }
  throw TemplateError(line, fn + ": expected a number, got " + v.dump());
}

// `d` as an integer (toward zero), or an error when no long long holds it.
long long Int(double d, int line, const std::string& fn) {
  if (!IsWhole(std::trunc(d)))
    throw TemplateError(
        line,
        fn + ": " + (std::isfinite(d) ? "the number is too large for an integer" : std::string("not a finite number")));
  return static_cast<long long>(d);
}

nlohmann::json NumberValue(double d) {
  if (IsWhole(d)) return static_cast<long long>(d);
  return d;
}

// The rendered text, and for each of its lines the template line it comes from.
struct Output {
  std::string text;
  std::vector<int> lines;
  // `s` came from template line `line`; literal text moves down the template with its newlines,
  // an action's value stays on the action's line.
  void Put(const std::string& s, int line, bool literal) {
    for (char c : s) {
      if (text.empty())
        lines.push_back(line);
      else if (text.back() == '\n')
        lines.back() = line;  // a line belongs to where its first character comes from
      text += c;
      if (c == '\n') {
        if (literal) ++line;
        lines.push_back(line);
      }
    }
  }
};

class Renderer {
 public:
  Renderer(std::vector<Piece> pieces, const nlohmann::json& root) : p_(std::move(pieces)), root_(root) {}

  RenderedTemplate Run() {
    Output out;
    vars_.push_back({{"$", root_}});
    size_t i = Block(0, root_, &out, true);
    if (i < p_.size()) throw TemplateError(p_[i].line, "unexpected {{" + p_[i].text + "}}");
    return {out.text, out.lines};
  }

 private:
  // Renders pieces from i until an {{end}} / {{else}} at this level; returns its index.
  size_t Block(size_t i, const nlohmann::json& dot, Output* out, bool emit) {
    struct Depth {
      size_t& d;
      Depth(size_t& depth, int line) : d(depth) {
        if (++d > kTemplateMaxDepth)
          throw TemplateError(line, "if/range nested deeper than " + std::to_string(kTemplateMaxDepth) + " levels");
      }
      ~Depth() { --d; }
    } depth(depth_, i < p_.size() ? p_[i].line : 0);
    while (i < p_.size()) {
      const Piece& piece = p_[i];
      if (emit && out->text.size() > kTemplateMaxOutput)
        throw TemplateError(
            piece.line, "the rendered text exceeds the limit of " + std::to_string(kTemplateMaxOutput >> 20) + " MiB");
      if (!piece.action) {
        if (emit) out->Put(piece.text, piece.line, true);
        ++i;
        continue;
      }
      std::vector<std::string> w = Words(piece.text, piece.line);
      if (w.empty()) throw TemplateError(piece.line, "empty action {{}}");
      if (w[0].rfind("/*", 0) == 0) {  // comment
        ++i;
        continue;
      }
      if (w[0] == "end" || w[0] == "else") return i;
      if (w[0] == "if") {
        bool cond = emit && Truthy(Eval(std::vector<std::string>(w.begin() + 1, w.end()), dot, piece.line));
        size_t j = Block(i + 1, dot, out, emit && cond);
        if (j < p_.size() && Words(p_[j].text, p_[j].line)[0] == "else") j = Block(j + 1, dot, out, emit && !cond);
        i = Expect(j, "if", piece.line) + 1;
        continue;
      }
      if (w[0] == "range") {
        i = Range(i, w, dot, out, emit);
        continue;
      }
      for (const char* unsupported : {"with", "define", "template", "block", "break", "continue"})
        if (w[0] == unsupported)
          throw TemplateError(piece.line, "\"" + w[0] + "\" is not supported in topology templates by labkeeper");
      if (w.size() >= 3 && w[0][0] == '$' && (w[1] == ":=" || w[1] == "=")) {
        if (emit) Assign(w[0], Eval(std::vector<std::string>(w.begin() + 2, w.end()), dot, piece.line));
      } else if (emit) {
        out->Put(Print(Eval(w, dot, piece.line)), piece.line, false);
      }
      ++i;
    }
    return i;
  }

  size_t Expect(size_t j, const std::string& what, int line) {
    if (j >= p_.size() || Words(p_[j].text, p_[j].line)[0] != "end")
      throw TemplateError(line, "{{" + what + "}} without a matching {{end}}");
    return j;
  }

  size_t Range(size_t i, const std::vector<std::string>& w, const nlohmann::json& dot, Output* out, bool emit) {
    int line = p_[i].line;
    std::string key_var, val_var;
    size_t expr = 1;
    // range $v := X   |   range $i, $v := X   |   range X
    if (w.size() > 3 && w[1][0] == '$' && w[2] == ":=") {
      val_var = w[1];
      expr = 3;
    } else if (w.size() > 4 && w[1].back() == ',' && w[2][0] == '$' && w[3] == ":=") {
      key_var = w[1].substr(0, w[1].size() - 1);
      val_var = w[2];
      expr = 4;
    }
    nlohmann::json items =
        emit ? Eval(std::vector<std::string>(w.begin() + expr, w.end()), dot, line) : nlohmann::json::array();
    if (!items.is_array() && !items.is_object() && !items.is_null())
      throw TemplateError(line, "range over " + items.dump() + ", which is not a list or a map");
    size_t end = Block(i + 1, dot, out, false);  // find the matching end without output
    end = Expect(end, "range", line);
    auto body = [&](const nlohmann::json& key, const nlohmann::json& val) {
      if (++iterations_ > kTemplateMaxIterations)
        throw TemplateError(line, "range: more than " + std::to_string(kTemplateMaxIterations) +
                                      " iterations in all (the limit per template)");
      vars_.push_back({});
      if (!key_var.empty()) vars_.back()[key_var] = key;
      if (!val_var.empty()) vars_.back()[val_var] = val;
      Block(i + 1, val, out, true);
      vars_.pop_back();
    };
    if (emit && items.is_array())
      for (size_t k = 0; k < items.size(); ++k) body(static_cast<long long>(k), items[k]);
    if (emit && items.is_object())
      for (auto& [k, v] : items.items()) body(k, v);
    return end + 1;
  }

  void Assign(const std::string& name, nlohmann::json v) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
      if (it->count(name)) {
        (*it)[name] = std::move(v);
        return;
      }
    vars_.back()[name] = std::move(v);
  }

  nlohmann::json Var(const std::string& name, int line) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
      if (auto f = it->find(name); f != it->end()) return f->second;
    throw TemplateError(line, "undefined variable " + name);
  }

  static nlohmann::json Field(nlohmann::json v, const std::string& path, int line) {
    size_t pos = 0;
    while (pos < path.size()) {
      size_t next = path.find('.', pos);
      std::string key = path.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
      pos = next == std::string::npos ? path.size() : next + 1;
      if (key.empty()) continue;
      if (!v.is_object()) throw TemplateError(line, "cannot take field \"" + key + "\" of " + v.dump());
      v = v.contains(key) ? v[key] : nlohmann::json(nullptr);
    }
    return v;
  }

  nlohmann::json Operand(const std::string& w, const nlohmann::json& dot, int line) {
    if (w == ".") return dot;
    if (w[0] == '.') return Field(dot, w.substr(1), line);
    if (w[0] == '$') {
      size_t d = w.find('.');
      nlohmann::json base = Var(w.substr(0, d), line);
      return d == std::string::npos ? base : Field(base, w.substr(d + 1), line);
    }
    if (w[0] == '"' || w[0] == '`') {
      std::string inner = w.substr(1, w.size() - 2);
      if (w[0] == '"') {
        std::string u;
        for (size_t i = 0; i < inner.size(); ++i) {
          if (inner[i] == '\\' && i + 1 < inner.size()) {
            char c = inner[++i];
            u += c == 'n' ? '\n' : c == 't' ? '\t' : c;
          } else {
            u += inner[i];
          }
        }
        inner = u;
      }
      return inner;
    }
    if (w == "true" || w == "false") return w == "true";
    if (w == "nil") return nullptr;
    if (std::isdigit(static_cast<unsigned char>(w[0])) || (w[0] == '-' && w.size() > 1)) {
      try {
        size_t used = 0;
        double d = std::stod(w, &used);
        if (used == w.size()) return NumberValue(d);
      } catch (...) {
      }
    }
    throw TemplateError(line, "unsupported construct \"" + w + "\"");
  }

  // seq LAST, seq FIRST LAST, seq FIRST STEP LAST, as GNU seq and sprig's seq.
  nlohmann::json Seq(const std::vector<nlohmann::json>& a, int line) {
    const std::string fn = "seq";
    double from = a.size() >= 2 ? Num(a[0], line, fn) : 1, to = Num(a.back(), line, fn);
    double step = a.size() >= 3 ? Num(a[1], line, fn) : (from <= to ? 1 : -1);
    if (a.size() >= 3) to = Num(a[2], line, fn);
    if (!std::isfinite(from) || !std::isfinite(to) || !std::isfinite(step))
      throw TemplateError(line, "seq: arguments must be finite numbers");
    if (step == 0) throw TemplateError(line, "seq: a step of 0 never reaches the end");
    double count = std::floor((to - from) / step) + 1;  // < 1 when the step points away from the end
    if (count > static_cast<double>(kTemplateMaxIterations - iterations_))
      throw TemplateError(line, "seq: " + Print(NumberValue(count)) + " items exceed the limit of " +
                                    std::to_string(kTemplateMaxIterations) + " iterations per template");
    nlohmann::json out = nlohmann::json::array();
    for (long long k = 0; k < static_cast<long long>(count); ++k) out.push_back(NumberValue(from + k * step));
    iterations_ += out.size();
    return out;
  }

  nlohmann::json Call(const std::string& fn, const std::vector<nlohmann::json>& a, int line) {
    auto need = [&](size_t n) {
      if (a.size() < n) throw TemplateError(line, fn + ": needs " + std::to_string(n) + " arguments");
    };
    if (fn == "seq") {
      need(1);
      return Seq(a, line);
    }
    if (fn == "printf") {
      need(1);
      return Printf(Print(a[0]), std::vector<nlohmann::json>(a.begin() + 1, a.end()), line);
    }
    if (fn == "len") {
      need(1);
      return static_cast<long long>(a[0].is_string() ? a[0].get<std::string>().size() : a[0].size());
    }
    if (fn == "not") {
      need(1);
      return !Truthy(a[0]);
    }
    if (fn == "and" || fn == "or") {
      need(1);
      for (const auto& v : a)
        if (Truthy(v) == (fn == "or")) return v;
      return a.back();
    }
    static const std::map<std::string, int> arith = {{"add", 0}, {"sub", 1}, {"mul", 2}, {"div", 3}};
    if (auto it = arith.find(fn); it != arith.end()) {
      need(2);
      double x = Num(a[0], line, fn), y = Num(a[1], line, fn);
      if (it->second == 3 && y == 0) throw TemplateError(line, "div: division by zero");
      double r = it->second == 0 ? x + y : it->second == 1 ? x - y : it->second == 2 ? x * y : x / y;
      return it->second == 3 ? nlohmann::json(Int(r, line, fn)) : NumberValue(r);
    }
    static const std::vector<std::string> cmp = {"eq", "ne", "lt", "le", "gt", "ge"};
    for (size_t k = 0; k < cmp.size(); ++k) {
      if (fn != cmp[k]) continue;
      need(2);
      bool numeric = a[0].is_number() && a[1].is_number();
      auto x = numeric ? nlohmann::json(a[0].get<double>()) : a[0];
      auto y = numeric ? nlohmann::json(a[1].get<double>()) : a[1];
      return k == 0 ? x == y : k == 1 ? x != y : k == 2 ? x < y : k == 3 ? x <= y : k == 4 ? x > y : x >= y;
    }
    throw TemplateError(line, "function \"" + fn + "\" is not supported in topology templates by labkeeper");
  }

  static nlohmann::json Printf(const std::string& fmt, const std::vector<nlohmann::json>& args, int line) {
    std::string out;
    size_t n = 0;
    for (size_t i = 0; i < fmt.size(); ++i) {
      if (fmt[i] != '%') {
        out += fmt[i];
        continue;
      }
      size_t j = i + 1;
      while (j < fmt.size() && (std::isdigit(static_cast<unsigned char>(fmt[j])) || fmt[j] == '-' || fmt[j] == '.'))
        ++j;
      if (j >= fmt.size()) throw TemplateError(line, "printf: incomplete verb in \"" + fmt + "\"");
      char verb = fmt[j];
      std::string flags = fmt.substr(i + 1, j - i - 1);
      i = j;
      if (verb == '%') {
        out += '%';
        continue;
      }
      if (n >= args.size()) throw TemplateError(line, "printf: missing argument for %" + std::string(1, verb));
      const auto& v = args[n++];
      char buf[256];
      std::string f = "%" + flags;
      if (verb == 'd') {
        std::snprintf(buf, sizeof buf, (f + "lld").c_str(), Int(Num(v, line, "printf"), line, "printf"));
      } else if (verb == 'x' || verb == 'X' || verb == 'o') {
        std::snprintf(buf, sizeof buf, (f + "ll" + verb).c_str(), Int(Num(v, line, "printf"), line, "printf"));
      } else if (verb == 'f' || verb == 'g' || verb == 'e') {
        std::snprintf(buf, sizeof buf, (f + verb).c_str(), Num(v, line, "printf"));
      } else if (verb == 's' || verb == 'v') {
        std::snprintf(buf, sizeof buf, (f + "s").c_str(), Print(v).c_str());
      } else {
        throw TemplateError(line, "printf: verb %" + std::string(1, verb) + " is not supported");
      }
      out += buf;
    }
    return out;
  }

  // A pipeline without "|": an operand, or a function with arguments, (parenthesised) allowed.
  nlohmann::json Eval(const std::vector<std::string>& w, const nlohmann::json& dot, int line) {
    size_t i = 0;
    nlohmann::json v = Command(w, &i, dot, line);
    if (i < w.size()) {
      if (w[i] == "|")
        throw TemplateError(line, "pipelines with \"|\" are not supported in topology templates by labkeeper");
      throw TemplateError(line, "unexpected \"" + w[i] + "\"");
    }
    return v;
  }

  nlohmann::json Command(const std::vector<std::string>& w, size_t* i, const nlohmann::json& dot, int line) {
    if (*i >= w.size()) throw TemplateError(line, "missing value");
    const std::string& head = w[*i];
    if (std::isalpha(static_cast<unsigned char>(head[0])) && head != "true" && head != "false" && head != "nil") {
      ++*i;
      std::vector<nlohmann::json> args;
      while (*i < w.size() && w[*i] != ")" && w[*i] != "|") args.push_back(Arg(w, i, dot, line));
      return Call(head, args, line);
    }
    return Arg(w, i, dot, line);
  }

  nlohmann::json Arg(const std::vector<std::string>& w, size_t* i, const nlohmann::json& dot, int line) {
    if (w[*i] == "(") {
      ++*i;
      nlohmann::json v = Command(w, i, dot, line);
      if (*i >= w.size() || w[*i] != ")") throw TemplateError(line, "missing \")\"");
      ++*i;
      return v;
    }
    return Operand(w[(*i)++], dot, line);
  }

  std::vector<Piece> p_;
  const nlohmann::json& root_;
  std::vector<std::map<std::string, nlohmann::json>> vars_;
  size_t iterations_ = 0;  // range bodies run and seq items made, against kTemplateMaxIterations
  size_t depth_ = 0;       // Block nesting, against kTemplateMaxDepth
};

}  // namespace

Result<RenderedTemplate> RenderGoTemplate(const std::string& text, const nlohmann::json& vars) {
  try {
    return Renderer(Lex(text), vars).Run();
  } catch (const std::exception& e) {
    return Status::Fail(e.what());
  }
}

}  // namespace lk
