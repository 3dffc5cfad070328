// The flags shared by the commands that read a spec (render, undeploy): the input (-f, a
// MODULE for one-liners), the field overrides, and the version/target/output flags. Values
// given on the command line are checked here, so a bad one is a usage error (exit 2) naming
// the flag; later errors about a field that came from a flag name the flag too.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <wasmdeploy/mesh_version.hpp>
#include <wasmdeploy/render.hpp>
#include <wasmdeploy/resolve.hpp>
#include <wasmdeploy/spec.hpp>

namespace wasmdeploy::cli {

struct spec_flags {
  std::vector<std::string> files;
  // Overrides / one-liner fields.
  std::string module, id, sha256, module_sha256, root_id, vm_id, config, config_json, runtime_config, image_layout;
  std::string ns, labels, context, phase, fail, pull_policy, pull_secret, delivery, resource, naming, revision, type;
  std::optional<int> priority;
  std::vector<std::string> workloads;
  std::string live;  ///< `kubectl get ... -o yaml` output: the workloads' current annotations
  bool all_workloads = false;
  bool allow_incompatible = false;
  // Local files the spec may name outside its own directory (the resolve stage's confinement).
  std::vector<std::string> allow_paths;
  bool allow_outside_spec_dir = false;
  // Version, platform and output.
  std::string istio, target, gateway_version, output = "yaml";
  bool force = false, quiet = false, strict = false;

  /// Field path -> the flag its value came from ("filters[0].sha256" -> "--sha256").
  std::map<std::string, std::string> origins;
};

/// Registers every flag above on `cmd` (the module positional too).
void add_spec_flags(CLI::App* cmd, spec_flags& o);

/// The spec from -f (files, directories, multi-document) or from the one-liner flags, with the
/// overrides applied. Records o.origins. Throws error{usage} for bad flag values and conflicts.
spec build_spec(spec_flags& o);

/// An Istio version given as a flag: a bad one is a usage error naming the flag and the range.
mesh_version istio_flag(const std::string& text, const char* flag = "--istio");

/// render_options from --istio, --target, --gateway-version (checked as flags).
render_options make_render_options(const spec& s, const spec_flags& o);

/// Where the spec may name local files: its directory, the -f files' directories, the paths
/// typed as flags, --allow-path, --allow-outside-spec-dir.
input_access make_input_access(const spec& s, const spec_flags& o);

/// Runs `body`; an error about a field whose value came from a flag is rethrown naming the flag.
void with_flag_names(const spec_flags& o, const std::function<void()>& body);

/// Diagnostics as printed: a path that came from a flag names the flag.
std::vector<diagnostic> name_flags(const spec_flags& o, std::vector<diagnostic> diagnostics);

}  // namespace wasmdeploy::cli
