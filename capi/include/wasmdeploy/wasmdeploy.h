/*
 * wasmdeploy C API: render Istio/Envoy manifests for proxy-wasm filters.
 *
 * Conventions (libgit2 style):
 *   - Every function that can fail returns an int status: WD_OK (0) or a negative wd_status.
 *     The values are pinned forever and equal the C++ wasmdeploy::errc values.
 *   - Out-parameters come first. An object returned through `T **out` belongs to the caller
 *     and is released with its own NULL-safe wd_<type>_free().
 *   - Text comes back in a wd_buf owned by the library: release it with wd_buf_dispose(),
 *     never with free().
 *   - `const` pointers returned by getters are borrowed and live as long as their parent.
 *   - On failure, wd_error_last() describes the error for the calling thread (never NULL).
 *   - Handles are not locked: use one handle per thread, or share a handle only for reading
 *     (rendering a `const wd_spec *` from several threads at once is safe).
 *
 * Stable within a major version. Link with -lwasmdeploy_c (pkg-config: wasmdeploy-c,
 * CMake: find_package(wasmdeploy) and target wasmdeploy::c).
 */
#ifndef WASMDEPLOY_WASMDEPLOY_H
#define WASMDEPLOY_WASMDEPLOY_H

#include <stddef.h>
#include <stdint.h>

#include "wasmdeploy/version.h"

#if defined(WD_STATIC)
#  define WD_API
#elif defined(_WIN32)
#  if defined(WD_BUILDING)
#    define WD_API __declspec(dllexport)
#  else
#    define WD_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define WD_API __attribute__((visibility("default")))
#else
#  define WD_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/* Section - Status codes, errors, buffers                                                  */
/* ---------------------------------------------------------------------------------------- */

/** Status codes. Pinned: never renumbered (they equal wasmdeploy::errc). */
typedef enum wd_status {
  WD_OK = 0,
  WD_ERROR = -1,     /**< unexpected internal error */
  WD_EINVALID = -2,  /**< well-formed input that is not acceptable (bad value, conflicting fields) */
  WD_EPARSE = -3,    /**< input could not be parsed (YAML/JSON syntax) */
  WD_ENOTFOUND = -4, /**< a referenced file, filter, capability or index does not exist */
  WD_EVERSION = -5,  /**< the chosen Istio version cannot express what was asked */
  WD_ENOMEM = -6,    /**< out of memory */
  WD_EIO = -7,       /**< reading or writing a file failed */
  WD_EUSAGE = -8     /**< the API was called wrongly (NULL argument, unknown field name) */
} wd_status;

/** The last error of the calling thread. All strings are owned by the library. */
typedef struct wd_error {
  int code;            /**< a wd_status; WD_OK when there was no error */
  const char *message; /**< formatted: "file:line:col: [id] path: message" (parts omitted when unknown) */
  const char *id;      /**< stable dotted identifier such as "spec.unknown-field"; "" when none */
  const char *path;    /**< field path in the input such as "filters[0].sha256"; "" when none */
  const char *file;    /**< input file name; "" when unknown */
  int line;            /**< 1-based line in the input; 0 when unknown */
  int column;          /**< 1-based column in the input; 0 when unknown */
} wd_error;

/**
 * Describes the most recent failure on the calling thread.
 *
 * A successful call does not clear it; use wd_error_clear() for that.
 * @return never NULL; valid until the next failing call on this thread or wd_error_clear().
 *         Code WD_OK and message "no error" when nothing failed yet.
 */
WD_API const wd_error *wd_error_last(void);

/**
 * Message of the most recent failure on the calling thread.
 * @return never NULL ("no error" when nothing failed); owned by the library.
 */
WD_API const char *wd_error_last_message(void);

/**
 * Status code of the most recent failure on the calling thread.
 * @return a wd_status value (WD_OK when nothing failed).
 */
WD_API int wd_error_last_code(void);

/**
 * Stable dotted identifier of the most recent failure ("spec.unknown-field", ...).
 * @return never NULL ("" when none); owned by the library.
 */
WD_API const char *wd_error_last_id(void);

/**
 * Field path of the most recent failure ("filters[0].sha256", ...).
 * @return never NULL ("" when the error concerns no single field); owned by the library.
 */
WD_API const char *wd_error_last_path(void);

/** Resets the calling thread's last error to "no error". */
WD_API void wd_error_clear(void);

/**
 * Text produced by the library. `ptr` is NUL-terminated, `size` excludes the NUL.
 * Initialise with WD_BUF_INIT; release with wd_buf_dispose().
 */
typedef struct wd_buf {
  char *ptr;       /**< the bytes, NUL-terminated; NULL when empty */
  size_t reserved; /**< allocated size, for the library's use */
  size_t size;     /**< length in bytes, not counting the terminating NUL */
} wd_buf;

/** Initialiser for an empty wd_buf. */
#define WD_BUF_INIT { NULL, 0, 0 }

/**
 * Releases the memory of a buffer filled by the library and resets it to empty.
 * @param buf the buffer; NULL and empty buffers are accepted.
 */
WD_API void wd_buf_dispose(wd_buf *buf);

/* ---------------------------------------------------------------------------------------- */
/* Section - Versions                                                                       */
/* ---------------------------------------------------------------------------------------- */

/**
 * Version of the library loaded at run time.
 * @return MAJOR*10000 + MINOR*100 + PATCH (compare with WD_VERSION_NUMBER).
 */
WD_API unsigned wd_version_number(void);

/**
 * Version of the library loaded at run time.
 * @return "MAJOR.MINOR.PATCH", static storage.
 */
WD_API const char *wd_version_string(void);

/**
 * Checks an Istio version string ("1.8", "1.8.x", "1.8.1", optionally with a leading "v"), or
 * istiod's image tag ("1.24.3-distroless", "1.30.0-rc.1": the part after '-' is dropped). A 1.x
 * minor newer than wd_istio_newest_supported() is accepted (renders carry the
 * version.newer-than-known warning).
 * @param text the version text
 * @return WD_OK, or WD_EVERSION / WD_EINVALID with the supported range in the message.
 */
WD_API int wd_istio_check(const char *text);

/**
 * Oldest Istio release the library renders for.
 * @return "1.5" style text, static storage.
 */
WD_API const char *wd_istio_oldest_supported(void);

/**
 * Newest Istio release the library renders for.
 * @return "1.32" style text (minors past it render with its rules and a warning), static storage.
 */
WD_API const char *wd_istio_newest_supported(void);

/* ---------------------------------------------------------------------------------------- */
/* Section - Specs: what to deploy (filters) and where (targets)                             */
/* ---------------------------------------------------------------------------------------- */

/** A deployment spec: filters and targets. Opaque. */
typedef struct wd_spec wd_spec;

/**
 * Creates an empty spec (no filters, no targets, no Istio version).
 * @param out receives the new spec; free it with wd_spec_free().
 * @return WD_OK or an error code.
 */
WD_API int wd_spec_new(wd_spec **out);

/**
 * Parses a spec from YAML or JSON bytes, strictly (unknown fields are errors).
 * @param out receives the new spec; free it with wd_spec_free().
 * @param text the spec bytes (need not be NUL-terminated)
 * @param len number of bytes in text
 * @param file name used in error messages; NULL for "<input>"
 * @param base_dir directory relative module paths resolve against; NULL for "."
 * @return WD_OK, WD_EPARSE (syntax) or WD_EINVALID (bad field) with file:line:col and the
 *         field path in wd_error_last().
 */
WD_API int wd_spec_parse(wd_spec **out, const char *text, size_t len, const char *file,
                         const char *base_dir);

/**
 * Reads existing resources into a spec, as `wasmdeploy convert` does: wasme.io/v1
 * FilterDeployments, EnvoyFilters and WasmPlugins (a YAML or JSON stream). Each FilterDeployment
 * becomes a filter (named by filter.id, else metadata.name) and a target in its namespace whose
 * selector is its deployment.istio.labels; what cannot be carried over is dropped (the CLI
 * reports it). No Istio version is set.
 * @param out receives the new spec; free it with wd_spec_free().
 * @param text the resources (need not be NUL-terminated)
 * @param len number of bytes in text
 * @param file name used in error messages; NULL for "<input>"
 * @return WD_OK, WD_EPARSE or WD_EINVALID (`import.*` ids) with the path in wd_error_last().
 */
WD_API int wd_spec_import(wd_spec **out, const char *text, size_t len, const char *file);

/**
 * Reads and parses a spec file. Relative module paths resolve against the file's directory.
 * @param out receives the new spec; free it with wd_spec_free().
 * @param path the file name; "-" reads standard input
 * @return WD_OK, WD_EIO, WD_EPARSE or WD_EINVALID.
 */
WD_API int wd_spec_load(wd_spec **out, const char *path);

/**
 * Copies a spec, so that overrides can be applied to the copy.
 * @param out receives the copy; free it with wd_spec_free().
 * @param spec the spec to copy
 * @return WD_OK or an error code.
 */
WD_API int wd_spec_clone(wd_spec **out, const wd_spec *spec);

/**
 * Releases a spec.
 * @param spec the spec; NULL is accepted and ignored.
 */
WD_API void wd_spec_free(wd_spec *spec);

/**
 * Sets a spec-level field by its spec-file name.
 *
 * Fields: "istio" (version text), "naming" (auto | per-workload | per-target),
 * "resource" (auto | EnvoyFilter | WasmPlugin | TrafficExtension),
 * "allowIncompatibleModule" ("true"/"false"), "file" (name used in messages),
 * "baseDir" (directory relative module paths resolve against).
 * @param spec the spec
 * @param field the field name
 * @param value the new value; NULL restores the default
 * @return WD_OK, WD_EUSAGE for an unknown field, WD_EINVALID for a bad value.
 */
WD_API int wd_spec_set(wd_spec *spec, const char *field, const char *value);

/**
 * Number of filters in a spec.
 * @param spec the spec; NULL gives 0
 * @return the count.
 */
WD_API size_t wd_spec_filter_count(const wd_spec *spec);

/**
 * Number of targets in a spec.
 * @param spec the spec; NULL gives 0
 * @return the count.
 */
WD_API size_t wd_spec_target_count(const wd_spec *spec);

/**
 * Appends a filter.
 * @param index_out receives the new filter's index; may be NULL
 * @param spec the spec
 * @param name the filter id (DNS-1123 label)
 * @param module oci://..., http(s)://..., or a local .wasm path
 * @return WD_OK, or WD_EINVALID when the module reference cannot be parsed.
 */
WD_API int wd_spec_add_filter(size_t *index_out, wd_spec *spec, const char *name, const char *module);

/**
 * Finds a filter by name.
 * @param index_out receives the filter's index
 * @param spec the spec
 * @param name the filter name
 * @return WD_OK or WD_ENOTFOUND.
 */
WD_API int wd_spec_find_filter(size_t *index_out, const wd_spec *spec, const char *name);

/**
 * Sets a filter field by its spec-file name.
 *
 * Fields: "name", "module", "sha256" (oci: the image manifest digest), "moduleSha256" (oci: the
 * hash of the .wasm layer, for hostpath delivery), "rootId", "vmId", "config" (the string is passed to the
 * plugin verbatim; see wd_spec_filter_set_config_json() for structured config), "runtime",
 * "type" (HTTP | NETWORK), "failStrategy" (FAIL_CLOSE | FAIL_OPEN | FAIL_RELOAD),
 * "imagePullPolicy" (IfNotPresent | Always), "imagePullSecret", "phase" (AUTHN | AUTHZ | STATS),
 * "priority" (decimal int32), "delivery" (auto | oci | http | configmap | hostpath | file),
 * "resource" (auto | EnvoyFilter | WasmPlugin | TrafficExtension), "runtimeConfig" (path).
 * @param spec the spec
 * @param filter index of the filter
 * @param field the field name
 * @param value the new value; NULL restores the default (unset)
 * @return WD_OK, WD_ENOTFOUND (bad index), WD_EUSAGE (unknown field), WD_EINVALID (bad value).
 */
WD_API int wd_spec_filter_set(wd_spec *spec, size_t filter, const char *field, const char *value);

/**
 * Sets a filter's configuration from JSON (or YAML) text, read with the same rules as a spec
 * file's `config:` value; mappings keep their key order. A string value is passed verbatim, a
 * mapping is passed to the plugin as compact JSON.
 * @param spec the spec
 * @param filter index of the filter
 * @param json the JSON text (need not be NUL-terminated)
 * @param len number of bytes in json
 * @return WD_OK, WD_ENOTFOUND (bad index) or WD_EPARSE (bad syntax).
 */
WD_API int wd_spec_filter_set_config_json(wd_spec *spec, size_t filter, const char *json, size_t len);

/**
 * Appends an environment variable to a filter's VM.
 * @param spec the spec
 * @param filter index of the filter
 * @param name variable name
 * @param value the value (INLINE) or ignored (HOST); NULL for ""
 * @param value_from "INLINE" or "HOST"; NULL for INLINE
 * @return WD_OK, WD_ENOTFOUND or WD_EINVALID.
 */
WD_API int wd_spec_filter_add_env(wd_spec *spec, size_t filter, const char *name, const char *value,
                                  const char *value_from);

/**
 * Appends a target.
 * @param index_out receives the new target's index; may be NULL
 * @param spec the spec
 * @param ns the namespace; NULL for "default"
 * @return WD_OK or an error code.
 */
WD_API int wd_spec_add_target(size_t *index_out, wd_spec *spec, const char *ns);

/**
 * Sets a target field by its spec-file name.
 *
 * Fields: "name", "namespace", "context" (inbound | outbound | gateway | any), "revision",
 * "selector" (replaces the whole selector with "k=v,k2=v2"), "filters" (replaces the filter
 * list with "a,b"; "" means every filter).
 * @param spec the spec
 * @param target index of the target
 * @param field the field name
 * @param value the new value; NULL restores the default
 * @return WD_OK, WD_ENOTFOUND (bad index), WD_EUSAGE (unknown field), WD_EINVALID (bad value).
 */
WD_API int wd_spec_target_set(wd_spec *spec, size_t target, const char *field, const char *value);

/**
 * Adds (or replaces) one pod label in a target's bare selector.
 * @param spec the spec
 * @param target index of the target
 * @param key label key
 * @param value label value
 * @return WD_OK or WD_ENOTFOUND.
 */
WD_API int wd_spec_target_add_selector(wd_spec *spec, size_t target, const char *key, const char *value);

/**
 * Restricts a target to a filter (by default a target gets every filter).
 * @param spec the spec
 * @param target index of the target
 * @param filter_name name of a filter in the spec
 * @return WD_OK or WD_ENOTFOUND.
 */
WD_API int wd_spec_target_add_filter(wd_spec *spec, size_t target, const char *filter_name);

/**
 * Appends a WasmPlugin traffic match (Istio >= 1.16).
 * @param spec the spec
 * @param target index of the target
 * @param mode CLIENT | SERVER | CLIENT_AND_SERVER | UNDEFINED
 * @param ports port numbers; may be NULL when nports is 0
 * @param nports number of ports
 * @return WD_OK, WD_ENOTFOUND or WD_EINVALID.
 */
WD_API int wd_spec_target_add_match(wd_spec *spec, size_t target, const char *mode,
                                    const uint32_t *ports, size_t nports);

/**
 * Appends a Gateway API / Service reference to a target.
 * @param spec the spec
 * @param target index of the target
 * @param group API group ("" for core)
 * @param kind resource kind, e.g. "Gateway" or "Service"
 * @param name resource name
 * @return WD_OK or WD_ENOTFOUND.
 */
WD_API int wd_spec_target_add_ref(wd_spec *spec, size_t target, const char *group, const char *kind,
                                  const char *name);

/**
 * Appends a workload to a target; its pod-template labels become the selector.
 * @param index_out receives the workload's index within the target; may be NULL
 * @param spec the spec
 * @param target index of the target
 * @param name workload name
 * @param kind Deployment | DaemonSet | StatefulSet; NULL for Deployment
 * @return WD_OK, WD_ENOTFOUND or WD_EINVALID.
 */
WD_API int wd_spec_target_add_workload(size_t *index_out, wd_spec *spec, size_t target, const char *name,
                                       const char *kind);

/**
 * Adds (or replaces) a pod-template label of a workload.
 * @param spec the spec
 * @param target index of the target
 * @param workload index of the workload within the target
 * @param key label key
 * @param value label value
 * @return WD_OK or WD_ENOTFOUND.
 */
WD_API int wd_spec_workload_add_label(wd_spec *spec, size_t target, size_t workload, const char *key,
                                      const char *value);

/**
 * Adds (or replaces) an existing pod-template annotation of a workload (volume annotations are
 * merged into these).
 * @param spec the spec
 * @param target index of the target
 * @param workload index of the workload within the target
 * @param key annotation key
 * @param value annotation value
 * @return WD_OK or WD_ENOTFOUND.
 */
WD_API int wd_spec_workload_add_annotation(wd_spec *spec, size_t target, size_t workload, const char *key,
                                           const char *value);

/**
 * Gives the workloads' volume annotations their values in the cluster now (the CLI's --live), so
 * the render merges into what other filters and the user put there instead of replacing it: on
 * every workload the spec lists, the annotations wasmdeploy merges (sidecar.istio.io/userVolume,
 * userVolumeMount, wasmdeploy.io/module-sha256, wasmdeploy.io/volumes, wasmdeploy.io/user-volumes)
 * are set from the matching object.
 * @param spec the spec (changed in place; nothing changes on failure)
 * @param text `kubectl get <kind>/<name>... -o yaml|json` output: one object or a List (need
 *        not be NUL-terminated)
 * @param len number of bytes in text
 * @param file name used in error messages; NULL for "<live>"
 * @return WD_OK, WD_EPARSE, or WD_EINVALID: `live.not-objects`, `live.workload-missing` (a listed
 *         workload is not in the text).
 */
WD_API int wd_spec_apply_live(wd_spec *spec, const char *text, size_t len, const char *file);

/* ---------------------------------------------------------------------------------------- */
/* Section - Rendering                                                                      */
/* ---------------------------------------------------------------------------------------- */

/** Output formats. Pinned values. */
typedef enum wd_format {
  WD_FORMAT_YAML = 0, /**< multi-document YAML stream */
  WD_FORMAT_JSON = 1  /**< a JSON v1 List */
} wd_format;

/** Diagnostic severities. Pinned values. */
typedef enum wd_severity {
  WD_SEVERITY_NOTE = 0,
  WD_SEVERITY_WARNING = 1,
  WD_SEVERITY_ERROR = 2
} wd_severity;

/** What a rendered document is. Pinned values. */
typedef enum wd_document_role {
  WD_DOCUMENT_RESOURCE = 0, /**< a complete resource */
  WD_DOCUMENT_PATCH = 1,    /**< a partial object for kubectl patch/apply */
  WD_DOCUMENT_FILE = 2      /**< a file artifact (not part of YAML/JSON text output) */
} wd_document_role;

/** Render options. Opaque; set with the wd_render_options_set_* functions. */
typedef struct wd_render_options wd_render_options;

/** A finished render: documents plus diagnostics. Opaque. */
typedef struct wd_render_result wd_render_result;

/** A finding that did not stop the render. Strings are borrowed from the result. */
typedef struct wd_diagnostic {
  int severity;        /**< a wd_severity */
  const char *id;      /**< stable dotted identifier */
  const char *path;    /**< field path ("" when none) */
  const char *message; /**< the message alone */
  const char *text;    /**< formatted like wd_error.message */
  const char *file;    /**< input file ("" when unknown) */
  int line;            /**< 1-based; 0 when unknown */
  int column;          /**< 1-based; 0 when unknown */
} wd_diagnostic;

/** One rendered document. Strings are borrowed from the result. */
typedef struct wd_document {
  int role;                /**< a wd_document_role */
  const char *api_version; /**< e.g. "networking.istio.io/v1alpha3" */
  const char *kind;        /**< e.g. "EnvoyFilter" */
  const char *ns;          /**< namespace ("" for cluster-scoped or files) */
  const char *name;        /**< metadata.name */
  const char *file_name;   /**< stable file name used by directory output */
} wd_document;

/**
 * Creates render options with defaults (Istio version from the spec, compatible modules only).
 * @param out receives the options; free them with wd_render_options_free().
 * @return WD_OK or an error code.
 */
WD_API int wd_render_options_new(wd_render_options **out);

/**
 * Releases render options.
 * @param opts the options; NULL is accepted and ignored.
 */
WD_API void wd_render_options_free(wd_render_options *opts);

/**
 * Chooses the Istio version, overriding the spec's `istio` field.
 * @param opts the options
 * @param istio "1.8", "1.8.x" or "1.8.1"; NULL or "" uses the spec's version
 * @return WD_OK, or WD_EVERSION / WD_EINVALID for a version outside the supported range.
 */
WD_API int wd_render_options_set_istio(wd_render_options *opts, const char *istio);

/**
 * Renders even when a local module's ABI cannot load on the chosen version.
 * @param opts the options
 * @param allow non-zero to allow
 * @return WD_OK or WD_EUSAGE.
 */
WD_API int wd_render_options_set_allow_incompatible_module(wd_render_options *opts, int allow);

/**
 * Chooses what to render for, overriding the spec's options.platform (the CLI's --target).
 * @param opts the options
 * @param target "istio", "wasme", "gloo", "envoy", "envoy-gateway" or "higress"; NULL or ""
 *        uses the spec's platform (Istio when the spec names none)
 * @return WD_OK, WD_EINVALID for an unknown name, or WD_EUSAGE for NULL opts.
 */
WD_API int wd_render_options_set_target(wd_render_options *opts, const char *target);

/**
 * Chooses the Envoy Gateway version for the envoy-gateway target, overriding the spec's
 * options.gatewayVersion (the CLI's --gateway-version).
 * @param opts the options
 * @param version "v1.3", "1.3" or "v1.3.2"; NULL or "" uses the spec's version
 * @return WD_OK, WD_EUSAGE for a malformed version (or NULL opts), WD_EVERSION for one outside
 *         the supported range.
 */
WD_API int wd_render_options_set_gateway_version(wd_render_options *opts, const char *version);

/**
 * Acknowledges a warning code (the CLI's --allow, repeatable; added to the spec's
 * options.allow): the warning is reported as a note, a strict caller need not refuse it, and
 * every object the render creates carries the annotation wasmdeploy.io/allowed listing the codes.
 * @param opts the options
 * @param code a diagnostic code such as "hostpath.pod-security"; wd_render refuses text that is
 *        not a code (WD_EINVALID, `options.allow-syntax`, path "allow")
 * @return WD_OK, or WD_EUSAGE for NULL arguments.
 */
WD_API int wd_render_options_add_allow(wd_render_options *opts, const char *code);

/**
 * Validates, plans and renders a spec.
 * @param out receives the result; free it with wd_render_result_free().
 * @param spec the spec (only read; several threads may render one spec at once)
 * @param opts options; NULL for defaults
 * @return WD_OK or an error code; nothing is allocated on failure.
 */
WD_API int wd_render(wd_render_result **out, const wd_spec *spec, const wd_render_options *opts);

/**
 * Renders a spec straight to text (diagnostics are dropped).
 * @param out receives the text (WD_BUF_INIT or a previous result, which is released)
 * @param spec the spec
 * @param istio the Istio version; NULL or "" uses the spec's version
 * @param format WD_FORMAT_YAML or WD_FORMAT_JSON
 * @return WD_OK or an error code.
 */
WD_API int wd_render_text(wd_buf *out, const wd_spec *spec, const char *istio, wd_format format);

/**
 * Renders the objects to delete to undo what the same spec and version would deploy: minimal
 * objects, only ones wasmdeploy creates, for `kubectl delete -f` (the bytes of
 * `wasmdeploy undeploy`). User objects the render patched come from wd_undeploy_restore_text.
 * @param out receives the text (WD_BUF_INIT or a previous result, which is released)
 * @param spec the spec
 * @param istio the Istio version; NULL or "" uses the spec's version
 * @param format WD_FORMAT_YAML or WD_FORMAT_JSON
 * @return WD_OK or an error code.
 */
WD_API int wd_undeploy_text(wd_buf *out, const wd_spec *spec, const char *istio, wd_format format);

/**
 * Renders the JSON merge patches that restore the user objects the same render patched
 * (workload pod-template annotations, the Gloo Gateway's filter list), for
 * `kubectl patch -f F --type=merge --patch-file F` one document at a time (the bytes of
 * `wasmdeploy undeploy --restore`). Empty text when the render patches nothing.
 * @param out receives the text (WD_BUF_INIT or a previous result, which is released)
 * @param spec the spec
 * @param istio the Istio version; NULL or "" uses the spec's version
 * @param format WD_FORMAT_YAML or WD_FORMAT_JSON
 * @return WD_OK or an error code.
 */
WD_API int wd_undeploy_restore_text(wd_buf *out, const wd_spec *spec, const char *istio, wd_format format);

/**
 * The undeploy plan under the same options as wd_render (Istio version, target, allowed
 * warning codes, the resolve options of wd_render_options_set_resolve: the directories local
 * modules may be read from, limits), as a result to walk or print. What a spec reads from
 * outside its directory renders only with the same allowance here as for wd_render.
 * @param out receives the result; free it with wd_render_result_free().
 * @param spec the spec
 * @param opts options; NULL for defaults
 * @param restore 0: the objects to delete (wd_undeploy_text); non-zero: the merge patches that
 *        restore patched user objects (wd_undeploy_restore_text)
 * @return WD_OK or an error code; nothing is allocated on failure.
 */
WD_API int wd_undeploy(wd_render_result **out, const wd_spec *spec, const wd_render_options *opts, int restore);

/**
 * Inspects a proxy-wasm module: ABI, allocator, start-up exports, imports, size, sha256 and the
 * Istio releases that can load it, as JSON (the same report as `wasmdeploy inspect -o json`).
 * @param out receives the JSON report
 * @param bytes the .wasm module
 * @param len its size in bytes
 * @param istio NULL, or a version whose verdict the report should include
 * @return WD_OK (also when the module cannot load on `istio`: see the report), or
 *         WD_EPARSE for a malformed module (wd_error_last() names the byte offset).
 */
WD_API int wd_inspect_module(wd_buf *out, const void *bytes, size_t len, const char *istio);

/**
 * Builds a reproducible OCI image layout for a module (`wasmdeploy build`).
 * @param out receives the manifest digest (64 hex): a WasmPlugin's sha256 for oci:// delivery
 * @param bytes the .wasm module
 * @param len its size in bytes
 * @param root_id the plugin root id recorded in runtime-config.json
 * @param variant "oci" (wasme two-layer image; NULL means this) or "compat" (tar+gzip plugin.wasm)
 * @param output_dir the layout directory to write (atomically)
 * @param force non-zero to replace an existing layout
 * @return WD_OK or an error code.
 */
WD_API int wd_build_image(wd_buf *out, const void *bytes, size_t len, const char *root_id, const char *variant,
                          const char *output_dir, int force);

/**
 * Releases a render result.
 * @param result the result; NULL is accepted and ignored.
 */
WD_API void wd_render_result_free(wd_render_result *result);

/**
 * Serialises the rendered resources and patches (file artifacts are skipped).
 * @param out receives the text (WD_BUF_INIT or a previous result, which is released)
 * @param result the render result
 * @param format WD_FORMAT_YAML or WD_FORMAT_JSON
 * @return WD_OK or an error code.
 */
WD_API int wd_render_result_text(wd_buf *out, const wd_render_result *result, wd_format format);

/**
 * The Istio version the render used.
 * @param result the render result
 * @return "1.8.1" or "1.8" (no patch given); borrowed; "" for NULL.
 */
WD_API const char *wd_render_result_istio(const wd_render_result *result);

/**
 * Number of documents rendered (including file artifacts).
 * @param result the render result; NULL gives 0
 * @return the count.
 */
WD_API size_t wd_render_result_document_count(const wd_render_result *result);

/**
 * One rendered document.
 * @param result the render result
 * @param index 0 .. wd_render_result_document_count()-1
 * @return borrowed, or NULL when out of range.
 */
WD_API const wd_document *wd_render_result_document(const wd_render_result *result, size_t index);

/**
 * Number of diagnostics (warnings and notes) the render produced.
 * @param result the render result; NULL gives 0
 * @return the count.
 */
WD_API size_t wd_render_result_diagnostic_count(const wd_render_result *result);

/**
 * One diagnostic.
 * @param result the render result
 * @param index 0 .. wd_render_result_diagnostic_count()-1
 * @return borrowed, or NULL when out of range.
 */
WD_API const wd_diagnostic *wd_render_result_diagnostic(const wd_render_result *result, size_t index);

/* ---------------------------------------------------------------------------------------- */
/* Section - Capabilities: which Istio releases support what                                */
/* ---------------------------------------------------------------------------------------- */

/** One row of the capability table. All strings are static. */
typedef struct wd_capability {
  const char *key;     /**< stable name, e.g. "wasm-plugin" */
  const char *since;   /**< first release that has it, e.g. "1.12" */
  const char *until;   /**< first release that no longer has it; NULL when still supported */
  const char *support; /**< "Istio 1.12 and later", "Istio 1.5 to 1.6", ... */
  const char *summary; /**< one-line description */
  const char *source;  /**< where the fact comes from */
} wd_capability;

/**
 * Number of rows in the capability table.
 * @return the count.
 */
WD_API size_t wd_capability_count(void);

/**
 * One row of the capability table, in table order.
 * @param index 0 .. wd_capability_count()-1
 * @return static storage, or NULL when out of range.
 */
WD_API const wd_capability *wd_capability_at(size_t index);

/**
 * Looks a capability up by key.
 * @param out receives the row (static storage)
 * @param key e.g. "wasm-plugin"
 * @return WD_OK or WD_ENOTFOUND.
 */
WD_API int wd_capability_find(const wd_capability **out, const char *key);

/**
 * Whether an Istio version has a capability.
 * @param out receives 1 (supported) or 0
 * @param istio "1.8", "1.8.x" or "1.8.1"
 * @param key the capability key
 * @return WD_OK, WD_ENOTFOUND (unknown key), WD_EVERSION / WD_EINVALID (bad version).
 */
WD_API int wd_capability_supported(int *out, const char *istio, const char *key);

/* ---- Running a module in the embedded proxy-wasm host (`wasmdeploy run`) ----------------- */

/** Options for one run: configuration, the request and response to push through, bounds. */
typedef struct wd_run_options wd_run_options;

/**
 * New options: GET / on example.com, a 200 response, no configuration, default bounds.
 * @param out receives the options; release them with wd_run_options_free().
 * @return WD_OK or WD_ENOMEM.
 */
WD_API int wd_run_options_new(wd_run_options **out);

/** Releases options; NULL is ignored. */
WD_API void wd_run_options_free(wd_run_options *opts);

/**
 * Sets one option by name, as the CLI flag of the same name: "root_id", "vm_id", "config"
 * (raw bytes; see wd_run_options_set_config for binary), "config_json" (delivered as istiod
 * delivers a WasmPlugin pluginConfig), "vm_config", "request" ("GET /path"), "request_body",
 * "response_status", "response_body", "http_call_status", "http_call_body",
 * "max_memory_mib" (linear memories, tables and host-side state together), "instruction_budget",
 * "timeout_ms" (wall clock, 0 for none), "max_value_mib" (largest value a module may set).
 * @return WD_OK, WD_EUSAGE (unknown field or bad value).
 */
WD_API int wd_run_options_set(wd_run_options *opts, const char *field, const char *value);

/** The plugin configuration as exactly these bytes (any content). @return WD_OK or WD_EUSAGE. */
WD_API int wd_run_options_set_config(wd_run_options *opts, const void *bytes, size_t len);

/**
 * Adds a header (name lower-cased, as Envoy does) or an environment variable.
 * @param where "request", "response" or "env"
 * @return WD_OK or WD_EUSAGE.
 */
WD_API int wd_run_options_add(wd_run_options *opts, const char *where, const char *name, const char *value);

/** 1 when the library was built with the host (-DWD_HOST=ON), else 0. */
WD_API int wd_host_available(void);

/**
 * Runs a module: start-up, vm start, configure, then one request and response.
 * @param out receives the result as JSON (the fields of `wasmdeploy run -o json`)
 * @param ok receives 1 when the module loaded, configured and did not trap, else 0 (may be NULL)
 * @param bytes the .wasm module
 * @param opts options, or NULL for the defaults
 * @return WD_OK when the run happened (whatever the module did: see *ok and the JSON), WD_EUSAGE
 *         for NULL arguments, WD_ERROR ("host.not-built") without the host.
 */
WD_API int wd_run_module(wd_buf *out, int *ok, const void *bytes, size_t len, const wd_run_options *opts);

/**
 * Runs a filter of a spec with exactly the configuration render deploys for that Istio version
 * (like `wasmdeploy run -f spec --filter NAME --istio V`); the traffic comes from opts.
 * @return as wd_run_module; WD_ENOTFOUND for an unknown filter, WD_EINVALID when its module is
 *         remote (nothing local to run), or the error render would give.
 */
WD_API int wd_run_spec_filter(wd_buf *out, int *ok, const wd_spec *spec, const char *filter, const char *istio,
                              const wd_run_options *opts);

/**
 * `render --run-check`: vm start and configure of every module the spec's filters name locally.
 * @return WD_OK when all accept their configuration, else WD_EINVALID with the field path in
 *         wd_error_last() ("host.configure-rejected" at filters[i].config, "host.trap", ...).
 */
WD_API int wd_run_check(const wd_spec *spec, const char *istio);

#ifdef __cplusplus
}
#endif

/* The resolve stage: local-file confinement and registries (wd_resolve_*). */
#include "wasmdeploy/resolve.h"
/* The readers' limits (wd_limits_*). */
#include "wasmdeploy/limits.h"

#endif /* WASMDEPLOY_WASMDEPLOY_H */
