#include "wasm/byte_reader.hpp"

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/limits.hpp>

#include <fmt/format.h>

// The decoders below shift by 7*i; wider limits than the spec's would shift past the type.
static_assert(WD_MAX_LEB128_BYTES_U32 == 5, "a u32 LEB128 is at most 5 bytes");
static_assert(WD_MAX_LEB128_BYTES_U64 == 10, "a u64 LEB128 is at most 10 bytes");

namespace wasmdeploy::detail {

std::string at_offset(std::size_t offset) {
  return fmt::format("at byte {} (0x{:x}): ", offset, offset);
}

byte_reader::byte_reader(std::string_view all, std::size_t begin, std::size_t end,
                         std::string region)
    : all_(all), pos_(begin), end_(end), region_(std::move(region)) {}

void byte_reader::fail(std::size_t at, const char* code, const std::string& message) const {
  throw error(errc::parse, code, "", at_offset(at) + message);
}

void byte_reader::fail_short(std::size_t at, const char* what) const {
  // Running out of the whole file is truncation; running out of a section means the section's
  // declared size is too small for its contents, which is a different bug in whatever wrote it.
  if (end_ == all_.size()) {
    fail(at, "wasm.truncated", fmt::format("unexpected end of data reading {}", what));
  }
  fail(at, "wasm.section-overrun",
       fmt::format("{} runs past the end of the {} (which ends at byte {})", what, region_, end_));
}

std::uint8_t byte_reader::u8(const char* what) {
  if (pos_ >= end_) fail_short(pos_, what);
  return static_cast<std::uint8_t>(all_[pos_++]);
}

std::uint32_t byte_reader::u32(const char* what) {
  const std::size_t start = pos_;
  std::uint32_t result = 0;
  for (unsigned i = 0; i < WD_MAX_LEB128_BYTES_U32; ++i) {
    if (pos_ >= end_) fail_short(start, what);
    const auto b = static_cast<std::uint8_t>(all_[pos_++]);
    if (i == WD_MAX_LEB128_BYTES_U32 - 1) {
      if (b & 0x80) fail(start, "wasm.leb128-too-long", fmt::format("{}: LEB128 longer than 5 bytes", what));
      if (b & 0x70) fail(start, "wasm.leb128-overflow", fmt::format("{}: LEB128 value exceeds 32 bits", what));
    }
    result |= static_cast<std::uint32_t>(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) return result;
  }
  return result;  // unreachable: the last byte either returns or fails
}

std::uint64_t byte_reader::u64(const char* what) {
  const std::size_t start = pos_;
  std::uint64_t result = 0;
  for (unsigned i = 0; i < WD_MAX_LEB128_BYTES_U64; ++i) {
    if (pos_ >= end_) fail_short(start, what);
    const auto b = static_cast<std::uint8_t>(all_[pos_++]);
    if (i == WD_MAX_LEB128_BYTES_U64 - 1) {
      if (b & 0x80) fail(start, "wasm.leb128-too-long", fmt::format("{}: LEB128 longer than 10 bytes", what));
      if (b & 0x7e) fail(start, "wasm.leb128-overflow", fmt::format("{}: LEB128 value exceeds 64 bits", what));
    }
    result |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) return result;
  }
  return result;
}

void byte_reader::skip_s33(const char* what) {
  const std::size_t start = pos_;
  for (unsigned i = 0; i < 5; ++i) {
    if (pos_ >= end_) fail_short(start, what);
    const auto b = static_cast<std::uint8_t>(all_[pos_++]);
    if (i == 4) {
      if (b & 0x80) fail(start, "wasm.leb128-too-long", fmt::format("{}: LEB128 longer than 5 bytes", what));
      // Bits 5 and 6 of the last byte are sign extension of bit 4 (the 33rd bit).
      const bool negative = (b & 0x10) != 0;
      if ((b & 0x60) != (negative ? 0x60 : 0x00)) {
        fail(start, "wasm.leb128-overflow", fmt::format("{}: LEB128 value exceeds 33 bits", what));
      }
    }
    if (!(b & 0x80)) return;
  }
}

std::string_view byte_reader::bytes(std::uint64_t n, const char* what) {
  if (n > remaining()) fail_short(pos_, what);
  auto out = all_.substr(pos_, static_cast<std::size_t>(n));
  pos_ += static_cast<std::size_t>(n);
  return out;
}

std::string_view byte_reader::name(const char* what) {
  const std::size_t start = pos_;
  const std::uint32_t len = u32(what);
  if (len > active_limits().wasm_name_bytes) {
    fail(start, "wasm.name-too-long",
         fmt::format("{} is {} bytes long; the limit is {}", what, len, active_limits().wasm_name_bytes));
  }
  auto s = bytes(len, what);
  if (!is_valid_utf8(s)) fail(start, "wasm.invalid-utf8", fmt::format("{} is not valid UTF-8", what));
  return s;
}

std::uint32_t byte_reader::count(const char* what, std::uint64_t limit, const char* limit_code,
                                 std::size_t min_entry_bytes) {
  const std::size_t start = pos_;
  const std::uint32_t n = u32(what);
  if (n > limit) {
    fail(start, limit_code, fmt::format("{} is {}; the limit is {}", what, n, limit));
  }
  // Checked before anything is reserved, so a huge count in a tiny file costs nothing.
  if (min_entry_bytes > 0 && n > remaining() / min_entry_bytes) {
    fail(start, "wasm.count-exceeds-size",
         fmt::format("{} is {}, but only {} bytes of the {} remain", what, n, remaining(), region_));
  }
  return n;
}

byte_reader byte_reader::sub(std::uint64_t n, std::string region) {
  const std::size_t begin = pos_;
  bytes(n, region.c_str());
  return byte_reader(all_, begin, pos_, std::move(region));
}

void byte_reader::expect_end() const {
  if (!at_end()) {
    fail(pos_, "wasm.section-size-mismatch",
         fmt::format("{} has {} unread bytes after its last entry", region_, remaining()));
  }
}

}  // namespace wasmdeploy::detail
