// A bounds-checked reader for the WebAssembly binary format: header, sections, imports, exports,
// counts and the `name` / `producers` custom sections.
//
// It never decodes code or data bodies (they are skipped by size), so reading a 64 MiB module
// costs about as much as walking its section headers. Every malformed input raises
// wasmdeploy::error with category errc::parse, a distinct `wasm.*` code and the byte offset.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <wasmdeploy/error.hpp>

namespace wasmdeploy {

/// External kinds of imports and exports (binary values pinned by the spec).
enum class wasm_extern_kind : std::uint8_t { function = 0, table = 1, memory = 2, global = 3, tag = 4 };

/// "func", "table", "memory", "global", "tag".
const char* wasm_extern_kind_name(wasm_extern_kind k) noexcept;

struct wasm_import {
  std::string module;
  std::string field;
  wasm_extern_kind kind = wasm_extern_kind::function;
  std::uint32_t type_index = 0;  ///< signature index; meaningful for functions and tags only
  std::uint64_t offset = 0;      ///< byte offset of the entry in the file
};

struct wasm_export {
  std::string name;
  wasm_extern_kind kind = wasm_extern_kind::function;
  std::uint32_t index = 0;
  std::uint64_t offset = 0;
};

struct wasm_section {
  std::uint8_t id = 0;          ///< 0 = custom
  std::string name;             ///< custom-section name, or the standard name ("import", "code")
  std::uint64_t offset = 0;     ///< offset of the section id byte
  std::uint64_t payload_offset = 0;
  std::uint64_t size = 0;       ///< payload size as declared
};

/// One entry of a `producers` field, e.g. {"clang", "14.0.6"}.
struct wasm_producer {
  std::string name;
  std::string version;
};

/// One field of the `producers` custom section ("language", "processed-by", "sdk").
struct wasm_producers_field {
  std::string name;
  std::vector<wasm_producer> values;
};

struct wasm_binary_info {
  std::uint32_t version = 0;
  std::vector<wasm_section> sections;  ///< in file order
  std::vector<wasm_import> imports;
  std::vector<wasm_export> exports;
  std::uint32_t type_count = 0;
  std::uint32_t imported_functions = 0;
  std::uint32_t defined_functions = 0;  ///< from the function section
  std::uint32_t imported_memories = 0;
  std::uint32_t defined_memories = 0;
  std::optional<std::uint32_t> start_function;
  std::optional<std::string> module_name;  ///< from the `name` section, subsection 0
  std::uint32_t function_names = 0;        ///< entries in the `name` section, subsection 1
  std::vector<wasm_producers_field> producers;
  /// Malformed optional custom sections (`name`, `producers`) do not stop loading in any
  /// engine, so they are reported here as warnings instead of thrown.
  std::vector<diagnostic> warnings;
};

/// Reads the module structure. Throws error{errc::parse, code} on malformed input; the message
/// starts with "at byte N (0xN): ". Codes:
///   wasm.too-large, wasm.truncated, wasm.bad-magic, wasm.unsupported-version,
///   wasm.leb128-too-long, wasm.leb128-overflow, wasm.section-overflow (size past the file end),
///   wasm.section-overrun (entry past its section end), wasm.section-size-mismatch (bytes left
///   over), wasm.unknown-section, wasm.duplicate-section, wasm.section-order,
///   wasm.too-many-sections, wasm.too-many-imports, wasm.too-many-exports,
///   wasm.too-many-entries, wasm.count-exceeds-size, wasm.name-too-long, wasm.invalid-utf8,
///   wasm.bad-import-kind, wasm.bad-export-kind, wasm.bad-limits, wasm.bad-value-type,
///   wasm.bad-mutability, wasm.bad-tag, wasm.duplicate-export, wasm.function-code-mismatch.
wasm_binary_info read_wasm_binary(std::string_view bytes);

}  // namespace wasmdeploy
