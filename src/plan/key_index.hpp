// An insert-only string set for checks across every rendered document (name collisions, one
// patch per workload) that keeps no strings: each entry is a 64-bit hash and a small reference
// the caller can rebuild the key from. A matching hash is confirmed by comparing the rebuilt
// key, so two different keys with equal hashes are still told apart exactly.
#pragma once

#include <cstdint>
#include <string>
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
    if ((size_ + 1) * 2 > slots_.size()) grow();
    const std::uint64_t h = hash(key);
    size_t i = h & (slots_.size() - 1);
    for (; slots_[i].used; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i].hash == h && key_of(slots_[i].ref) == key) {
        found = slots_[i].ref;
        return true;
      }
    }
    slots_[i] = slot{h, ref, true};
    ++size_;
    return false;
  }

  size_t size() const noexcept { return size_; }
  /// Bytes held, for the benchmark notes.
  size_t bytes() const noexcept { return slots_.capacity() * sizeof(slot); }

 private:
  struct slot {
    std::uint64_t hash = 0;
    key_ref ref;
    bool used = false;
  };
  static std::uint64_t hash(std::string_view s) noexcept;
  void grow();

  std::vector<slot> slots_;
  size_t size_ = 0;
};

}  // namespace wasmdeploy::detail
