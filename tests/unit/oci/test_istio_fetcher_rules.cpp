// Cross-check: our images against an independent re-statement of istio-agent's image fetcher
// (istio/istio pkg/wasm/imagefetcher.go; shared/reference/istio.md §4.2). The tar is parsed
// here by hand rather than with libarchive, so a libarchive quirk cannot hide on both sides.
#include <catch2/catch.hpp>

#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/oci_image.hpp>

#include "oci/tar_gzip.hpp"
#include "unit/oci/oci_test_support.hpp"

#include <optional>

#include <nlohmann/json.hpp>

using namespace wasmdeploy;
using json = nlohmann::json;

namespace {

std::string blob(const std::string& dir, const json& desc) {
  return read_file(dir + "/blobs/sha256/" + desc["digest"].get<std::string>().substr(7), SIZE_MAX);
}

/// Go's archive/tar over ustar: 512-byte headers, octal sizes, filepath.Base(name) match.
std::optional<std::string> find_plugin_wasm(const std::string& tar) {
  for (std::size_t off = 0; off + 512 <= tar.size();) {
    std::string name = tar.substr(off, 100).c_str();
    if (name.empty()) break;  // end-of-archive block
    std::string prefix = tar.substr(off + 345, 155).c_str();
    if (!prefix.empty()) name = prefix + "/" + name;
    std::size_t size = std::stoul(tar.substr(off + 124, 12).c_str(), nullptr, 8);
    std::string base = name.substr(name.rfind('/') == std::string::npos ? 0 : name.rfind('/') + 1);
    if (base == "plugin.wasm") return tar.substr(off + 512, size);
    off += 512 + (size + 511) / 512 * 512;
  }
  return std::nullopt;
}

/// PrepareFetch's binaryFetcher for an OCI manifest: compat first, then the oci variant.
/// `minor` selects the compat layer-count rule (1.12-1.15: exactly one; 1.16+: the last).
std::optional<std::string> istio_extract(const std::string& dir, const json& m, int minor) {
  REQUIRE(m["mediaType"] != "application/vnd.docker.distribution.manifest.v2+json");
  const json& layers = m["layers"];
  bool compat_count_ok = minor >= 16 ? !layers.empty() : layers.size() == 1;
  if (compat_count_ok &&
      layers.back()["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip") {
    std::string tgz = blob(dir, layers.back());
    if (auto wasm = find_plugin_wasm(oci::gzip_decompress(tgz, 1 << 28))) return wasm;
  }
  if (layers.size() != 2) return std::nullopt;  // "number of layers must be 2 but got %d"
  for (const auto& l : layers) {
    if (l["mediaType"] == "application/vnd.module.wasm.content.layer.v1+wasm")
      return blob(dir, l);  // raw, not gunzipped
  }
  return std::nullopt;
}

bool is_valid_wasm_binary(const std::string& b) {
  return b.size() >= 4 && b.compare(0, 4, std::string("\0asm", 4)) == 0;
}

}  // namespace

TEST_CASE("istio-agent's fetcher extracts our module from both variants", "[oci][istio]") {
  std::string module = oci_test::tiny_module("istio-crosscheck", "payload");
  for (auto variant : {image_variant::compat, image_variant::oci}) {
    for (int minor : {12, 15, 16, 31}) {
      DYNAMIC_SECTION(image_variant_name(variant) << " on Istio 1." << minor) {
        oci_test::temp_dir t;
        build_options o;
        o.variant = variant;
        o.root_ids = {"root"};
        o.output_dir = t / "img";
        build_result r = build_image(module, o);
        json m = json::parse(blob(o.output_dir, json{{"digest", r.manifest.digest}}));
        if (variant == image_variant::compat) {
          // compat: one tar+gzip layer; exactly one keeps 1.12-1.15 happy too.
          CHECK(m["layers"].size() == 1);
          CHECK(m["layers"][0]["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip");
        } else {
          // oci: exactly two layers, one the raw wasm content layer.
          CHECK(m["layers"].size() == 2);
          int content = 0;
          for (const auto& l : m["layers"])
            content += l["mediaType"] == "application/vnd.module.wasm.content.layer.v1+wasm";
          CHECK(content == 1);
        }
        auto extracted = istio_extract(o.output_dir, m, minor);
        REQUIRE(extracted.has_value());
        CHECK(*extracted == module);
        CHECK(is_valid_wasm_binary(*extracted));
        // For oci:// the WasmPlugin sha256 is the manifest digest (cache.go), not the module's.
        CHECK(r.wasm_plugin_sha256() != r.module_sha256);
      }
    }
  }
}
