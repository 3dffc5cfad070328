// source_positions: one 20-byte entry per field read from a spec file, in reading order, so a
// field's children follow it and `end` skips its whole subtree. Keys are a field id (names from
// the schema), a list index, or an offset into a pool of map keys; a path is matched against
// them component by component, only when a position is asked for.
#include <wasmdeploy/spec.hpp>

#include <cstdio>
#include <cstring>

#include "spec/spec_schema.hpp"

namespace wasmdeploy {
namespace {

constexpr std::uint32_t kTagShift = 30;
constexpr std::uint32_t kValueMask = (1u << kTagShift) - 1;
enum : std::uint32_t { kField = 0, kIndex = 1, kKey = 2 };

// Length of the component matched at the start of `rest`, or 0: a field or map key is ".name"
// (no dot at the top level), an index "[n]"; the match must end where a component ends.
size_t component_match(std::string_view rest, bool top, std::uint32_t tag, std::string_view name, std::uint32_t index) {
  size_t len = 0;
  if (tag == kIndex) {
    char buf[16];
    const int n = std::snprintf(buf, sizeof buf, "[%u]", index);
    if (rest.substr(0, static_cast<size_t>(n)) != std::string_view(buf, static_cast<size_t>(n))) return 0;
    len = static_cast<size_t>(n);
  } else {
    const size_t dot = top ? 0 : 1;
    if (!top && (rest.empty() || rest[0] != '.')) return 0;
    if (rest.substr(dot, name.size()) != name) return 0;
    len = dot + name.size();
  }
  if (len < rest.size() && rest[len] != '.' && rest[len] != '[') return 0;
  return len;
}

}  // namespace

std::uint32_t source_positions::add(std::uint32_t parent, std::uint32_t key, std::uint32_t line, std::uint32_t column) {
  const auto id = static_cast<std::uint32_t>(entries_.size());
  entries_.push_back({parent, id + 1, key, line, column});
  return id;
}

std::uint32_t source_positions::add_field(std::uint32_t parent, std::uint32_t field_id, std::uint32_t line,
                                          std::uint32_t column) {
  return add(parent, (kField << kTagShift) | field_id, line, column);
}

std::uint32_t source_positions::add_index(std::uint32_t parent, std::uint32_t index, std::uint32_t line,
                                          std::uint32_t column) {
  return add(parent, (kIndex << kTagShift) | (index & kValueMask), line, column);
}

std::uint32_t source_positions::add_key(std::uint32_t parent, std::string_view key, std::uint32_t line,
                                        std::uint32_t column) {
  const auto offset = static_cast<std::uint32_t>(keys_.size());
  const auto len = static_cast<std::uint32_t>(key.size());
  keys_.append(reinterpret_cast<const char*>(&len), sizeof len);
  keys_.append(key);
  return add(parent, (kKey << kTagShift) | (offset & kValueMask), line, column);
}

std::uint32_t source_positions::match(std::string_view path, size_t& matched) const {
  const auto& fields = detail::the_spec_schema().fields;
  std::uint32_t best = root;
  matched = 0;
  for (;;) {
    const std::string_view rest = path.substr(matched);
    if (rest.empty()) return best;
    const bool top = best == root;
    size_t i = top ? 0 : best + 1;
    const size_t limit = top ? entries_.size() : entries_[best].end;
    std::uint32_t next = root;
    size_t next_len = 0;
    while (i < limit) {
      const entry& e = entries_[i];
      if (e.parent == best) {
        const std::uint32_t tag = e.key >> kTagShift;
        const std::uint32_t value = e.key & kValueMask;
        std::string_view name;
        if (tag == kField && value < fields.size()) {
          name = fields[value]->json_name;
        } else if (tag == kKey) {
          std::uint32_t len;
          std::memcpy(&len, keys_.data() + value, sizeof len);
          name = std::string_view(keys_).substr(value + sizeof len, len);
        }
        // The longest match wins: map keys may themselves contain dots.
        const size_t len = component_match(rest, top, tag, name, value);
        if (len > next_len) {
          next = static_cast<std::uint32_t>(i);
          next_len = len;
        }
      }
      i = e.end > i ? e.end : i + 1;
    }
    if (next == root) return best;
    best = next;
    matched += next_len;
  }
}

namespace {

// The longest recorded prefix of `path` among positions added by path.
const source_position* added_match(const std::map<std::string, source_position, std::less<>>& added,
                                   std::string_view path, size_t& matched) {
  std::string_view p = path;
  while (!added.empty() && !p.empty()) {
    if (auto it = added.find(p); it != added.end()) {
      matched = p.size();
      return &it->second;
    }
    const auto cut = p.find_last_of(".[");
    if (cut == std::string_view::npos) break;
    p = p.substr(0, cut);
  }
  matched = 0;
  return nullptr;
}

}  // namespace

source_position source_positions::find(std::string_view path) const {
  size_t matched = 0, added_len = 0;
  const std::uint32_t at = match(path, matched);
  const source_position* extra = added_match(added_, path, added_len);
  if (extra != nullptr && (at == root || added_len > matched)) return *extra;
  if (at == root) return {};
  return {file, static_cast<int>(entries_[at].line), static_cast<int>(entries_[at].column)};
}

bool source_positions::contains(std::string_view path) const {
  size_t matched = 0;
  if (added_.find(path) != added_.end()) return true;
  return match(path, matched) != root && matched == path.size();
}

}  // namespace wasmdeploy
