// Scalar formatting shared by the YAML and JSON emitters.
#pragma once

#include <string>
#include <string_view>

#include <wasmdeploy/node.hpp>

namespace wasmdeploy::detail {

/// Appends a YAML scalar (string keys and values, numbers, booleans, null). Strings are plain
/// only when no YAML 1.1 or 1.2 resolver could read them as anything but that string;
/// otherwise single- or double-quoted.
void append_yaml_scalar(std::string& out, const node& n);
void append_yaml_string(std::string& out, std::string_view s);

/// Appends a JSON string literal with escapes.
void append_json_string(std::string& out, std::string_view s);
/// Appends a JSON number/bool/null/string.
void append_json_scalar(std::string& out, const node& n);

/// Shortest round-trip form of a double that still reads back as a float ("1.0", not "1").
void append_real(std::string& out, double v, bool yaml);

}  // namespace wasmdeploy::detail
