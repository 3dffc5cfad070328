// check_layout_for(): what each platform's image fetcher accepts (platforms.md §3,
// istio.md §4.2). Istio version rules come from the capability table only.
#include <wasmdeploy/capabilities.hpp>
#include <wasmdeploy/oci_image.hpp>

#include "oci/media_types.hpp"

#include <fmt/format.h>

namespace wasmdeploy {
namespace {

constexpr const char* kAcceptedByEnvoyFetchers =
    "compat (last layer application/vnd.oci.image.layer.v1.tar+gzip, or the Docker rootfs "
    "tar.gzip, holding plugin.wasm) or oci (wasme: exactly 2 layers, one "
    "application/vnd.module.wasm.content.layer.v1+wasm); `wasmdeploy build --variant compat|oci` "
    "writes either";

const char* why_rejected(layout_kind k) {
  switch (k) {
    case layout_kind::oras_one_layer:
      return "a one-layer artifact (the fetcher wants exactly 2 layers for the wasm content media "
             "type)";
    case layout_kind::wasm_to_oci:
      return "application/vnd.wasm.content.layer.v1+wasm (wasm-to-oci) is not a media type it "
             "reads";
    case layout_kind::cncf_wasm:
      return "the CNCF application/wasm artifact has no code path in it";
    default:
      return "neither a compat layer holding plugin.wasm nor the two-layer oci variant was found";
  }
}

bool is_accepted_kind(layout_kind k) {
  return k == layout_kind::oci || k == layout_kind::compat || k == layout_kind::docker_compat;
}

void check_istio_version(const layout_report& r, const mesh_version& v,
                         std::vector<diagnostic>& out) {
  if (!supports(v, capability::agent_oci_fetch)) {
    throw error(
        errc::version, "oci.platform.no-oci-fetch", "",
        fmt::format("Istio {} cannot pull oci:// images ({}); serve the module over http(s)",
                    v.str(), describe_support(capability::agent_oci_fetch)));
  }
  bool compat = r.kind == layout_kind::compat || r.kind == layout_kind::docker_compat;
  if (compat && r.layers.size() > 1 && !supports(v, capability::compat_image_multi_layer)) {
    throw error(errc::version, "oci.layout.compat-multi-layer", "",
                fmt::format("Istio {} requires exactly one layer in compat images; this one has {} "
                            "({} use the last)",
                            v.str(), r.layers.size(),
                            describe_support(capability::compat_image_multi_layer)));
  }
  if (r.module && r.module->size() > oci::kMaxModuleBytes) {
    if (supports(v, capability::agent_fixed_module_size_limit)) {
      throw error(errc::invalid, "oci.module.too-large", "",
                  fmt::format("Istio {} refuses modules over 256 MiB; this one is {} bytes",
                              v.str(), r.module->size()));
    }
    if (supports(v, capability::agent_module_size_setting)) {
      out.push_back(
          {severity::warning,
           "oci.module.too-large",
           "",
           "the module is over 256 MiB (Istio's default limit, also applied after gunzip): set "
           "ISTIO_WASM_MAX_BINARY_SIZE_BYTES on istio-agent",
           {}});
    }
  }
}

}  // namespace

std::vector<diagnostic> check_layout_for(wasm_platform platform, const layout_report& r,
                                         const std::optional<mesh_version>& istio) {
  std::vector<diagnostic> out;
  const char* name = wasm_platform_name(platform);
  if (platform == wasm_platform::gloo && r.kind != layout_kind::oci && is_accepted_kind(r.kind)) {
    out.push_back(
        {severity::warning,
         "oci.platform.unverified",
         "",
         fmt::format("Gloo Edge reads the wasme oci variant natively; whether it reads {} images "
                     "is not documented",
                     layout_kind_name(r.kind)),
         {}});
  } else if (!is_accepted_kind(r.kind)) {
    throw error(
        errc::invalid, "oci.platform.rejects-layout", "",
        fmt::format("{} rejects this {} image: {}. It accepts {}", name, layout_kind_name(r.kind),
                    why_rejected(r.kind),
                    platform == wasm_platform::gloo ? "the oci variant (wasme two-layer image)"
                                                    : kAcceptedByEnvoyFetchers));
  }
  if (!r.module) {
    throw error(errc::invalid, "oci.platform.no-module", "", "the image holds no Wasm module");
  }
  if (!r.module_is_wasm) {
    throw error(errc::invalid, "oci.module.not-wasm", "",
                "the module does not start with the Wasm magic \\0asm; the fetcher refuses it");
  }
  switch (platform) {
    case wasm_platform::istio:
      check_istio_version(r, istio.value_or(mesh_version{}), out);
      break;
    case wasm_platform::envoy_gateway:
      if (r.module->size() > oci::kMaxModuleBytes) {
        throw error(errc::invalid, "oci.module.too-large", "",
                    fmt::format("Envoy Gateway refuses modules over 256 MiB; this one is {} bytes",
                                r.module->size()));
      }
      break;
    case wasm_platform::higress:
    case wasm_platform::gloo:
      break;
  }
  return out;
}

}  // namespace wasmdeploy
