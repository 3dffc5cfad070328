// render with an OCI image layout from `wasmdeploy build`: digest-pinned url, sha256 = manifest
// digest, and the module-hash/manifest-digest mix-up refused with an explanation.
#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>
#include <string>

#include <wasmdeploy/digest.hpp>
#include <wasmdeploy/oci_image.hpp>
#include <wasmdeploy/render.hpp>

using namespace wasmdeploy;

namespace {

// A module that declares ABI 0.2.1 and exports malloc: loadable from Istio 1.8.
std::string tiny_module() {
  const unsigned char bytes[] = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,                    // magic, version
      0x01, 0x09, 0x02, 0x60, 0x00, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f,  // types: ()->(), (i32)->i32
      0x03, 0x03, 0x02, 0x00, 0x01,                                      // functions
      0x05, 0x03, 0x01, 0x00, 0x01,                                      // memory
      0x07, 0x2d, 0x03,                                                  // exports
      0x17, 'p', 'r', 'o', 'x', 'y', '_', 'a', 'b', 'i', '_', 'v', 'e', 'r', 's', 'i', 'o', 'n', '_', '0', '_', '2', '_', '1', 0x00, 0x00,
      0x06, 'm', 'a', 'l', 'l', 'o', 'c', 0x00, 0x01,
      0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00,
      0x0a, 0x09, 0x02, 0x02, 0x00, 0x0b, 0x04, 0x00, 0x41, 0x00, 0x0b,  // code
  };
  return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes);
}

struct layout_fixture {
  std::filesystem::path dir;
  build_result built;
  explicit layout_fixture(image_variant variant = image_variant::compat) {
    dir = std::filesystem::temp_directory_path() / ("wd-layout-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    build_options o;
    o.variant = variant;
    o.root_ids = {"root"};
    o.output_dir = dir.string();
    built = build_image(tiny_module(), o);
  }
  ~layout_fixture() { std::filesystem::remove_all(dir); }
};

render_options options_for(const std::string& istio) {
  render_options o;
  o.istio = istio;
  return o;
}

spec layout_spec(const std::string& layout, const std::string& sha256 = "") {
  filter f;
  f.path = "filters[0]";
  f.name = "x";
  f.module = parse_module_source("oci://registry.example.com/filters/x:v1", "module");
  f.image_layout = layout;
  f.sha256 = sha256;
  f.config = make_mapping({{"a", 1}});
  target t;
  t.path = "targets[0]";
  t.ns = "default";
  t.selector = {{"app", "x"}};
  spec s;
  // The resolve stage reads only inside the spec's directory: the spec sits beside the layout.
  s.base_dir = std::filesystem::path(layout).parent_path().string();
  s.filters.push_back(f);
  s.targets.push_back(t);
  return s;
}

}  // namespace

TEST_CASE("an image layout pins the WasmPlugin url and sha256 to the manifest digest", "[plan][oci]") {
  layout_fixture fx;
  const std::string digest = fx.built.wasm_plugin_sha256();
  REQUIRE(is_sha256_hex(digest));
  REQUIRE(digest != fx.built.module_sha256);
  render_result r = render(layout_spec(fx.dir.string()), options_for("1.24"));
  const node& sp = *r.documents.at(0).body.find("spec");
  CHECK(sp.find("url")->as_string() == "oci://registry.example.com/filters/x:v1@sha256:" + digest);
  CHECK(sp.find("sha256")->as_string() == digest);
}

TEST_CASE("giving the module hash as sha256 for an oci:// module is explained", "[plan][oci]") {
  layout_fixture fx;
  try {
    render(layout_spec(fx.dir.string(), fx.built.module_sha256), options_for("1.24"));
    FAIL("accepted the module hash");
  } catch (const error& e) {
    CHECK(e.code() == "sha256.module-hash-for-oci");
    CHECK(e.path() == "filters[0].sha256");
    CHECK_THAT(e.message(), Catch::Contains("manifest digest") && Catch::Contains(fx.built.wasm_plugin_sha256()));
  }
}

TEST_CASE("the module inside a layout is checked against the Istio version", "[plan][oci]") {
  layout_fixture fx(image_variant::oci);
  // ABI 0.2.1 cannot load on 1.7. Istio 1.7 cannot pull images either, so the module would go
  // through the wasme node cache, which reads the wasme (oci) variant.
  spec s = layout_spec(fx.dir.string());
  s.filters[0].resource = resource_kind::envoy_filter;
  s.filters[0].how = delivery::hostpath;
  try {
    render(s, options_for("1.7"));
    FAIL("accepted an ABI 0.2.1 module for Istio 1.7");
  } catch (const error& e) {
    CHECK(e.code() == "wasm.incompatible");
    CHECK_THAT(e.message(), Catch::Contains("Istio 1.8"));
  }
}

TEST_CASE("the wasme node cache needs a wasme-format layout", "[plan][oci]") {
  layout_fixture fx(image_variant::compat);
  spec s = layout_spec(fx.dir.string());
  s.filters[0].resource = resource_kind::envoy_filter;
  s.filters[0].how = delivery::hostpath;
  try {
    render(s, options_for("1.11"));
    FAIL("accepted a compat image for the wasme cache");
  } catch (const error& e) {
    CHECK(e.code() == "layout.wasme-cache-format");
    CHECK(e.path() == "filters[0].imageLayout");
  }
}
