// Assembles an image in memory: every blob, the manifest and the index, with no file I/O, so
// the bytes can be tested (and later pushed directly) without touching the disk.
#pragma once

#include <wasmdeploy/oci_image.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace wasmdeploy::oci {

struct blob {
  blob_info info;
  std::string bytes;
};

struct assembled_image {
  build_result result;      ///< everything but output_dir
  std::vector<blob> blobs;  ///< config, layers and manifest; each digest once
  std::string index_json;
};

/// wasme's runtime-config.json: compact camelCase in proto field order, with empty repeated
/// fields left out as gogo jsonpb (EmitDefaults off) does.
std::string runtime_config_json(const std::string& type,
                                const std::vector<std::string>& abi_versions,
                                const std::vector<std::string>& root_ids);

/// Validates the options and module, then builds every byte of the image.
assembled_image assemble_image(std::string_view module_bytes, const build_options& options);

/// The OCI image-layout grammar for org.opencontainers.image.ref.name.
bool is_valid_ref_name(std::string_view ref);

/// Writes blobs and index.json as an OCI image layout at output_dir, all or nothing (a
/// temporary directory beside it, then one rename or exchange). An existing non-empty target
/// is replaced only with `force` and only when it is a layout. Returns the directory written.
std::string write_image_layout(const std::string& output_dir, const std::vector<blob>& blobs,
                               const std::string& index_json, bool force);

/// "sha256:<hex>" descriptor for bytes.
blob_info describe(std::string media_type, std::string_view bytes);

}  // namespace wasmdeploy::oci
