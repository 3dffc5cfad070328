#include "plan/key_index.hpp"

namespace wasmdeploy::detail {

// FNV-1a folded to 32 bits: hashes only pick slots and filter comparisons, so any well-spread
// function will do, and a fixed one keeps runs reproducible.
std::uint32_t key_index::hash(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 32;
  const auto tag = static_cast<std::uint32_t>(h);
  return tag == 0 ? 1 : tag;
}

// Tables up to 2^32 slots: the stored hash is enough to place an entry again.
void key_index::grow() {
  std::vector<slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, slot{});
  const size_t mask = slots_.size() - 1;
  for (const slot& s : old) {
    if (s.tag == 0) continue;
    size_t i = s.tag & mask;
    while (slots_[i].tag != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

}  // namespace wasmdeploy::detail
