// Serialisers from node to bytes. Append-only into a caller's buffer so streaming output
// reuses one allocation.
#pragma once

#include <string>

#include <wasmdeploy/node.hpp>

namespace wasmdeploy::detail {

/// One YAML document body (no "---"), ending in a newline.
void append_yaml(std::string& out, const node& n);
/// Compact JSON.
void append_json(std::string& out, const node& n);
/// Pretty JSON at the given indentation (no trailing newline).
void append_json_pretty(std::string& out, const node& n, size_t indent = 0);

}  // namespace wasmdeploy::detail
