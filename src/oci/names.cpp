// Stable names of the OCI enums, shared by the CLI, the C API and Python.
#include <wasmdeploy/oci_image.hpp>

#include <fmt/format.h>

namespace wasmdeploy {

const char* image_variant_name(image_variant v) noexcept {
  return v == image_variant::compat ? "compat" : "oci";
}

image_variant parse_image_variant(std::string_view name) {
  if (name == "oci") return image_variant::oci;
  if (name == "compat") return image_variant::compat;
  throw error(errc::usage, "oci.variant.unknown", "variant",
              fmt::format("unknown image variant '{}' (expected oci or compat)", name));
}

const char* layout_kind_name(layout_kind k) noexcept {
  switch (k) {
    case layout_kind::oci:
      return "oci";
    case layout_kind::compat:
      return "compat";
    case layout_kind::docker_compat:
      return "docker-compat";
    case layout_kind::oras_one_layer:
      return "oras-one-layer";
    case layout_kind::wasm_to_oci:
      return "wasm-to-oci";
    case layout_kind::cncf_wasm:
      return "cncf-wasm";
    case layout_kind::unknown:
      break;
  }
  return "unknown";
}

const char* wasm_platform_name(wasm_platform p) noexcept {
  switch (p) {
    case wasm_platform::istio:
      return "istio";
    case wasm_platform::envoy_gateway:
      return "envoy-gateway";
    case wasm_platform::higress:
      return "higress";
    case wasm_platform::gloo:
      return "gloo";
  }
  return "?";
}

wasm_platform parse_wasm_platform(std::string_view name) {
  for (auto p : {wasm_platform::istio, wasm_platform::envoy_gateway, wasm_platform::higress,
                 wasm_platform::gloo}) {
    if (name == wasm_platform_name(p)) return p;
  }
  throw error(
      errc::usage, "oci.platform.unknown", "platform",
      fmt::format("unknown platform '{}' (expected istio, envoy-gateway, higress or gloo)", name));
}

}  // namespace wasmdeploy
