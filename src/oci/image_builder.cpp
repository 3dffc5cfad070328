#include "oci/image_builder.hpp"

#include "oci/media_types.hpp"
#include "oci/tar_gzip.hpp"

#include <wasmdeploy/digest.hpp>
#include <wasmdeploy/error.hpp>

#include <regex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace wasmdeploy::oci {
namespace {

// ordered_json keeps insertion order, so key order is fixed by this code and dump() (no indent)
// has no whitespace to vary.
using ojson = nlohmann::ordered_json;

ojson descriptor_json(const blob_info& b, const char* title = nullptr) {
  ojson d;
  d["mediaType"] = b.media_type;
  d["digest"] = b.digest;
  d["size"] = b.size;
  if (title != nullptr) d["annotations"] = ojson{{kAnnotationTitle, title}};
  return d;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += sep;
    out += v[i];
  }
  return out;
}

void validate(std::string_view module, const build_options& o) {
  if (module.size() < 8 || module.substr(0, 4) != std::string_view("\0asm", 4)) {
    throw error(
        errc::invalid, "oci.module.not-wasm", "module",
        "the module does not start with the Wasm magic \\0asm (Istio and Envoy Gateway refuse it)");
  }
  if (module.size() > kMaxModuleBytes) {
    throw error(
        errc::invalid, "oci.module.too-large", "module",
        fmt::format("the module is {} bytes; Istio and Envoy Gateway refuse modules over {}",
                    module.size(), kMaxModuleBytes));
  }
  if (o.root_ids.empty()) {
    throw error(errc::invalid, "oci.build.root-id", "root_ids", "at least one root id is required");
  }
  for (std::size_t i = 0; i < o.root_ids.size(); ++i) {
    if (o.root_ids[i].empty()) {
      throw error(errc::invalid, "oci.build.root-id", fmt::format("root_ids[{}]", i),
                  "root id is empty");
    }
  }
  for (std::size_t i = 0; i < o.abi_versions.size(); ++i) {
    // The annotation joins versions with ","; a comma inside one would split it on reading.
    if (o.abi_versions[i].empty() || o.abi_versions[i].find(',') != std::string::npos) {
      throw error(errc::invalid, "oci.build.abi-version", fmt::format("abi_versions[{}]", i),
                  "ABI version must be non-empty and contain no comma");
    }
  }
  if (!o.ref_name.empty() && !is_valid_ref_name(o.ref_name)) {
    throw error(errc::invalid, "oci.ref.invalid", "ref_name",
                fmt::format("'{}' is not a valid org.opencontainers.image.ref.name", o.ref_name));
  }
}

std::string manifest_json(const blob_info& config, const std::vector<ojson>& layers,
                          const std::vector<std::pair<const char*, std::string>>& annotations) {
  ojson m;
  m["schemaVersion"] = 2;
  m["mediaType"] = kMediaManifest;
  m["config"] = descriptor_json(config);
  m["layers"] = layers;
  ojson ann = ojson::object();
  for (const auto& [k, v] : annotations) ann[k] = v;
  m["annotations"] = ann;
  return m.dump();
}

}  // namespace

bool is_valid_ref_name(std::string_view ref) {
  // image-spec image-layout.md: component ("/" component)*, component = alphanum (separator
  // alphanum)*, separator = [-._:@+] | "--".
  static const std::regex re(
      "^[A-Za-z0-9]+(([-._:@+]|--)[A-Za-z0-9]+)*(/[A-Za-z0-9]+(([-._:@+]|--)[A-Za-z0-9]+)*)*$");
  return std::regex_match(ref.begin(), ref.end(), re);
}

blob_info describe(std::string media_type, std::string_view bytes) {
  return blob_info{std::move(media_type), "sha256:" + sha256_hex(bytes), bytes.size()};
}

std::string runtime_config_json(const std::string& type,
                                const std::vector<std::string>& abi_versions,
                                const std::vector<std::string>& root_ids) {
  ojson j;
  if (!type.empty()) j["type"] = type;
  if (!abi_versions.empty()) j["abiVersions"] = abi_versions;
  ojson config = ojson::object();
  if (!root_ids.empty()) config["rootIds"] = root_ids;
  j["config"] = config;
  return j.dump();
}

assembled_image assemble_image(std::string_view module, const build_options& o) {
  validate(module, o);
  assembled_image img;
  build_result& r = img.result;
  r.variant = o.variant;
  r.ref_name = o.ref_name;
  r.module_sha256 = sha256_hex(module);
  r.module_size = module.size();
  std::string runtime_config = runtime_config_json(o.runtime_type, o.abi_versions, o.root_ids);

  std::string manifest;
  if (o.variant == image_variant::oci) {
    // wasme push (oras 0.8): the runtime config is the manifest config AND layer 0.
    r.config = describe(kMediaWasmeConfig, runtime_config);
    blob_info content = describe(kMediaWasmeContent, module);
    r.layers = {r.config, content};
    img.blobs.push_back({r.config, runtime_config});
    img.blobs.push_back({content, std::string(module)});
    manifest = manifest_json(
        r.config,
        {descriptor_json(r.config, kRuntimeConfigFile), descriptor_json(content, kWasmeModuleFile)},
        {{kAnnotationAbiVersion, join(o.abi_versions, ",")},
         {kAnnotationRuntimeType, o.runtime_type}});
  } else {
    // plugin.wasm first: Istio's http fetcher (1.15+) reduces a tar to its FIRST file.
    std::vector<tar_entry> entries{{kCompatModuleFile, module}};
    if (o.compat_runtime_config) entries.push_back({kRuntimeConfigFile, runtime_config});
    std::string tar = write_tar(entries);
    std::string layer_bytes = gzip_compress(tar);
    blob_info layer = describe(kMediaLayerTarGzip, layer_bytes);
    // Minimal valid image config. linux/amd64 is what `docker build`/buildah FROM scratch write
    // and what every registry and image tool expects; Istio and Envoy Gateway ignore it.
    ojson cfg;
    cfg["architecture"] = "amd64";
    cfg["os"] = "linux";
    cfg["config"] = ojson::object();
    cfg["rootfs"] =
        ojson{{"type", "layers"}, {"diff_ids", ojson::array({"sha256:" + sha256_hex(tar)})}};
    std::string config_bytes = cfg.dump();
    r.config = describe(kMediaImageConfig, config_bytes);
    r.layers = {layer};
    img.blobs.push_back({r.config, std::move(config_bytes)});
    img.blobs.push_back({layer, std::move(layer_bytes)});
    manifest = manifest_json(r.config, {descriptor_json(layer)}, {{kAnnotationVariant, "compat"}});
  }
  r.manifest = describe(kMediaManifest, manifest);
  img.blobs.push_back({r.manifest, std::move(manifest)});

  ojson entry = descriptor_json(r.manifest);
  if (!o.ref_name.empty()) entry["annotations"] = ojson{{kAnnotationRefName, o.ref_name}};
  ojson index;
  index["schemaVersion"] = 2;
  index["mediaType"] = kMediaIndex;
  index["manifests"] = ojson::array({entry});
  img.index_json = index.dump();
  return img;
}

}  // namespace wasmdeploy::oci
