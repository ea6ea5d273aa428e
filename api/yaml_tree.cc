#include "api/yaml_tree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml.h>

#include <map>

#include <sstream>
#include <unordered_map>

namespace lk::yaml {
namespace {
const std::string kEmpty;
}  // namespace

// Events into values: each value is added when it starts (so an anchor on a collection names it
// while its children are read, as yaml-cpp's NodeBuilder does), its children collected on a stack
// until it ends and then stored together.
class Builder : public YAML::EventHandler {
 public:
  explicit Builder(Doc* doc) : doc_(doc) {}
  bool has_root = false;
  // One of libyaml's events of `text` (below).
  bool Fed(const yaml_event_t& e, const std::string* text, std::map<std::string, YAML::anchor_t>* anchors);

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Place(New(YAML::NodeType::Null, mark, "", false), anchor);
  }
  void OnAlias(const YAML::Mark&, YAML::anchor_t anchor) override {
    Place(anchor < anchors_.size() ? anchors_[anchor] : New(YAML::NodeType::Null, {}, "", false), 0);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    uint32_t i = New(YAML::NodeType::Scalar, mark, tag, false);
    doc_->values_[i].text = static_cast<uint32_t>(doc_->texts_.size());
    doc_->texts_.push_back(value);
    Place(i, anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    Open(New(YAML::NodeType::Sequence, mark, tag, style == YAML::EmitterStyle::Flow), anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    Open(New(YAML::NodeType::Map, mark, tag, style == YAML::EmitterStyle::Flow), anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  uint32_t New(YAML::NodeType::value type, const YAML::Mark& mark, const std::string& tag, bool flow) {
    Doc::Value v;
    v.type = type;
    v.flow = flow;
    v.tag = doc_->TagId(tag);
    v.pos = mark.pos;
    v.line = mark.line;
    v.column = mark.column;
    return doc_->Add(v);
  }
  // `i` as the document's root or the next child of the open collection; `anchor` names it.
  void Place(uint32_t i, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) {
      if (anchors_.size() <= anchor) anchors_.resize(anchor + 1);
      anchors_[anchor] = i;
    }
    if (open_.empty() && !has_root) {
      doc_->root_ = i;
      has_root = true;
    } else if (!open_.empty()) {
      pending_.push_back(i);
    }
  }
  void Open(uint32_t i, YAML::anchor_t anchor) {
    Place(i, anchor);
    open_.push_back({i, pending_.size()});
  }
  void Close() {
    auto [i, from] = open_.back();
    open_.pop_back();
    Doc::Value& v = doc_->values_[i];
    v.first = static_cast<uint32_t>(doc_->children_.size());
    size_t n = pending_.size() - from;
    v.count = static_cast<uint32_t>(v.type == YAML::NodeType::Map ? n / 2 : n);
    doc_->children_.insert(doc_->children_.end(), pending_.begin() + static_cast<long>(from), pending_.end());
    pending_.resize(from);
  }

  Doc* doc_;
  std::vector<size_t> lines_;                      // where each line of libyaml's text starts
  std::vector<std::pair<uint32_t, size_t>> open_;  // collections being read, where their children begin
  std::vector<uint32_t> pending_;                  // children of the open collections
  std::vector<uint32_t> anchors_;                  // anchor id -> value
  YAML::anchor_t anchor_count_ = 0;                // libyaml's anchors numbered so far
};

namespace {

// libyaml's events, as yaml-cpp's parser would give them, into `b`; false (and nothing to keep)
// for anything it does not read the way yaml-cpp does: a syntax error, an alias to no anchor,
// nesting deeper than kFastDepth. Then yaml-cpp reads the text itself, and says what is wrong.
constexpr size_t kFastDepth = 500;

YAML::Mark MarkOf(const yaml_mark_t& m) {
  YAML::Mark out;
  out.pos = static_cast<int>(m.index);
  out.line = static_cast<int>(m.line);
  out.column = static_cast<int>(m.column);
  return out;
}

// Where yaml-cpp puts an empty value (`key:` and nothing): at the next token, the first character
// after `m` that is no blank, line break or comment (or the end of the text); libyaml puts it
// right after the indicator. libyaml counts characters, so the walk starts at the byte of `m`'s
// line and column (`lines`: where each line starts, made on first use).
YAML::Mark NextToken(const std::string& text, const yaml_mark_t& m, std::vector<size_t>* lines) {
  if (lines->empty()) {
    lines->push_back(0);
    for (size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') lines->push_back(i + 1);
  }
  YAML::Mark out = MarkOf(m);
  size_t i = m.line < lines->size() ? (*lines)[m.line] : text.size();
  for (size_t col = 0; col < m.column && i < text.size(); ++col)
    for (++i; i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;) ++i;  // one character
  while (i < text.size()) {
    char c = text[i];
    if (c == '#') {
      for (; i < text.size() && text[i] != '\n'; ++i) out.pos += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
      continue;
    }
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    ++i;
    ++out.pos;
    out.column = c == '\n' ? 0 : out.column + 1;
    out.line += c == '\n';
  }
  if (i == text.size() && !text.empty() && text.back() != '\n')
    out.column = 0;  // yaml-cpp's end of a last line unended
  return out;
}

std::string Str(const yaml_char_t* s) {
  return s ? reinterpret_cast<const char*>(s) : "";
}

}  // namespace

// libyaml's anchors are names; yaml-cpp numbers them in the order they are met (a name given
// again names a new value), which `anchors` keeps.
bool Builder::Fed(const yaml_event_t& e, const std::string* text, std::map<std::string, YAML::anchor_t>* anchors) {
  auto anchor_of = [&](const yaml_char_t* name) -> YAML::anchor_t {
    if (!name) return YAML::NullAnchor;
    YAML::anchor_t id = ++anchor_count_;  // a name given again names a new value
    (*anchors)[Str(name)] = id;
    return id;
  };
  YAML::Mark mark = MarkOf(e.start_mark);
  switch (e.type) {
    case YAML_ALIAS_EVENT: {
      auto it = anchors->find(Str(e.data.alias.anchor));
      if (it == anchors->end()) return false;
      OnAlias(mark, it->second);
      return true;
    }
    case YAML_SCALAR_EVENT: {
      const auto& sc = e.data.scalar;
      std::string value(reinterpret_cast<const char*>(sc.value), sc.length);
      bool plain = sc.style == YAML_PLAIN_SCALAR_STYLE || sc.style == YAML_ANY_SCALAR_STYLE;
      YAML::anchor_t anchor = anchor_of(sc.anchor);
      if (plain && !sc.tag && value.empty() && !sc.anchor)
        OnNull(NextToken(*text, e.start_mark, &lines_), anchor);
      else if (plain && !sc.tag &&
               (value.empty() || value == "~" || value == "null" || value == "Null" || value == "NULL"))
        OnNull(mark, anchor);
      else
        OnScalar(mark, sc.tag ? Str(sc.tag) : plain ? "?" : "!", anchor, value);
      return true;
    }
    case YAML_SEQUENCE_START_EVENT: {
      const auto& sq = e.data.sequence_start;
      OnSequenceStart(mark, sq.tag ? Str(sq.tag) : "?", anchor_of(sq.anchor),
                      sq.style == YAML_FLOW_SEQUENCE_STYLE ? YAML::EmitterStyle::Flow : YAML::EmitterStyle::Block);
      return open_.size() <= kFastDepth;
    }
    case YAML_MAPPING_START_EVENT: {
      const auto& mp = e.data.mapping_start;
      OnMapStart(mark, mp.tag ? Str(mp.tag) : "?", anchor_of(mp.anchor),
                 mp.style == YAML_FLOW_MAPPING_STYLE ? YAML::EmitterStyle::Flow : YAML::EmitterStyle::Block);
      return open_.size() <= kFastDepth;
    }
    case YAML_SEQUENCE_END_EVENT:
      OnSequenceEnd();
      return true;
    case YAML_MAPPING_END_EVENT:
      OnMapEnd();
      return true;
    default:
      return true;
  }
}

// The first document of `text` through libyaml; nullptr where yaml-cpp must read it instead.
std::unique_ptr<Doc> Doc::LoadFast(const std::string& text) {
  auto doc = std::make_unique<Doc>();
  Builder builder(doc.get());
  std::map<std::string, YAML::anchor_t> anchors;
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) return nullptr;
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  bool ok = true, done = false;
  while (ok && !done) {
    yaml_event_t e;
    if (!yaml_parser_parse(&parser, &e)) {
      ok = false;
      break;
    }
    done = e.type == YAML_DOCUMENT_END_EVENT || e.type == YAML_STREAM_END_EVENT;
    ok = builder.Fed(e, &text, &anchors);
    yaml_event_delete(&e);
  }
  yaml_parser_delete(&parser);
  if (!ok) return nullptr;
  if (!builder.has_root) doc->root_ = doc->Add(NoDocument(doc.get()));
  return doc;
}

std::unique_ptr<Doc> Doc::Load(const std::string& text) {
  if (auto fast = LoadFast(text)) return fast;
  auto doc = std::make_unique<Doc>();
  std::istringstream in(text);
  YAML::Parser parser(in);
  Builder builder(doc.get());
  parser.HandleNextDocument(builder);
  if (!builder.has_root) doc->root_ = doc->Add(NoDocument(doc.get()));
  return doc;
}

Node Doc::NewMap(const std::vector<std::pair<std::string, Node>>& pairs) {
  Value m;
  m.type = YAML::NodeType::Map;
  m.tag = TagId("");
  m.count = static_cast<uint32_t>(pairs.size());
  std::vector<uint32_t> kids;
  for (const auto& [key, value] : pairs) {
    Value k;
    k.type = YAML::NodeType::Scalar;
    k.tag = m.tag;
    k.text = static_cast<uint32_t>(texts_.size());
    texts_.push_back(key);
    kids.push_back(Add(k));
    kids.push_back(value.index_);
  }
  m.first = static_cast<uint32_t>(children_.size());
  children_.insert(children_.end(), kids.begin(), kids.end());
  return {this, Add(m)};
}

// No document: YAML::Load's null node, written nowhere.
Doc::Value Doc::NoDocument(Doc* doc) {
  Value v;
  v.tag = doc->TagId("");
  return v;
}

uint32_t Doc::Add(Value v) {
  values_.push_back(v);
  return static_cast<uint32_t>(values_.size() - 1);
}

uint32_t Doc::TagId(const std::string& tag) {
  for (size_t i = 0; i < tags_.size(); ++i)
    if (tags_[i] == tag) return static_cast<uint32_t>(i);
  tags_.push_back(tag);
  return static_cast<uint32_t>(tags_.size() - 1);
}

YAML::NodeType::value Node::Type() const {
  return doc_ ? doc_->values_[index_].type : YAML::NodeType::Undefined;
}

const std::string& Node::Scalar() const {
  if (!IsScalar()) return kEmpty;
  return doc_->texts_[doc_->values_[index_].text];
}

const std::string& Node::Tag() const {
  return doc_ ? doc_->tags_[doc_->values_[index_].tag] : kEmpty;
}

YAML::Mark Node::Mark() const {
  if (!doc_) return YAML::Mark::null_mark();
  const auto& v = doc_->values_[index_];
  YAML::Mark m;
  m.pos = v.pos;
  m.line = v.line;
  m.column = v.column;
  return m;
}

bool Node::Flow() const {
  return doc_ && doc_->values_[index_].flow;
}

size_t Node::size() const {
  if (!IsMap() && !IsSequence()) return 0;
  return doc_->values_[index_].count;
}

Node Node::operator[](size_t i) const {
  if (!IsSequence() || i >= size()) return {};
  return {doc_, doc_->children_[doc_->values_[index_].first + i]};
}

Node Node::operator[](std::string_view key) const {
  if (!IsMap()) return {};
  const auto& v = doc_->values_[index_];
  for (uint32_t p = 0; p < v.count; ++p) {
    Node k{doc_, doc_->children_[v.first + 2 * p]};
    if (k.IsScalar() && k.Scalar() == key) return {doc_, doc_->children_[v.first + 2 * p + 1]};
  }
  return {};
}

YAML::Node Node::Convertible() const {
  switch (Type()) {
    case YAML::NodeType::Scalar:
      return YAML::Node(Scalar());
    case YAML::NodeType::Undefined:
      throw YAML::BadConversion(YAML::Mark::null_mark());
    default:
      return YAML::Node(Type());
  }
}

Node::Iterator Node::begin() const {
  return {doc_, index_, 0};
}

Node::Iterator Node::end() const {
  return {doc_, index_, size()};
}

void Node::Iterator::Load() {
  entry_ = Entry();
  if (!doc_) return;
  const auto& v = doc_->values_[owner_];
  if (at_ >= v.count) return;
  if (v.type == YAML::NodeType::Map) {
    entry_.first = Node(doc_, doc_->children_[v.first + 2 * at_]);
    entry_.second = Node(doc_, doc_->children_[v.first + 2 * at_ + 1]);
  } else if (v.type == YAML::NodeType::Sequence) {
    static_cast<Node&>(entry_) = Node(doc_, doc_->children_[v.first + at_]);
  }
}

namespace {
// `shared`: the yaml-cpp node of each value met, so that a value written once and named again
// by aliases stays one node (YAML::Dump writes it with an anchor, as it would have).
YAML::Node Convert(const Node& n, std::unordered_map<uint32_t, YAML::Node>* shared) {
  if (!n) return YAML::Node(YAML::NodeType::Undefined);
  if (n.IsNull() && n.Mark().line < 0) return YAML::Node();  // no document: YAML::Load's own null
  if (auto it = shared->find(n.Id()); it != shared->end()) return it->second;
  YAML::Node out(n.Type());
  if (n.IsScalar()) out = n.Scalar();
  shared->emplace(n.Id(), out);  // before the children: a value that holds itself
  if (n.IsSequence())
    for (const auto& item : n) out.push_back(Convert(item, shared));
  if (n.IsMap())
    for (auto it = n.begin(); it != n.end(); ++it)
      out.force_insert(Convert(it->first, shared), Convert(it->second, shared));
  if (!n.Tag().empty()) out.SetTag(n.Tag());
  if (n.Flow()) out.SetStyle(YAML::EmitterStyle::Flow);
  return out;
}
}  // namespace

YAML::Node ToYamlCpp(const Node& n) {
  std::unordered_map<uint32_t, YAML::Node> shared;
  return Convert(n, &shared);
}

}  // namespace lk::yaml
