// The embedded proxy-wasm host from C: options as a handle, the result as the JSON of
// `wasmdeploy run -o json`.
#include <wasmdeploy/run.hpp>

#include "handles.hpp"

using namespace wasmdeploy;

struct wd_run_options {
  run_options impl;
};

namespace {

std::string text(const char* s) { return s ? s : ""; }

int finish(wd_buf* out, int* ok, const run_result& r) {
  capi::fill_buf(out, format_run_json(r));
  if (ok) *ok = r.ok() ? 1 : 0;
  return WD_OK;
}

}  // namespace

extern "C" {

int wd_run_options_new(wd_run_options** out) {
  return capi::guard([&] {
    capi::require(out, "out");
    *out = new wd_run_options();
    return WD_OK;
  });
}

void wd_run_options_free(wd_run_options* opts) { delete opts; }

int wd_run_options_set(wd_run_options* opts, const char* field, const char* value) {
  return capi::guard([&] {
    capi::require(opts, "opts");
    capi::require(field, "field");
    capi::require(value, "value");
    set_run_option(opts->impl, field, value);
    return WD_OK;
  });
}

int wd_run_options_set_limits(wd_run_options* opts, const wd_limits* limits) {
  return capi::guard([&] {
    capi::require(opts, "opts");
    capi::require(limits, "limits");
    opts->impl.limits = limits->impl;
    return WD_OK;
  });
}

int wd_run_options_set_config(wd_run_options* opts, const void* bytes, size_t len) {
  return capi::guard([&] {
    capi::require(opts, "opts");
    if (len) capi::require(bytes, "bytes");
    opts->impl.plugin_config.assign(static_cast<const char*>(bytes), len);
    return WD_OK;
  });
}

int wd_run_options_add(wd_run_options* opts, const char* where, const char* name, const char* value) {
  return capi::guard([&] {
    capi::require(opts, "opts");
    capi::require(where, "where");
    capi::require(name, "name");
    add_run_option(opts->impl, where, name, text(value));
    return WD_OK;
  });
}

int wd_host_available(void) { return host_available() ? 1 : 0; }

int wd_run_module(wd_buf* out, int* ok, const void* bytes, size_t len, const wd_run_options* opts) {
  return capi::guard([&] {
    capi::require(out, "out");
    capi::require(bytes, "bytes");
    const run_options defaults;
    return finish(out, ok, run_module(std::string_view(static_cast<const char*>(bytes), len), opts ? opts->impl : defaults));
  });
}

int wd_run_spec_filter(wd_buf* out, int* ok, const wd_spec* spec, const char* filter, const char* istio,
                       const wd_run_options* opts) {
  return capi::guard([&] {
    capi::require(out, "out");
    capi::require(spec, "spec");
    capi::require(filter, "filter");
    render_options ro;
    ro.istio = text(istio);
    ro.allow_incompatible_module = spec->impl.options.allow_incompatible_module;
    filter_run_input in = run_input_for(spec->impl, filter, ro);
    const run_options o = in.deployed_with(opts ? opts->impl : run_options{});
    return finish(out, ok, run_module(in.module_bytes, o));
  });
}

int wd_run_check(const wd_spec* spec, const char* istio) {
  return capi::guard([&] {
    capi::require(spec, "spec");
    render_options ro;
    ro.istio = text(istio);
    ro.allow_incompatible_module = spec->impl.options.allow_incompatible_module;
    run_check(spec->impl, ro);
    return WD_OK;
  });
}

}  // extern "C"
