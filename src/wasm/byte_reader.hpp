// A cursor over one region of an untrusted byte buffer. Every read checks the region's end
// first, so no read can go past the buffer, whatever the input says.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "utf8.hpp"

namespace wasmdeploy::detail {

class byte_reader {
 public:
  /// Reads `all[begin, end)`. `region` names the region in messages ("import section").
  byte_reader(std::string_view all, std::size_t begin, std::size_t end, std::string region);

  std::size_t pos() const noexcept { return pos_; }
  std::size_t end() const noexcept { return end_; }
  std::size_t remaining() const noexcept { return end_ - pos_; }
  bool at_end() const noexcept { return pos_ == end_; }

  std::uint8_t u8(const char* what);
  std::uint32_t u32(const char* what);  ///< unsigned LEB128, at most 5 bytes
  std::uint64_t u64(const char* what);  ///< unsigned LEB128, at most 10 bytes
  void skip_s33(const char* what);      ///< signed 33-bit LEB128 (heap types)
  std::string_view bytes(std::uint64_t n, const char* what);
  /// A length-prefixed UTF-8 name, bounded by WD_MAX_WASM_NAME_BYTES.
  std::string_view name(const char* what);
  /// A count of entries each at least `min_entry_bytes` long, bounded by `limit`.
  std::uint32_t count(const char* what, std::uint64_t limit, const char* limit_code,
                      std::size_t min_entry_bytes);
  /// Takes the next `n` bytes as a sub-region and advances past them.
  byte_reader sub(std::uint64_t n, std::string region);
  /// Throws wasm.section-size-mismatch unless the region was consumed exactly.
  void expect_end() const;

  [[noreturn]] void fail(std::size_t at, const char* code, const std::string& message) const;

 private:
  [[noreturn]] void fail_short(std::size_t at, const char* what) const;

  std::string_view all_;
  std::size_t pos_;
  std::size_t end_;
  std::string region_;
};

/// The message prefix every parse error carries: "at byte 26 (0x1a): ".
std::string at_offset(std::size_t offset);

}  // namespace wasmdeploy::detail
