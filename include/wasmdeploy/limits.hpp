// Every limit on untrusted input, in one place. Each can be overridden at compile time.
#pragma once

#include <cstddef>

// --- Spec files ---------------------------------------------------------------------------
#ifndef WD_MAX_SPEC_BYTES
/// Largest spec file accepted.
#define WD_MAX_SPEC_BYTES (64u * 1024u * 1024u)
#endif
#ifndef WD_MAX_SPEC_DEPTH
/// Deepest nesting of mappings/sequences (plugin configuration included).
#define WD_MAX_SPEC_DEPTH 64
#endif
#ifndef WD_MAX_SPEC_NODES
/// Most YAML nodes visited while reading one spec (bounds alias expansion).
#define WD_MAX_SPEC_NODES 2000000u
#endif
#ifndef WD_MAX_STRING_BYTES
/// Longest single string value in a spec.
#define WD_MAX_STRING_BYTES (1024u * 1024u)
#endif

// --- Kubernetes constraints the renderer enforces --------------------------------------------
#ifndef WD_MAX_CONFIGMAP_BYTES
/// A ConfigMap (and so a module delivered in one) is limited to 1 MiB by the API server.
#define WD_MAX_CONFIGMAP_BYTES (1024u * 1024u)
#endif
