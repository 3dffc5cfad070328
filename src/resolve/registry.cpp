// resolve / pull / push / login on top of registry_client. A pulled image is written as an OCI
// image layout and read back with inspect_layout(), so a registry image and a local layout are
// classified (compat, wasme oci, ...) and checked by exactly the same code.
#include <wasmdeploy/digest.hpp>
#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/resolve.hpp>

#include "oci/image_builder.hpp"
#include "oci/media_types.hpp"
#include "resolve/registry_client.hpp"

#include <cstdlib>
#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace wasmdeploy {
namespace {

using resolve::manifest_blob;
using resolve::registry_client;

constexpr std::size_t kMaxLayers = 64;

struct fetched_image {
  manifest_blob manifest;
  std::string index_digest;
  std::vector<oci::blob> blobs;  ///< config and layers, then the manifest
};

std::string tag_or_digest(const image_reference& r) {
  if (!r.digest.empty()) return r.digest;
  return r.tag.empty() ? "latest" : r.tag;
}

blob_info descriptor(const nlohmann::json& d, const std::string& where) {
  if (!d.is_object() || !d.contains("digest") || !d["digest"].is_string() || !d.contains("size") ||
      !d["size"].is_number_unsigned()) {
    throw error(errc::parse, "registry.protocol", "", fmt::format("{}: a descriptor needs digest and size", where));
  }
  return {d.value("mediaType", std::string()), d["digest"].get<std::string>(), d["size"].get<std::uint64_t>()};
}

bool is_index(const std::string& media_type) {
  return media_type == oci::kMediaIndex || media_type == oci::kMediaDockerManifestList;
}

// A Wasm image in an index: the only entry, or the one for platform wasm/wasi.
std::string pick_from_index(const manifest_blob& index, const image_reference& ref) {
  nlohmann::json j = nlohmann::json::parse(index.bytes, nullptr, false);
  if (!j.contains("manifests") || !j["manifests"].is_array() || j["manifests"].empty()) {
    throw error(errc::invalid, "registry.protocol", "", fmt::format("{}: the index lists no manifests", ref.str()));
  }
  const auto& list = j["manifests"];
  if (list.size() == 1) return descriptor(list[0], ref.str()).digest;
  std::vector<std::string> wasm;
  for (const auto& m : list) {
    if (!m.contains("platform") || !m["platform"].is_object()) continue;
    const std::string arch = m["platform"].value("architecture", std::string());
    const std::string os = m["platform"].value("os", std::string());
    if (arch == "wasm" || os.rfind("wasi", 0) == 0) wasm.push_back(descriptor(m, ref.str()).digest);
  }
  if (wasm.size() == 1) return wasm.front();
  throw error(errc::invalid, "registry.index-ambiguous", "",
              fmt::format("{} is an index of {} manifests and {} of them are for platform wasm/wasi; name one by "
                          "digest (@sha256:...)",
                          ref.str(), list.size(), wasm.size()));
}

fetched_image fetch_image(const image_reference& ref, const registry_options& options) {
  registry_client client(ref, options);
  fetched_image out;
  out.manifest = client.get_manifest(tag_or_digest(ref));
  if (is_index(out.manifest.media_type)) {
    out.index_digest = out.manifest.digest;
    out.manifest = client.get_manifest(pick_from_index(out.manifest, ref));
    if (is_index(out.manifest.media_type)) {
      throw error(errc::invalid, "registry.protocol", "", fmt::format("{}: an index inside an index", ref.str()));
    }
  }
  nlohmann::json m = nlohmann::json::parse(out.manifest.bytes, nullptr, false);
  if (!m.contains("config") || !m.contains("layers") || !m["layers"].is_array()) {
    throw error(errc::invalid, "registry.protocol", "", fmt::format("{}: the manifest has no config or layers", ref.str()));
  }
  if (m["layers"].size() > kMaxLayers) {
    throw error(errc::invalid, "registry.too-large", "", fmt::format("{}: more than {} layers", ref.str(), kMaxLayers));
  }
  std::vector<blob_info> wanted{descriptor(m["config"], ref.str() + " config")};
  for (const auto& l : m["layers"]) wanted.push_back(descriptor(l, ref.str() + " layer"));
  std::set<std::string> seen;
  for (const auto& d : wanted) {
    if (!seen.insert(d.digest).second) continue;
    out.blobs.push_back({d, client.get_blob(d.digest, d.size)});
  }
  out.blobs.push_back({{out.manifest.media_type, out.manifest.digest, out.manifest.bytes.size()}, out.manifest.bytes});
  return out;
}

std::string index_json_for(const fetched_image& img, const image_reference& ref) {
  nlohmann::ordered_json entry{{"mediaType", img.manifest.media_type},
                               {"digest", img.manifest.digest},
                               {"size", img.manifest.bytes.size()}};
  if (!ref.tag.empty()) entry["annotations"] = {{oci::kAnnotationRefName, ref.tag}};
  nlohmann::ordered_json index{{"schemaVersion", 2}, {"manifests", nlohmann::ordered_json::array({entry})}};
  return index.dump();
}

struct temp_dir {
  std::string path;
  temp_dir() {
    std::string templ = (fs::temp_directory_path() / "wasmdeploy-pull-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) throw error(errc::io, "io.write", "", "cannot create a temporary directory");
    path = templ;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

resolved_image describe(const image_reference& ref, const fetched_image& img, const layout_report& layout) {
  resolved_image r;
  r.reference = ref;
  r.manifest_digest = img.manifest.digest;
  r.manifest_media_type = img.manifest.media_type;
  r.index_digest = img.index_digest;
  r.module_sha256 = layout.module_sha256;
  r.module_size = layout.module ? layout.module->size() : 0;
  r.kind = layout.kind;
  if (!layout.module) {
    throw error(errc::invalid, "registry.no-module", "",
                fmt::format("{} holds no Wasm module in a layout wasmdeploy knows (found: {})", ref.str(),
                            layout_kind_name(layout.kind)));
  }
  return r;
}

}  // namespace

node resolved_image_data(const resolved_image& r) {
  node n = node::mapping();
  n.add("reference", r.reference.str());
  n.add("manifestDigest", r.manifest_digest);
  n.add("mediaType", r.manifest_media_type);
  if (!r.index_digest.empty()) n.add("indexDigest", r.index_digest);
  n.add("pinned", r.pinned());
  // The two values a spec takes: sha256 (what istio-agent compares for oci://) and moduleSha256.
  n.add("sha256", r.manifest_digest.substr(r.manifest_digest.find(':') + 1));
  n.add("moduleSha256", r.module_sha256);
  n.add("moduleSize", static_cast<long long>(r.module_size));
  n.add("variant", layout_kind_name(r.kind));
  return n;
}

resolved_image resolve_image(const std::string& reference, const registry_options& options, layout_report& layout) {
  const image_reference ref = parse_oci_url(reference, "REFERENCE");
  fetched_image img = fetch_image(ref, options);
  temp_dir tmp;
  const std::string dir = tmp.path + "/image";
  oci::write_image_layout(dir, img.blobs, index_json_for(img, ref), false);
  layout = inspect_layout(dir);
  layout.directory = ref.str();
  return describe(ref, img, layout);
}

resolved_image resolve_image(const std::string& reference, const registry_options& options) {
  layout_report layout;
  return resolve_image(reference, options, layout);
}

pull_result pull_image(const std::string& reference, const registry_options& options, const std::string& layout_dir,
                       const std::string& wasm_file, bool force) {
  if (layout_dir.empty() && wasm_file.empty()) {
    throw error(errc::usage, "registry.pull-nothing", "", "say where to put the image: a layout (-o DIR) and/or the module (--wasm FILE)");
  }
  const image_reference ref = parse_oci_url(reference, "REFERENCE");
  fetched_image img = fetch_image(ref, options);
  // Verified and classified in a scratch layout before anything is written where asked.
  temp_dir tmp;
  const std::string scratch = tmp.path + "/image";
  const std::string index_json = index_json_for(img, ref);
  oci::write_image_layout(scratch, img.blobs, index_json, false);
  layout_report layout = inspect_layout(scratch);
  pull_result out;
  out.image = describe(ref, img, layout);
  if (!layout_dir.empty()) out.layout_dir = oci::write_image_layout(layout_dir, img.blobs, index_json, force);
  if (!wasm_file.empty()) {
    write_file_atomic(wasm_file, *layout.module);
    out.wasm_file = wasm_file;
  }
  return out;
}

resolved_image push_layout(const std::string& layout_dir, const std::string& ref_name, const std::string& reference,
                           const registry_options& options) {
  const image_reference ref = parse_oci_url(reference, "REFERENCE");
  // inspect_layout verifies every blob it reads; the ones it does not need are verified below.
  const layout_report layout = inspect_layout(layout_dir, ref_name);
  auto read_blob = [&](const blob_info& d) {
    if (d.digest.rfind("sha256:", 0) != 0 || !is_sha256_hex(std::string_view(d.digest).substr(7))) {
      throw error(errc::invalid, "oci.blob.algorithm", d.digest, "only sha256 digests are supported");
    }
    if (d.size > options.max_blob_bytes) {
      throw error(errc::invalid, "registry.too-large", d.digest, fmt::format("blob of {} bytes is over the limit", d.size));
    }
    std::string bytes = read_file(layout_dir + "/blobs/sha256/" + d.digest.substr(7), d.size);
    if (bytes.size() != d.size || "sha256:" + sha256_hex(bytes) != d.digest) {
      throw error(errc::invalid, "oci.blob.digest-mismatch", d.digest, "the layout's blob does not match its digest");
    }
    return bytes;
  };
  if (!ref.digest.empty() && ref.digest != layout.manifest.digest) {
    throw error(errc::invalid, "registry.digest-mismatch", "REFERENCE",
                fmt::format("{} names digest {}, but the layout's manifest is {}", ref.str(), ref.digest, layout.manifest.digest));
  }
  registry_client client(ref, options, true);
  std::vector<blob_info> blobs{layout.config};
  blobs.insert(blobs.end(), layout.layers.begin(), layout.layers.end());
  std::set<std::string> done;
  for (const auto& d : blobs) {
    if (!done.insert(d.digest).second || client.has_blob(d.digest)) continue;
    client.put_blob(d.digest, read_blob(d));
  }
  const std::string manifest = read_blob(layout.manifest);
  resolved_image r;
  r.reference = ref;
  r.manifest_media_type = layout.manifest.media_type;
  r.manifest_digest = client.put_manifest(tag_or_digest(ref), layout.manifest.media_type, manifest);
  r.module_sha256 = layout.module_sha256;
  r.module_size = layout.module ? layout.module->size() : 0;
  r.kind = layout.kind;
  return r;
}

void registry_login(const std::string& registry, const std::string& username, const std::string& password,
                    const registry_options& options) {
  if (username.empty() || password.empty()) {
    throw error(errc::usage, "registry.login-incomplete", "--username", "login needs a username and a password (--password-stdin)");
  }
  const image_reference ref = parse_image_reference(registry + "/x", "REGISTRY");
  registry_options o = options;
  o.username = username;
  o.password = password;
  resolve::registry_client client(ref, o);
  client.check_login();
  resolve::store_credentials(ref.registry, {username, password}, options);
}

bool registry_logout(const std::string& registry, const registry_options& options) {
  const image_reference ref = parse_image_reference(registry + "/x", "REGISTRY");
  return resolve::erase_credentials(ref.registry, options);
}

}  // namespace wasmdeploy
