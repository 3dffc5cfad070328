// The resolve stage: every read of an external input (local files named by the spec, image
// layouts, runtime configs and registries) happens here, before planning. The plan then works
// only on what was resolved, so it is pure and a plain render never touches the network.
//
// Local files are confined to the spec's directory unless allowed, must be regular files, and
// are bounded before they are read. Registries are reached only when asked (resolve_options::
// network, the CLI's --resolve): tags become manifest digests, and the module's sha256 is read
// from the pulled image.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/node.hpp>
#include <wasmdeploy/oci_image.hpp>
#include <wasmdeploy/reference.hpp>
#include <wasmdeploy/render.hpp>

namespace wasmdeploy {

/// Where local files may be read from.
struct input_access {
  /// Directories (beside the spec's own) whose files may be read; a file given on the command
  /// line is allowed by adding it (or its directory) here.
  std::vector<std::string> allowed_paths;
  /// Lift the confinement entirely (--allow-outside-spec-dir).
  bool allow_outside_spec_dir = false;
};

/// How to talk to registries.
struct registry_options {
  /// docker config.json holding credentials; empty: $DOCKER_CONFIG/config.json, else
  /// ~/.docker/config.json (a missing file means anonymous access).
  std::string docker_config;
  /// config.json content given directly (a Kubernetes dockerconfigjson pull secret); when set,
  /// no file is read. login/logout still write docker_config.
  std::string docker_config_json;
  /// Explicit credentials; they override config.json for this call.
  std::string username, password;
  /// Plain http, and https without certificate verification (test registries only).
  bool insecure = false;
  /// Talk plain http:// to the registry (a local test registry without TLS).
  bool plain_http = false;
  /// PEM bundle of the CAs to trust instead of the system's.
  std::string ca_file;
  long connect_timeout_ms = 10000;
  /// Each request as a whole, body included.
  long timeout_ms = 120000;
  /// Attempts after the first for connection failures, 429 and 5xx, with backoff doubling
  /// from retry_backoff_ms.
  int retries = 2;
  long retry_backoff_ms = 200;
  /// Manifests and indexes (distribution caps them at 4 MiB).
  std::uint64_t max_manifest_bytes = 4ULL << 20;
  /// Any one blob (Istio and Envoy Gateway cap a module at 256 MiB).
  std::uint64_t max_blob_bytes = 256ULL << 20;
};

/// What a registry says about a reference.
struct resolved_image {
  image_reference reference;       ///< as given
  std::string manifest_digest;     ///< "sha256:<hex>" of the image manifest (index entries resolved)
  std::string manifest_media_type;
  std::string index_digest;        ///< "sha256:<hex>" when the tag named an index, else empty
  std::string module_sha256;       ///< hex sha256 of the .wasm bytes
  std::uint64_t module_size = 0;
  layout_kind kind = layout_kind::unknown;
  /// registry/repository@sha256:<manifest digest>
  std::string pinned() const { return reference.pinned(manifest_digest); }
};

/// The resolved image as data: reference, manifestDigest, mediaType, [indexDigest], pinned,
/// sha256 (the manifest digest's hex, what a spec's sha256 takes), moduleSha256, moduleSize,
/// variant. The CLI's `resolve -o json`, the C API and Python give exactly this.
node resolved_image_data(const resolved_image& r);

/// Tag -> manifest digest and module sha256 (the image is pulled into memory and verified).
/// @throws error `registry.*` (see docs/errors.md), `module.bad-reference`.
resolved_image resolve_image(const std::string& reference, const registry_options& options);

/// Like resolve_image, and also returns the layout report of the pulled image.
resolved_image resolve_image(const std::string& reference, const registry_options& options, layout_report& layout);

struct pull_result {
  resolved_image image;
  std::string layout_dir;   ///< written when asked
  std::string wasm_file;    ///< written when asked
};

/// Pulls an image to an OCI image layout (layout_dir, tagged with the reference's tag) and/or
/// its module to wasm_file. Both are written atomically, only after every byte was verified.
pull_result pull_image(const std::string& reference, const registry_options& options, const std::string& layout_dir,
                       const std::string& wasm_file, bool force = false);

/// Pushes the manifest `ref_name` (may be empty when the layout holds one) of an OCI image
/// layout and its blobs; returns the manifest digest the registry stored.
resolved_image push_layout(const std::string& layout_dir, const std::string& ref_name, const std::string& reference,
                           const registry_options& options);

/// Checks the credentials against the registry, then stores them in config.json.
void registry_login(const std::string& registry, const std::string& username, const std::string& password,
                    const registry_options& options);
/// Removes the registry's entry from config.json; returns false when there was none.
bool registry_logout(const std::string& registry, const registry_options& options);

/// Everything a render needs from outside, per filter (indexed like spec::filters).
struct resolved_filter {
  std::optional<std::string> runtime_config;  ///< filter.runtimeConfig's text
  std::optional<layout_report> layout;        ///< filter.imageLayout, or the pulled image (--resolve)
  std::optional<std::string> module;          ///< a local module's bytes
  /// Set when the image came from a registry (--resolve): the tag was pinned to this.
  std::optional<resolved_image> remote;
};

struct resolved_inputs {
  std::vector<resolved_filter> filters;
  std::optional<std::string> gloo_gateway;  ///< options.glooGatewayFile's text
  std::vector<diagnostic> notes;
};

struct resolve_options {
  input_access files;
  /// Contact registries for oci:// modules: fill sha256 / moduleSha256 and pin tags.
  bool network = false;
  registry_options registry;
};

/// Reads every local input the spec names (and, with options.network, every oci:// image).
/// Errors carry the field path and the spec position.
resolved_inputs resolve_inputs(const spec& s, const resolve_options& options);

/// render() (render.hpp) with the resolve stage's settings: where local files may be read and
/// whether registries are asked (--resolve). The overloads without them use the defaults
/// (spec directory only, no network).
render_summary render(const spec& s, const render_options& options, const resolve_options& inputs, document_sink& sink);
render_result render(const spec& s, const render_options& options, const resolve_options& inputs);

/// Reads one local file the spec names, under the confinement rules. `field` names it in errors.
std::string read_spec_file(const spec& s, const std::string& file, std::size_t max_bytes, const std::string& field,
                           const input_access& access);

}  // namespace wasmdeploy
