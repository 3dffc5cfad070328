#include <catch2/catch.hpp>

#include <wasmdeploy/digest.hpp>
#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/oci_image.hpp>

#include "oci/media_types.hpp"
#include "oci/tar_gzip.hpp"
#include "unit/oci/oci_test_support.hpp"

#include <filesystem>

#include <nlohmann/json.hpp>

using namespace wasmdeploy;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

struct raw_layer {
  std::string media_type;
  std::string bytes;
};

json write_blob(const fs::path& dir, const std::string& media_type, const std::string& bytes) {
  fs::create_directories(dir / "blobs/sha256");
  std::string hex = sha256_hex(bytes);
  write_file_atomic((dir / "blobs/sha256" / hex).string(), bytes);
  return json{{"mediaType", media_type}, {"digest", "sha256:" + hex}, {"size", bytes.size()}};
}

/// Writes a layout by hand, for the formats other tools produce (wasm-to-oci, CNCF, ...).
void write_raw_layout(const fs::path& dir, const std::string& manifest_type,
                      const std::string& config_type, const std::vector<raw_layer>& layers) {
  json m{{"schemaVersion", 2}, {"mediaType", manifest_type}};
  m["config"] = write_blob(dir, config_type, "{}");
  m["layers"] = json::array();
  for (const auto& l : layers) m["layers"].push_back(write_blob(dir, l.media_type, l.bytes));
  json entry = write_blob(dir, manifest_type, m.dump());
  write_file_atomic((dir / "oci-layout").string(), R"({"imageLayoutVersion":"1.0.0"})");
  write_file_atomic((dir / "index.json").string(),
                    json{{"schemaVersion", 2}, {"manifests", {entry}}}.dump());
}

const std::string kOciManifest = "application/vnd.oci.image.manifest.v1+json";
const std::string kTarGz = "application/vnd.oci.image.layer.v1.tar+gzip";

build_options opts(image_variant v, const std::string& out, bool rc = true) {
  build_options o;
  o.variant = v;
  o.root_ids = {"root"};
  o.output_dir = out;
  o.compat_runtime_config = rc;
  return o;
}

}  // namespace

TEST_CASE("inspect_layout reads back what build_image wrote", "[oci][inspect]") {
  oci_test::temp_dir t;
  std::string module = oci_test::tiny_module();

  SECTION("oci") {
    build_result b = build_image(module, opts(image_variant::oci, t / "img"));
    layout_report r = inspect_layout(t / "img");
    CHECK(r.kind == layout_kind::oci);
    CHECK(r.manifest.digest == b.manifest.digest);
    CHECK(r.module == module);
    CHECK(r.module_is_wasm);
    CHECK(r.module_sha256 == b.module_sha256);
    CHECK(r.runtime_config ==
          std::string(R"({"type":"envoy_proxy","config":{"rootIds":["root"]}})"));
    CHECK(r.layers.size() == 2);
    REQUIRE(r.annotations.size() == 2);
    CHECK(r.annotations[0].first == "module.wasm.runtime/abi_version");
  }
  SECTION("compat, with and without runtime-config.json") {
    build_result b = build_image(module, opts(image_variant::compat, t / "img"));
    layout_report r = inspect_layout(t / "img");
    CHECK(r.kind == layout_kind::compat);
    CHECK(r.manifest.digest == b.manifest.digest);
    CHECK(r.module == module);
    CHECK(r.runtime_config.has_value());
    build_image(module, opts(image_variant::compat, t / "bare", false));
    CHECK_FALSE(inspect_layout(t / "bare").runtime_config.has_value());
    CHECK(inspect_layout(t / "bare").module == module);
  }
}

TEST_CASE("inspect_layout names the formats the fetchers reject, and check_layout_for refuses them",
          "[oci][inspect][platform]") {
  oci_test::temp_dir t;
  std::string module = oci_test::tiny_module();
  struct row {
    const char* media_type;
    layout_kind kind;
  };
  for (auto [mt, kind] :
       {row{"application/wasm", layout_kind::cncf_wasm},
        row{"application/vnd.wasm.content.layer.v1+wasm", layout_kind::wasm_to_oci},
        row{"application/vnd.module.wasm.content.layer.v1+wasm", layout_kind::oras_one_layer}}) {
    DYNAMIC_SECTION(mt) {
      write_raw_layout(t.path() / "l", kOciManifest, "application/vnd.wasm.config.v0+json",
                       {{mt, module}});
      layout_report r = inspect_layout(t / "l");
      CHECK(r.kind == kind);
      CHECK(r.module == module);
      for (auto p : {wasm_platform::istio, wasm_platform::envoy_gateway, wasm_platform::higress,
                     wasm_platform::gloo}) {
        try {
          check_layout_for(p, r);
          FAIL("accepted by " << wasm_platform_name(p));
        } catch (const error& e) {
          CHECK(e.code() == "oci.platform.rejects-layout");
          CHECK_THAT(e.message(), Catch::Contains("oci"));  // names what it accepts
          if (p != wasm_platform::gloo) CHECK_THAT(e.message(), Catch::Contains("compat"));
        }
      }
    }
  }
}

TEST_CASE("docker compat and multi-layer compat images", "[oci][inspect][platform]") {
  oci_test::temp_dir t;
  std::string module = oci_test::tiny_module();
  std::string layer = oci::gzip_compress(oci::write_tar({{"./plugin.wasm", module}}));

  SECTION("Docker v2 manifest") {
    write_raw_layout(t.path() / "l", "application/vnd.docker.distribution.manifest.v2+json",
                     "application/vnd.docker.container.image.v1+json",
                     {{"application/vnd.docker.image.rootfs.diff.tar.gzip", layer}});
    layout_report r = inspect_layout(t / "l");
    CHECK(r.kind == layout_kind::docker_compat);
    CHECK(r.module == module);
    CHECK(check_layout_for(wasm_platform::istio, r).empty());
  }
  SECTION("two tar+gzip layers: Istio 1.16+ only (the last one is used)") {
    std::string base = oci::gzip_compress(oci::write_tar({{"etc/other", "x"}}));
    write_raw_layout(t.path() / "l", kOciManifest, "application/vnd.oci.image.config.v1+json",
                     {{kTarGz, base}, {kTarGz, layer}});
    layout_report r = inspect_layout(t / "l");
    CHECK(r.kind == layout_kind::compat);
    CHECK(oci_test::error_code_of([&] {
            check_layout_for(wasm_platform::istio, r, mesh_version::parse("1.15"));
          }) == "oci.layout.compat-multi-layer");
    CHECK(check_layout_for(wasm_platform::istio, r, mesh_version::parse("1.16")).empty());
    CHECK(check_layout_for(wasm_platform::envoy_gateway, r).empty());
    auto gloo = check_layout_for(wasm_platform::gloo, r);
    REQUIRE(gloo.size() == 1);
    CHECK(gloo[0].code == "oci.platform.unverified");
  }
  SECTION("tar+gzip without plugin.wasm is not compat") {
    write_raw_layout(t.path() / "l", kOciManifest, "application/vnd.oci.image.config.v1+json",
                     {{kTarGz, oci::gzip_compress(oci::write_tar({{"filter.wasm", module}}))}});
    layout_report r = inspect_layout(t / "l");
    CHECK(r.kind == layout_kind::unknown);
    CHECK(oci_test::error_code_of([&] { check_layout_for(wasm_platform::istio, r); }) ==
          "oci.platform.rejects-layout");
  }
  SECTION("a non-Wasm plugin.wasm is refused") {
    write_raw_layout(
        t.path() / "l", kOciManifest, "application/vnd.oci.image.config.v1+json",
        {{kTarGz, oci::gzip_compress(oci::write_tar({{"plugin.wasm", "#!/bin/sh"}}))}});
    layout_report r = inspect_layout(t / "l");
    CHECK(r.kind == layout_kind::compat);
    CHECK_FALSE(r.module_is_wasm);
    CHECK(oci_test::error_code_of([&] { check_layout_for(wasm_platform::envoy_gateway, r); }) ==
          "oci.module.not-wasm");
  }
}

TEST_CASE("check_layout_for applies Istio's version rules from the capability table",
          "[oci][platform]") {
  oci_test::temp_dir t;
  build_image(oci_test::tiny_module(), opts(image_variant::oci, t / "img"));
  layout_report r = inspect_layout(t / "img");
  CHECK(oci_test::error_code_of([&] {
          check_layout_for(wasm_platform::istio, r, mesh_version::parse("1.11"));
        }) == "oci.platform.no-oci-fetch");
  CHECK(check_layout_for(wasm_platform::istio, r, mesh_version::parse("1.12")).empty());
  CHECK(check_layout_for(wasm_platform::gloo, r).empty());
  CHECK(check_layout_for(wasm_platform::higress, r).empty());
  CHECK(parse_wasm_platform("envoy-gateway") == wasm_platform::envoy_gateway);
  CHECK(oci_test::error_code_of([] { parse_wasm_platform("kong"); }) == "oci.platform.unknown");
}

// istio-agent's module limit (capability table: agent-fixed-module-size-limit 1.17-1.29,
// agent-module-size-setting from 1.30, ISTIO_WASM_MAX_BINARY_SIZE_BYTES, read at release-1.30
// 9739e10eb9d7 pkg/wasm/httpfetcher.go and imagefetcher.go, applied after gunzip too).
TEST_CASE("1.30: a module over 256 MiB is refused up to 1.29, a warning naming ISTIO_WASM_MAX_BINARY_SIZE_BYTES from 1.30",
          "[oci][platform][capabilities]") {
  oci_test::temp_dir t;
  build_image(oci_test::tiny_module(), opts(image_variant::compat, t / "img"));
  layout_report r = inspect_layout(t / "img");
  r.module = std::string(oci::kMaxModuleBytes, 'x');
  CHECK(check_layout_for(wasm_platform::istio, r, mesh_version::parse("1.29")).empty());  // at the limit
  r.module->push_back('x');
  CHECK(check_layout_for(wasm_platform::istio, r, mesh_version::parse("1.16")).empty());  // no limit yet
  CHECK(oci_test::error_code_of([&] {
          check_layout_for(wasm_platform::istio, r, mesh_version::parse("1.17"));
        }) == "oci.module.too-large");
  CHECK(oci_test::error_code_of([&] {
          check_layout_for(wasm_platform::istio, r, mesh_version::parse("1.29"));
        }) == "oci.module.too-large");
  for (const char* v : {"1.30", "1.32", "1.33"}) {
    INFO(v);
    const auto d = check_layout_for(wasm_platform::istio, r, mesh_version::parse(v));
    REQUIRE(d.size() == 1);
    CHECK(d[0].level == severity::warning);
    CHECK(d[0].code == "oci.module.too-large");
    CHECK(d[0].message.find("ISTIO_WASM_MAX_BINARY_SIZE_BYTES") != std::string::npos);
    CHECK(d[0].message.find("gunzip") != std::string::npos);
  }
}

TEST_CASE("inspect_layout checks structure, names and digests", "[oci][inspect][errors]") {
  oci_test::temp_dir t;
  std::string module = oci_test::tiny_module();
  CHECK(oci_test::error_code_of([&] { inspect_layout(t / "nothing"); }) == "oci.layout.missing");

  build_result b = build_image(module, opts(image_variant::oci, t / "img"));
  CHECK(inspect_layout(t / "img", "").manifest.digest == b.manifest.digest);
  CHECK(oci_test::error_code_of([&] { inspect_layout(t / "img", "nope"); }) ==
        "oci.layout.ref-not-found");

  SECTION("ambiguous index") {
    json index = json::parse(read_file(t / "img/index.json", SIZE_MAX));
    index["manifests"].push_back(index["manifests"][0]);
    index["manifests"][0]["annotations"] = {{"org.opencontainers.image.ref.name", "a"}};
    index["manifests"][1]["annotations"] = {{"org.opencontainers.image.ref.name", "b"}};
    write_file_atomic(t / "img/index.json", index.dump());
    CHECK(oci_test::error_code_of([&] { inspect_layout(t / "img"); }) == "oci.layout.ambiguous");
    CHECK(inspect_layout(t / "img", "b").ref_name == "b");
  }
  SECTION("corrupt blob") {
    write_file_atomic(t / ("img/blobs/sha256/" + b.module_sha256), std::string(module.size(), 'x'));
    CHECK(oci_test::error_code_of([&] { inspect_layout(t / "img"); }) ==
          "oci.blob.digest-mismatch");
  }
  SECTION("digest that is not a sha256 (no path traversal)") {
    json index = json::parse(read_file(t / "img/index.json", SIZE_MAX));
    index["manifests"][0]["digest"] = "sha256:../../../etc/passwd";
    write_file_atomic(t / "img/index.json", index.dump());
    CHECK(oci_test::error_code_of([&] { inspect_layout(t / "img"); }) == "oci.blob.algorithm");
  }
  SECTION("unknown layout version") {
    write_file_atomic(t / "img/oci-layout", R"({"imageLayoutVersion":"9.9.9"})");
    CHECK(oci_test::error_code_of([&] { inspect_layout(t / "img"); }) == "oci.layout.version");
  }
}
