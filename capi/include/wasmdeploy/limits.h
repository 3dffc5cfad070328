/*
 * wasmdeploy C API, the readers' limits: how deep, how big and how many of each thing a spec,
 * a module, an annotation or an image layout may hold. Included by wasmdeploy/wasmdeploy.h;
 * same conventions (int status, out-params first, NULL-safe _free, wd_error_last() on failure).
 *
 * A controller reading specs from a tenant, with JSON nesting and spec size lowered:
 *
 *   wd_limits *lim = NULL;
 *   wd_limits_new(&lim);                        // the defaults (README, section Limits)
 *   wd_limits_set(lim, "json_depth", 32);
 *   wd_limits_set(lim, "spec_bytes", 1 << 20);
 *   wd_spec_parse_limited(&spec, text, len, "tenant.yaml", ".", lim);
 *   wd_render_options_set_limits(opts, lim);    // annotations, module files during render
 *   wd_limits_free(lim);                        // the options keep their own copy
 *
 * The names are those of the CLI's --limit NAME=VALUE and Python's limits={"NAME": VALUE}.
 * The embedded host's bounds (instructions, wall clock, memory, value size) are run options:
 * wd_run_options_set(opts, "instruction_budget", ...).
 */
#ifndef WASMDEPLOY_LIMITS_H
#define WASMDEPLOY_LIMITS_H

/* Usable on its own: wasmdeploy.h declares the handles and WD_API (and includes this file). */
#include "wasmdeploy/wasmdeploy.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The readers' limits. Opaque; set with wd_limits_set(). */
typedef struct wd_limits wd_limits;

/**
 * Creates limits holding the defaults.
 * @param out receives the limits; release them with wd_limits_free().
 * @return WD_OK or WD_ENOMEM.
 */
WD_API int wd_limits_new(wd_limits **out);

/** Releases limits; NULL is accepted and ignored. */
WD_API void wd_limits_free(wd_limits *limits);

/**
 * Sets one limit by name: "json_depth", "spec_depth", "spec_nodes", "spec_bytes",
 * "string_bytes", "alias_expansion_bytes", "oci_json_bytes", "wasm_module_bytes",
 * "wasm_sections", "wasm_imports", "wasm_exports", "wasm_entries", "wasm_name_bytes",
 * "wasm_producers_entries", "filters", "targets", "workloads", "env_entries", "placements",
 * "import_documents" (wd_limits_name() lists them).
 * @return WD_OK, or WD_EUSAGE for an unknown name ("limits.unknown") or 0 ("limits.bad-value").
 */
WD_API int wd_limits_set(wd_limits *limits, const char *name, uint64_t value);

/**
 * Reads one limit by name.
 * @param out receives the value
 * @return WD_OK or WD_EUSAGE ("limits.unknown").
 */
WD_API int wd_limits_get(uint64_t *out, const wd_limits *limits, const char *name);

/** The name of limit number `index` (0, 1, ...), or NULL past the last. */
WD_API const char *wd_limits_name(size_t index);

/** Renders (and runs the readers render calls) under `limits`, copied into the options. */
WD_API int wd_render_options_set_limits(wd_render_options *opts, const wd_limits *limits);

/** Runs (config_json's depth, the module's reader) under `limits`, copied into the options. */
WD_API int wd_run_options_set_limits(wd_run_options *opts, const wd_limits *limits);

/** wd_spec_parse() under `limits` (NULL: the defaults). */
WD_API int wd_spec_parse_limited(wd_spec **out, const char *text, size_t len, const char *file,
                                 const char *base_dir, const wd_limits *limits);

/** wd_spec_load() under `limits` (NULL: the defaults); spec_bytes bounds the read. */
WD_API int wd_spec_load_limited(wd_spec **out, const char *path, const wd_limits *limits);

/** wd_spec_import() under `limits` (NULL: the defaults): spec_bytes, import_documents, spec_*. */
WD_API int wd_spec_import_limited(wd_spec **out, const char *text, size_t len, const char *file,
                                  const wd_limits *limits);

/** wd_inspect_module() under `limits` (NULL: the defaults): wasm_* bound the reader. */
WD_API int wd_inspect_module_limited(wd_buf *out, const void *bytes, size_t len, const char *istio,
                                     const wd_limits *limits);

#ifdef __cplusplus
}
#endif

#endif /* WASMDEPLOY_LIMITS_H */
