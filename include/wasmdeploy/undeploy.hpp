// Undeploy plans: the declarative inverse of a render, from the same inputs.
#pragma once

#include <wasmdeploy/render.hpp>

namespace wasmdeploy {

/// Renders what removes everything `render(s, options)` would deploy, for any platform:
///   - role::resource documents: one minimal object {apiVersion, kind, metadata{name, namespace}}
///     per resource the render creates, so `kubectl delete -f` accepts the stream;
///   - role::patch documents: one per object the render patches, undoing the patch. Workload
///     patches are JSON merge patches (`kubectl patch --type merge`) that set each annotation
///     wasmdeploy wrote back to the workload's previous value (`workload.annotations` in the
///     spec) or to null (delete). The Gloo Gateway comes back with our entries removed by name.
/// The wasme cache Namespace is never deleted (it may hold other things); a note says so.
/// Validates exactly as render() does, and throws before anything reaches the sink.
render_summary render_undeploy(const spec& s, const render_options& options, document_sink& sink);

/// Convenience: collects every document.
render_result render_undeploy(const spec& s, const render_options& options);

}  // namespace wasmdeploy
