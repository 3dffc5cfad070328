/*
 * wasmdeploy C API, the resolve stage: local-file confinement and registries.
 * Included by wasmdeploy/wasmdeploy.h (or on its own); same conventions (int status, out-params first,
 * NULL-safe _free, wd_error_last() on failure).
 *
 * A controller resolving a FilterDeployment's image with the pull secret of its namespace:
 *
 *   wd_resolve_options *ro = NULL;
 *   wd_resolve_options_new(&ro);
 *   wd_resolve_options_set_docker_config_json(ro, secret_json, secret_len);  // .dockerconfigjson
 *   wd_resolved_image *img = NULL;
 *   if (wd_resolve_image(&img, "oci://ghcr.io/acme/filter:v1", ro) == WD_OK) {
 *     wd_resolved_image_manifest_digest(img);  // "sha256:..." -> WasmPlugin/EnvoyFilter sha256
 *     wd_resolved_image_module_sha256(img);    // hex -> wasme cache file, moduleSha256
 *   }
 *   // or let render do it: wd_render_options_set_resolve(opts, ro, 1);
 *   wd_resolved_image_free(img);
 *   wd_resolve_options_free(ro);
 */
#ifndef WASMDEPLOY_RESOLVE_H
#define WASMDEPLOY_RESOLVE_H

/* Usable on its own: wasmdeploy.h declares the handles and WD_API (and includes this file). */
#include "wasmdeploy/wasmdeploy.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Options of the resolve stage: where local files may be read, how registries are reached. */
typedef struct wd_resolve_options wd_resolve_options;

/** What a registry says about a reference. Opaque; read with the getters below. */
typedef struct wd_resolved_image wd_resolved_image;

/**
 * Creates options with defaults: files confined to the spec's directory, anonymous registry
 * access or docker config.json credentials, TLS verified, 10 s connect / 120 s request
 * timeouts, 2 retries, 256 MiB blobs at most.
 */
WD_API int wd_resolve_options_new(wd_resolve_options **out);
/** Releases options; NULL is accepted. */
WD_API void wd_resolve_options_free(wd_resolve_options *opts);

/** Lets specs name local files inside `dir` too (besides their own directory). */
WD_API int wd_resolve_options_allow_path(wd_resolve_options *opts, const char *dir);
/** Non-zero: specs may name local files anywhere. */
WD_API int wd_resolve_options_set_allow_outside_spec_dir(wd_resolve_options *opts, int allow);

/** Explicit registry credentials (override config.json). NULL or "" clears them. */
WD_API int wd_resolve_options_set_credentials(wd_resolve_options *opts, const char *username, const char *password);
/** docker config.json path (default: $DOCKER_CONFIG/config.json, ~/.docker/config.json). */
WD_API int wd_resolve_options_set_docker_config(wd_resolve_options *opts, const char *path);
/** config.json content itself, e.g. a kubernetes.io/dockerconfigjson Secret's data. */
WD_API int wd_resolve_options_set_docker_config_json(wd_resolve_options *opts, const char *json, size_t len);
/**
 * TLS: `insecure` skips certificate verification, `plain_http` talks http://, `ca_file` (NULL
 * for the system's) is a PEM bundle to trust.
 */
WD_API int wd_resolve_options_set_tls(wd_resolve_options *opts, int insecure, int plain_http, const char *ca_file);
/** Connect timeout and whole-request timeout in milliseconds (> 0), retries (0-10). */
WD_API int wd_resolve_options_set_timeouts(wd_resolve_options *opts, long connect_ms, long request_ms, int retries);
/** Largest blob accepted from a registry, in bytes (> 0). */
WD_API int wd_resolve_options_set_max_blob_bytes(wd_resolve_options *opts, uint64_t max_bytes);

/**
 * Asks the registry for `reference` (oci://registry/repo:tag or @sha256:...): the manifest
 * digest, the module's sha256, verified against every digest received.
 * @return WD_OK, WD_EINVALID (bad reference, refused credentials, digest mismatch), WD_ENOTFOUND
 *         (no such tag), WD_EIO (unreachable, timeout); wd_error_last()->id says which
 *         ("registry.unauthorized", "registry.not-found", "registry.digest-mismatch", ...).
 */
WD_API int wd_resolve_image(wd_resolved_image **out, const char *reference, const wd_resolve_options *opts);
/** Releases a result; NULL is accepted. */
WD_API void wd_resolved_image_free(wd_resolved_image *img);
/** "sha256:<hex>" of the image manifest (an index is resolved to the Wasm manifest). */
WD_API const char *wd_resolved_image_manifest_digest(const wd_resolved_image *img);
/** Hex sha256 of the .wasm module inside the image. */
WD_API const char *wd_resolved_image_module_sha256(const wd_resolved_image *img);
/** registry/repository@sha256:<manifest digest>. */
WD_API const char *wd_resolved_image_pinned(const wd_resolved_image *img);
/** The image format: "oci" (wasme), "compat", "docker-compat", ... */
WD_API const char *wd_resolved_image_variant(const wd_resolved_image *img);
/** The resolved image as JSON, the same object as `wasmdeploy resolve -o json`. */
WD_API int wd_resolved_image_json(wd_buf *out, const wd_resolved_image *img);

/**
 * Makes wd_render use these resolve options; with `network` non-zero, every oci:// module is
 * resolved at the registry (sha256 and moduleSha256 filled, the tag pinned to the digest, a
 * `resolve.pinned` note). Without it a render never touches the network.
 */
WD_API int wd_render_options_set_resolve(wd_render_options *opts, const wd_resolve_options *resolve, int network);

#ifdef __cplusplus
}
#endif

#endif /* WASMDEPLOY_RESOLVE_H */
