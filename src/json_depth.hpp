// How deeply JSON text nests, read without parsing: JSON from an attacker (an annotation, an
// image layout's index.json, --config-json) is checked before a parser builds it, because
// everything that walks a parsed value (dumping, converting) recurses once per level.
#pragma once

#include <cstddef>
#include <string_view>

namespace wasmdeploy::detail {

/// The deepest nesting of arrays and objects in `text` (strings and escapes skipped); stops
/// counting once `stop_after` is passed. Malformed text gets a number too: the parser refuses it.
std::size_t json_nesting(std::string_view text, std::size_t stop_after);

}  // namespace wasmdeploy::detail
