// Media types and annotation keys of the Wasm image formats (shared/reference/wasme.md §3,
// platforms.md §3, istio.md §4.2). One place, so the writer and the reader cannot drift apart.
#pragma once

namespace wasmdeploy::oci {

inline constexpr const char* kImageLayoutVersion = "1.0.0";

inline constexpr const char* kMediaIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kMediaManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kMediaImageConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kMediaLayerTarGzip = "application/vnd.oci.image.layer.v1.tar+gzip";

inline constexpr const char* kMediaDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kMediaDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kMediaDockerLayerTarGzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";

// wasme / WebAssembly Hub (solo-io/wasm tools/wasme/pkg/model/image.go).
inline constexpr const char* kMediaWasmeConfig = "application/vnd.module.wasm.config.v1+json";
inline constexpr const char* kMediaWasmeContent =
    "application/vnd.module.wasm.content.layer.v1+wasm";
// Formats no Envoy-based fetcher reads.
inline constexpr const char* kMediaWasmToOciContent = "application/vnd.wasm.content.layer.v1+wasm";
inline constexpr const char* kMediaCncfWasm = "application/wasm";

inline constexpr const char* kAnnotationTitle = "org.opencontainers.image.title";
inline constexpr const char* kAnnotationRefName = "org.opencontainers.image.ref.name";
inline constexpr const char* kAnnotationAbiVersion = "module.wasm.runtime/abi_version";
inline constexpr const char* kAnnotationRuntimeType = "module.wasm.runtime/type";
inline constexpr const char* kAnnotationVariant = "module.wasm.image/variant";

inline constexpr const char* kRuntimeConfigFile = "runtime-config.json";
inline constexpr const char* kWasmeModuleFile = "filter.wasm";
inline constexpr const char* kCompatModuleFile = "plugin.wasm";

/// The limit Istio (1.17+, default) and Envoy Gateway put on a fetched module.
inline constexpr unsigned long long kMaxModuleBytes = 256ULL * 1024 * 1024;

}  // namespace wasmdeploy::oci
