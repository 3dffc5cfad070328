// An insert-only string set for checks across every rendered document (name collisions, one
// patch per workload) that keeps no strings: each entry is 16 bytes, 32 bits of hash and a
// reference the caller can rebuild the key from. A matching hash is confirmed by comparing the
// rebuilt key, so two different keys with equal hashes are still told apart exactly.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace wasmdeploy::detail {

/// What an entry points back to (target, filter and workload indexes, as the caller defines).
struct key_ref {
  std::uint32_t a = 0;
  std::uint32_t b = 0;
  std::uint32_t c = 0;
};

class key_index {
 public:
  /// Looks for an earlier entry whose key (rebuilt by `key_of(ref)`) equals `key`. Returns true
  /// and sets `found` when there is one; otherwise inserts `ref` and returns false.
  template <typename KeyOf>
  bool find_or_insert(std::string_view key, key_ref ref, key_ref& found, KeyOf&& key_of) {
    if ((size_ + 1) * 10 > slots_.size() * 7) grow();
    const std::uint32_t tag = hash(key);
    const size_t mask = slots_.size() - 1;
    size_t i = tag & mask;
    for (; slots_[i].tag != 0; i = (i + 1) & mask) {
      if (slots_[i].tag == tag && key_of(slots_[i].ref) == key) {
        found = slots_[i].ref;
        return true;
      }
    }
    slots_[i] = slot{tag, ref};
    ++size_;
    return false;
  }

  size_t size() const noexcept { return size_; }

 private:
  struct slot {
    std::uint32_t tag = 0;  ///< the key's hash; 0 marks a free slot (hash() never returns 0)
    key_ref ref;
  };
  static std::uint32_t hash(std::string_view s) noexcept;
  void grow();

  std::vector<slot> slots_;
  size_t size_ = 0;
};

}  // namespace wasmdeploy::detail
