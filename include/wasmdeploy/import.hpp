// Reading deployed resources back into the model: the migration path off wasme and between
// resource kinds. Whatever a resource holds that the model cannot carry is reported as a
// diagnostic (code `import.*`), never dropped silently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/spec.hpp>

namespace wasmdeploy {

struct import_result {
  spec imported;                        ///< filters and targets, Istio platform, no version set
  std::vector<diagnostic> diagnostics;  ///< what was not carried over, and assumptions made
};

/// Reads a YAML stream (documents separated by `---` lines) of wasme.io/v1 FilterDeployment,
/// networking.istio.io/v1alpha3 EnvoyFilter (wasme-generated or wasmdeploy-rendered: `config`
/// or `typed_config`/`typedConfig`, camelCase or snake_case keys) and extensions.istio.io
/// WasmPlugin / TrafficExtension objects. Other kinds are reported (`import.unknown-kind`).
/// EnvoyFilters of one filter id are merged into one filter with one target per namespace.
/// Throws wasmdeploy::error (`import.*`) when a resource is malformed.
import_result import_resources(std::string_view text, const std::string& file = "<input>");

/// The spec as a wasmdeploy.io/v1alpha1 WasmDeployment document (what `convert --to spec`
/// writes); parse_spec() reads it back to the same model.
node spec_to_node(const spec& s);

}  // namespace wasmdeploy
