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
/// True when the workload already carries userVolume/userVolumeMount values to merge; without
/// them a patch depends only on the workload's kind, name and filters.
bool has_volume_annotations(const workload& w);
document render_runtime_config(const plan& p, const spec& s, size_t filter_index);
/// The wasme node cache (namespace, RBAC, image list, DaemonSet) for hostpath delivery of images.
std::vector<document> render_wasme_cache(const plan& p);

}  // namespace wasmdeploy::detail
