// The model written back as a spec document (field names and order of spec.proto; defaults
// omitted), so `convert --to spec` output is a normal, editable spec.
#include <wasmdeploy/import.hpp>

namespace wasmdeploy {
namespace {

node string_map(const std::map<std::string, std::string>& m) {
  node out = node::mapping();
  for (const auto& [k, v] : m) out.add(k, v);
  return out;
}

node filter_node(const filter& f) {
  node n = node::mapping();
  n.add("name", f.name);
  n.add("module", f.module.text.empty() ? f.module.url : f.module.text);
  if (!f.sha256.empty()) n.add("sha256", f.sha256);
  if (!f.root_id.empty()) n.add("rootId", f.root_id);
  if (!f.vm_id.empty()) n.add("vmId", f.vm_id);
  if (!f.config.is_null()) n.add("config", f.config);
  if (f.runtime != "v8") n.add("runtime", f.runtime);
  if (f.type_set || f.type != filter_type::http) n.add("type", std::string(to_string(f.type)));
  if (f.fail != fail_strategy::unset) n.add("failStrategy", std::string(to_string(f.fail)));
  if (!f.env.empty()) {
    node env = node::sequence();
    for (const auto& e : f.env) {
      node item = make_mapping({{"name", e.name}});
      if (!e.value.empty()) item.add("value", e.value);
      if (e.from == env_source::host) item.add("valueFrom", "HOST");
      env.push(std::move(item));
    }
    n.add("env", std::move(env));
  }
  if (f.pull != pull_policy::unset) n.add("imagePullPolicy", std::string(to_string(f.pull)));
  if (!f.pull_secret.empty()) n.add("imagePullSecret", f.pull_secret);
  if (f.phase != plugin_phase::unset) n.add("phase", std::string(to_string(f.phase)));
  if (f.priority) n.add("priority", *f.priority);
  if (f.how != delivery::automatic) n.add("delivery", std::string(to_string(f.how)));
  if (f.resource != resource_kind::automatic) n.add("resource", std::string(to_string(f.resource)));
  if (!f.runtime_config_path.empty()) n.add("runtimeConfig", f.runtime_config_path);
  if (!f.module_sha256.empty() && f.module_sha256 != f.sha256) n.add("moduleSha256", f.module_sha256);
  return n;
}

node target_node(const target& t) {
  node n = node::mapping();
  if (!t.name.empty()) n.add("name", t.name);
  n.add("namespace", t.ns);
  if (!t.workloads.empty()) {
    node ws = node::sequence();
    for (const auto& w : t.workloads) {
      node wn = make_mapping({{"name", w.name}});
      if (w.kind != workload_kind::deployment) wn.add("kind", std::string(to_string(w.kind)));
      wn.add("labels", string_map(w.labels));
      if (!w.annotations.empty()) wn.add("annotations", string_map(w.annotations));
      ws.push(std::move(wn));
    }
    n.add("workloads", std::move(ws));
  }
  if (!t.selector.empty()) n.add("selector", string_map(t.selector));
  if (t.context_set) n.add("context", std::string(to_string(t.context)));
  if (!t.match.empty()) {
    node ms = node::sequence();
    for (const auto& m : t.match) {
      node mn = node::mapping();
      if (m.mode != match_mode::undefined) mn.add("mode", std::string(to_string(m.mode)));
      if (!m.ports.empty()) {
        node ports = node::sequence();
        for (auto p : m.ports) ports.push(p);
        mn.add("ports", std::move(ports));
      }
      ms.push(std::move(mn));
    }
    n.add("match", std::move(ms));
  }
  if (!t.refs.empty()) {
    node rs = node::sequence();
    for (const auto& r : t.refs) {
      node rn = node::mapping();
      if (!r.group.empty()) rn.add("group", r.group);
      rn.add("kind", r.kind);
      rn.add("name", r.name);
      rs.push(std::move(rn));
    }
    n.add("targetRefs", std::move(rs));
  }
  if (!t.revision.empty()) n.add("revision", t.revision);
  if (!t.filters.empty()) {
    node fs = node::sequence();
    for (const auto& f : t.filters) fs.push(f);
    n.add("filters", std::move(fs));
  }
  if (!t.istio_namespace.empty()) n.add("istioNamespace", t.istio_namespace);
  if (t.all_workloads) n.add("allWorkloads", true);
  return n;
}

}  // namespace

node spec_to_node(const spec& s) {
  node n = make_mapping({{"apiVersion", "wasmdeploy.io/v1alpha1"}, {"kind", "WasmDeployment"}});
  if (!s.istio.empty()) n.add("istio", s.istio);
  node opts = node::mapping();
  if (s.options.naming != naming_scheme::automatic) opts.add("naming", std::string(to_string(s.options.naming)));
  if (s.options.resource != resource_kind::automatic) opts.add("resource", std::string(to_string(s.options.resource)));
  if (s.options.platform_set) opts.add("platform", std::string(to_string(s.options.target_platform)));
  if (!opts.empty()) n.add("options", std::move(opts));
  node fs = node::sequence();
  for (const auto& f : s.filters) fs.push(filter_node(f));
  n.add("filters", std::move(fs));
  node ts = node::sequence();
  for (const auto& t : s.targets) ts.push(target_node(t));
  n.add("targets", std::move(ts));
  return n;
}

}  // namespace wasmdeploy
