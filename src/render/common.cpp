#include "render/common.hpp"

#include <cctype>

#include <openssl/evp.h>

namespace wasmdeploy::detail {

node owned_metadata(const std::string& name, const std::string& ns, const std::string& filter,
                    const std::string& revision) {
  node labels = make_mapping({{kManagedByLabel, "wasmdeploy"}, {kFilterLabel, filter}});
  if (!revision.empty()) labels.add("istio.io/rev", revision);
  node md = node::mapping();
  md.add("name", name);
  if (!ns.empty()) md.add("namespace", ns);
  md.add("labels", std::move(labels));
  return md;
}

document make_document(document::role role, std::string api_version, std::string kind, std::string ns,
                       std::string name, node body) {
  document d;
  d.what = role;
  d.api_version = std::move(api_version);
  d.kind = std::move(kind);
  d.ns = std::move(ns);
  d.name = std::move(name);
  d.body = std::move(body);
  d.file_name = document_file_name(role, d.kind, d.ns, d.name);
  return d;
}

std::string document_file_name(document::role role, const std::string& kind, const std::string& ns,
                               const std::string& name) {
  std::string k;
  for (char c : kind) k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return fmt_file(role == document::role::patch ? "patch-" : "", k, ns, name);
}

namespace {

// "<prefix><kind>-<ns>-<old name>.yaml" -> the same with the new name, keeping the head.
void rename_file(document& d, const std::string& name) {
  constexpr size_t kExt = 5;  // ".yaml"
  const size_t head = d.file_name.size() - d.name.size() - kExt;
  d.file_name.resize(head);
  d.file_name += name;
  d.file_name += ".yaml";
  d.name = name;
}

node* metadata_name(document& d) {
  node* md = d.body.find("metadata");
  return md ? md->find("name") : nullptr;
}

void set_labels(node& labels, const std::map<std::string, std::string>& values) {
  auto& members = labels.members();
  if (members.size() != values.size()) {
    members.clear();
    for (const auto& [k, v] : values) labels.add(k, v);
    return;
  }
  size_t i = 0;
  for (const auto& [k, v] : values) {
    members[i].key.assign(k);
    members[i].value = node(v);
    ++i;
  }
}

}  // namespace

bool rebind_resource(document& d, const spec& s, const placement& pl) {
  node* name = metadata_name(d);
  node* sp = d.body.find("spec");
  if (!name || !sp) return false;
  node* labels = nullptr;
  if (node* ws = sp->find("workloadSelector")) labels = ws->find("labels");
  else if (node* sel = sp->find("selector")) labels = sel->find("matchLabels");
  // The renderers write a selector exactly when the target has no targetRefs and labels exist.
  const bool wants = s.targets[pl.target].refs.empty() && pl.selector && !pl.selector->empty();
  if ((labels != nullptr) != wants) return false;
  if (labels) set_labels(*labels, *pl.selector);
  *name = node(pl.name);
  rename_file(d, pl.name);
  return true;
}

bool rebind_patch(document& d, const workload& w) {
  node* name = metadata_name(d);
  if (!name || d.kind != to_string(w.kind)) return false;
  *name = node(w.name);
  rename_file(d, w.name);
  return true;
}

std::string fmt_file(const char* prefix, const std::string& kind, const std::string& ns, const std::string& name) {
  std::string out = prefix;
  out += kind;
  out += '-';
  if (!ns.empty()) {
    out += ns;
    out += '-';
  }
  out += name;
  out += ".yaml";
  return out;
}

std::string configuration_string(const filter& f) {
  if (f.config.is_null()) return {};
  if (f.config.is_string()) return f.config.as_string();
  return to_json(f.config);
}

node wasm_plugin_config(const filter& f, const std::string& root_id, const std::string& vm_id, node code,
                        const std::vector<std::pair<std::string, std::string>>& extra_env, bool v2) {
  node cfg = node::mapping();
  cfg.add("name", f.name);
  if (!root_id.empty()) cfg.add("root_id", root_id);
  node vm = make_mapping({{"vm_id", vm_id}, {"runtime", envoy_runtime(f.runtime)}, {"code", std::move(code)}});
  node kv = node::mapping();
  node host_keys = node::sequence();
  for (const auto& e : f.env) {
    if (e.from == env_source::host) host_keys.push(e.name);
    else kv.add(e.name, e.value);
  }
  for (const auto& [k, v] : extra_env) kv.add(k, v);
  if (!kv.empty() || !host_keys.empty()) {
    node env = node::mapping();
    if (!host_keys.empty()) env.add("host_env_keys", std::move(host_keys));
    if (!kv.empty()) env.add("key_values", std::move(kv));
    vm.add("environment_variables", std::move(env));
  }
  cfg.add("vm_config", std::move(vm));
  const std::string conf = configuration_string(f);
  if (!conf.empty()) {
    if (v2) cfg.add("configuration", conf);
    else cfg.add("configuration", make_mapping({{"@type", kStringValueType}, {"value", conf}}));
  }
  if (f.fail == fail_strategy::fail_open) cfg.add("fail_open", true);
  return cfg;
}

node target_ref_node(const target_ref& r) {
  node ref = node::mapping();
  if (!r.group.empty()) ref.add("group", r.group);
  ref.add("kind", r.kind);
  ref.add("name", r.name);
  return ref;
}

std::string envoy_runtime(const std::string& runtime) { return "envoy.wasm.runtime." + runtime; }

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace wasmdeploy::detail
