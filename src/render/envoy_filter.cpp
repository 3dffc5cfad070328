// EnvoyFilter (networking.istio.io/v1alpha3) carrying a Wasm filter.
//
// Shape by version, all decided through the capability table:
//   - Istio 1.5/1.6 convert patch values to xDS v2 types, so the filter is configured with the
//     untyped `config:` Struct and found by its extension name; from 1.7 `typed_config` with a
//     udpa TypedStruct wrapping envoy.extensions.filters.http.wasm.v3.Wasm.
//   - Matches use the deprecated names (envoy.http_connection_manager, envoy.router) until 1.7.0
//     and the canonical ones from 1.7.1; from 1.19 only canonical names match at all.
//   - Remote modules (oci/http) go through ECDS: an HTTP_FILTER with config_discovery plus an
//     EXTENSION_CONFIG that istio-agent intercepts, downloads and rewrites to a local file.
#include <fmt/format.h>

#include <wasmdeploy/capabilities.hpp>

#include "render/common.hpp"
#include "render/renderers.hpp"

namespace wasmdeploy::detail {
namespace {


const char* patch_context(traffic_context c) {
  switch (c) {
    case traffic_context::inbound: return "SIDECAR_INBOUND";
    case traffic_context::outbound: return "SIDECAR_OUTBOUND";
    case traffic_context::gateway: return "GATEWAY";
    case traffic_context::any: return "ANY";
  }
  return "SIDECAR_INBOUND";
}

struct names {
  const char* hcm;
  const char* router;
  const char* tcp_proxy;
};

// Canonical names wherever they match; deprecated ones only on the releases that still match
// them and lack the canonical ones (before 1.7.1).
names filter_names(const mesh_version& v) {
  if (supports(v, capability::canonical_filter_name_match) ||
      !supports(v, capability::deprecated_filter_name_match)) {
    return {"envoy.filters.network.http_connection_manager", "envoy.filters.http.router",
            "envoy.filters.network.tcp_proxy"};
  }
  return {"envoy.http_connection_manager", "envoy.router", "envoy.tcp_proxy"};
}

node listener_match(const mesh_version& v, const filter& f, traffic_context ctx, bool first) {
  const names n = filter_names(v);
  node filter_match = node::mapping();
  if (f.type == filter_type::network) {
    filter_match.add("name", n.tcp_proxy);
  } else {
    filter_match.add("name", n.hcm);
    if (!first) filter_match.add("subFilter", make_mapping({{"name", n.router}}));
  }
  return make_mapping({{"context", patch_context(ctx)},
                       {"listener", make_mapping({{"filterChain", make_mapping({{"filter", filter_match}})}})}});
}

node vm_code(const filter_plan& fp) {
  if (!fp.remote_url.empty()) {
    node remote = make_mapping({{"http_uri", make_mapping({{"uri", fp.remote_url}, {"timeout", "30s"}, {"cluster", "_"}})}});
    remote.add("sha256", fp.sha256);
    return make_mapping({{"remote", std::move(remote)}});
  }
  return make_mapping({{"local", make_mapping({{"filename", fp.local_path}})}});
}

// envoy.extensions.wasm.v3.PluginConfig (or the v2 equivalent for 1.5/1.6). istio-agent reads
// the pull policy from an ISTIO_META_ variable and strips it before Envoy sees the config.
node plugin_config(const plan& p, const filter_plan& fp, bool v2) {
  (void)p;
  const filter& f = *fp.f;
  std::vector<std::pair<std::string, std::string>> agent_env;
  if (f.pull != pull_policy::unset) agent_env.emplace_back("ISTIO_META_WASM_IMAGE_PULL_POLICY", std::string(to_string(f.pull)));
  return wasm_plugin_config(f, fp.root_id, fp.vm_id, vm_code(fp), agent_env, v2);
}

node typed_wasm(const plan& p, const filter_plan& fp) {
  const char* type = fp.f->type == filter_type::network ? kWasmNetworkType : kWasmHttpType;
  return make_mapping({{"@type", kTypedStructType},
                       {"type_url", type},
                       {"value", make_mapping({{"config", plugin_config(p, fp, false)}})}});
}

}  // namespace

document render_envoy_filter(const plan& p, const spec& s, const placement& pl) {
  const filter_plan& fp = p.filters[pl.filter];
  const filter& f = *fp.f;
  const target& t = s.targets[pl.target];
  const mesh_version& v = p.version;
  const traffic_context ctx = placement_context(t, pl.selector);
  const bool first = f.phase == plugin_phase::authn;
  const bool network = f.type == filter_type::network;
  const char* apply_to = network ? "NETWORK_FILTER" : "HTTP_FILTER";
  const std::string filter_name = fmt::format("wasmdeploy.{}.{}", t.ns, f.name);

  node patches = node::sequence();
  if (supports(v, capability::patch_value_v2_config)) {
    // Istio 1.5/1.6: v2 HttpFilter with `config:`; the name selects the Wasm factory.
    node value = make_mapping({{"name", network ? "envoy.filters.network.wasm" : "envoy.filters.http.wasm"},
                               {"config", make_mapping({{"config", plugin_config(p, fp, true)}})}});
    patches.push(make_mapping({{"applyTo", apply_to},
                               {"match", listener_match(v, f, ctx, first)},
                               {"patch", make_mapping({{"operation", first ? "INSERT_FIRST" : "INSERT_BEFORE"},
                                                       {"value", std::move(value)}})}}));
  } else if (fp.remote_url.empty()) {
    node value = make_mapping({{"name", filter_name}, {"typed_config", typed_wasm(p, fp)}});
    patches.push(make_mapping({{"applyTo", apply_to},
                               {"match", listener_match(v, f, ctx, first)},
                               {"patch", make_mapping({{"operation", first ? "INSERT_FIRST" : "INSERT_BEFORE"},
                                                       {"value", std::move(value)}})}}));
  } else {
    const char* type = network ? kWasmNetworkType : kWasmHttpType;
    node discovery = make_mapping(
        {{"config_source", make_mapping({{"ads", node::mapping()}, {"initial_fetch_timeout", "0s"}})},
         {"type_urls", make_sequence({type})}});
    patches.push(make_mapping(
        {{"applyTo", apply_to},
         {"match", listener_match(v, f, ctx, first)},
         {"patch", make_mapping({{"operation", first ? "INSERT_FIRST" : "INSERT_BEFORE"},
                                 {"value", make_mapping({{"name", filter_name}, {"config_discovery", std::move(discovery)}})}})}}));
    patches.push(make_mapping(
        {{"applyTo", "EXTENSION_CONFIG"},
         {"match", make_mapping({{"context", patch_context(ctx)}})},
         {"patch", make_mapping({{"operation", "ADD"},
                                 {"value", make_mapping({{"name", filter_name}, {"typed_config", typed_wasm(p, fp)}})}})}}));
  }

  node sp = node::mapping();
  if (!t.refs.empty()) {
    node refs = node::sequence();
    for (const auto& r : t.refs) refs.push(target_ref_node(r));
    sp.add("targetRefs", std::move(refs));
  } else if (pl.selector && !pl.selector->empty()) {
    node labels = node::mapping();
    for (const auto& [k, val] : *pl.selector) labels.add(k, val);
    sp.add("workloadSelector", make_mapping({{"labels", std::move(labels)}}));
  }
  if (f.priority) {
    sp.add("priority", *f.priority);
  } else if (!first && supports(v, capability::envoy_filter_priority)) {
    // Relative patches (INSERT_BEFORE) without a priority apply in creation order, which
    // `istioctl analyze` flags (IST0151). A fixed default makes the order deterministic.
    sp.add("priority", kDefaultEnvoyFilterPriority);
  }
  sp.add("configPatches", std::move(patches));

  node body = make_mapping({{"apiVersion", "networking.istio.io/v1alpha3"},
                            {"kind", "EnvoyFilter"},
                            {"metadata", owned_metadata(pl.name, t.ns, f.name, t.revision)},
                            {"spec", std::move(sp)}});
  return make_document(document::role::resource, "networking.istio.io/v1alpha3", "EnvoyFilter", t.ns, pl.name,
                       std::move(body));
}

}  // namespace wasmdeploy::detail
