// Undeploy plans are derived from the render itself, so the two cannot disagree about which
// objects exist: every created resource becomes a delete stub, every patch an inverse patch.
#include <wasmdeploy/undeploy.hpp>

#include <algorithm>

#include <fmt/format.h>

#include "plan/validate.hpp"
#include "render/common.hpp"
#include "render/platforms.hpp"
#include "render/renderers.hpp"

namespace wasmdeploy {
namespace {

document delete_stub(const document& d) {
  node md = make_mapping({{"name", d.name}});
  if (!d.ns.empty()) md.add("namespace", d.ns);
  node body = make_mapping({{"apiVersion", d.api_version}, {"kind", d.kind}, {"metadata", std::move(md)}});
  return detail::make_document(document::role::resource, d.api_version, d.kind, d.ns, d.name, std::move(body));
}

const workload* find_workload(const spec& s, const document& d) {
  for (const auto& t : s.targets) {
    if (t.ns != d.ns) continue;
    for (const auto& w : t.workloads) {
      if (w.name == d.name && to_string(w.kind) == d.kind) return &w;
    }
  }
  return nullptr;
}

// The inverse of a volume-annotation patch: this spec's filters come out of what the patch
// wrote; volumes another filter still owns, and the workload's own, stay (volume_patch.cpp).
document restore_workload(const spec& s, const document& d) {
  const workload* w = find_workload(s, d);
  if (w == nullptr) {
    throw error(errc::generic, "undeploy.internal", "", fmt::format("no workload {}/{} for a patch", d.ns, d.name));
  }
  return detail::restore_volume_patch(s, *w, d.ns, *d.body.find("spec")->find("template"));
}

}  // namespace

render_summary render_undeploy(const spec& s, const render_options& options, const resolve_options& inputs,
                               undeploy_part part, document_sink& sink) {
  resolve_options local = inputs;
  local.network = false;  // what is removed is named by ids, never by what a registry says now
  std::vector<document> rendered;
  document_collector all(rendered);
  render_summary summary = render(s, options, local, all);
  std::vector<document> out;
  for (const auto& d : rendered) {
    switch (d.what) {
      case document::role::resource:
        if (d.kind == "Namespace") {
          summary.diagnostics.push_back({severity::note, "undeploy.namespace-kept", "",
                                         fmt::format("namespace {} is left in place; delete it yourself if nothing "
                                                     "else uses it", d.name), {}});
          continue;
        }
        out.push_back(delete_stub(d));
        break;
      case document::role::patch:
        if (d.api_version == "apps/v1") {
          out.push_back(restore_workload(s, d));
        } else if (d.api_version == "gateway.solo.io/v1") {
          const resolved_inputs in = resolve_inputs(s, local);
          detail::platform_context c{s, options, summary.diagnostics, in, {}};
          for (auto& g : detail::render_gloo_gateway(c, true)) out.push_back(std::move(g));
        } else {
          throw error(errc::generic, "undeploy.internal", "", fmt::format("no inverse for a {} patch", d.kind));
        }
        break;
      case document::role::file:
        break;  // nothing in the cluster
    }
  }
  if (out.empty()) {
    summary.diagnostics.push_back({severity::note, "undeploy.nothing", "",
                                   "the render creates nothing in a cluster (only files); there is nothing to undeploy", {}});
  }
  if (part == undeploy_part::deletions) {
    const size_t restores = static_cast<size_t>(std::count_if(
        out.begin(), out.end(), [](const document& d) { return d.what == document::role::patch; }));
    if (restores > 0) {
      summary.diagnostics.push_back(
          {severity::note, "undeploy.restores-apart", "",
           fmt::format("{} object(s) the render patched (workloads, a Gateway) are the user's and not in this "
                       "output; `undeploy --restore` prints the merge patches that give them their previous state",
                       restores), {}});
    }
  }
  summary.documents = 0;
  for (const auto& d : out) {
    const bool wanted = part == undeploy_part::all ||
                        (part == undeploy_part::deletions) == (d.what == document::role::resource);
    if (!wanted) continue;
    sink.on_document(d);
    ++summary.documents;
  }
  return summary;
}

render_summary render_undeploy(const spec& s, const render_options& options, undeploy_part part,
                               document_sink& sink) {
  return render_undeploy(s, options, resolve_options{}, part, sink);
}

render_summary render_undeploy(const spec& s, const render_options& options, document_sink& sink) {
  return render_undeploy(s, options, resolve_options{}, undeploy_part::all, sink);
}

render_result render_undeploy(const spec& s, const render_options& options, const resolve_options& inputs,
                              undeploy_part part) {
  render_result r;
  document_collector c(r.documents);
  r.summary = render_undeploy(s, options, inputs, part, c);
  return r;
}

render_result render_undeploy(const spec& s, const render_options& options, undeploy_part part) {
  return render_undeploy(s, options, resolve_options{}, part);
}

}  // namespace wasmdeploy
