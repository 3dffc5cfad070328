// Errors and diagnostics shared by every stage of the pipeline.
#pragma once

#include <stdexcept>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace wasmdeploy {

/// Broad error categories. The numeric values are pinned: the C API returns them as-is.
enum class errc : int {
  ok = 0,
  generic = -1,
  invalid = -2,      ///< input is well-formed but not acceptable (bad value, conflicting fields)
  parse = -3,        ///< input could not be parsed (YAML/JSON syntax, wasm binary format)
  not_found = -4,    ///< a referenced file, filter or workload does not exist
  version = -5,      ///< the chosen mesh version cannot express what was asked
  no_memory = -6,
  io = -7,           ///< reading or writing a file failed
  usage = -8,        ///< the API or CLI was called wrongly
};

/// Where in an input file something came from. line/column are 1-based; 0 means unknown.
struct source_position {
  std::string file;
  int line = 0;
  int column = 0;
  bool known() const { return line > 0; }
};

/// The one exception type the library throws.
///
/// `code()` is a stable dotted identifier (`spec.unknown-field`, `wasmplugin.field-too-new`, ...)
/// documented in docs/errors.md; scripts may match on it. `path()` is the field path in the
/// input (`filters[0].sha256`) when the error concerns one field.
class error : public std::runtime_error {
 public:
  error(errc category, std::string code, std::string path, std::string message,
        source_position position = {});

  errc category() const noexcept { return category_; }
  const std::string& code() const noexcept { return code_; }
  const std::string& path() const noexcept { return path_; }
  const std::string& message() const noexcept { return message_; }
  const source_position& position() const noexcept { return position_; }

 private:
  errc category_;
  std::string code_;
  std::string path_;
  std::string message_;
  source_position position_;
};

enum class severity : int { note = 0, warning = 1, error = 2 };

/// A finding that does not stop rendering (warnings, notes) or, in check mode, one that would.
struct diagnostic {
  severity level = severity::warning;
  std::string code;
  std::string path;
  std::string message;
  source_position position;
};

/// "file:line:col: " prefix (or "") followed by "[code] path: message".
std::string format_error(const error& e);
std::string format_diagnostic(const diagnostic& d);
const char* severity_name(severity s) noexcept;

/// `value` as shown in a message: values longer than `max` bytes keep their start and say how
/// long they were, so a huge flag or field value cannot flood the terminal.
std::string shorten(std::string_view value, std::size_t max = 80);

}  // namespace wasmdeploy
