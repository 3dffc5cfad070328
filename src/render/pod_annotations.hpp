// Pod-template annotations a workload patch writes and its restore puts back.
#pragma once

namespace wasmdeploy::detail {

inline constexpr const char* kUserVolume = "sidecar.istio.io/userVolume";
inline constexpr const char* kUserVolumeMount = "sidecar.istio.io/userVolumeMount";
/// {"<filter>": "<sha256 of the .wasm>"} for modules delivered in a ConfigMap: a new module
/// changes the pod template, so the workload rolls and the new pods mount the new bytes (the
/// filter resource names the same file path either way, and a running Envoy never rereads it).
inline constexpr const char* kModuleHashAnnotation = "wasmdeploy.io/module-sha256";

}  // namespace wasmdeploy::detail
