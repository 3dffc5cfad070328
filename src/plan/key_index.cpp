#include "plan/key_index.hpp"

namespace wasmdeploy::detail {

// FNV-1a with a final mix: hashes only pick slots, so any well-spread function will do, and a
// fixed one keeps runs reproducible.
std::uint64_t key_index::hash(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

void key_index::grow() {
  std::vector<slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, slot{});
  const size_t mask = slots_.size() - 1;
  for (const slot& s : old) {
    if (!s.used) continue;
    size_t i = s.hash & mask;
    while (slots_[i].used) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

}  // namespace wasmdeploy::detail
