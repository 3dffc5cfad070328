// resolve_inputs(): the one place a render reads the outside world. Errors are rethrown with
// the spec field's path and position, so they read like every other spec error.
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/resolve.hpp>
#include <wasmdeploy/spec.hpp>

#include "resolve/local_files.hpp"

#include <fmt/format.h>

namespace wasmdeploy {
namespace {

template <typename Fn>
auto at_field(const spec& s, const std::string& field, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const error& e) {
    if (e.position().known()) throw;
    throw error(e.category(), e.code(), field, e.message(), s.position_of(field));
  }
}

}  // namespace

resolved_inputs resolve_inputs(const spec& s, const resolve_options& options) {
  resolved_inputs out;
  out.filters.resize(s.filters.size());
  for (size_t i = 0; i < s.filters.size(); ++i) {
    const filter& f = s.filters[i];
    resolved_filter& r = out.filters[i];
    if (!f.runtime_config_path.empty()) {
      const std::string field = f.path + ".runtimeConfig";
      r.runtime_config = at_field(s, field, [&] {
        return read_spec_file(s, f.runtime_config_path, active_limits().spec_bytes, field, options.files);
      });
    }
    if (!f.image_layout.empty()) {
      const std::string field = f.path + ".imageLayout";
      if (f.module.kind != module_source::scheme::oci) {
        throw error(errc::invalid, "layout.needs-oci-module", field,
                    "imageLayout describes an image: module must be the oci:// reference it was pushed to",
                    s.position_of(field));
      }
      r.layout = at_field(s, field, [&] {
        return inspect_layout(resolve::confined_directory(s.base_dir, f.image_layout, field, options.files));
      });
    }
    if (f.module.is_local()) {
      const std::string field = f.path + ".module";
      r.module = at_field(s, field, [&] {
        return read_spec_file(s, f.module.url, active_limits().wasm_module_bytes, field, options.files);
      });
    }
    if (options.network && f.module.kind == module_source::scheme::oci && f.image_layout.empty()) {
      const std::string field = f.path + ".module";
      layout_report layout;
      resolved_image image = at_field(s, field, [&] { return resolve_image(f.module.url, options.registry, layout); });
      out.notes.push_back(
          {severity::note, "resolve.pinned", field,
           f.module.digest.empty()
               ? fmt::format("pinned {} to {} (module sha256 {}) as the registry serves it now", f.module.text,
                             image.pinned(), image.module_sha256)
               : fmt::format("verified {} against the registry (module sha256 {})", f.module.text, image.module_sha256),
           s.position_of(field)});
      r.layout = std::move(layout);
      r.remote = std::move(image);
    }
  }
  if (!s.options.gloo_gateway_file.empty()) {
    // The Gloo Gateway the filters are put into (Gloo renders edit it; other targets ignore it,
    // but a spec naming a file it may not read is refused the same way for every target).
    const std::string field = "options.glooGateway";
    out.gloo_gateway = at_field(s, field, [&] {
      return read_spec_file(s, s.options.gloo_gateway_file, active_limits().spec_bytes, field, options.files);
    });
  }
  return out;
}

}  // namespace wasmdeploy
