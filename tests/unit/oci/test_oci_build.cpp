#include <catch2/catch.hpp>

#include <wasmdeploy/digest.hpp>
#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/oci_image.hpp>

#include "oci/image_builder.hpp"
#include "unit/oci/oci_test_support.hpp"

#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

using namespace wasmdeploy;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

build_options options_for(image_variant v, const std::string& out) {
  build_options o;
  o.variant = v;
  o.root_ids = {"my_root_id"};
  o.abi_versions = {"v0-4689a30309abf31aee9ae36e73d34b1bb182685f"};
  o.ref_name = "v1";
  o.output_dir = out;
  return o;
}

/// Every file of a layout, relative path -> bytes.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file())
      files[fs::relative(e.path(), dir).string()] = read_file(e.path().string(), SIZE_MAX);
  }
  return files;
}

json blob_json(const std::string& dir, const std::string& digest) {
  return json::parse(read_file(dir + "/blobs/sha256/" + digest.substr(7), SIZE_MAX));
}

}  // namespace

TEST_CASE("runtime-config.json is wasme's compact camelCase", "[oci][build]") {
  CHECK(oci::runtime_config_json("envoy_proxy", {"v0.2.1"}, {"a", "b"}) ==
        R"({"type":"envoy_proxy","abiVersions":["v0.2.1"],"config":{"rootIds":["a","b"]}})");
  // gogo jsonpb leaves empty repeated fields out.
  CHECK(oci::runtime_config_json("envoy_proxy", {}, {"a"}) ==
        R"({"type":"envoy_proxy","config":{"rootIds":["a"]}})");
}

TEST_CASE("build_image is reproducible across runs and directories", "[oci][build][repro]") {
  for (auto variant : {image_variant::oci, image_variant::compat}) {
    DYNAMIC_SECTION(image_variant_name(variant)) {
      oci_test::temp_dir t1, t2;
      std::string module = oci_test::tiny_module();
      build_result a = build_image(module, options_for(variant, t1 / "img"));
      build_result b = build_image(module, options_for(variant, t2 / "nested/dir/img"));
      CHECK(a.manifest.digest == b.manifest.digest);
      CHECK(a.config.digest == b.config.digest);
      REQUIRE(a.layers.size() == b.layers.size());
      for (std::size_t i = 0; i < a.layers.size(); ++i)
        CHECK(a.layers[i].digest == b.layers[i].digest);
      CHECK(snapshot(t1.path() / "img") == snapshot(t2.path() / "nested/dir/img"));
      CHECK(a.module_sha256 == sha256_hex(module));
      CHECK(a.wasm_plugin_sha256() == a.manifest.digest.substr(7));
      CHECK(is_sha256_hex(a.wasm_plugin_sha256()));
      // A different module gives a different image.
      oci_test::temp_dir t3;
      build_result c =
          build_image(oci_test::tiny_module("other"), options_for(variant, t3 / "img"));
      CHECK(c.manifest.digest != a.manifest.digest);
    }
  }
}

TEST_CASE("image digests are pinned (reproducible on any machine)", "[oci][build][repro]") {
  // Changing JSON key order, tar headers or gzip settings changes these, and with them every
  // WasmPlugin sha256 users have pinned. Update only on purpose.
  std::string module = oci_test::tiny_module();
  auto oci_img = oci::assemble_image(module, options_for(image_variant::oci, "unused"));
  auto compat_img = oci::assemble_image(module, options_for(image_variant::compat, "unused"));
  CHECK(oci_img.result.manifest.digest ==
        "sha256:a80fe8720f4adb9a5ee74fe349303bae460c811308b8c471fb6ec5a5e53cd85b");
  CHECK(compat_img.result.manifest.digest ==
        "sha256:089bd48b6150cf8b1e669eecf5fde964721ff74d75bb5367238b7a4e76838f5c");
}

TEST_CASE("oci variant is wasme's two-layer image", "[oci][build]") {
  oci_test::temp_dir t;
  std::string module = oci_test::tiny_module();
  build_result r = build_image(module, options_for(image_variant::oci, t / "img"));
  std::string dir = t / "img";

  CHECK(read_file(dir + "/oci-layout", SIZE_MAX) == R"({"imageLayoutVersion":"1.0.0"})");
  json index = json::parse(read_file(dir + "/index.json", SIZE_MAX));
  CHECK(index["schemaVersion"] == 2);
  REQUIRE(index["manifests"].size() == 1);
  CHECK(index["manifests"][0]["digest"] == r.manifest.digest);
  CHECK(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] == "v1");

  json m = blob_json(dir, r.manifest.digest);
  CHECK(m["mediaType"] == "application/vnd.oci.image.manifest.v1+json");
  CHECK(m["config"]["mediaType"] == "application/vnd.module.wasm.config.v1+json");
  REQUIRE(m["layers"].size() == 2);
  CHECK(m["layers"][0]["digest"] == m["config"]["digest"]);
  CHECK(m["layers"][0]["mediaType"] == "application/vnd.module.wasm.config.v1+json");
  CHECK(m["layers"][0]["annotations"]["org.opencontainers.image.title"] == "runtime-config.json");
  CHECK(m["layers"][1]["mediaType"] == "application/vnd.module.wasm.content.layer.v1+wasm");
  CHECK(m["layers"][1]["annotations"]["org.opencontainers.image.title"] == "filter.wasm");
  CHECK(m["layers"][1]["digest"] == "sha256:" + sha256_hex(module));
  CHECK(m["annotations"]["module.wasm.runtime/abi_version"] ==
        "v0-4689a30309abf31aee9ae36e73d34b1bb182685f");
  CHECK(m["annotations"]["module.wasm.runtime/type"] == "envoy_proxy");
  CHECK(
      read_file(dir + "/blobs/sha256/" + r.config.digest.substr(7), SIZE_MAX) ==
      R"({"type":"envoy_proxy","abiVersions":["v0-4689a30309abf31aee9ae36e73d34b1bb182685f"],"config":{"rootIds":["my_root_id"]}})");
  CHECK(read_file(dir + "/blobs/sha256/" + sha256_hex(module), SIZE_MAX) == module);
  // Exactly the three distinct blobs.
  CHECK(std::distance(fs::directory_iterator(dir + "/blobs/sha256"), fs::directory_iterator()) ==
        3);
}

TEST_CASE("compat variant is a one-layer OCI image with plugin.wasm", "[oci][build]") {
  oci_test::temp_dir t;
  build_result r =
      build_image(oci_test::tiny_module(), options_for(image_variant::compat, t / "img"));
  std::string dir = t / "img";
  json m = blob_json(dir, r.manifest.digest);
  CHECK(m["config"]["mediaType"] == "application/vnd.oci.image.config.v1+json");
  REQUIRE(m["layers"].size() == 1);
  CHECK(m["layers"][0]["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip");
  CHECK(m["annotations"]["module.wasm.image/variant"] == "compat");
  json cfg = blob_json(dir, r.config.digest);
  CHECK(cfg["architecture"] == "amd64");
  CHECK(cfg["os"] == "linux");
  CHECK(cfg["rootfs"]["type"] == "layers");
  REQUIRE(cfg["rootfs"]["diff_ids"].size() == 1);
  CHECK_FALSE(cfg.contains("created"));  // a timestamp would break reproducibility
}

TEST_CASE("build_image refuses bad input with stable codes", "[oci][build][errors]") {
  oci_test::temp_dir t;
  std::string module = oci_test::tiny_module();
  auto o = options_for(image_variant::oci, t / "img");

  CHECK(oci_test::error_code_of([&] { build_image("not wasm at all", o); }) ==
        "oci.module.not-wasm");
  auto no_root = o;
  no_root.root_ids.clear();
  CHECK(oci_test::error_code_of([&] { build_image(module, no_root); }) == "oci.build.root-id");
  auto bad_ref = o;
  bad_ref.ref_name = "has space";
  CHECK(oci_test::error_code_of([&] { build_image(module, bad_ref); }) == "oci.ref.invalid");
  auto comma = o;
  comma.abi_versions = {"a,b"};
  CHECK(oci_test::error_code_of([&] { build_image(module, comma); }) == "oci.build.abi-version");
  auto no_out = o;
  no_out.output_dir.clear();
  CHECK(oci_test::error_code_of([&] { build_image(module, no_out); }) == "oci.build.output");
  no_out.output_dir = ".";
  CHECK(oci_test::error_code_of([&] { build_image(module, no_out); }) == "oci.build.output");
  CHECK(oci_test::error_code_of([] { parse_image_variant("docker"); }) == "oci.variant.unknown");

  CHECK(oci::is_valid_ref_name("ghcr.io/me/filter:v1.2"));
  CHECK(oci::is_valid_ref_name("latest"));
  CHECK_FALSE(oci::is_valid_ref_name("-x"));
  CHECK_FALSE(oci::is_valid_ref_name("a//b"));
}

TEST_CASE("build_image never clobbers: empty dir ok, layout needs force, other dirs never",
          "[oci][build][errors]") {
  oci_test::temp_dir t;
  std::string module = oci_test::tiny_module();
  auto o = options_for(image_variant::oci, t / "img");

  fs::create_directory(t / "img");  // an empty directory is taken over
  build_result first = build_image(module, o);
  CHECK(fs::exists(t / "img/index.json"));

  auto other = options_for(image_variant::compat, t / "img");
  CHECK(oci_test::error_code_of([&] { build_image(module, other); }) == "oci.layout.exists");
  CHECK(read_file(t / "img/index.json", SIZE_MAX).find(first.manifest.digest) != std::string::npos);

  other.force = true;
  build_result second = build_image(module, other);
  CHECK(read_file(t / "img/index.json", SIZE_MAX).find(second.manifest.digest) != std::string::npos);
  CHECK_FALSE(fs::exists(t.path() / "img/blobs/sha256" / first.manifest.digest.substr(7)));

  fs::create_directory(t / "precious");
  write_file_atomic(t / "precious/notes.txt", "keep me");
  auto danger = options_for(image_variant::oci, t / "precious");
  danger.force = true;
  CHECK(oci_test::error_code_of([&] { build_image(module, danger); }) == "oci.layout.not-a-layout");
  CHECK(read_file(t / "precious/notes.txt", SIZE_MAX) == "keep me");

  write_file_atomic(t / "afile", "x");
  auto onfile = options_for(image_variant::oci, t / "afile");
  CHECK(oci_test::error_code_of([&] { build_image(module, onfile); }) == "oci.layout.exists");

  // No temporary directories are left beside the target.
  for (const auto& e : fs::directory_iterator(t.path())) {
    CHECK(e.path().filename().string().rfind('.', 0) != 0);
  }
}
