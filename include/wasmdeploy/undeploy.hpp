// Undeploy plans: the declarative inverse of a render, from the same inputs.
#pragma once

#include <wasmdeploy/render.hpp>
#include <wasmdeploy/resolve.hpp>

namespace wasmdeploy {

/// The two halves of an undeploy, which are used with different commands and must never be
/// mixed in one stream: `kubectl delete -f` deletes every object it is given, so the objects a
/// user owns (their workloads, the Gloo Gateway) come only in the restores.
enum class undeploy_part {
  all,        ///< deletions, then restores (directory output puts restores in patches/)
  deletions,  ///< role::resource: only objects wasmdeploy created (`kubectl delete -f`)
  restores,   ///< role::patch: merge patches for user objects (`kubectl patch --type=merge`)
};

/// Renders what removes everything `render(s, options)` would deploy, for any platform:
///   - role::resource documents: one minimal object {apiVersion, kind, metadata{name, namespace}}
///     per resource the render creates, so `kubectl delete -f` accepts the stream;
///   - role::patch documents: one per object the render patches, undoing the patch, as a JSON
///     merge patch (`kubectl patch -f F --type=merge --patch-file F`). Workload patches set
///     each annotation wasmdeploy wrote back to the workload's previous value
///     (`workload.annotations` in the spec) or to null (delete). The Gloo Gateway gets the
///     filter list of the Gateway given as options.glooGateway back.
/// The wasme cache Namespace is never deleted (it may hold other things); a note says so.
/// Validates exactly as render() does, and throws before anything reaches the sink.
/// summary.documents counts the documents of `part`. Local files are read by the resolve stage
/// under `inputs.files` (the same confinement as render; the overloads without it: the spec's
/// directory only); registries are never asked (inputs.network is ignored).
render_summary render_undeploy(const spec& s, const render_options& options, const resolve_options& inputs,
                               undeploy_part part, document_sink& sink);
render_summary render_undeploy(const spec& s, const render_options& options, undeploy_part part,
                               document_sink& sink);
render_summary render_undeploy(const spec& s, const render_options& options, document_sink& sink);

/// Convenience: collects the documents of `part`.
render_result render_undeploy(const spec& s, const render_options& options,
                              undeploy_part part = undeploy_part::all);
render_result render_undeploy(const spec& s, const render_options& options, const resolve_options& inputs,
                              undeploy_part part);

}  // namespace wasmdeploy
