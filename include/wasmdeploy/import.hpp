// Reading deployed resources back into the model: the migration path off wasme and between
// resource kinds. Whatever a resource holds that the model cannot carry is reported as a
// diagnostic (code `import.*`), never dropped silently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <wasmdeploy/capabilities.hpp>
#include <wasmdeploy/error.hpp>
#include <wasmdeploy/mesh_version.hpp>
#include <wasmdeploy/spec.hpp>

namespace wasmdeploy {

/// A shape in an imported EnvoyFilter that only some Istio releases honour: a deprecated filter
/// name in a match, an xDS v2 type URL, or the v2 `config:` patch value. Elsewhere istiod
/// matches nothing, drops the value or rejects it, so the resource did not do what it says.
struct legacy_form {
  capability works_while;  ///< the form works exactly where this capability holds
  std::string code;        ///< import.deprecated-filter-name, import.xds-v2-type-url, import.config-form
  std::string path;        ///< e.g. resources.yaml[0].spec.configPatches[0].match.listener.filterChain.filter.name
  std::string what;        ///< the name, type URL or field found
  std::string resource;    ///< namespace/name of the EnvoyFilter
};

struct import_result {
  spec imported;                        ///< filters and targets, Istio platform, no version set
  std::vector<diagnostic> diagnostics;  ///< what was not carried over, and assumptions made
  std::vector<legacy_form> legacy;      ///< release-dependent shapes found in EnvoyFilters
};

/// Reads a YAML stream (documents separated by `---` lines) of wasme.io/v1 FilterDeployment,
/// networking.istio.io/v1alpha3 EnvoyFilter (wasme-generated or wasmdeploy-rendered: `config`
/// or `typed_config`/`typedConfig`, camelCase or snake_case keys) and extensions.istio.io
/// WasmPlugin / TrafficExtension objects. Other kinds are reported (`import.unknown-kind`).
/// EnvoyFilters of one filter id are merged into one filter with one target per namespace.
/// Throws wasmdeploy::error (`import.*`) when a resource is malformed.
import_result import_resources(std::string_view text, const std::string& file = "<input>");

/// Refuses (error `import.*`, the form's path) resources holding a legacy form that Istio
/// `ran_on` does not honour: there the EnvoyFilter was inert or rejected, and converting it would
/// switch on a filter that was not running. `ran_on` is the release the resources were applied
/// to (`convert --from-istio`), by default the release converted to.
void check_legacy_forms(const import_result& r, const mesh_version& ran_on);

/// Marks every target that names no workloads, selector or targetRefs as allWorkloads (what the
/// source meant: the whole namespace) with a `convert.all-workloads` warning each, so that
/// render accepts the spec. For `convert --to spec` and its Python and C counterparts.
void accept_namespace_wide(import_result& r);

/// The spec as a wasmdeploy.io/v1alpha1 WasmDeployment document (what `convert --to spec`
/// writes); parse_spec() reads it back to the same model.
node spec_to_node(const spec& s);

}  // namespace wasmdeploy
