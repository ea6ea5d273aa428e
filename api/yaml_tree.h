// A YAML document as the topology codec reads it: one flat array of values built from parser
// events, instead of YAML::Load's tree of reference-counted nodes (building and freeing that tree
// was more than half of reading a large lab, #18). The events are libyaml's (five times faster
// than yaml-cpp's scanner); where libyaml refuses a text, yaml-cpp's own event parser reads it, so
// what is refused is refused with yaml-cpp's error, as YAML::Load would throw it. Not an
// interface of labkeeper: the codec's files use it.
//
// A Node is a handle (the document and an index): copying it costs nothing, and it answers what
// the codec asks of yaml-cpp's Node with yaml-cpp's meaning: a null scalar ("~", "null", an
// empty value) is IsNull with Scalar() "", a mapping keeps a key written twice (lookups find the
// first), an alias is the very value its anchor names (same mark), an undefined handle is false.
// Marks: lines and columns as yaml-cpp gives them (an empty value at the next token); a column
// counts characters, and `pos` is libyaml's character offset.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lk::yaml {

class Doc;

class Node {
 public:
  Node() = default;  // undefined: no such value

  explicit operator bool() const { return doc_ != nullptr; }
  YAML::NodeType::value Type() const;
  bool IsNull() const { return Type() == YAML::NodeType::Null; }
  bool IsScalar() const { return Type() == YAML::NodeType::Scalar; }
  bool IsSequence() const { return Type() == YAML::NodeType::Sequence; }
  bool IsMap() const { return Type() == YAML::NodeType::Map; }
  // The scalar's text; "" for anything else.
  const std::string& Scalar() const;
  // The tag as yaml-cpp reports it: "?" for a plain value, "!" for a quoted scalar, else as written.
  const std::string& Tag() const;
  YAML::Mark Mark() const;  // where the value starts (null_mark for a value no file holds)
  // Items of a sequence, pairs of a mapping; 0 for anything else.
  size_t size() const;
  // The i-th item of a sequence; undefined past its end or for anything else.
  Node operator[](size_t i) const;
  Node operator[](int i) const { return i < 0 ? Node() : (*this)[static_cast<size_t>(i)]; }
  // The value of the first scalar key equal to `key` of a mapping; undefined when there is none.
  Node operator[](std::string_view key) const;
  Node operator[](const char* key) const { return (*this)[std::string_view(key)]; }
  Node operator[](const std::string& key) const { return (*this)[std::string_view(key)]; }
  bool is(const Node& other) const { return doc_ == other.doc_ && index_ == other.index_; }
  // Which value of its document this is (an alias is its anchor's value); whether it was written
  // in flow style ({...}, [...]).
  uint32_t Id() const { return index_; }
  bool Flow() const;

  // The value converted as yaml-cpp converts it (YAML::Node::as): YAML::BadConversion when it
  // does not convert.
  template <typename T>
  T as() const {
    return Convertible().as<T>();
  }

  // An item of a sequence, or a pair of a mapping (first: key, second: value), as yaml-cpp's
  // iterators give them.
  struct Entry;
  class Iterator;
  Iterator begin() const;
  Iterator end() const;

 private:
  friend class Doc;
  friend class Builder;
  Node(const Doc* doc, uint32_t index) : doc_(doc), index_(index) {}
  YAML::Node Convertible() const;  // a yaml-cpp scalar, null or collection of this one's type

  const Doc* doc_ = nullptr;
  uint32_t index_ = 0;
};

struct Node::Entry : Node {
  Node first, second;
};

class Node::Iterator {
 public:
  const Entry& operator*() const { return entry_; }
  const Entry* operator->() const { return &entry_; }
  Iterator& operator++() {
    ++at_;
    Load();
    return *this;
  }
  bool operator==(const Iterator& o) const { return at_ == o.at_; }
  bool operator!=(const Iterator& o) const { return at_ != o.at_; }

 private:
  friend class Node;
  Iterator(const Doc* doc, uint32_t owner, size_t at) : doc_(doc), owner_(owner), at_(at) { Load(); }
  void Load();

  const Doc* doc_ = nullptr;
  uint32_t owner_ = 0;
  size_t at_ = 0;
  Entry entry_;
};

class Doc {
 public:
  // The first document of `text`, as YAML::Load reads it (a null value for no document); throws
  // what YAML::Load throws (YAML::ParserException, YAML::DeepRecursion) for text that is no YAML.
  static std::unique_ptr<Doc> Load(const std::string& text);

  Node Root() const { return {this, root_}; }
  // A new mapping of `pairs` (new scalar keys, values of this document), written nowhere: a Lab
  // resource's spec read as a containerlab file.
  Node NewMap(const std::vector<std::pair<std::string, Node>>& pairs);

 private:
  friend class Node;
  friend class Builder;
  struct Value {
    YAML::NodeType::value type = YAML::NodeType::Null;
    bool flow = false;              // written in flow style ({...}, [...])
    uint32_t tag = 0;               // in tags_
    uint32_t text = 0;              // a scalar's text, in texts_
    uint32_t first = 0, count = 0;  // a collection's children in children_ (a mapping's: key, value, ...)
    int pos = -1, line = -1, column = -1;
  };
  static std::unique_ptr<Doc> LoadFast(const std::string& text);
  static Value NoDocument(Doc* doc);
  uint32_t Add(Value v);
  uint32_t TagId(const std::string& tag);

  std::vector<Value> values_;
  std::vector<uint32_t> children_;
  std::deque<std::string> texts_;  // a deque: NewMap adds keys while Scalar() references are held
  std::vector<std::string> tags_;
  uint32_t root_ = 0;
};

// The value as a yaml-cpp node (styles, tags and shared values kept), for YAML::Dump.
YAML::Node ToYamlCpp(const Node& n);

}  // namespace lk::yaml
