// Building, parsing and overriding specs from C.
//
// Fields are addressed by their spec-file names (rootId, failStrategy, ...) rather than by one
// setter per field: adding a field to the schema then adds no symbol and changes no layout.
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <string>

#include <wasmdeploy/import.hpp>
#include <wasmdeploy/live.hpp>
#include <wasmdeploy/mesh_version.hpp>

#include "handles.hpp"

using namespace wasmdeploy;

namespace {

std::string str(const char* s) { return s ? std::string(s) : std::string(); }

[[noreturn]] void unknown_field(const char* what, const std::string& field, const char* choices) {
  throw error(errc::usage, "capi.unknown-field", "",
              std::string("unknown ") + what + " field '" + field + "' (expected one of: " + choices + ")");
}

bool parse_bool(const std::string& v, const std::string& path) {
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0" || v.empty()) return false;
  throw error(errc::invalid, "capi.bad-boolean", path, "expected true or false, got '" + v + "'");
}

std::int32_t parse_int32(const std::string& v, const std::string& path) {
  errno = 0;
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno != 0 || n < INT32_MIN || n > INT32_MAX)
    throw error(errc::invalid, "capi.bad-integer", path, "expected a 32-bit integer, got '" + v + "'");
  return static_cast<std::int32_t>(n);
}

filter& filter_at(wd_spec* s, size_t i) {
  capi::require(s, "spec");
  if (i >= s->impl.filters.size())
    throw error(errc::not_found, "capi.bad-index", "", "no filter at index " + std::to_string(i));
  return s->impl.filters[i];
}

target& target_at(wd_spec* s, size_t i) {
  capi::require(s, "spec");
  if (i >= s->impl.targets.size())
    throw error(errc::not_found, "capi.bad-index", "", "no target at index " + std::to_string(i));
  return s->impl.targets[i];
}

workload& workload_at(wd_spec* s, size_t t, size_t w) {
  target& tg = target_at(s, t);
  if (w >= tg.workloads.size())
    throw error(errc::not_found, "capi.bad-index", tg.path,
                "no workload at index " + std::to_string(w));
  return tg.workloads[w];
}

std::vector<std::string> split_commas(const std::string& v) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= v.size() && !v.empty()) {
    size_t comma = v.find(',', start);
    if (comma == std::string::npos) comma = v.size();
    if (comma > start) out.push_back(v.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

void set_filter_field(filter& f, const std::string& field, const char* value) {
  const std::string v = str(value);
  const std::string path = f.path + "." + field;
  if (field == "name") f.name = v;
  else if (field == "module") f.module = value ? parse_module_source(v, path) : module_source{};
  else if (field == "sha256") f.sha256 = v;
  else if (field == "moduleSha256") f.module_sha256 = v;
  else if (field == "rootId") f.root_id = v;
  else if (field == "vmId") f.vm_id = v;
  else if (field == "config") f.config = value ? node(v) : node();
  else if (field == "runtime") f.runtime = value ? v : std::string("v8");
  else if (field == "type") {
    f.type = value ? parse_filter_type(v, path) : filter_type::http;
    f.type_set = value != nullptr;
  } else if (field == "failStrategy") f.fail = value ? parse_fail_strategy(v, path) : fail_strategy::unset;
  else if (field == "imagePullPolicy") f.pull = value ? parse_pull_policy(v, path) : pull_policy::unset;
  else if (field == "imagePullSecret") f.pull_secret = v;
  else if (field == "phase") f.phase = value ? parse_plugin_phase(v, path) : plugin_phase::unset;
  else if (field == "priority") {
    if (value) f.priority = parse_int32(v, path);
    else f.priority.reset();
  } else if (field == "delivery") f.how = value ? parse_delivery(v, path) : delivery::automatic;
  else if (field == "resource") f.resource = value ? parse_resource_kind(v, path) : resource_kind::automatic;
  else if (field == "runtimeConfig") f.runtime_config_path = v;
  else
    unknown_field("filter", field,
                  "name, module, sha256, moduleSha256, rootId, vmId, config, runtime, type, failStrategy, imagePullPolicy, "
                  "imagePullSecret, phase, priority, delivery, resource, runtimeConfig");
}

void set_target_field(target& t, const std::string& field, const char* value) {
  const std::string v = str(value);
  const std::string path = t.path + "." + field;
  if (field == "name") t.name = v;
  else if (field == "namespace") t.ns = value ? v : std::string("default");
  else if (field == "context") {
    t.context = value ? parse_traffic_context(v, path) : traffic_context::inbound;
    t.context_set = value != nullptr;  // an explicit context changes WasmPlugin output
  }
  else if (field == "revision") t.revision = v;
  else if (field == "selector") t.selector = value ? parse_labels(v, path) : std::map<std::string, std::string>{};
  else if (field == "filters") t.filters = split_commas(v);
  else unknown_field("target", field, "name, namespace, context, revision, selector, filters");
}

}  // namespace

extern "C" {

int wd_spec_new(wd_spec** out) {
  return capi::guard([&] {
    capi::require(out, "out");
    *out = nullptr;
    *out = new wd_spec{};
    return WD_OK;
  });
}

int wd_spec_parse(wd_spec** out, const char* text, size_t len, const char* file, const char* base_dir) {
  return capi::guard([&] {
    capi::require(out, "out");
    *out = nullptr;
    if (len > 0) capi::require(text, "text");
    spec s = parse_spec(std::string_view(text ? text : "", len), file ? file : "<input>", base_dir ? base_dir : ".");
    *out = new wd_spec{std::move(s)};
    return WD_OK;
  });
}

int wd_spec_import(wd_spec** out, const char* text, size_t len, const char* file) {
  return capi::guard([&] {
    capi::require(out, "out");
    *out = nullptr;
    if (len > 0) capi::require(text, "text");
    import_result r = import_resources(std::string_view(text ? text : "", len), file ? file : "<input>");
    *out = new wd_spec{std::move(r.imported)};
    return WD_OK;
  });
}

int wd_spec_load(wd_spec** out, const char* path) {
  return capi::guard([&] {
    capi::require(out, "out");
    capi::require(path, "path");
    *out = nullptr;
    spec s = load_spec(path);
    *out = new wd_spec{std::move(s)};
    return WD_OK;
  });
}

int wd_spec_clone(wd_spec** out, const wd_spec* spec) {
  return capi::guard([&] {
    capi::require(out, "out");
    capi::require(spec, "spec");
    *out = nullptr;
    *out = new wd_spec{spec->impl};
    return WD_OK;
  });
}

void wd_spec_free(wd_spec* spec) { delete spec; }

int wd_spec_set(wd_spec* spec, const char* field, const char* value) {
  return capi::guard([&] {
    capi::require(spec, "spec");
    capi::require(field, "field");
    const std::string f = field, v = str(value);
    auto& s = spec->impl;
    if (f == "istio") {
      if (!v.empty()) mesh_version::parse(v);  // fail here, naming the field, not at render time
      s.istio = v;
    } else if (f == "naming") s.options.naming = value ? parse_naming_scheme(v, "options.naming") : naming_scheme::automatic;
    else if (f == "resource") s.options.resource = value ? parse_resource_kind(v, "options.resource") : resource_kind::automatic;
    else if (f == "allowIncompatibleModule") s.options.allow_incompatible_module = parse_bool(v, "options.allowIncompatibleModule");
    else if (f == "file") s.file = value ? v : std::string("<input>");
    else if (f == "baseDir") s.base_dir = value ? v : std::string(".");
    else unknown_field("spec", f, "istio, naming, resource, allowIncompatibleModule, file, baseDir");
    return WD_OK;
  });
}

size_t wd_spec_filter_count(const wd_spec* spec) { return spec ? spec->impl.filters.size() : 0; }
size_t wd_spec_target_count(const wd_spec* spec) { return spec ? spec->impl.targets.size() : 0; }

int wd_spec_add_filter(size_t* index_out, wd_spec* spec, const char* name, const char* module) {
  return capi::guard([&] {
    capi::require(spec, "spec");
    capi::require(name, "name");
    capi::require(module, "module");
    auto& filters = spec->impl.filters;
    filter f;
    f.name = name;
    f.path = "filters[" + std::to_string(filters.size()) + "]";
    f.module = parse_module_source(module, f.path + ".module");
    filters.push_back(std::move(f));
    if (index_out) *index_out = filters.size() - 1;
    return WD_OK;
  });
}

int wd_spec_find_filter(size_t* index_out, const wd_spec* spec, const char* name) {
  return capi::guard([&] {
    capi::require(index_out, "index_out");
    capi::require(spec, "spec");
    capi::require(name, "name");
    const auto& filters = spec->impl.filters;
    for (size_t i = 0; i < filters.size(); ++i)
      if (filters[i].name == name) {
        *index_out = i;
        return WD_OK;
      }
    throw error(errc::not_found, "capi.no-such-filter", "", std::string("no filter named '") + name + "'");
  });
}

int wd_spec_filter_set(wd_spec* spec, size_t filter, const char* field, const char* value) {
  return capi::guard([&] {
    capi::require(field, "field");
    set_filter_field(filter_at(spec, filter), field, value);
    return WD_OK;
  });
}

int wd_spec_filter_set_config_json(wd_spec* spec, size_t filter, const char* json, size_t len) {
  return capi::guard([&] {
    auto& f = filter_at(spec, filter);
    if (len > 0) capi::require(json, "json");
    f.config = parse_config_value(std::string_view(json ? json : "", len), f.path + ".config");
    return WD_OK;
  });
}

int wd_spec_filter_add_env(wd_spec* spec, size_t filter, const char* name, const char* value, const char* value_from) {
  return capi::guard([&] {
    auto& f = filter_at(spec, filter);
    capi::require(name, "name");
    env_var e;
    e.name = name;
    e.value = str(value);
    if (value_from)
      e.from = parse_env_source(value_from, f.path + ".env[" + std::to_string(f.env.size()) + "].valueFrom");
    f.env.push_back(std::move(e));
    return WD_OK;
  });
}

int wd_spec_add_target(size_t* index_out, wd_spec* spec, const char* ns) {
  return capi::guard([&] {
    capi::require(spec, "spec");
    auto& targets = spec->impl.targets;
    target t;
    if (ns) t.ns = ns;
    t.path = "targets[" + std::to_string(targets.size()) + "]";
    targets.push_back(std::move(t));
    if (index_out) *index_out = targets.size() - 1;
    return WD_OK;
  });
}

int wd_spec_target_set(wd_spec* spec, size_t target, const char* field, const char* value) {
  return capi::guard([&] {
    capi::require(field, "field");
    set_target_field(target_at(spec, target), field, value);
    return WD_OK;
  });
}

int wd_spec_target_add_selector(wd_spec* spec, size_t target, const char* key, const char* value) {
  return capi::guard([&] {
    auto& t = target_at(spec, target);
    capi::require(key, "key");
    t.selector[key] = str(value);
    return WD_OK;
  });
}

int wd_spec_target_add_filter(wd_spec* spec, size_t target, const char* filter_name) {
  return capi::guard([&] {
    auto& t = target_at(spec, target);
    capi::require(filter_name, "filter_name");
    t.filters.emplace_back(filter_name);
    return WD_OK;
  });
}

int wd_spec_target_add_match(wd_spec* spec, size_t target, const char* mode, const uint32_t* ports, size_t nports) {
  return capi::guard([&] {
    auto& t = target_at(spec, target);
    if (nports > 0) capi::require(ports, "ports");
    traffic_match m;
    if (mode) m.mode = parse_match_mode(mode, t.path + ".match[" + std::to_string(t.match.size()) + "].mode");
    m.ports.assign(ports, ports + nports);
    t.match.push_back(std::move(m));
    return WD_OK;
  });
}

int wd_spec_target_add_ref(wd_spec* spec, size_t target, const char* group, const char* kind, const char* name) {
  return capi::guard([&] {
    auto& t = target_at(spec, target);
    capi::require(kind, "kind");
    capi::require(name, "name");
    t.refs.push_back(target_ref{str(group), kind, name});
    return WD_OK;
  });
}

int wd_spec_target_add_workload(size_t* index_out, wd_spec* spec, size_t target, const char* name, const char* kind) {
  return capi::guard([&] {
    auto& t = target_at(spec, target);
    capi::require(name, "name");
    workload w;
    w.name = name;
    if (kind)
      w.kind = parse_workload_kind(kind, t.path + ".workloads[" + std::to_string(t.workloads.size()) + "].kind");
    t.workloads.push_back(std::move(w));
    if (index_out) *index_out = t.workloads.size() - 1;
    return WD_OK;
  });
}

int wd_spec_workload_add_label(wd_spec* spec, size_t target, size_t workload, const char* key, const char* value) {
  return capi::guard([&] {
    auto& w = workload_at(spec, target, workload);
    capi::require(key, "key");
    w.labels[key] = str(value);
    return WD_OK;
  });
}

int wd_spec_workload_add_annotation(wd_spec* spec, size_t target, size_t workload, const char* key,
                                    const char* value) {
  return capi::guard([&] {
    auto& w = workload_at(spec, target, workload);
    capi::require(key, "key");
    w.annotations[key] = str(value);
    return WD_OK;
  });
}

int wd_spec_apply_live(wd_spec* spec, const char* text, size_t len, const char* file) {
  return capi::guard([&] {
    capi::require(spec, "spec");
    if (len > 0) capi::require(text, "text");
    wasmdeploy::spec changed = spec->impl;  // nothing changes when the text is refused
    apply_live_workloads(changed, std::string_view(text ? text : "", len), file ? file : "<live>");
    spec->impl = std::move(changed);
    return WD_OK;
  });
}

}  // extern "C"
