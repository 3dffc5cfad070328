// The workloads as they are in the cluster, for renders that compose: a pod-template annotation
// holds one string, so a patch adding filter b's volume must start from the value filter a's
// patch (and the user) left there.
#pragma once

#include <string>
#include <string_view>

#include <wasmdeploy/spec.hpp>

namespace wasmdeploy {

/// Reads `kubectl get <kind>/<name>... -o yaml|json` output (one object or a List) and sets, on
/// every workload the spec lists, the volume annotations wasmdeploy merges (userVolume,
/// userVolumeMount, wasmdeploy.io/module-sha256, wasmdeploy.io/volumes,
/// wasmdeploy.io/user-volumes) to the live pod template's values. Throws wasmdeploy::error `live.*` when the text is not such output or a
/// listed workload is missing from it (rendering without its live state could drop a volume).
void apply_live_workloads(spec& s, std::string_view text, const std::string& file);

}  // namespace wasmdeploy
