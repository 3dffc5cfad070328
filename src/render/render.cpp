// The pipeline's last two stages: walk the plan, render each document, hand it to the sink.
// Order is stable: wasme cache objects, ConfigMaps, filter resources (targets and filters in
// spec order), workload patches, then non-Kubernetes files.
//
// Nothing per document is kept: the plan holds per-filter and per-target decisions only, and
// the filter resources and patches are produced one at a time. Every check that can refuse runs
// before the first document reaches the sink.
#include <wasmdeploy/render.hpp>

#include <algorithm>
#include <limits>
#include <optional>

#include <fmt/format.h>
#include <wasmdeploy/resolve.hpp>

#include "plan/plan.hpp"
#include "plan/plan_inputs.hpp"
#include "plan/validate.hpp"
#include "render/common.hpp"
#include "render/platforms.hpp"
#include "render/renderers.hpp"

namespace wasmdeploy {
namespace {

constexpr size_t kNone = std::numeric_limits<size_t>::max();

document render_placement(const detail::plan& p, const spec& s, const detail::placement& pl) {
  switch (p.filters[pl.filter].kind) {
    case resource_kind::wasm_plugin: return detail::render_wasm_plugin(p, s, pl);
    case resource_kind::traffic_extension: return detail::render_traffic_extension(p, s, pl);
    default: return detail::render_envoy_filter(p, s, pl);
  }
}

// A patch is "plain" when it has nothing of its own to merge: its result depends only on the
// target's filters, so one check per target covers all of them and one tree can be reused.
bool plain_patch(const spec& s, const detail::workload_patch& wp, bool merged) {
  const target& t = s.targets[wp.target];
  const workload& w = t.workloads[wp.workload];
  return !merged && !detail::has_volume_annotations(w) && !detail::is_gateway_workload(t, w);
}

}  // namespace

platform chosen_platform(const spec& s, const render_options& options) {
  return options.target ? *options.target : s.options.target_platform;
}

namespace {

render_summary render_documents(const spec& input, const render_options& options, const resolve_options& inputs,
                                document_sink& sink) {
  std::optional<spec> normalized;
  std::vector<diagnostic> notes;
  const spec& s = detail::normalize_digests(input, normalized, notes);
  const platform which = chosen_platform(s, options);
  if (which != platform::istio) {
    // Other platforms build their (few) documents first, so nothing reaches the sink unless
    // the whole render succeeded, as for Istio.
    // Their inputs come from the resolve stage too, under the same confinement. Their
    // renderers take digests from the spec, so with the network (--resolve) each oci:// module
    // the registry answered for is pinned in a copy of the spec: the tag to the manifest
    // digest, sha256 and moduleSha256 filled where the spec left them empty.
    resolve_options asked = inputs;
    std::vector<diagnostic> unused;
    if (which == platform::wasme && inputs.network) {
      // A FilterDeployment names a tag the wasme operator pulls itself: nothing to pin.
      asked.network = false;
      unused.push_back({severity::warning, "render.resolve-unused", "",
                        "--resolve pins nothing for the wasme platform: a FilterDeployment names the tag, which the "
                        "wasme operator pulls itself (the registry was not asked)",
                        {}});
    }
    const resolved_inputs in = resolve_inputs(s, asked);
    std::optional<spec> pinned;
    for (size_t i = 0; i < in.filters.size(); ++i) {
      if (!in.filters[i].remote) continue;
      if (!pinned) pinned = s;
      filter& f = pinned->filters[i];
      const resolved_image& image = *in.filters[i].remote;
      const std::string hex = image.manifest_digest.substr(image.manifest_digest.find(':') + 1);
      if (f.module.digest.empty()) f.module = parse_module_source(f.module.text + "@" + image.manifest_digest, f.path + ".module");
      if (f.sha256.empty()) f.sha256 = hex;
      if (f.module_sha256.empty()) f.module_sha256 = image.module_sha256;
    }
    const spec& rendered = pinned ? *pinned : s;
    render_summary summary;
    summary.target = which;
    summary.diagnostics = notes;
    summary.diagnostics.insert(summary.diagnostics.end(), in.notes.begin(), in.notes.end());
    summary.diagnostics.insert(summary.diagnostics.end(), unused.begin(), unused.end());
    detail::platform_context c{rendered, options, summary.diagnostics, in, {}};
    std::vector<document> docs = detail::render_platform(which, c);
    summary.platform_version = c.version_text;
    for (const auto& d : docs) sink.on_document(d);
    summary.documents = docs.size();
    return summary;
  }
  detail::plan p = detail::make_plan(s, options, resolve_inputs(s, inputs));
  // Volume patches merge the workloads' existing annotations and can still refuse
  // (volume.conflict, annotation.invalid-json): check them, in output order, before the first
  // document reaches the sink.
  size_t checked_target = kNone;
  detail::for_each_patch(p, s, [&](const detail::workload_patch& wp, bool merged) {
    if (plain_patch(s, wp, merged)) {
      if (wp.target == checked_target) return;
      checked_target = wp.target;
    }
    (void)detail::render_volume_patch(p, s, wp);
  });

  render_summary summary;
  summary.version = p.version;
  summary.diagnostics = std::move(notes);
  summary.diagnostics.insert(summary.diagnostics.end(), p.diagnostics.begin(), p.diagnostics.end());
  auto emit = [&](const document& d) {
    sink.on_document(d);
    ++summary.documents;
  };
  for (const auto& d : detail::render_wasme_cache(p)) emit(d);
  for (const auto& cm : p.configmaps) emit(detail::render_config_map(p, s, cm));

  // Placements of one target and filter differ only in name and selector: the tree is built
  // once and re-pointed for each workload.
  document reused;
  size_t reused_target = kNone, reused_filter = kNone;
  detail::for_each_placement(p, s, [&](const detail::placement& pl) {
    if (pl.target != reused_target || pl.filter != reused_filter || !detail::rebind_resource(reused, s, pl)) {
      reused = render_placement(p, s, pl);
      reused_target = pl.target;
      reused_filter = pl.filter;
    }
    emit(reused);
  });

  reused_target = kNone;
  detail::for_each_patch(p, s, [&](const detail::workload_patch& wp, bool merged) {
    const workload& w = s.targets[wp.target].workloads[wp.workload];
    if (!plain_patch(s, wp, merged)) {
      emit(detail::render_volume_patch(p, s, wp));
      return;
    }
    if (wp.target != reused_target || !detail::rebind_patch(reused, w)) {
      reused = detail::render_volume_patch(p, s, wp);
      reused_target = wp.target;
    }
    emit(reused);
  });
  for (size_t i = 0; i < p.filters.size(); ++i) emit(detail::render_runtime_config(p, s, i));
  return summary;
}

constexpr const char* kAllowedAnnotation = "wasmdeploy.io/allowed";

bool is_code(const std::string& c) {
  if (c.empty() || c.size() > 64) return false;
  for (size_t i = 0; i < c.size(); ++i) {
    const char ch = c[i];
    const bool word = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
    const bool joint = (ch == '.' || ch == '-') && i > 0 && i + 1 < c.size() && c[i - 1] != '.' && c[i - 1] != '-';
    if (!word && !joint) return false;
  }
  return true;
}

/// The acknowledged codes, sorted and unique (so the annotation is the same whatever the order
/// they were given in); a malformed one is refused where it was written.
std::vector<std::string> allowed_codes(const spec& s, const render_options& options) {
  std::vector<std::string> all;
  for (size_t i = 0; i < s.options.allow.size(); ++i) {
    if (!is_code(s.options.allow[i])) {
      detail::reject(s, "options.allow-syntax", fmt::format("options.allow[{}]", i),
                     fmt::format("'{}' is not a diagnostic code (e.g. hostpath.pod-security; docs/errors.md lists them)",
                                 shorten(s.options.allow[i])));
    }
    all.push_back(s.options.allow[i]);
  }
  for (const auto& c : options.allow) {
    if (!is_code(c)) {
      throw error(errc::invalid, "options.allow-syntax", "allow",
                  fmt::format("'{}' is not a diagnostic code (e.g. hostpath.pod-security; docs/errors.md lists them)",
                              shorten(c)));
    }
    all.push_back(c);
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

/// Adds metadata.annotations["wasmdeploy.io/allowed"] to every object the render creates, so
/// what was acknowledged travels with the manifests (and shows in `kubectl get -o yaml`).
class acknowledging_sink : public document_sink {
 public:
  acknowledging_sink(document_sink& next, std::string codes) : next_(next), codes_(std::move(codes)) {}
  void on_document(const document& d) override {
    const node* metadata = d.body.find("metadata");
    if (d.what != document::role::resource || metadata == nullptr || !metadata->is_mapping()) {
      next_.on_document(d);
      return;
    }
    document copy = d;
    node& annotations = (*copy.body.find("metadata"))["annotations"];
    if (!annotations.is_mapping()) annotations = node::mapping();
    annotations[kAllowedAnnotation] = node(codes_);
    next_.on_document(copy);
  }

 private:
  document_sink& next_;
  std::string codes_;
};

}  // namespace

render_summary render(const spec& input, const render_options& options, document_sink& sink) {
  return render(input, options, resolve_options{}, sink);
}

render_summary render(const spec& input, const render_options& options, const resolve_options& inputs,
                      document_sink& sink) {
  const limits_scope scope(options.limits ? *options.limits : active_limits());
  const std::vector<std::string> allowed = allowed_codes(input, options);
  if (allowed.empty()) return render_documents(input, options, inputs, sink);
  std::string joined;
  for (const auto& c : allowed) joined += (joined.empty() ? "" : ",") + c;
  acknowledging_sink acknowledging(sink, joined);
  render_summary r = render_documents(input, options, inputs, acknowledging);
  // An acknowledged warning stays visible, as a note: --strict counts warnings only.
  for (auto& d : r.diagnostics) {
    if (d.level == severity::warning && std::binary_search(allowed.begin(), allowed.end(), d.code)) {
      d.level = severity::note;
      d.message += fmt::format(" (allowed: {} records it)", kAllowedAnnotation);
    }
  }
  return r;
}

render_result render(const spec& s, const render_options& options) { return render(s, options, resolve_options{}); }

render_result render(const spec& s, const render_options& options, const resolve_options& inputs) {
  render_result r;
  document_collector c(r.documents);
  r.summary = render(s, options, inputs, c);
  return r;
}

}  // namespace wasmdeploy
