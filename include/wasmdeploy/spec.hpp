// Reading spec files (YAML or JSON) into the model. The schema is
// src/spec/proto/wasmdeploy/spec/v1alpha1/spec.proto.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

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
  std::map<std::string, source_position> positions;

  /// The position of `path` or of its nearest recorded parent; unknown when built in code.
  source_position position_of(const std::string& path) const;
};

/// Parses YAML or JSON text strictly. Unknown or misspelt fields, wrong types and bad values
/// are errors carrying the field path and file:line:col. Throws wasmdeploy::error.
spec parse_spec(std::string_view text, const std::string& file = "<input>",
                const std::string& base_dir = ".");

/// Parses a YAML stream of one or more specs ("---" between documents; empty documents are
/// skipped), each as parse_spec does, with positions in the whole text.
std::vector<spec> parse_spec_documents(std::string_view text, const std::string& file = "<input>",
                                       const std::string& base_dir = ".");

/// Parses a YAML or JSON value (as used for plugin configuration) into a node, with the same
/// scalar rules as spec files. `path` names the value in errors.
node parse_config_value(std::string_view text, const std::string& path = "config");

/// Reads and parses a spec file; "-" reads standard input.
spec load_spec(const std::string& path);

}  // namespace wasmdeploy
