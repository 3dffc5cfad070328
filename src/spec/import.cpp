// Importing FilterDeployments, EnvoyFilters and WasmPlugins into the model. Each reader takes
// what the model can express and reports the rest; shapes follow wasme.md §1-2 (wasme) and the
// renderers in src/render (wasmdeploy's own output, so render -> import -> render is stable).
#include <wasmdeploy/digest.hpp>
#include <wasmdeploy/import.hpp>
#include <wasmdeploy/limits.hpp>

#include <algorithm>

#include <fmt/format.h>

namespace wasmdeploy {
namespace {

constexpr const char* kCacheDir = "/var/local/lib/wasme-cache/";
constexpr const char* kStringValue = "type.googleapis.com/google.protobuf.StringValue";
constexpr const char* kStruct = "type.googleapis.com/google.protobuf.Struct";
constexpr std::string_view kTypePrefix = "type.googleapis.com/";

struct importer {
  import_result& r;
  std::string file;
  size_t doc = 0;

  std::string where() const { return fmt::format("{}[{}]", file, doc); }
  void report(severity level, const std::string& code, const std::string& msg) {
    r.diagnostics.push_back({level, code, where(), msg, {}});
  }
  [[noreturn]] void fail(const std::string& code, const std::string& msg) const {
    throw error(errc::invalid, code, where(), msg);
  }
};

// Field lookup that accepts the camelCase (jsonpb) and snake_case (proto) spellings.
const node* get(const node* n, std::initializer_list<const char*> names) {
  if (n == nullptr || !n->is_mapping()) return nullptr;
  for (const char* k : names) {
    if (const node* v = n->find(k)) return v;
  }
  return nullptr;
}

std::string str(const node* n) { return n != nullptr && n->is_string() ? n->as_string() : std::string(); }

std::map<std::string, std::string> labels_of(const node* n) {
  std::map<std::string, std::string> out;
  if (n == nullptr || !n->is_mapping()) return out;
  for (const auto& m : n->members()) {
    out[m.key] = m.value.is_string() ? m.value.as_string() : to_json(m.value);
  }
  return out;
}

// A google.protobuf.Any holding plugin configuration, as the model's config value.
node config_from_any(importer& im, const node* any) {
  if (any == nullptr || any->is_null()) return node();
  if (any->is_string()) return *any;  // v2 `configuration: <string>`
  const std::string type = str(any->find("@type"));
  const node* value = any->find("value");
  if (type == kStringValue) return value != nullptr ? *value : node("");
  if (type == kStruct && value != nullptr && value->is_mapping()) return *value;
  im.report(severity::warning, "import.config-type",
            fmt::format("configuration of type '{}' cannot be carried over (only StringValue and Struct); it was left out",
                        type));
  return node();
}

filter& filter_named(spec& s, const std::string& name) {
  for (auto& f : s.filters) {
    if (f.name == name) return f;
  }
  filter f;
  f.name = name;
  f.path = fmt::format("filters[{}]", s.filters.size());
  s.filters.push_back(std::move(f));
  return s.filters.back();
}

target& add_target(spec& s) {
  target t;
  t.path = fmt::format("targets[{}]", s.targets.size());
  s.targets.push_back(std::move(t));
  return s.targets.back();
}

void set_module(importer& im, filter& f, const std::string& url) {
  std::string u = url;
  if (u.find("://") == std::string::npos) u = "oci://" + u;  // Istio reads a bare reference as OCI
  try {
    f.module = parse_module_source(u, f.path + ".module");
  } catch (const error& e) {
    im.fail("import.module", fmt::format("module '{}': {}", url, e.message()));
  }
}

void read_filter_deployment(importer& im, const node& d, spec& s) {
  const node* md = d.find("metadata");
  const std::string name = str(get(md, {"name"}));
  const std::string ns = str(get(md, {"namespace"}));
  const node* sp = d.find("spec");
  const node* fs = get(sp, {"filter"});
  if (fs == nullptr) im.fail("import.malformed", "FilterDeployment without spec.filter");
  std::string id = str(get(fs, {"id"}));
  if (id.empty()) {
    id = name;
    im.report(severity::note, "import.default-id",
              fmt::format("no filter.id: the operator used {}.{} (EnvoyFilter names, vm id, plugin name); the filter is "
                          "now called {}", name, ns.empty() ? "default" : ns, name));
  }
  filter& f = filter_named(s, id);
  const std::string image = str(get(fs, {"image"}));
  if (image.empty()) im.fail("import.malformed", "FilterDeployment without spec.filter.image");
  set_module(im, f, image);
  // The hashes the controller reads from annotations (controller/internal/kube/owner.go), so a
  // FilterDeployment annotated for Istio >= 1.12 (sha256) or the wasme cache (module-sha256)
  // converts as it deploys.
  for (const auto& [key, field] : {std::pair<const char*, std::string*>{"wasmdeploy.io/sha256", &f.sha256},
                                   {"wasmdeploy.io/module-sha256", &f.module_sha256}}) {
    const std::string value = str(get(get(md, {"annotations"}), {key}));
    if (value.empty()) continue;
    if (!is_sha256_hex(value)) {
      im.fail("import.malformed", fmt::format("annotation {} must be 64 lowercase hex characters", key));
    }
    *field = value;
  }
  f.config = config_from_any(im, get(fs, {"config"}));
  f.root_id = str(get(fs, {"rootID", "rootId", "root_id"}));
  if (f.root_id.empty()) {
    im.report(severity::warning, "import.root-id",
              "no rootID: the operator took the first root id from the image's runtime-config.json; set rootId "
              "(WasmPlugin pluginName) if the module registers a named root context");
  }
  if (const node* po = get(fs, {"imagePullOptions", "image_pull_options"})) {
    f.pull_secret = str(get(po, {"pullSecret", "pull_secret"}));
    for (const char* k : {"insecureSkipVerify", "plainHttp"}) {
      if (const node* v = po->find(k); v != nullptr && v->kind() == node::type::boolean && v->as_bool()) {
        im.report(severity::warning, "import.not-carried",
                  fmt::format("imagePullOptions.{} is not carried over: Istio pulls with the proxy's registry settings", k));
      }
    }
  }
  target& t = add_target(s);
  t.ns = ns.empty() ? "default" : ns;
  if (name != id) t.name = name;
  t.filters = {id};
  // The operator patches SIDECAR_INBOUND when patchContext is empty. The context is kept
  // explicit either way, so a WasmPlugin gets mode SERVER rather than every listener (the
  // effect oracle checks converted output lands where the operator put it).
  const std::string ctx = str(get(fs, {"patchContext", "patch_context"}));
  t.context = ctx.empty() ? traffic_context::inbound : parse_traffic_context(ctx, t.path + ".context");
  t.context_set = true;
  const node* istio = get(get(sp, {"deployment"}), {"istio"});
  const std::string kind = str(get(istio, {"kind"}));
  t.selector = labels_of(get(istio, {"labels"}));
  t.istio_namespace = str(get(istio, {"istioNamespace", "istio_namespace"}));
  if (!kind.empty() && parse_workload_kind(kind, t.path) != workload_kind::deployment) {
    im.report(severity::warning, "import.workload-kind",
              fmt::format("the FilterDeployment selects {}s; a pod selector matches pods of every kind", kind));
  }
  if (!t.selector.empty()) {
    im.report(severity::note, "import.wasme-labels",
              "wasme matched these labels on the workload objects; they are now used as pod labels (wasme #116)");
  }
}

// The Wasm PluginConfig inside an EnvoyFilter patch value, in any of the shapes we know.
const node* plugin_config(const node& value) {
  if (const node* tc = get(&value, {"typed_config", "typedConfig"})) {
    const node* v = get(tc, {"value"});
    if (const node* c = get(v != nullptr ? v : tc, {"config"})) return c;
  }
  if (const node* c = get(&value, {"config"})) return get(c, {"config"});
  return nullptr;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Canonical filter names all start with envoy.filters.; Istio 1.19 stopped matching the older
// envoy.<name> spellings (envoy.http_connection_manager, envoy.router, ...).
bool deprecated_filter_name(std::string_view n) { return starts_with(n, "envoy.") && !starts_with(n, "envoy.filters."); }

// envoy.config.filter.http.wasm.v2.Wasm, envoy.api.v2.*, ...: rejected from Istio 1.19.
bool v2_type_url(std::string_view url) {
  if (!starts_with(url, kTypePrefix)) return false;
  std::string_view t = url.substr(kTypePrefix.size());
  return starts_with(t, "envoy.") && (t.find(".v2.") != std::string_view::npos || t.find(".v2alpha.") != std::string_view::npos);
}

void find_v2_type_urls(importer& im, const node& n, const std::string& path, const std::string& resource) {
  if (n.is_mapping()) {
    for (const auto& m : n.members()) {
      const std::string p = path + "." + m.key;
      if ((m.key == "@type" || m.key == "type_url" || m.key == "typeUrl") && m.value.is_string() &&
          v2_type_url(m.value.as_string())) {
        im.r.legacy.push_back({capability::xds_v2_type_urls, "import.xds-v2-type-url", p, m.value.as_string(), resource});
      }
      find_v2_type_urls(im, m.value, p, resource);
    }
  } else if (n.is_sequence()) {
    for (size_t i = 0; i < n.items().size(); ++i) find_v2_type_urls(im, n.items()[i], fmt::format("{}[{}]", path, i), resource);
  }
}

// Records the release-dependent shapes of one EnvoyFilter (see legacy_form).
void find_legacy_forms(importer& im, const node* patches, const std::string& resource) {
  if (patches == nullptr || !patches->is_sequence()) return;
  for (size_t i = 0; i < patches->items().size(); ++i) {
    const node& p = patches->items()[i];
    const std::string base = fmt::format("{}.spec.configPatches[{}]", im.where(), i);
    const node* fc = get(get(get(&p, {"match"}), {"listener"}), {"filterChain", "filter_chain"});
    const node* filter = get(fc, {"filter"});
    const std::string fpath = base + ".match.listener.filterChain.filter";
    for (const auto& [n, at] : {std::pair{get(filter, {"name"}), fpath + ".name"},
                                {get(get(filter, {"subFilter", "sub_filter"}), {"name"}), fpath + ".subFilter.name"}}) {
      if (n != nullptr && n->is_string() && deprecated_filter_name(n->as_string())) {
        im.r.legacy.push_back({capability::deprecated_filter_name_match, "import.deprecated-filter-name", at,
                               n->as_string(), resource});
      }
    }
    const node* value = get(get(&p, {"patch"}), {"value"});
    if (const node* cfg = get(value, {"config"}); cfg != nullptr && get(value, {"typed_config", "typedConfig"}) == nullptr) {
      im.r.legacy.push_back({capability::patch_value_v2_config, "import.config-form", base + ".patch.value.config",
                             "config", resource});
    }
    if (value != nullptr) find_v2_type_urls(im, *value, base + ".patch.value", resource);
  }
}

void read_envoy_filter(importer& im, const node& d, spec& s) {
  const node* md = d.find("metadata");
  const std::string name = str(get(md, {"name"}));
  const std::string ns = str(get(md, {"namespace"}));
  const node* sp = d.find("spec");
  const node* patches = get(sp, {"configPatches", "config_patches"});
  find_legacy_forms(im, patches, (ns.empty() ? "default" : ns) + "/" + name);
  const node* cfg = nullptr;
  std::string context;
  if (patches != nullptr) {
    for (const auto& p : patches->items()) {
      if (context.empty()) context = str(get(get(&p, {"match"}), {"context"}));
      if (const node* v = get(get(&p, {"patch"}), {"value"}); v != nullptr && (cfg = plugin_config(*v)) != nullptr) break;
    }
  }
  if (cfg == nullptr) im.fail("import.not-wasm", fmt::format("EnvoyFilter {}/{} carries no Wasm filter configuration", ns, name));
  std::string id = str(get(cfg, {"name"}));
  if (const node* l = get(get(md, {"labels"}), {"wasmdeploy.io/filter"})) id = str(l);
  if (id.empty()) im.fail("import.malformed", "the Wasm PluginConfig has no name");
  filter& f = filter_named(s, id);
  f.root_id = str(get(cfg, {"root_id", "rootId"}));
  f.config = config_from_any(im, get(cfg, {"configuration"}));
  if (get(cfg, {"fail_open", "failOpen"}) != nullptr) f.fail = fail_strategy::fail_open;
  const node* vm = get(cfg, {"vm_config", "vmConfig"});
  const std::string vm_id = str(get(vm, {"vm_id", "vmId"}));
  if (!vm_id.empty() && vm_id != id) f.vm_id = vm_id;
  const std::string runtime = str(get(vm, {"runtime"}));
  // "envoy.wasm.runtime." alone names no runtime: the default stays (as the spec reader reads runtime: "").
  if (runtime.rfind("envoy.wasm.runtime.", 0) == 0 && runtime.size() > 19) f.runtime = runtime.substr(19);
  const node* code = get(vm, {"code"});
  if (const node* remote = get(code, {"remote"})) {
    set_module(im, f, str(get(get(remote, {"http_uri", "httpUri"}), {"uri"})));
    f.sha256 = str(get(remote, {"sha256"}));
  } else {
    const std::string file = str(get(get(code, {"local"}), {"filename"}));
    if (file.empty()) im.fail("import.malformed", "the Wasm VM config has neither a local nor a remote module");
    set_module(im, f, "file://" + file);
    if (file.rfind(kCacheDir, 0) == 0) {
      f.module_sha256 = file.substr(std::string(kCacheDir).size());
      im.report(severity::warning, "import.wasme-cache-file",
                fmt::format("the module is the wasme node-cache file {}; the image it came from is not recorded in an "
                            "EnvoyFilter: pass --module oci://... (and --sha256) to deliver it without the cache", file));
    }
  }
  // Pod-template labels of the workload; wasme names these EnvoyFilters <workload>-<id>.
  auto labels = labels_of(get(get(sp, {"workloadSelector", "workload_selector"}), {"labels"}));
  static const std::map<std::string, traffic_context> kCtx = {{"SIDECAR_INBOUND", traffic_context::inbound},
                                                              {"SIDECAR_OUTBOUND", traffic_context::outbound},
                                                              {"GATEWAY", traffic_context::gateway},
                                                              {"ANY", traffic_context::any}};
  traffic_context ctx = traffic_context::inbound;
  if (auto it = kCtx.find(context); it != kCtx.end()) ctx = it->second;
  // One target per namespace, filter and context, so nothing spreads to other workloads.
  target* t = nullptr;
  for (auto& existing : s.targets) {
    if (existing.ns == (ns.empty() ? "default" : ns) && existing.filters == std::vector<std::string>{id} &&
        existing.context == ctx) {
      t = &existing;
    }
  }
  if (t == nullptr) {
    t = &add_target(s);
    t->ns = ns.empty() ? "default" : ns;
    t->filters = {id};
    t->context = ctx;
    t->context_set = true;  // the match context it ran with, also when SIDECAR_INBOUND
  }
  const std::string suffix = "-" + id;
  std::string wl = name;
  if (wl.size() > suffix.size() && wl.compare(wl.size() - suffix.size(), suffix.size(), suffix) == 0) {
    wl.resize(wl.size() - suffix.size());
  } else {
    im.report(severity::note, "import.workload-name",
              fmt::format("EnvoyFilter {} is not named <workload>-{}; the workload is called {}", name, id, name));
  }
  for (const auto& w : t->workloads) {
    if (w.name == wl) return;
  }
  workload w;
  w.name = wl;
  w.labels = std::move(labels);
  t->workloads.push_back(std::move(w));
}

void read_wasm_plugin(importer& im, const node& d, spec& s, bool traffic_extension) {
  const node* md = d.find("metadata");
  const std::string name = str(get(md, {"name"}));
  const std::string ns = str(get(md, {"namespace"}));
  const node* sp = d.find("spec");
  const node* w = traffic_extension ? get(sp, {"wasm"}) : sp;
  if (w == nullptr) im.fail("import.not-wasm", fmt::format("TrafficExtension {}/{} has no wasm branch", ns, name));
  std::string id = str(get(get(md, {"labels"}), {"wasmdeploy.io/filter"}));
  if (id.empty()) id = name;
  const bool seen = std::any_of(s.filters.begin(), s.filters.end(), [&](const filter& x) { return x.name == id; });
  filter scratch;  // a second resource of the same filter: its fields were read from the first
  filter& f = seen ? scratch : filter_named(s, id);
  set_module(im, f, str(get(w, {"url"})));
  f.sha256 = str(get(w, {"sha256"}));
  if (f.module.kind == module_source::scheme::oci && f.sha256 == f.module.digest) f.sha256.clear();
  if (auto v = str(get(w, {"imagePullPolicy"})); !v.empty() && v != "UNSPECIFIED_POLICY") f.pull = parse_pull_policy(v, f.path);
  f.pull_secret = str(get(w, {"imagePullSecret"}));
  if (const node* pc = get(w, {"pluginConfig"})) f.config = *pc;
  f.root_id = str(get(w, {"pluginName"}));
  if (auto v = str(get(sp, {"phase"})); !v.empty() && v != "UNSPECIFIED_PHASE") f.phase = parse_plugin_phase(v, f.path);
  if (const node* p = get(sp, {"priority"}); p != nullptr && p->kind() == node::type::integer) {
    f.priority = static_cast<std::int32_t>(p->as_int());
  }
  if (auto v = str(get(w, {"failStrategy"})); !v.empty()) f.fail = parse_fail_strategy(v, f.path);
  if (auto v = str(get(w, {"type"})); !v.empty() && v != "UNSPECIFIED_PLUGIN_TYPE") {
    f.type = parse_filter_type(v, f.path);
    f.type_set = true;
  }
  if (const node* env = get(get(w, {"vmConfig"}), {"env"})) {
    for (const auto& e : env->items()) {
      env_var v{str(e.find("name")), str(e.find("value")), env_source::inline_value};
      if (str(e.find("valueFrom")) == "HOST") v.from = env_source::host;
      f.env.push_back(std::move(v));
    }
  }
  if (traffic_extension) f.resource = resource_kind::traffic_extension;
  if (get(sp, {"verificationKey"}) != nullptr) {
    im.report(severity::warning, "import.not-carried", "verificationKey is not carried over (Istio never implemented it)");
  }
  target& t = add_target(s);
  t.ns = ns.empty() ? "default" : ns;
  t.filters = {id};
  if (name != id) {
    const std::string suffix = "-" + id;
    t.name = name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0
                 ? name.substr(0, name.size() - suffix.size())
                 : name;
  }
  t.selector = labels_of(get(get(sp, {"selector"}), {"matchLabels"}));
  auto read_ref = [&](const node& r) { t.refs.push_back({str(r.find("group")), str(r.find("kind")), str(r.find("name"))}); };
  if (const node* refs = get(sp, {"targetRefs"})) {
    for (const auto& r : refs->items()) read_ref(r);
  } else if (const node* ref = get(sp, {"targetRef"})) {
    read_ref(*ref);
  }
  if (const node* match = get(sp, {"match"})) {
    // The renderer's context shorthand: a single {mode: SERVER|CLIENT} is context inbound/outbound.
    const auto& items = match->items();
    if (items.size() == 1 && items[0].size() == 1 && items[0].find("mode") != nullptr &&
        (str(items[0].find("mode")) == "SERVER" || str(items[0].find("mode")) == "CLIENT")) {
      t.context = str(items[0].find("mode")) == "SERVER" ? traffic_context::inbound : traffic_context::outbound;
      t.context_set = true;
    } else {
      for (const auto& m : items) {
        traffic_match tm;
        if (auto mode = str(m.find("mode")); !mode.empty()) tm.mode = parse_match_mode(mode, t.path);
        if (const node* ports = m.find("ports")) {
          for (const auto& p : ports->items()) {
            if (const node* n = p.find("number")) tm.ports.push_back(static_cast<std::uint32_t>(n->as_int()));
          }
        }
        t.match.push_back(std::move(tm));
      }
    }
  }
  if (t.selector.empty() && t.refs.empty()) {
    t.all_workloads = true;
    im.report(severity::note, "import.all-workloads",
              fmt::format("{} has no selector: it applies to every workload in {}", name, t.ns));
  }
}

std::vector<std::string> split_documents(std::string_view text) {
  std::vector<std::string> docs(1);
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    if (line == "---" || line.rfind("--- ", 0) == 0) {
      docs.emplace_back();
    } else {
      docs.back().append(line);
      docs.back() += '\n';
    }
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  return docs;
}

}  // namespace

void check_legacy_forms(const import_result& r, const mesh_version& ran_on) {
  for (const auto& f : r.legacy) {
    if (supports(ran_on, f.works_while)) continue;
    std::string what;
    if (f.code == "import.deprecated-filter-name") {
      what = fmt::format("matches on the deprecated filter name {}", f.what);
    } else if (f.code == "import.xds-v2-type-url") {
      what = fmt::format("uses the xDS v2 type URL {}", f.what);
    } else {
      what = "gives its patch value as the xDS v2 `config:` form";
    }
    throw error(errc::version, f.code, f.path,
                fmt::format("EnvoyFilter {} {}, which works on {} only: on Istio {} this EnvoyFilter did nothing (or was "
                            "rejected), so converting it would switch on a filter that was not running. If it ran on "
                            "an earlier release, say which with --from-istio",
                            f.resource, what, describe_support(f.works_while), ran_on.str()));
  }
}

import_result import_resources(std::string_view text, const std::string& file) {
  import_result r;
  r.imported.file = file;
  importer im{r, file};
  if (text.size() > active_limits().spec_bytes) {
    throw error(errc::invalid, "import.too-large", "", fmt::format("input is larger than {} bytes", active_limits().spec_bytes),
                {file, 0, 0});
  }
  const std::vector<std::string> chunks = split_documents(text);
  if (chunks.size() > active_limits().import_documents) {
    throw error(errc::invalid, "import.too-many-documents", "",
                fmt::format("input holds {} YAML documents; the limit is {}", chunks.size(), active_limits().import_documents),
                {file, 0, 0});
  }
  size_t objects = 0;
  const auto import_one = [&](const node& d) {
    if (!d.is_mapping()) im.fail("import.malformed", "a document is not a mapping");
    if (++objects > active_limits().import_documents) {
      throw error(errc::invalid, "import.too-many-documents", "",
                  fmt::format("input holds more than {} objects", active_limits().import_documents), {file, 0, 0});
    }
    const std::string kind = str(d.find("kind"));
    const std::string api = str(d.find("apiVersion"));
    if (kind == "FilterDeployment" && api.rfind("wasme.io/", 0) == 0) {
      read_filter_deployment(im, d, r.imported);
    } else if (kind == "EnvoyFilter" && api.rfind("networking.istio.io/", 0) == 0) {
      read_envoy_filter(im, d, r.imported);
    } else if ((kind == "WasmPlugin" || kind == "TrafficExtension") && api.rfind("extensions.istio.io/", 0) == 0) {
      read_wasm_plugin(im, d, r.imported, kind == "TrafficExtension");
    } else {
      im.report(severity::warning, "import.unknown-kind", fmt::format("{} {} is not imported", api, kind));
    }
    ++im.doc;
  };
  for (const auto& chunk : chunks) {
    node d = parse_config_value(chunk, file);
    if (d.is_null()) continue;
    if (d.is_mapping() && str(d.find("kind")) == "List") {
      // What `kubectl get -o yaml` and `wasmdeploy render -o json` print: a v1 List of objects.
      const node* items = d.find("items");
      if (items == nullptr || !items->is_sequence()) im.fail("import.list", "a List needs items: a list of objects");
      for (const auto& item : items->items()) {
        if (item.is_mapping() && str(item.find("kind")) == "List") im.fail("import.list", "a List inside a List");
        import_one(item);
      }
      continue;
    }
    import_one(d);
  }
  if (r.imported.filters.empty()) im.fail("import.nothing", "no FilterDeployment, EnvoyFilter or WasmPlugin found");
  return r;
}

void accept_namespace_wide(import_result& r) {
  for (auto& t : r.imported.targets) {
    if (t.all_workloads || !t.selector.empty() || !t.workloads.empty() || !t.refs.empty()) continue;
    t.all_workloads = true;
    r.diagnostics.push_back({severity::warning, "convert.all-workloads", t.path,
                             "no selector: the resource applies to every workload in the namespace, not only Deployments", {}});
  }
}

}  // namespace wasmdeploy
