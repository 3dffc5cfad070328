// inspect_layout(): reads an OCI image layout and classifies the image the way the Istio /
// Envoy Gateway fetchers do (istio.md §4.2): Docker compat, then OCI compat, then the two-layer
// wasme variant; anything else is named so check_layout_for() can refuse it precisely.
#include <wasmdeploy/digest.hpp>
#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/oci_image.hpp>

#include "json_depth.hpp"
#include "oci/media_types.hpp"
#include "oci/tar_gzip.hpp"

#include <filesystem>
#include <system_error>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace wasmdeploy {
namespace {

using ojson = nlohmann::ordered_json;

// Inspection reads modules above the fetchers' 256 MiB limit so check_layout_for() can say so.
constexpr std::uint64_t kMaxInspectBytes = 1ULL << 30;

ojson parse_json(const std::string& text, const std::string& what) {
  if (detail::json_nesting(text, active_limits().json_depth) > active_limits().json_depth) {
    throw error(errc::invalid, "json.too-deep", what, fmt::format("{} is nested deeper than {} levels", what, active_limits().json_depth));
  }
  try {
    return ojson::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw error(errc::parse, "oci.layout.json", what,
                fmt::format("{} is not valid JSON: {}", what, e.what()));
  }
}

std::string get_string(const ojson& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

blob_info parse_descriptor(const ojson& d, const std::string& where) {
  if (!d.is_object() || !d.contains("digest") || !d["digest"].is_string() || !d.contains("size") ||
      !d["size"].is_number_unsigned()) {
    throw error(errc::parse, "oci.layout.descriptor", where,
                "descriptor needs a digest and a size");
  }
  return blob_info{get_string(d, "mediaType"), d["digest"].get<std::string>(),
                   d["size"].get<std::uint64_t>()};
}

class layout {
 public:
  explicit layout(fs::path dir) : dir_(std::move(dir)) {}

  /// Reads a blob and checks it against the descriptor; the digest is validated before it
  /// becomes a path, so "sha256:../../etc/passwd" cannot escape the layout.
  std::string read_blob(const blob_info& d, std::uint64_t limit) const {
    if (d.digest.rfind("sha256:", 0) != 0 || !is_sha256_hex(std::string_view(d.digest).substr(7))) {
      throw error(errc::invalid, "oci.blob.algorithm", d.digest,
                  "only sha256 digests (64 lowercase hex characters) are supported");
    }
    if (d.size > limit) {
      throw error(errc::invalid, "oci.blob.too-large", d.digest,
                  fmt::format("blob is {} bytes; the limit for this kind is {}", d.size, limit));
    }
    fs::path p = dir_ / "blobs" / "sha256" / d.digest.substr(7);
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) {
      throw error(errc::not_found, "oci.blob.missing", d.digest,
                  fmt::format("{} does not exist", p.string()));
    }
    std::string bytes = read_file(p.string(), static_cast<std::size_t>(limit));
    if (bytes.size() != d.size || "sha256:" + sha256_hex(bytes) != d.digest) {
      throw error(errc::invalid, "oci.blob.digest-mismatch", d.digest,
                  fmt::format("{} does not match its descriptor (size {} vs {})", p.string(),
                              bytes.size(), d.size));
    }
    return bytes;
  }

  std::string read_json_file(const char* name) const {
    fs::path p = dir_ / name;
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) {
      throw error(errc::not_found, "oci.layout.missing", name,
                  fmt::format("{} is not an OCI image layout: {} is missing", dir_.string(), name));
    }
    return read_file(p.string(), active_limits().oci_json_bytes);  // default 4 MiB: registries cap manifests there
  }

 private:
  fs::path dir_;
};

/// The index.json entry to inspect.
std::pair<blob_info, std::string> select_manifest(const ojson& index, const std::string& ref_name) {
  if (!index.contains("manifests") || !index["manifests"].is_array()) {
    throw error(errc::parse, "oci.layout.json", "index.json", "index.json has no manifests array");
  }
  std::vector<std::pair<blob_info, std::string>> candidates;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < index["manifests"].size(); ++i) {
    const ojson& m = index["manifests"][i];
    std::string name;
    if (m.contains("annotations") && m["annotations"].is_object())
      name = get_string(m["annotations"], oci::kAnnotationRefName);
    names.push_back(name.empty() ? fmt::format("#{}", i) : name);
    if (ref_name.empty() || name == ref_name) {
      candidates.emplace_back(parse_descriptor(m, fmt::format("index.json manifests[{}]", i)),
                              name);
    }
  }
  if (candidates.size() == 1) return candidates.front();
  if (candidates.empty() && !ref_name.empty()) {
    throw error(errc::not_found, "oci.layout.ref-not-found", ref_name,
                fmt::format("no manifest named '{}' in index.json (it has: {})", ref_name,
                            fmt::join(names, ", ")));
  }
  if (candidates.empty())
    throw error(errc::invalid, "oci.layout.empty", "index.json", "index.json lists no manifests");
  throw error(errc::usage, "oci.layout.ambiguous", "index.json",
              fmt::format("index.json lists {} manifests; choose one by name: {}",
                          candidates.size(), fmt::join(names, ", ")));
}

void set_module(layout_report& r, std::string bytes) {
  r.module_sha256 = sha256_hex(bytes);
  r.module_is_wasm = bytes.size() >= 8 && bytes.compare(0, 4, std::string("\0asm", 4)) == 0;
  r.module = std::move(bytes);
}

/// Compat (Docker or OCI): the LAST layer, with the expected tar+gzip media type, holding a
/// file named plugin.wasm.
bool try_compat(const layout& l, layout_report& r, const char* layer_type, layout_kind kind) {
  if (r.layers.empty() || r.layers.back().media_type != layer_type) return false;
  std::string tgz = l.read_blob(r.layers.back(), kMaxInspectBytes);
  auto module = oci::find_in_tar(tgz, oci::kCompatModuleFile, kMaxInspectBytes);
  if (!module) return false;
  r.kind = kind;
  set_module(r, std::move(*module));
  if (auto rc = oci::find_in_tar(tgz, oci::kRuntimeConfigFile, active_limits().oci_json_bytes))
    r.runtime_config = std::move(*rc);
  return true;
}

void classify(const layout& l, layout_report& r) {
  if (r.manifest.media_type == oci::kMediaDockerManifest) {
    try_compat(l, r, oci::kMediaDockerLayerTarGzip, layout_kind::docker_compat);
    return;
  }
  if (try_compat(l, r, oci::kMediaLayerTarGzip, layout_kind::compat)) return;
  if (r.layers.size() == 2) {
    for (const auto& layer : r.layers) {
      if (layer.media_type != oci::kMediaWasmeContent) continue;
      r.kind = layout_kind::oci;
      set_module(r, l.read_blob(layer, kMaxInspectBytes));
      for (const auto& other : r.layers) {
        if (other.media_type == oci::kMediaWasmeConfig)
          r.runtime_config = l.read_blob(other, active_limits().oci_json_bytes);
      }
      return;
    }
  }
  if (r.layers.size() == 1) {
    const std::string& mt = r.layers[0].media_type;
    if (mt == oci::kMediaWasmeContent)
      r.kind = layout_kind::oras_one_layer;
    else if (mt == oci::kMediaWasmToOciContent)
      r.kind = layout_kind::wasm_to_oci;
    else if (mt == oci::kMediaCncfWasm)
      r.kind = layout_kind::cncf_wasm;
    if (r.kind != layout_kind::unknown) set_module(r, l.read_blob(r.layers[0], kMaxInspectBytes));
  }
}

}  // namespace

layout_report inspect_layout(const std::string& dir, const std::string& ref_name) {
  layout l{fs::path(dir)};
  ojson marker = parse_json(l.read_json_file("oci-layout"), "oci-layout");
  if (get_string(marker, "imageLayoutVersion") != oci::kImageLayoutVersion) {
    throw error(errc::invalid, "oci.layout.version", "oci-layout",
                fmt::format("unsupported imageLayoutVersion '{}' (expected {})",
                            get_string(marker, "imageLayoutVersion"), oci::kImageLayoutVersion));
  }
  ojson index = parse_json(l.read_json_file("index.json"), "index.json");

  layout_report r;
  r.directory = dir;
  std::tie(r.manifest, r.ref_name) = select_manifest(index, ref_name);
  if (r.manifest.media_type == oci::kMediaIndex ||
      r.manifest.media_type == oci::kMediaDockerManifestList) {
    throw error(errc::invalid, "oci.layout.nested-index", r.manifest.digest,
                "the selected entry is an image index (multi-platform image); Wasm images are "
                "single manifests");
  }
  ojson manifest =
      parse_json(l.read_blob(r.manifest, active_limits().oci_json_bytes), "manifest " + r.manifest.digest);
  // mediaType inside the manifest is optional in image-spec 1.0; the index descriptor has it.
  if (std::string mt = get_string(manifest, "mediaType"); !mt.empty()) r.manifest.media_type = mt;
  if (!manifest.contains("config") || !manifest.contains("layers") ||
      !manifest["layers"].is_array()) {
    throw error(errc::parse, "oci.layout.json", r.manifest.digest,
                "manifest needs config and layers");
  }
  r.config = parse_descriptor(manifest["config"], "config");
  for (std::size_t i = 0; i < manifest["layers"].size(); ++i) {
    r.layers.push_back(parse_descriptor(manifest["layers"][i], fmt::format("layers[{}]", i)));
  }
  if (manifest.contains("annotations") && manifest["annotations"].is_object()) {
    for (const auto& [k, v] : manifest["annotations"].items()) {
      if (v.is_string()) r.annotations.emplace_back(k, v.get<std::string>());
    }
  }
  classify(l, r);
  return r;
}

}  // namespace wasmdeploy
