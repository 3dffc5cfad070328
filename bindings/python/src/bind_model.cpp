// Filter, Target, Workload and MeshVersion: the model structs with keyword constructors.
//
// Enum-valued fields are exposed as the same strings the spec file uses ("FAIL_OPEN",
// "inbound", ...), parsed by the core's parse_* helpers so errors read the same everywhere.
#include <pybind11/stl.h>

#include <wasmdeploy/mesh_version.hpp>
#include <wasmdeploy/model.hpp>

#include "bindings.hpp"
#include "convert.hpp"

namespace wasmdeploy_python {

using namespace wasmdeploy;

namespace {

template <typename T>
std::optional<std::string> name_or_none(T value, T unset) {
  if (value == unset) return std::nullopt;
  return std::string(to_string(value));
}

std::string quote(const std::string& s) { return py::repr(py::str(s)).cast<std::string>(); }

// repr helpers: only fields that differ from their defaults, so reprs stay readable.
struct repr_builder {
  std::string out;
  bool first = true;
  explicit repr_builder(const char* type) : out(std::string(type) + "(") {}
  void add(const char* key, const std::string& value_repr) {
    if (!first) out += ", ";
    first = false;
    out += key;
    out += "=";
    out += value_repr;
  }
  void add_str(const char* key, const std::string& v, const std::string& dflt = "") {
    if (v != dflt) add(key, quote(v));
  }
  std::string done() { return out + ")"; }
};

std::string obj_repr(const py::object& o) { return py::repr(o).cast<std::string>(); }

py::dict env_inline(const filter& f) {
  py::dict d;
  for (const auto& e : f.env)
    if (e.from == env_source::inline_value) d[py::str(e.name)] = e.value;
  return d;
}

std::vector<std::string> env_host(const filter& f) {
  std::vector<std::string> out;
  for (const auto& e : f.env)
    if (e.from == env_source::host) out.push_back(e.name);
  return out;
}

// Replaces the inline variables (when `inline_vars` is given) and/or the host ones (when `host`
// is given), keeping the other kind as it was. Inline variables come first, in dict order.
void set_env(filter& f, const py::dict* inline_vars, const std::vector<std::string>* host) {
  std::vector<env_var> env;
  if (inline_vars) {
    for (auto item : *inline_vars)
      env.push_back(env_var{item.first.cast<std::string>(), item.second.cast<std::string>(), env_source::inline_value});
  } else {
    for (const auto& e : f.env)
      if (e.from == env_source::inline_value) env.push_back(e);
  }
  if (host) {
    for (const auto& name : *host) env.push_back(env_var{name, "", env_source::host});
  } else {
    for (const auto& e : f.env)
      if (e.from == env_source::host) env.push_back(e);
  }
  f.env = std::move(env);
}

py::list match_to_py(const std::vector<traffic_match>& ms) {
  py::list out;
  for (const auto& m : ms) {
    py::dict d;
    d["mode"] = std::string(to_string(m.mode));
    d["ports"] = m.ports;
    out.append(d);
  }
  return out;
}

std::vector<traffic_match> match_from_py(const py::iterable& items, const std::string& path) {
  std::vector<traffic_match> out;
  for (auto item : items) {
    auto d = item.cast<py::dict>();
    traffic_match m;
    std::string p = path + "[" + std::to_string(out.size()) + "]";
    if (d.contains("mode")) m.mode = parse_match_mode(d["mode"].cast<std::string>(), p + ".mode");
    if (d.contains("ports")) m.ports = d["ports"].cast<std::vector<std::uint32_t>>();
    out.push_back(std::move(m));
  }
  return out;
}

py::list refs_to_py(const std::vector<target_ref>& refs) {
  py::list out;
  for (const auto& r : refs) {
    py::dict d;
    d["group"] = r.group;
    d["kind"] = r.kind;
    d["name"] = r.name;
    out.append(d);
  }
  return out;
}

std::vector<target_ref> refs_from_py(const py::iterable& items) {
  std::vector<target_ref> out;
  for (auto item : items) {
    auto d = item.cast<py::dict>();
    target_ref r;
    if (d.contains("group")) r.group = d["group"].cast<std::string>();
    r.kind = d["kind"].cast<std::string>();
    r.name = d["name"].cast<std::string>();
    out.push_back(std::move(r));
  }
  return out;
}

py::list rules_to_py(const std::vector<higress_rule>& rules) {
  py::list out;
  for (const auto& r : rules) {
    py::dict d;
    d["ingress"] = r.ingress;
    d["domain"] = r.domain;
    d["service"] = r.service;
    d["config"] = from_node(r.config);
    d["config_disable"] = r.config_disable;
    out.append(d);
  }
  return out;
}

std::vector<higress_rule> rules_from_py(const py::iterable& items, const std::string& path) {
  std::vector<higress_rule> out;
  for (auto item : items) {
    auto d = item.cast<py::dict>();
    higress_rule r;
    const std::string p = path + "[" + std::to_string(out.size()) + "]";
    if (d.contains("ingress")) r.ingress = d["ingress"].cast<std::vector<std::string>>();
    if (d.contains("domain")) r.domain = d["domain"].cast<std::vector<std::string>>();
    if (d.contains("service")) r.service = d["service"].cast<std::vector<std::string>>();
    if (d.contains("config")) r.config = to_node(d["config"], p + ".config");
    if (d.contains("config_disable")) r.config_disable = d["config_disable"].cast<bool>();
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

void bind_model(py::module_& m) {
  py::class_<mesh_version>(m, "MeshVersion", "An Istio release to render for: \"1.8\", \"1.8.x\" or \"1.8.1\".")
      .def(py::init([](const std::string& text) { return mesh_version::parse(text); }), py::arg("text"),
           "Parses and range-checks a version; raises WasmDeployError outside the supported range.")
      .def_property_readonly("major", [](const mesh_version& v) { return v.rel().major; }, "Major number.")
      .def_property_readonly("minor", [](const mesh_version& v) { return v.rel().minor; }, "Minor number.")
      .def_property_readonly("patch", [](const mesh_version& v) { return v.rel().patch; },
                             "Patch number (0 when none was given).")
      .def_property_readonly("patch_given", &mesh_version::patch_given, "Whether the text named a patch release.")
      .def_static("oldest_supported", [] { return mesh_version(mesh_version::oldest_supported(), false); },
                  "The oldest release wasmdeploy renders for.")
      .def_static("newest_supported", [] { return mesh_version(mesh_version::newest_supported(), false); },
                  "The newest release wasmdeploy renders for.")
      .def("__str__", &mesh_version::str)
      .def("__repr__", [](const mesh_version& v) { return "MeshVersion(" + quote(v.str()) + ")"; })
      .def("__eq__", [](const mesh_version& a, const mesh_version& b) {
        return a.rel() == b.rel() && a.patch_given() == b.patch_given();
      })
      .def("__lt__", [](const mesh_version& a, const mesh_version& b) { return a.rel() < b.rel(); })
      .def("__le__", [](const mesh_version& a, const mesh_version& b) { return a.rel() <= b.rel(); })
      .def("__hash__", [](const mesh_version& v) {
        return py::hash(py::make_tuple(v.rel().major, v.rel().minor, v.rel().patch, v.patch_given()));
      });

  py::class_<workload>(m, "Workload", "A workload whose pods get the filters; its pod-template labels select them.")
      .def(py::init([](const std::string& name, const std::string& kind, const std::map<std::string, std::string>& labels,
                       const std::map<std::string, std::string>& annotations) {
             workload w;
             w.name = name;
             w.kind = parse_workload_kind(kind, "workload.kind");
             w.labels = labels;
             w.annotations = annotations;
             return w;
           }),
           py::arg("name") = "", py::kw_only(), py::arg("kind") = "Deployment",
           py::arg("labels") = std::map<std::string, std::string>{},
           py::arg("annotations") = std::map<std::string, std::string>{},
           "Creates a workload. kind is Deployment, DaemonSet or StatefulSet.")
      .def_readwrite("name", &workload::name, "Workload name.")
      .def_property("kind", [](const workload& w) { return std::string(to_string(w.kind)); },
                    [](workload& w, const std::string& v) { w.kind = parse_workload_kind(v, "workload.kind"); },
                    "Deployment, DaemonSet or StatefulSet.")
      .def_readwrite("labels", &workload::labels, "Pod-template labels (a copy; assign to change).")
      .def_readwrite("annotations", &workload::annotations, "Existing pod-template annotations (a copy; assign to change).")
      .def("__repr__", [](const workload& w) {
        repr_builder r("Workload");
        r.add("name", quote(w.name));
        if (w.kind != workload_kind::deployment) r.add("kind", quote(std::string(to_string(w.kind))));
        if (!w.labels.empty()) r.add("labels", obj_repr(py::cast(w.labels)));
        if (!w.annotations.empty()) r.add("annotations", obj_repr(py::cast(w.annotations)));
        return r.done();
      });

  py::class_<filter>(m, "Filter", "A Wasm filter: the module and how Envoy runs it.")
      .def(py::init([](const std::string& name, const std::string& module, const std::string& sha256,
                       const std::string& module_sha256, const std::string& root_id, const std::string& vm_id, const py::object& config,
                       const std::string& runtime, std::optional<std::string> type,
                       std::optional<std::string> fail_strategy, const py::dict& env,
                       const std::vector<std::string>& host_env, std::optional<std::string> image_pull_policy,
                       const std::string& image_pull_secret, std::optional<std::string> phase,
                       std::optional<std::int32_t> priority, const std::string& delivery_, const std::string& resource,
                       const std::string& runtime_config, const std::string& image_layout) {
             filter f;
             f.name = name;
             f.path = "filter(" + name + ")";
             if (!module.empty()) f.module = parse_module_source(module, f.path + ".module");
             f.sha256 = sha256;
             f.module_sha256 = module_sha256;
             f.root_id = root_id;
             f.vm_id = vm_id;
             f.config = to_node(config, f.path + ".config");
             f.runtime = runtime;
             if (type) {
               f.type = parse_filter_type(*type, f.path + ".type");
               f.type_set = true;
             }
             if (fail_strategy) f.fail = parse_fail_strategy(*fail_strategy, f.path + ".failStrategy");
             set_env(f, &env, &host_env);
             if (image_pull_policy) f.pull = parse_pull_policy(*image_pull_policy, f.path + ".imagePullPolicy");
             f.pull_secret = image_pull_secret;
             if (phase) f.phase = parse_plugin_phase(*phase, f.path + ".phase");
             f.priority = priority;
             f.how = parse_delivery(delivery_, f.path + ".delivery");
             f.resource = parse_resource_kind(resource, f.path + ".resource");
             f.runtime_config_path = runtime_config;
             f.image_layout = image_layout;
             return f;
           }),
           py::arg("name") = "", py::arg("module") = "", py::kw_only(), py::arg("sha256") = "",
           py::arg("module_sha256") = "", py::arg("root_id") = "", py::arg("vm_id") = "", py::arg("config") = py::none(), py::arg("runtime") = "v8",
           py::arg("type") = py::none(), py::arg("fail_strategy") = py::none(), py::arg("env") = py::dict(),
           py::arg("host_env") = std::vector<std::string>{}, py::arg("image_pull_policy") = py::none(),
           py::arg("image_pull_secret") = "", py::arg("phase") = py::none(), py::arg("priority") = py::none(),
           py::arg("delivery") = "auto", py::arg("resource") = "auto", py::arg("runtime_config") = "",
           py::arg("image_layout") = "",
           "Creates a filter. Keyword names are the spec file's fields in snake_case.")
      .def_readwrite("name", &filter::name, "The filter id.")
      .def_property("module", [](const filter& f) { return f.module.text; },
                    [](filter& f, const std::string& v) { f.module = parse_module_source(v, f.path + ".module"); },
                    "oci://..., http(s)://... or a local .wasm path.")
      .def_readwrite("sha256", &filter::sha256,
                     "64 lowercase hex characters, or \"\". For oci:// modules the image manifest digest.")
      .def_readwrite("module_sha256", &filter::module_sha256,
                     "For oci:// modules: the hash of the .wasm layer (names the file in a wasme node cache).")
      .def_readwrite("root_id", &filter::root_id, "The plugin's root id.")
      .def_readwrite("vm_id", &filter::vm_id, "The Envoy VM id (\"\" means the filter name).")
      .def_property("config", [](const filter& f) { return from_node(f.config); },
                    [](filter& f, const py::object& v) { f.config = to_node(v, f.path + ".config"); },
                    "Plugin configuration: None, a str passed verbatim, or a dict passed as JSON.")
      .def_readwrite("runtime", &filter::runtime, "Wasm runtime: v8, wamr, wasmtime, wavm or null.")
      .def_property("type", [](const filter& f) { return f.type_set ? std::optional<std::string>(std::string(to_string(f.type))) : std::nullopt; },
                    [](filter& f, std::optional<std::string> v) {
                      f.type_set = v.has_value();
                      f.type = v ? parse_filter_type(*v, f.path + ".type") : filter_type::http;
                    },
                    "HTTP or NETWORK; None when not set (HTTP).")
      .def_property("fail_strategy", [](const filter& f) { return name_or_none(f.fail, fail_strategy::unset); },
                    [](filter& f, std::optional<std::string> v) {
                      f.fail = v ? parse_fail_strategy(*v, f.path + ".failStrategy") : fail_strategy::unset;
                    },
                    "FAIL_CLOSE, FAIL_OPEN, FAIL_RELOAD or None.")
      .def_property("env", &env_inline, [](filter& f, const py::dict& d) { set_env(f, &d, nullptr); },
                    "Inline environment variables (a copy; assign to change).")
      .def_property("host_env", &env_host, [](filter& f, const std::vector<std::string>& v) { set_env(f, nullptr, &v); },
                    "Names of environment variables taken from the host.")
      .def_property("image_pull_policy", [](const filter& f) { return name_or_none(f.pull, pull_policy::unset); },
                    [](filter& f, std::optional<std::string> v) {
                      f.pull = v ? parse_pull_policy(*v, f.path + ".imagePullPolicy") : pull_policy::unset;
                    },
                    "IfNotPresent, Always or None.")
      .def_readwrite("image_pull_secret", &filter::pull_secret, "Name of a dockerconfigjson Secret.")
      .def_property("phase", [](const filter& f) { return name_or_none(f.phase, plugin_phase::unset); },
                    [](filter& f, std::optional<std::string> v) {
                      f.phase = v ? parse_plugin_phase(*v, f.path + ".phase") : plugin_phase::unset;
                    },
                    "AUTHN, AUTHZ, STATS or None.")
      .def_readwrite("priority", &filter::priority, "WasmPlugin/EnvoyFilter priority, or None.")
      .def_property("delivery", [](const filter& f) { return std::string(to_string(f.how)); },
                    [](filter& f, const std::string& v) { f.how = parse_delivery(v, f.path + ".delivery"); },
                    "auto, oci, http, configmap or hostpath.")
      .def_property("resource", [](const filter& f) { return std::string(to_string(f.resource)); },
                    [](filter& f, const std::string& v) { f.resource = parse_resource_kind(v, f.path + ".resource"); },
                    "auto, EnvoyFilter, WasmPlugin or TrafficExtension.")
      .def_readwrite("runtime_config", &filter::runtime_config_path, "Path to a wasme runtime-config.json, or \"\".")
      .def_readwrite("image_layout", &filter::image_layout,
                     "OCI image layout (from build_image) the oci:// module was pushed from, or \"\".")
      .def("__repr__", [](const filter& f) {
        repr_builder r("Filter");
        r.add("name", quote(f.name));
        r.add("module", quote(f.module.text));
        r.add_str("sha256", f.sha256);
        r.add_str("module_sha256", f.module_sha256);
        r.add_str("root_id", f.root_id);
        r.add_str("vm_id", f.vm_id);
        if (!f.config.is_null()) r.add("config", obj_repr(from_node(f.config)));
        r.add_str("runtime", f.runtime, "v8");
        if (f.type_set) r.add("type", quote(std::string(to_string(f.type))));
        if (f.fail != fail_strategy::unset) r.add("fail_strategy", quote(std::string(to_string(f.fail))));
        if (!env_inline(f).empty()) r.add("env", obj_repr(env_inline(f)));
        if (!env_host(f).empty()) r.add("host_env", obj_repr(py::cast(env_host(f))));
        if (f.pull != pull_policy::unset) r.add("image_pull_policy", quote(std::string(to_string(f.pull))));
        r.add_str("image_pull_secret", f.pull_secret);
        if (f.phase != plugin_phase::unset) r.add("phase", quote(std::string(to_string(f.phase))));
        if (f.priority) r.add("priority", std::to_string(*f.priority));
        if (f.how != delivery::automatic) r.add("delivery", quote(std::string(to_string(f.how))));
        if (f.resource != resource_kind::automatic) r.add("resource", quote(std::string(to_string(f.resource))));
        r.add_str("runtime_config", f.runtime_config_path);
        r.add_str("image_layout", f.image_layout);
        return r.done();
      });

  py::class_<target>(m, "Target", "Where filters go: a namespace and workloads, a selector, or target references.")
      .def(py::init([](const std::string& ns, const std::string& name, const std::vector<workload>& workloads,
                       const std::map<std::string, std::string>& selector, std::optional<std::string> context,
                       const std::string& revision, const std::vector<std::string>& filters, const py::iterable& match,
                       const py::iterable& target_refs, const py::iterable& rules, const std::string& istio_namespace,
                       bool all_workloads) {
             target t;
             t.ns = ns;
             t.name = name;
             t.path = "target(" + ns + ")";
             t.workloads = workloads;
             t.selector = selector;
             if (context) {
               t.context = parse_traffic_context(*context, t.path + ".context");
               t.context_set = true;
             }
             t.revision = revision;
             t.filters = filters;
             t.match = match_from_py(match, t.path + ".match");
             t.refs = refs_from_py(target_refs);
             t.rules = rules_from_py(rules, t.path + ".rules");
             t.istio_namespace = istio_namespace;
             t.all_workloads = all_workloads;
             return t;
           }),
           py::arg("namespace") = "default", py::kw_only(), py::arg("name") = "",
           py::arg("workloads") = std::vector<workload>{}, py::arg("selector") = std::map<std::string, std::string>{},
           py::arg("context") = py::none(), py::arg("revision") = "", py::arg("filters") = std::vector<std::string>{},
           py::arg("match") = py::list(), py::arg("target_refs") = py::list(), py::arg("rules") = py::list(),
           py::arg("istio_namespace") = "", py::arg("all_workloads") = false,
           "Creates a target. match items are {\"mode\": ..., \"ports\": [...]}, target_refs items are "
           "{\"group\": ..., \"kind\": ..., \"name\": ...}, rules (Higress matchRules) items are {\"ingress\": [...], "
           "\"domain\": [...], \"service\": [...], \"config\": ..., \"config_disable\": bool}; all_workloads=True "
           "means no selector (every workload in the namespace).")
      .def_readwrite("namespace", &target::ns, "The namespace.")
      .def_readwrite("name", &target::name, "Optional name used in per-target resource names.")
      .def_readwrite("workloads", &target::workloads, "Workloads (a copy; assign to change).")
      .def_readwrite("selector", &target::selector, "Bare pod label selector (a copy; assign to change).")
      .def_property("context", [](const target& t) {
                      return t.context_set ? std::optional<std::string>(std::string(to_string(t.context))) : std::nullopt;
                    },
                    [](target& t, std::optional<std::string> v) {
                      t.context_set = v.has_value();
                      t.context = v ? parse_traffic_context(*v, t.path + ".context") : traffic_context::inbound;
                    },
                    "inbound, outbound, gateway, any, or None (not set: EnvoyFilter uses inbound, WasmPlugin matches all).")
      .def_readwrite("revision", &target::revision, "Istio revision label, or \"\".")
      .def_readwrite("filters", &target::filters, "Names of the filters applied here; empty means all.")
      .def_property("match", [](const target& t) { return match_to_py(t.match); },
                    [](target& t, const py::iterable& v) { t.match = match_from_py(v, t.path + ".match"); },
                    "WasmPlugin traffic matches as dicts (a copy; assign to change).")
      .def_property("target_refs", [](const target& t) { return refs_to_py(t.refs); },
                    [](target& t, const py::iterable& v) { t.refs = refs_from_py(v); },
                    "Gateway API / Service references as dicts (a copy; assign to change).")
      .def_property("rules", [](const target& t) { return rules_to_py(t.rules); },
                    [](target& t, const py::iterable& v) { t.rules = rules_from_py(v, t.path + ".rules"); },
                    "Higress matchRules as dicts (a copy; assign to change).")
      .def_readwrite("istio_namespace", &target::istio_namespace, "wasme FilterDeployment istioNamespace, or \"\".")
      .def_readwrite("all_workloads", &target::all_workloads,
                     "No selector: the resources apply to every workload in the namespace.")
      .def("__repr__", [](const target& t) {
        repr_builder r("Target");
        r.add("namespace", quote(t.ns));
        r.add_str("name", t.name);
        if (!t.workloads.empty()) r.add("workloads", obj_repr(py::cast(t.workloads)));
        if (!t.selector.empty()) r.add("selector", obj_repr(py::cast(t.selector)));
        if (t.context_set) r.add("context", quote(std::string(to_string(t.context))));
        r.add_str("revision", t.revision);
        if (!t.filters.empty()) r.add("filters", obj_repr(py::cast(t.filters)));
        if (!t.match.empty()) r.add("match", obj_repr(match_to_py(t.match)));
        if (!t.refs.empty()) r.add("target_refs", obj_repr(refs_to_py(t.refs)));
        if (!t.rules.empty()) r.add("rules", obj_repr(rules_to_py(t.rules)));
        r.add_str("istio_namespace", t.istio_namespace);
        if (t.all_workloads) r.add("all_workloads", "True");
        return r.done();
      });
}

}  // namespace wasmdeploy_python
