// The pipeline's last two stages: walk the plan, render each document, hand it to the sink.
// Order is stable: wasme cache objects, ConfigMaps, filter resources (targets and filters in
// spec order), workload patches, then non-Kubernetes files.
#include <wasmdeploy/render.hpp>

#include "plan/plan.hpp"
#include "render/platforms.hpp"
#include "render/renderers.hpp"

namespace wasmdeploy {

platform chosen_platform(const spec& s, const render_options& options) {
  return options.target ? *options.target : s.options.target_platform;
}

render_summary render(const spec& s, const render_options& options, document_sink& sink) {
  const platform which = chosen_platform(s, options);
  if (which != platform::istio) {
    // Other platforms build their (few) documents first, so nothing reaches the sink unless
    // the whole render succeeded, as for Istio.
    render_summary summary;
    summary.target = which;
    detail::platform_context c{s, options, summary.diagnostics, {}};
    std::vector<document> docs = detail::render_platform(which, c);
    summary.platform_version = c.version_text;
    for (const auto& d : docs) sink.on_document(d);
    summary.documents = docs.size();
    return summary;
  }
  detail::plan p = detail::make_plan(s, options);
  // Volume patches merge the workloads' existing annotations and can still refuse
  // (volume.conflict, annotation.invalid-json), so they are rendered before the first document
  // reaches the sink.
  std::vector<document> patches;
  patches.reserve(p.patches.size());
  for (const auto& wp : p.patches) patches.push_back(detail::render_volume_patch(p, s, wp));
  render_summary summary;
  summary.version = p.version;
  summary.diagnostics = p.diagnostics;
  auto emit = [&](const document& d) {
    sink.on_document(d);
    ++summary.documents;
  };
  for (const auto& d : detail::render_wasme_cache(p)) emit(d);
  for (const auto& cm : p.configmaps) emit(detail::render_config_map(p, s, cm));
  for (const auto& pl : p.placements) {
    const resource_kind k = p.filters[pl.filter].kind;
    if (k == resource_kind::wasm_plugin) {
      emit(detail::render_wasm_plugin(p, s, pl));
    } else if (k == resource_kind::traffic_extension) {
      emit(detail::render_traffic_extension(p, s, pl));
    } else {
      emit(detail::render_envoy_filter(p, s, pl));
    }
  }
  for (const auto& d : patches) emit(d);
  for (size_t i = 0; i < p.filters.size(); ++i) emit(detail::render_runtime_config(p, s, i));
  return summary;
}

render_result render(const spec& s, const render_options& options) {
  render_result r;
  document_collector c(r.documents);
  r.summary = render(s, options, c);
  return r;
}

}  // namespace wasmdeploy
