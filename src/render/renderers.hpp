// One renderer per output kind; each lives in its own file.
#pragma once

#include <vector>

#include "plan/plan.hpp"

namespace wasmdeploy::detail {

document render_envoy_filter(const plan& p, const spec& s, const placement& pl);
document render_wasm_plugin(const plan& p, const spec& s, const placement& pl);
document render_traffic_extension(const plan& p, const spec& s, const placement& pl);
document render_config_map(const plan& p, const spec& s, const configmap_unit& cm);
document render_volume_patch(const plan& p, const spec& s, const workload_patch& wp);
/// The patch that undoes a volume patch: `applied_template` is the spec.template the render's
/// patch wrote; the spec's filters are taken out of its annotations, their volumes removed
/// unless another filter still owns them (for a gateway, `$patch: delete` entries), and keys
/// whose entries equal the workload's own come back verbatim.
document restore_volume_patch(const spec& s, const workload& w, const std::string& ns, const node& applied_template);
/// Gateways (context gateway, or gateway labels) ignore the userVolume annotations: their patch
/// adds the volume to the pod spec and the istio-proxy container instead.
bool is_gateway_workload(const target& t, const workload& w);
/// True when the workload already carries userVolume/userVolumeMount values to merge; without
/// them a patch depends only on the workload's kind, name and filters.
bool has_volume_annotations(const workload& w);
document render_runtime_config(const plan& p, const spec& s, size_t filter_index);
/// The wasme node cache (namespace, RBAC, image list, DaemonSet) for hostpath delivery of images.
std::vector<document> render_wasme_cache(const plan& p);

}  // namespace wasmdeploy::detail
