// The readers' limits from C: a handle around wasmdeploy::limits, copied into the options that
// carry them, or put in force for the one call that takes them (wd_*_limited).
#include <optional>

#include <wasmdeploy/inspect.hpp>
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/mesh_version.hpp>

#include "handles.hpp"

using namespace wasmdeploy;

namespace {

const limits& bounds_of(const wd_limits* l) {
  static const limits defaults;
  return l ? l->impl : defaults;
}

}  // namespace

extern "C" {

int wd_limits_new(wd_limits** out) {
  return capi::guard([&] {
    capi::require(out, "out");
    *out = new wd_limits();
    return WD_OK;
  });
}

void wd_limits_free(wd_limits* limits) { delete limits; }

int wd_limits_set(wd_limits* limits, const char* name, uint64_t value) {
  return capi::guard([&] {
    capi::require(limits, "limits");
    capi::require(name, "name");
    set_limit(limits->impl, name, value);
    return WD_OK;
  });
}

int wd_limits_get(uint64_t* out, const wd_limits* limits, const char* name) {
  return capi::guard([&] {
    capi::require(out, "out");
    capi::require(limits, "limits");
    capi::require(name, "name");
    *out = get_limit(limits->impl, name);
    return WD_OK;
  });
}

const char* wd_limits_name(size_t index) {
  const auto& names = limit_names();
  return index < names.size() ? names[index].c_str() : nullptr;
}

int wd_render_options_set_limits(wd_render_options* opts, const wd_limits* limits) {
  return capi::guard([&] {
    capi::require(opts, "opts");
    capi::require(limits, "limits");
    opts->impl.limits = limits->impl;
    return WD_OK;
  });
}

int wd_spec_parse_limited(wd_spec** out, const char* text, size_t len, const char* file, const char* base_dir,
                          const wd_limits* limits) {
  const limits_scope scope(bounds_of(limits));
  return wd_spec_parse(out, text, len, file, base_dir);
}

int wd_spec_load_limited(wd_spec** out, const char* path, const wd_limits* limits) {
  const limits_scope scope(bounds_of(limits));
  return wd_spec_load(out, path);
}

int wd_spec_import_limited(wd_spec** out, const char* text, size_t len, const char* file, const wd_limits* limits) {
  const limits_scope scope(bounds_of(limits));
  return wd_spec_import(out, text, len, file);
}

int wd_inspect_module_limited(wd_buf* out, const void* bytes, size_t len, const char* istio, const wd_limits* limits) {
  const limits_scope scope(bounds_of(limits));
  return wd_inspect_module(out, bytes, len, istio);
}

}  // extern "C"
