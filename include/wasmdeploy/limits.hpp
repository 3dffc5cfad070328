// Every size and count limit applied while parsing untrusted input, in one place.
//
// The macros are the defaults (a build may change them: -DWD_MAX_WASM_MODULE_BYTES=...); the
// `limits` struct at the end carries the values one call uses, set per call through the CLI's
// --limit NAME=VALUE, the C API's wd_limits_set_* and Python's limits={...}. The defaults are
// far above what real proxy-wasm filters need; they exist so that a hostile or corrupt file
// cannot make the parser allocate or loop without bound.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// --- WebAssembly modules ----------------------------------------------------------------

/// Largest .wasm module accepted (bytes). Real filters are a few MiB; Envoy's own cap is 1 GiB.
#ifndef WD_MAX_WASM_MODULE_BYTES
#define WD_MAX_WASM_MODULE_BYTES (UINT64_C(1) << 30)
#endif

/// Most sections (standard + custom) in one module. The standard ones are at most 13.
#ifndef WD_MAX_WASM_SECTIONS
#define WD_MAX_WASM_SECTIONS 10000u
#endif

/// Most entries in the import section.
#ifndef WD_MAX_WASM_IMPORTS
#define WD_MAX_WASM_IMPORTS 100000u
#endif

/// Most entries in the export section.
#ifndef WD_MAX_WASM_EXPORTS
#define WD_MAX_WASM_EXPORTS 100000u
#endif

/// Most entries counted in the function, memory and type sections.
#ifndef WD_MAX_WASM_FUNCTIONS
#define WD_MAX_WASM_FUNCTIONS 10000000u
#endif

/// Longest name (import module/field, export, custom-section name, producers strings), bytes.
#ifndef WD_MAX_WASM_NAME_BYTES
#define WD_MAX_WASM_NAME_BYTES 65536u
#endif

/// Most fields / values in a `producers` custom section.
#ifndef WD_MAX_WASM_PRODUCERS_ENTRIES
#define WD_MAX_WASM_PRODUCERS_ENTRIES 1000u
#endif

/// LEB128 widths fixed by the WebAssembly spec: ceil(32/7) and ceil(64/7) bytes.
#ifndef WD_MAX_LEB128_BYTES_U32
#define WD_MAX_LEB128_BYTES_U32 5u
#endif
#ifndef WD_MAX_LEB128_BYTES_U64
#define WD_MAX_LEB128_BYTES_U64 10u
#endif

// --- Spec files ---------------------------------------------------------------------------
#ifndef WD_MAX_SPEC_BYTES
/// Largest spec file accepted.
#define WD_MAX_SPEC_BYTES (64u * 1024u * 1024u)
#endif
#ifndef WD_MAX_SPEC_DEPTH
/// Deepest nesting of mappings/sequences (plugin configuration included).
#define WD_MAX_SPEC_DEPTH 64
#endif
#ifndef WD_MAX_JSON_DEPTH
/// Deepest nesting of JSON text from outside: workload annotations, --config-json and the run
/// options' config_json, an image layout's index.json and manifests.
#define WD_MAX_JSON_DEPTH 64
#endif
#ifndef WD_MAX_ALIAS_EXPANSION_BYTES
/// Most scalar bytes YAML aliases may replay in one document: a small spec whose aliases
/// repeat a big anchored string would otherwise build gigabytes.
#define WD_MAX_ALIAS_EXPANSION_BYTES (64u * 1024u * 1024u)
#endif
#ifndef WD_MAX_SPEC_NODES
/// Most YAML nodes visited while reading one spec (bounds alias expansion).
#define WD_MAX_SPEC_NODES 2000000u
#endif
#ifndef WD_MAX_STRING_BYTES
/// Longest single string value in a spec.
#define WD_MAX_STRING_BYTES (1024u * 1024u)
#endif

// --- Counts in one spec --------------------------------------------------------------------------
// A spec file is already bounded by WD_MAX_SPEC_NODES, but specs built in code (C++, C API,
// Python) are not, and the number of rendered resources is a product of these counts.
#ifndef WD_MAX_FILTERS
/// Most filters in one spec.
#define WD_MAX_FILTERS 10000u
#endif
#ifndef WD_MAX_TARGETS
/// Most targets in one spec.
#define WD_MAX_TARGETS 100000u
#endif
#ifndef WD_MAX_WORKLOADS
/// Most workloads listed in one target (the bulk-render benchmark uses 50 000).
#define WD_MAX_WORKLOADS 200000u
#endif
#ifndef WD_MAX_ENV_ENTRIES
/// Most env entries of one filter.
#define WD_MAX_ENV_ENTRIES 1000u
#endif
#ifndef WD_MAX_PLACEMENTS
/// Most (filter, workload or target) pairs, i.e. EnvoyFilters/WasmPlugins rendered for one spec:
/// 1000 filters on 1000 workloads would otherwise make a million resources from 2000 inputs.
#define WD_MAX_PLACEMENTS 1000000u
#endif
#ifndef WD_MAX_IMPORT_DOCUMENTS
/// Most YAML documents read from one `convert` input (each is parsed on its own, so
/// WD_MAX_SPEC_NODES bounds one document, not the stream; the stream itself is bounded by
/// WD_MAX_SPEC_BYTES).
#define WD_MAX_IMPORT_DOCUMENTS 100000u
#endif

// --- Kubernetes constraints the renderer enforces --------------------------------------------
#ifndef WD_MAX_CONFIGMAP_BYTES
/// A ConfigMap (and so a module delivered in one) is limited to 1 MiB by the API server.
#define WD_MAX_CONFIGMAP_BYTES (1024u * 1024u)
#endif

namespace wasmdeploy {

/// The bounds the readers apply, one field per limit, each defaulting to its macro. Every field
/// has a name (the field's, as the CLI's --limit NAME=VALUE, the C API's wd_limits_set_NAME and
/// Python's limits={"NAME": VALUE} spell it). 0 is not a valid value.
struct limits {
  std::uint64_t json_depth = WD_MAX_JSON_DEPTH;  ///< JSON nesting: annotations, --config-json, OCI JSON
  std::uint64_t spec_depth = WD_MAX_SPEC_DEPTH;  ///< spec (and Python value) nesting
  std::uint64_t spec_nodes = WD_MAX_SPEC_NODES;  ///< YAML nodes visited in one spec document
  std::uint64_t spec_bytes = WD_MAX_SPEC_BYTES;  ///< a spec, convert input, runtime config or side file
  std::uint64_t string_bytes = WD_MAX_STRING_BYTES;                    ///< one string in a spec
  std::uint64_t alias_expansion_bytes = WD_MAX_ALIAS_EXPANSION_BYTES;  ///< bytes aliases replay
  std::uint64_t oci_json_bytes = UINT64_C(4) << 20;  ///< index.json, manifest, runtime-config.json
  std::uint64_t wasm_module_bytes = WD_MAX_WASM_MODULE_BYTES;        ///< one .wasm module
  std::uint64_t wasm_sections = WD_MAX_WASM_SECTIONS;                ///< sections in a module
  std::uint64_t wasm_imports = WD_MAX_WASM_IMPORTS;                  ///< import entries
  std::uint64_t wasm_exports = WD_MAX_WASM_EXPORTS;                  ///< export entries
  std::uint64_t wasm_entries = WD_MAX_WASM_FUNCTIONS;  ///< types, functions, memories, bodies, names
  std::uint64_t wasm_name_bytes = WD_MAX_WASM_NAME_BYTES;            ///< one name in a module
  std::uint64_t wasm_producers_entries = WD_MAX_WASM_PRODUCERS_ENTRIES;  ///< producers fields/values
  std::uint64_t filters = WD_MAX_FILTERS;                            ///< filters (documents) in a spec
  std::uint64_t targets = WD_MAX_TARGETS;                            ///< targets in a spec
  std::uint64_t workloads = WD_MAX_WORKLOADS;                        ///< workloads of one target
  std::uint64_t env_entries = WD_MAX_ENV_ENTRIES;                    ///< env entries of one filter
  std::uint64_t placements = WD_MAX_PLACEMENTS;                      ///< filter x workload pairs
  std::uint64_t import_documents = WD_MAX_IMPORT_DOCUMENTS;          ///< documents in a convert input
};

/// The names of the fields of `limits`, in declaration order.
const std::vector<std::string>& limit_names();
/// Sets the field called `name`. Throws error{usage, "limits.unknown"} (with a did-you-mean) for
/// no such field and error{usage, "limits.bad-value"} for 0.
void set_limit(limits& l, std::string_view name, std::uint64_t value);
/// The field called `name`; throws as set_limit for an unknown name.
std::uint64_t get_limit(const limits& l, std::string_view name);
/// Parses "NAME=VALUE" (the CLI's --limit) into `l`; VALUE is a positive decimal integer.
/// Throws error{usage, "limits.unknown" / "limits.bad-value"} naming `flag`.
void set_limit_from_text(limits& l, std::string_view assignment, const std::string& flag = "--limit");

/// The limits in force on the calling thread: those of the innermost limits_scope, else the
/// defaults. The readers consult this rather than taking a parameter, because the same reader
/// (JSON in an annotation, a module file) is reached from render, parse, inspect and run alike.
const limits& active_limits() noexcept;

/// Puts `l` in force on this thread for the scope's lifetime (scopes nest). `l` must outlive it.
class limits_scope {
 public:
  explicit limits_scope(const limits& l) noexcept;
  ~limits_scope();
  limits_scope(const limits_scope&) = delete;
  limits_scope& operator=(const limits_scope&) = delete;

 private:
  const limits* previous_;
};

}  // namespace wasmdeploy
