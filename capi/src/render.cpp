// Rendering from C: options, results, diagnostics and text output.
#include <memory>
#include <optional>

#include <wasmdeploy/gateway_capabilities.hpp>
#include <wasmdeploy/mesh_version.hpp>
#include <wasmdeploy/undeploy.hpp>

#include "handles.hpp"

using namespace wasmdeploy;

namespace {

output_format to_format(wd_format f) {
  switch (f) {
    case WD_FORMAT_YAML: return output_format::yaml;
    case WD_FORMAT_JSON: return output_format::json;
  }
  throw error(errc::usage, "capi.bad-format", "", "format must be WD_FORMAT_YAML or WD_FORMAT_JSON");
}

int role_of(document::role r) {
  switch (r) {
    case document::role::resource: return WD_DOCUMENT_RESOURCE;
    case document::role::patch: return WD_DOCUMENT_PATCH;
    case document::role::file: return WD_DOCUMENT_FILE;
  }
  return WD_DOCUMENT_RESOURCE;
}

// Builds the C views once, so getters are plain index lookups.
void build_views(wd_render_result& r) {
  r.istio = r.impl.summary.version.str();
  const auto& diags = r.impl.summary.diagnostics;
  r.diagnostic_text.reserve(diags.size());
  for (const diagnostic& d : diags) r.diagnostic_text.push_back(format_diagnostic(d));
  for (size_t i = 0; i < diags.size(); ++i) {
    const diagnostic& d = diags[i];
    r.diagnostics.push_back(wd_diagnostic{static_cast<int>(d.level), d.code.c_str(), d.path.c_str(),
                                          d.message.c_str(), r.diagnostic_text[i].c_str(),
                                          d.position.file.c_str(), d.position.line, d.position.column});
  }
  for (const document& d : r.impl.documents)
    r.documents.push_back(wd_document{role_of(d.what), d.api_version.c_str(), d.kind.c_str(), d.ns.c_str(),
                                      d.name.c_str(), d.file_name.c_str()});
}

}  // namespace

extern "C" {

int wd_render_options_new(wd_render_options** out) {
  return capi::guard([&] {
    capi::require(out, "out");
    *out = nullptr;
    *out = new wd_render_options{};
    return WD_OK;
  });
}

void wd_render_options_free(wd_render_options* opts) { delete opts; }

int wd_render_options_set_istio(wd_render_options* opts, const char* istio) {
  return capi::guard([&] {
    capi::require(opts, "opts");
    std::string v = istio ? istio : "";
    if (!v.empty()) mesh_version::parse(v);  // report a bad version where it was given
    opts->impl.istio = std::move(v);
    return WD_OK;
  });
}

int wd_render_options_set_allow_incompatible_module(wd_render_options* opts, int allow) {
  return capi::guard([&] {
    capi::require(opts, "opts");
    opts->impl.allow_incompatible_module = allow != 0;
    return WD_OK;
  });
}

int wd_render_options_set_target(wd_render_options* opts, const char* target) {
  return capi::guard([&] {
    capi::require(opts, "opts");
    std::optional<platform> which;
    if (target && *target) which = parse_platform(target, "target");
    opts->impl.target = which;
    return WD_OK;
  });
}

int wd_render_options_set_gateway_version(wd_render_options* opts, const char* version) {
  return capi::guard([&] {
    capi::require(opts, "opts");
    std::string v = version ? version : "";
    if (!v.empty()) parse_gateway_version(v, "gateway_version");  // report it where it was given
    opts->impl.gateway_version = std::move(v);
    return WD_OK;
  });
}

int wd_render_options_add_allow(wd_render_options* opts, const char* code) {
  return capi::guard([&] {
    capi::require(opts, "opts");
    capi::require(code, "code");
    opts->impl.allow.emplace_back(code);  // wd_render checks it, with the spec's own
    return WD_OK;
  });
}

int wd_render(wd_render_result** out, const wd_spec* spec, const wd_render_options* opts) {
  return capi::guard([&] {
    capi::require(out, "out");
    capi::require(spec, "spec");
    *out = nullptr;
    auto r = std::make_unique<wd_render_result>();
    r->impl = opts ? render(spec->impl, opts->impl, opts->inputs) : render(spec->impl, render_options{});
    build_views(*r);
    *out = r.release();
    return WD_OK;
  });
}

int wd_undeploy(wd_render_result** out, const wd_spec* spec, const wd_render_options* opts, int restore) {
  return capi::guard([&] {
    capi::require(out, "out");
    capi::require(spec, "spec");
    *out = nullptr;
    auto r = std::make_unique<wd_render_result>();
    const undeploy_part part = restore ? undeploy_part::restores : undeploy_part::deletions;
    r->impl = opts ? render_undeploy(spec->impl, opts->impl, opts->inputs, part)
                   : render_undeploy(spec->impl, render_options{}, part);
    build_views(*r);
    *out = r.release();
    return WD_OK;
  });
}

int wd_render_text(wd_buf* out, const wd_spec* spec, const char* istio, wd_format format) {
  return capi::guard([&] {
    capi::require(out, "out");
    capi::require(spec, "spec");
    output_format f = to_format(format);
    render_options o;
    if (istio) o.istio = istio;
    capi::fill_buf(out, to_text(render(spec->impl, o).documents, f));
    return WD_OK;
  });
}

void wd_render_result_free(wd_render_result* result) { delete result; }

int wd_render_result_text(wd_buf* out, const wd_render_result* result, wd_format format) {
  return capi::guard([&] {
    capi::require(out, "out");
    capi::require(result, "result");
    capi::fill_buf(out, to_text(result->impl.documents, to_format(format)));
    return WD_OK;
  });
}

const char* wd_render_result_istio(const wd_render_result* result) { return result ? result->istio.c_str() : ""; }

size_t wd_render_result_document_count(const wd_render_result* result) {
  return result ? result->documents.size() : 0;
}

const wd_document* wd_render_result_document(const wd_render_result* result, size_t index) {
  if (!result || index >= result->documents.size()) return nullptr;
  return &result->documents[index];
}

size_t wd_render_result_diagnostic_count(const wd_render_result* result) {
  return result ? result->diagnostics.size() : 0;
}

const wd_diagnostic* wd_render_result_diagnostic(const wd_render_result* result, size_t index) {
  if (!result || index >= result->diagnostics.size()) return nullptr;
  return &result->diagnostics[index];
}

}  // extern "C"
