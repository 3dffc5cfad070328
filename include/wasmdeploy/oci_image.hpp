// Building and reading Wasm OCI images as OCI image layouts (a directory with `oci-layout`,
// `index.json` and `blobs/sha256/...`), the on-disk form `skopeo`, `oras`, `umoci` and `crane`
// push to and pull from registries.
//
// Two variants are built, the two that every Envoy-based platform accepts
// (shared/reference/platforms.md §3):
//   - `oci`:    the solo.io wasme / WebAssembly Hub image: exactly 2 layers, the runtime config
//               (also the manifest config) and the raw module;
//   - `compat`: a standard OCI image whose single tar+gzip layer holds `plugin.wasm`.
// Output is reproducible: the same module and options give byte-identical blobs, so the
// manifest digest (what a WasmPlugin's `sha256` must be for oci:// URLs) is known before pushing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/mesh_version.hpp>

namespace wasmdeploy {

/// What build_image() produces.
enum class image_variant : int {
  oci = 0,     ///< wasme / WebAssembly Hub two-layer image
  compat = 1,  ///< OCI image with one tar+gzip layer holding plugin.wasm
};

/// "oci" / "compat".
const char* image_variant_name(image_variant v) noexcept;
/// Parses "oci" / "compat"; throws error{usage, "oci.variant.unknown"}.
image_variant parse_image_variant(std::string_view name);

struct build_options {
  image_variant variant = image_variant::oci;
  /// Written to runtime-config.json `config.rootIds`. At least one is required.
  std::vector<std::string> root_ids;
  /// Written to runtime-config.json `abiVersions` and the `module.wasm.runtime/abi_version`
  /// annotation (wasme's names, e.g. `v0-4689a30309abf31aee9ae36e73d34b1bb182685f`, `v0.2.1`).
  std::vector<std::string> abi_versions;
  /// runtime-config.json `type`; wasme only ever wrote this value.
  std::string runtime_type = "envoy_proxy";
  /// `org.opencontainers.image.ref.name` of the manifest in index.json ("v1", or a full
  /// reference such as "ghcr.io/me/filter:v1"). Empty: no annotation.
  std::string ref_name;
  /// compat only: also put runtime-config.json into the layer tar (after plugin.wasm).
  bool compat_runtime_config = true;
  /// The layout directory to create.
  std::string output_dir;
  /// Replace an existing non-empty output_dir, but only if it already is an OCI layout.
  bool force = false;
};

/// A content descriptor as it appears in a manifest.
struct blob_info {
  std::string media_type;
  std::string digest;  ///< "sha256:<64 hex>"
  std::uint64_t size = 0;
};

struct build_result {
  std::string output_dir;
  image_variant variant = image_variant::oci;
  blob_info manifest;  ///< manifest.digest is what WasmPlugin `sha256` must be (without "sha256:")
  blob_info config;
  std::vector<blob_info> layers;
  std::string module_sha256;  ///< hex sha256 of the .wasm bytes (for http(s) delivery)
  std::uint64_t module_size = 0;
  std::string ref_name;

  /// The 64-hex manifest digest: the value for WasmPlugin `spec.sha256` with an oci:// url.
  std::string wasm_plugin_sha256() const;
};

/// Builds the image and writes it as an OCI image layout at options.output_dir.
///
/// The layout is assembled in a temporary directory beside the target and renamed into place,
/// so the target never holds a partial layout.
/// @throws error `oci.module.not-wasm` (no `\0asm` header), `oci.build.root-id` (none given),
///   `oci.ref.invalid`, `oci.layout.exists` (non-empty target without force),
///   `oci.layout.not-a-layout` (force on a directory that is not an OCI layout), io errors.
build_result build_image(std::string_view module_bytes, const build_options& options);

/// The layouts found in the wild (platforms.md §3), as detected by inspect_layout().
enum class layout_kind : int {
  oci =
      0,  ///< wasme two-layer image (a layer is application/vnd.module.wasm.content.layer.v1+wasm)
  compat =
      1,  ///< OCI manifest, last layer application/vnd.oci.image.layer.v1.tar+gzip with plugin.wasm
  docker_compat = 2,   ///< Docker v2 manifest, last layer rootfs.diff.tar.gzip with plugin.wasm
  oras_one_layer = 3,  ///< one application/vnd.module.wasm.content.layer.v1+wasm layer
  wasm_to_oci =
      4,          ///< one application/vnd.wasm.content.layer.v1+wasm layer (engineerd/wasm-to-oci)
  cncf_wasm = 5,  ///< one application/wasm layer (CNCF TAG-Runtime Wasm OCI artifact)
  unknown = 6,
};

/// "oci", "compat", "docker-compat", "oras-one-layer", "wasm-to-oci", "cncf-wasm", "unknown".
const char* layout_kind_name(layout_kind k) noexcept;

struct layout_report {
  std::string directory;
  layout_kind kind = layout_kind::unknown;
  std::string ref_name;  ///< org.opencontainers.image.ref.name of the chosen manifest
  blob_info manifest;    ///< media type, digest and size of the manifest blob
  blob_info config;
  std::vector<blob_info> layers;
  std::vector<std::pair<std::string, std::string>>
      annotations;                            ///< manifest annotations, in file order
  std::optional<std::string> module;          ///< the .wasm bytes, when the layout holds one
  std::optional<std::string> runtime_config;  ///< runtime-config.json text, when present
  std::string module_sha256;                  ///< hex; empty when there is no module
  /// The module starts with the Wasm magic `\0asm` (Istio's isValidWasmBinary).
  bool module_is_wasm = false;
};

/// Reads an OCI image layout and classifies its image.
///
/// @param ref_name selects the manifest by `org.opencontainers.image.ref.name`; may be empty
///   when index.json lists exactly one manifest.
/// Every blob read is checked against its digest.
/// @throws error `oci.layout.missing`, `oci.layout.version`, `oci.layout.json`,
///   `oci.layout.ambiguous`, `oci.layout.ref-not-found`, `oci.layout.nested-index`,
///   `oci.blob.missing`, `oci.blob.digest-mismatch`, `oci.layer.tar`.
layout_report inspect_layout(const std::string& dir, const std::string& ref_name = "");

/// Platforms whose Wasm image fetchers wasmdeploy knows.
enum class wasm_platform : int { istio = 0, envoy_gateway = 1, higress = 2, gloo = 3 };
const char* wasm_platform_name(wasm_platform p) noexcept;
/// "istio", "envoy-gateway", "higress", "gloo"; throws error{usage, "oci.platform.unknown"}.
wasm_platform parse_wasm_platform(std::string_view name);

/// Refuses layouts the platform's fetcher rejects, naming the variants it accepts.
///
/// @param istio for wasm_platform::istio, the target release; version-dependent rules
///   (oci:// fetch from 1.12, multi-layer compat from 1.16) come from the capability table.
///   Without it, the newest release is assumed.
/// @return notes and warnings for layouts that are accepted but worth a remark.
/// @throws error `oci.platform.rejects-layout`, `oci.platform.no-module`,
///   `oci.module.not-wasm`, `oci.module.too-large`, `oci.platform.no-oci-fetch`,
///   `oci.layout.compat-multi-layer` (errc::version for the last two).
std::vector<diagnostic> check_layout_for(wasm_platform platform, const layout_report& report,
                                         const std::optional<mesh_version>& istio = std::nullopt);

}  // namespace wasmdeploy
