// Reading spec files (YAML or JSON) into the model. The schema is
// src/spec/proto/wasmdeploy/spec/v1alpha1/spec.proto.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/model.hpp>

namespace wasmdeploy {

struct spec_options {
  naming_scheme naming = naming_scheme::automatic;
  resource_kind resource = resource_kind::automatic;
  bool allow_incompatible_module = false;
  platform target_platform = platform::istio;
  bool platform_set = false;
  std::string gateway_version;     ///< Envoy Gateway version text, e.g. "v1.3"
  std::uint32_t envoy_listen_port = 8080;
  std::uint32_t envoy_admin_port = 19000;
  std::string envoy_upstream = "127.0.0.1:8000";
  std::string gloo_gateway_file;   ///< existing Gloo Gateway to patch (relative to base_dir)
  std::vector<std::string> allow;  ///< warning codes acknowledged (options.allow)
};

/// Where each field of a spec file was read from. Kept compactly (one small record per field,
/// a tree of field names, list indexes and map keys); field paths are formatted only when asked.
class source_positions {
 public:
  /// The position of `path` ("filters[0].sha256") or of its nearest recorded parent; unknown
  /// when nothing on the path was recorded.
  source_position find(std::string_view path) const;
  /// Whether exactly `path` was read from the file.
  bool contains(std::string_view path) const;
  bool empty() const noexcept { return entries_.empty() && added_.empty(); }

  /// A position given by code (e.g. when specs are merged), kept by its path; find() takes the
  /// longer of the two matches. As std::map::emplace: an existing path is left as it is.
  void emplace(const std::string& path, const source_position& p) { added_.emplace(path, p); }
  /// 1 when exactly `path` is known, else 0 (std::map::count).
  std::size_t count(std::string_view path) const { return contains(path) ? 1 : 0; }

  // Recording, for the spec reader. `parent` is what add() returned for the enclosing field, or
  // `root`; close() marks the end of a field's children.
  static constexpr std::uint32_t root = 0xffffffffu;
  std::uint32_t add_field(std::uint32_t parent, std::uint32_t field_id, std::uint32_t line, std::uint32_t column);
  std::uint32_t add_index(std::uint32_t parent, std::uint32_t index, std::uint32_t line, std::uint32_t column);
  std::uint32_t add_key(std::uint32_t parent, std::string_view key, std::uint32_t line, std::uint32_t column);
  void close(std::uint32_t id) noexcept { entries_[id].end = static_cast<std::uint32_t>(entries_.size()); }
  std::string file;

 private:
  struct entry {
    std::uint32_t parent, end, key, line, column;
  };
  std::uint32_t add(std::uint32_t parent, std::uint32_t key, std::uint32_t line, std::uint32_t column);
  std::uint32_t match(std::string_view path, std::size_t& matched) const;
  std::vector<entry> entries_;
  std::string keys_;  ///< map keys, each after its 4-byte length
  std::map<std::string, source_position, std::less<>> added_;
};

/// A parsed spec: the filters and the targets they go to.
struct spec {
  std::string istio;  ///< version text from the file (may be empty; render options override it)
  spec_options options;
  std::vector<filter> filters;
  std::vector<target> targets;
  /// Directory that relative module paths resolve against (the spec file's directory).
  std::string base_dir = ".";
  /// Name used in diagnostics.
  std::string file = "<input>";
  /// Where each field path ("filters[0].sha256") was read from, for error positions.
  source_positions positions;

  /// The position of `path` or of its nearest recorded parent; unknown when built in code.
  source_position position_of(const std::string& path) const { return positions.find(path); }
};

/// Parses YAML or JSON text strictly. Unknown or misspelt fields, wrong types and bad values
/// are errors carrying the field path and file:line:col. Throws wasmdeploy::error.
spec parse_spec(std::string_view text, const std::string& file = "<input>",
                const std::string& base_dir = ".");
/// The same under `bounds` (spec_*, string_bytes, alias_expansion_bytes, filters, ...) instead
/// of the calling thread's limits.
spec parse_spec(std::string_view text, const std::string& file, const std::string& base_dir, const limits& bounds);

/// Parses every document of a YAML stream (or one JSON text), one spec per document, each with
/// its own positions. Empty documents are skipped; a stream with none is refused (spec.empty).
std::vector<spec> parse_spec_documents(std::string_view text, const std::string& file = "<input>",
                                       const std::string& base_dir = ".");

/// Parses a YAML or JSON value (as used for plugin configuration) into a node, with the same
/// scalar rules as spec files. `path` names the value in errors.
node parse_config_value(std::string_view text, const std::string& path = "config");

/// Reads and parses a spec file; "-" reads standard input.
spec load_spec(const std::string& path);
spec load_spec(const std::string& path, const limits& bounds);

}  // namespace wasmdeploy
