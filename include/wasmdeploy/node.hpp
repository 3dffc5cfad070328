// A small ordered document tree: plugin configuration values and rendered manifests.
//
// Mappings keep insertion order, which is how renderers put keys in Kubernetes order
// (apiVersion, kind, metadata, spec). Emitters turn a node into YAML or JSON bytes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wasmdeploy {

class node {
 public:
  enum class type : std::uint8_t { null, boolean, integer, real, string, sequence, mapping };
  struct member;

  node() = default;
  node(std::nullptr_t) {}
  node(bool b) : type_(type::boolean), int_(b ? 1 : 0) {}
  node(int v) : type_(type::integer), int_(v) {}
  node(long v) : type_(type::integer), int_(v) {}
  node(long long v) : type_(type::integer), int_(static_cast<std::int64_t>(v)) {}
  node(unsigned v) : type_(type::integer), int_(v) {}
  node(double v) : type_(type::real), real_(v) {}
  node(std::string s) : type_(type::string), str_(std::move(s)) {}
  node(std::string_view s) : type_(type::string), str_(s) {}
  node(const char* s) : type_(type::string), str_(s) {}

  static node sequence() { node n; n.type_ = type::sequence; return n; }
  static node mapping() { node n; n.type_ = type::mapping; return n; }

  type kind() const noexcept { return type_; }
  bool is_null() const noexcept { return type_ == type::null; }
  bool is_string() const noexcept { return type_ == type::string; }
  bool is_mapping() const noexcept { return type_ == type::mapping; }
  bool is_sequence() const noexcept { return type_ == type::sequence; }

  bool as_bool() const noexcept { return int_ != 0; }
  std::int64_t as_int() const noexcept { return int_; }
  double as_real() const noexcept { return real_; }
  const std::string& as_string() const noexcept { return str_; }

  /// Sequence items.
  const std::vector<node>& items() const noexcept { return items_; }
  std::vector<node>& items() noexcept { return items_; }
  /// Mapping members, in insertion order.
  const std::vector<member>& members() const noexcept { return members_; }
  std::vector<member>& members() noexcept { return members_; }

  /// Appends to a sequence (turning a null node into one). Returns the new item.
  node& push(node v);
  /// Appends a key to a mapping (turning a null node into one). Keys are not de-duplicated:
  /// renderers add each key once. Returns the new value.
  node& add(std::string key, node v);
  /// Mapping lookup; nullptr when absent or not a mapping.
  const node* find(std::string_view key) const noexcept;
  node* find(std::string_view key) noexcept;
  /// Mapping lookup that inserts a null value when absent.
  node& operator[](std::string_view key);

  size_t size() const noexcept {
    return type_ == type::mapping ? members_.size() : type_ == type::sequence ? items_.size() : 0;
  }
  bool empty() const noexcept { return size() == 0; }

  friend bool operator==(const node& a, const node& b);
  friend bool operator!=(const node& a, const node& b) { return !(a == b); }

 private:
  type type_ = type::null;
  std::int64_t int_ = 0;
  double real_ = 0;
  std::string str_;
  std::vector<node> items_;
  std::vector<member> members_;
};

struct node::member {
  std::string key;
  node value;
};

/// A key/value pair for make_mapping. The value is `mutable` so the builder can move it out of
/// the (const) initializer_list instead of deep-copying every nested subtree.
struct node_entry {
  node_entry(std::string_view k, node v) : key(k), value(std::move(v)) {}
  std::string_view key;
  mutable node value;
};
/// An item for make_sequence (moved out, like node_entry).
struct node_item {
  template <typename T>
  node_item(T&& v) : value(std::forward<T>(v)) {}  // NOLINT: implicit on purpose
  mutable node value;
};

/// Builds a mapping from key/value pairs, in order.
node make_mapping(std::initializer_list<node_entry> kv);
/// Builds a sequence.
node make_sequence(std::initializer_list<node_item> items);

/// Compact JSON (no spaces), keys in insertion order. Used for plugin configuration strings
/// and JSON-valued annotations.
std::string to_json(const node& n);
/// Pretty JSON with two-space indentation.
std::string to_json_pretty(const node& n);
/// Block-style YAML for one document (no leading "---").
std::string to_yaml(const node& n);

}  // namespace wasmdeploy
