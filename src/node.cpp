#include <wasmdeploy/node.hpp>

#include "emit/emitters.hpp"

namespace wasmdeploy {

node& node::push(node v) {
  if (type_ == type::null) type_ = type::sequence;
  items_.push_back(std::move(v));
  return items_.back();
}

node& node::add(std::string key, node v) {
  if (type_ == type::null) type_ = type::mapping;
  members_.push_back(member{std::move(key), std::move(v)});
  return members_.back().value;
}

const node* node::find(std::string_view key) const noexcept {
  if (type_ != type::mapping) return nullptr;
  for (const auto& m : members_) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

node* node::find(std::string_view key) noexcept {
  return const_cast<node*>(static_cast<const node*>(this)->find(key));
}

node& node::operator[](std::string_view key) {
  if (node* n = find(key)) return *n;
  return add(std::string(key), node());
}

bool operator==(const node& a, const node& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case node::type::null: return true;
    case node::type::boolean:
    case node::type::integer: return a.int_ == b.int_;
    case node::type::real: return a.real_ == b.real_;
    case node::type::string: return a.str_ == b.str_;
    case node::type::sequence: return a.items_ == b.items_;
    case node::type::mapping:
      if (a.members_.size() != b.members_.size()) return false;
      for (size_t i = 0; i < a.members_.size(); ++i) {
        if (a.members_[i].key != b.members_[i].key || a.members_[i].value != b.members_[i].value) {
          return false;
        }
      }
      return true;
  }
  return false;
}

node make_mapping(std::initializer_list<node_entry> kv) {
  node m = node::mapping();
  m.members().reserve(kv.size());
  for (const auto& e : kv) m.add(std::string(e.key), std::move(e.value));
  return m;
}

node make_sequence(std::initializer_list<node_item> items) {
  node s = node::sequence();
  s.items().reserve(items.size());
  for (const auto& i : items) s.push(std::move(i.value));
  return s;
}

std::string to_json(const node& n) {
  std::string out;
  detail::append_json(out, n);
  return out;
}

std::string to_json_pretty(const node& n) {
  std::string out;
  detail::append_json_pretty(out, n, 0);
  out += '\n';
  return out;
}

std::string to_yaml(const node& n) {
  std::string out;
  detail::append_yaml(out, n);
  return out;
}

}  // namespace wasmdeploy
