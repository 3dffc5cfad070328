// Pod-template annotations a workload patch writes and its restore puts back.
#pragma once

namespace wasmdeploy::detail {

inline constexpr const char* kUserVolume = "sidecar.istio.io/userVolume";
inline constexpr const char* kUserVolumeMount = "sidecar.istio.io/userVolumeMount";
/// {"<filter>": "<sha256 of the .wasm>"} for modules delivered in a ConfigMap: a new module
/// changes the pod template, so the workload rolls and the new pods mount the new bytes (the
/// filter resource names the same file path either way, and a running Envoy never rereads it).
inline constexpr const char* kModuleHashAnnotation = "wasmdeploy.io/module-sha256";
/// {"<volume>": ["<filter>", ...]}: the volumes wasmdeploy added and the filters that need each.
/// A volume the workload had before is never listed, so undoing a filter removes only the
/// volumes no other filter still needs and never the user's (or wasme's) own.
inline constexpr const char* kVolumeOwnersAnnotation = "wasmdeploy.io/volumes";
/// {"sidecar.istio.io/userVolume": "<text>", ...}: the workload's own values of the two volume
/// annotations, as they were before wasmdeploy first merged into them. A merge rewrites them as
/// compact JSON; the undo that leaves nothing of wasmdeploy's puts this text back byte for byte.
inline constexpr const char* kUserVolumesAnnotation = "wasmdeploy.io/user-volumes";

}  // namespace wasmdeploy::detail
