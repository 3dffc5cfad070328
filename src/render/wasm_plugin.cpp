// WasmPlugin (extensions.istio.io/v1alpha1, Istio 1.12+) and TrafficExtension (1.30+). Fields are written in the proto's
// field order; the plan has already refused any field the chosen version lacks.
#include <wasmdeploy/capabilities.hpp>

#include "render/common.hpp"
#include "render/renderers.hpp"

namespace wasmdeploy::detail {
namespace {

node traffic_matches(const target& t) {
  node out = node::sequence();
  if (!t.match.empty()) {
    for (const auto& m : t.match) {
      node sel = node::mapping();
      if (m.mode != match_mode::undefined) sel.add("mode", std::string(to_string(m.mode)));
      if (!m.ports.empty()) {
        node ports = node::sequence();
        for (auto port : m.ports) ports.push(make_mapping({{"number", port}}));
        sel.add("ports", std::move(ports));
      }
      out.push(std::move(sel));
    }
  } else if (t.context_set && t.context == traffic_context::inbound) {
    out.push(make_mapping({{"mode", "SERVER"}}));
  } else if (t.context_set && t.context == traffic_context::outbound) {
    out.push(make_mapping({{"mode", "CLIENT"}}));
  }
  return out;
}

node vm_config(const filter& f) {
  node env = node::sequence();
  for (const auto& e : f.env) {
    node item = make_mapping({{"name", e.name}});
    if (e.from == env_source::host) item.add("valueFrom", "HOST");
    else item.add("value", e.value);
    env.push(std::move(item));
  }
  return make_mapping({{"env", std::move(env)}});
}

node selector_of(const placement& pl) {
  node labels = node::mapping();
  for (const auto& [k, val] : *pl.selector) labels.add(k, val);
  return make_mapping({{"matchLabels", std::move(labels)}});
}

bool writes_fail_strategy(const filter& f, const mesh_version& v) {
  return f.fail != fail_strategy::unset && supports(v, capability::wasm_plugin_fail_strategy);
}

}  // namespace

document render_wasm_plugin(const plan& p, const spec& s, const placement& pl) {
  const filter_plan& fp = p.filters[pl.filter];
  const filter& f = *fp.f;
  const target& t = s.targets[pl.target];
  const mesh_version& v = p.version;

  node sp = node::mapping();
  if (t.refs.empty() && pl.selector && !pl.selector->empty()) sp.add("selector", selector_of(pl));
  sp.add("url", fp.remote_url.empty() ? "file://" + fp.local_path : fp.remote_url);
  if (!fp.sha256.empty() && !fp.remote_url.empty()) sp.add("sha256", fp.sha256);
  if (f.pull != pull_policy::unset) sp.add("imagePullPolicy", std::string(to_string(f.pull)));
  if (!f.pull_secret.empty()) sp.add("imagePullSecret", f.pull_secret);
  if (f.config.is_mapping()) sp.add("pluginConfig", f.config);
  if (!fp.root_id.empty()) sp.add("pluginName", fp.root_id);
  if (f.phase != plugin_phase::unset) sp.add("phase", std::string(to_string(f.phase)));
  if (f.priority) sp.add("priority", *f.priority);
  if (!f.env.empty()) sp.add("vmConfig", vm_config(f));
  node match = traffic_matches(t);
  if (!match.empty()) sp.add("match", std::move(match));
  if (writes_fail_strategy(f, v)) sp.add("failStrategy", std::string(to_string(f.fail)));
  if (f.type == filter_type::network) sp.add("type", "NETWORK");
  if (!t.refs.empty()) {
    if (supports(v, capability::wasm_plugin_target_refs)) {
      node refs = node::sequence();
      for (const auto& r : t.refs) refs.push(target_ref_node(r));
      sp.add("targetRefs", std::move(refs));
    } else {
      sp.add("targetRef", target_ref_node(t.refs.front()));
    }
  }

  node body = make_mapping({{"apiVersion", "extensions.istio.io/v1alpha1"},
                            {"kind", "WasmPlugin"},
                            {"metadata", owned_metadata(pl.name, t.ns, f.name, t.revision)},
                            {"spec", std::move(sp)}});
  return make_document(document::role::resource, "extensions.istio.io/v1alpha1", "WasmPlugin", t.ns, pl.name,
                       std::move(body));
}

// TrafficExtension (Istio 1.30+): targeting, ordering and matching at the top level, the Wasm
// module and its settings under `wasm:` (the other branch of its oneof is `lua:`).
document render_traffic_extension(const plan& p, const spec& s, const placement& pl) {
  const filter_plan& fp = p.filters[pl.filter];
  const filter& f = *fp.f;
  const target& t = s.targets[pl.target];
  const mesh_version& v = p.version;

  node sp = node::mapping();
  if (t.refs.empty()) {
    if (pl.selector && !pl.selector->empty()) sp.add("selector", selector_of(pl));
  } else {
    node refs = node::sequence();
    for (const auto& r : t.refs) refs.push(target_ref_node(r));
    sp.add("targetRefs", std::move(refs));
  }
  if (f.phase != plugin_phase::unset) sp.add("phase", std::string(to_string(f.phase)));
  if (f.priority) sp.add("priority", *f.priority);
  node match = traffic_matches(t);
  if (!match.empty()) sp.add("match", std::move(match));

  node wasm = node::mapping();
  wasm.add("url", fp.remote_url.empty() ? "file://" + fp.local_path : fp.remote_url);
  if (!fp.sha256.empty() && !fp.remote_url.empty()) wasm.add("sha256", fp.sha256);
  if (f.pull != pull_policy::unset) wasm.add("imagePullPolicy", std::string(to_string(f.pull)));
  if (!f.pull_secret.empty()) wasm.add("imagePullSecret", f.pull_secret);
  if (f.config.is_mapping()) wasm.add("pluginConfig", f.config);
  if (!fp.root_id.empty()) wasm.add("pluginName", fp.root_id);
  if (writes_fail_strategy(f, v)) wasm.add("failStrategy", std::string(to_string(f.fail)));
  if (!f.env.empty()) wasm.add("vmConfig", vm_config(f));
  if (f.type == filter_type::network) wasm.add("type", "NETWORK");
  sp.add("wasm", std::move(wasm));

  node body = make_mapping({{"apiVersion", "extensions.istio.io/v1alpha1"},
                            {"kind", "TrafficExtension"},
                            {"metadata", owned_metadata(pl.name, t.ns, f.name, t.revision)},
                            {"spec", std::move(sp)}});
  return make_document(document::role::resource, "extensions.istio.io/v1alpha1", "TrafficExtension", t.ns,
                       pl.name, std::move(body));
}

}  // namespace wasmdeploy::detail
