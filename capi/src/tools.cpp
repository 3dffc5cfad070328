// Module inspection, image building and undeploy plans from C: bytes in, text out.
#include <wasmdeploy/inspect.hpp>
#include <wasmdeploy/mesh_version.hpp>
#include <wasmdeploy/oci_image.hpp>
#include <wasmdeploy/undeploy.hpp>

#include "handles.hpp"

using namespace wasmdeploy;

extern "C" {

int wd_inspect_module(wd_buf* out, const void* bytes, size_t len, const char* istio) {
  return capi::guard([&] {
    capi::require(out, "out");
    capi::require(bytes, "bytes");
    std::optional<mesh_version> v;
    if (istio && *istio) v = mesh_version::parse(istio);
    module_report report = inspect_module(std::string_view(static_cast<const char*>(bytes), len));
    capi::fill_buf(out, format_report_json(report, v));
    return WD_OK;
  });
}

int wd_build_image(wd_buf* out, const void* bytes, size_t len, const char* root_id, const char* variant,
                   const char* output_dir, int force) {
  return capi::guard([&] {
    capi::require(out, "out");
    capi::require(bytes, "bytes");
    capi::require(root_id, "root_id");
    capi::require(output_dir, "output_dir");
    build_options o;
    o.variant = parse_image_variant(variant && *variant ? variant : "oci");
    o.root_ids = {root_id};
    o.output_dir = output_dir;
    o.force = force != 0;
    build_result r = build_image(std::string_view(static_cast<const char*>(bytes), len), o);
    capi::fill_buf(out, r.wasm_plugin_sha256());
    return WD_OK;
  });
}

namespace {

int undeploy_text(wd_buf* out, const wd_spec* spec, const char* istio, wd_format format, undeploy_part part) {
  return capi::guard([&] {
    capi::require(out, "out");
    capi::require(spec, "spec");
    if (format != WD_FORMAT_YAML && format != WD_FORMAT_JSON) {
      throw error(errc::usage, "capi.bad-format", "", "format must be WD_FORMAT_YAML or WD_FORMAT_JSON");
    }
    render_options o;
    if (istio) o.istio = istio;
    capi::fill_buf(out, to_text(render_undeploy(spec->impl, o, part).documents,
                                format == WD_FORMAT_JSON ? output_format::json : output_format::yaml));
    return WD_OK;
  });
}

}  // namespace

int wd_undeploy_text(wd_buf* out, const wd_spec* spec, const char* istio, wd_format format) {
  return undeploy_text(out, spec, istio, format, undeploy_part::deletions);
}

int wd_undeploy_restore_text(wd_buf* out, const wd_spec* spec, const char* istio, wd_format format) {
  return undeploy_text(out, spec, istio, format, undeploy_part::restores);
}

}  // extern "C"
