// UTF-8 well-formedness (RFC 3629), shared by the spec reader, validation and the .wasm reader.
#pragma once

#include <cstddef>
#include <string_view>

namespace wasmdeploy::detail {

/// Length of the well-formed UTF-8 sequence starting at s[i] (1 to 4), or 0 when the bytes there
/// are not one: an overlong form, a UTF-16 surrogate, a code point past U+10FFFF, a stray
/// continuation byte or a truncated sequence.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept;

/// True when `s` is well-formed UTF-8.
bool is_valid_utf8(std::string_view s) noexcept;

}  // namespace wasmdeploy::detail
