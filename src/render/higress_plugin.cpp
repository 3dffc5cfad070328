// Higress WasmPlugin (extensions.higress.io/v1alpha1): an Istio WasmPlugin without targeting,
// plus matchRules. It must live in the Higress controller namespace (higress-system); the
// controller pins the generated Istio WasmPlugin to the gateway. defaultConfig and matchRules
// travel inside the plugin configuration (`_rules_`) and are applied by Higress-SDK plugins at
// request time; a `pluginConfig` on the same resource makes Higress ignore both.
#include <fmt/format.h>

#include "plan/validate.hpp"
#include "render/common.hpp"
#include "render/platforms.hpp"

namespace wasmdeploy::detail {
namespace {

constexpr const char* kPrefix = "higress";
constexpr const char* kApi = "extensions.higress.io/v1alpha1";
constexpr const char* kNamespace = "higress-system";

node strings(const std::vector<std::string>& v) {
  node out = node::sequence();
  for (const auto& x : v) out.push(x);
  return out;
}

node match_rule(const spec& s, const higress_rule& r, const std::string& path) {
  if (r.ingress.empty() && r.domain.empty() && r.service.empty()) {
    reject(s, "higress.rule-no-match", path, "a matchRules entry needs ingress, domain or service (Higress rejects it)");
  }
  if (!r.config.is_null() && !r.config.is_mapping()) reject(s, "higress.config-type", path + ".config", "rule config must be a mapping");
  node out = node::mapping();
  if (!r.ingress.empty()) out.add("ingress", strings(r.ingress));
  if (!r.domain.empty()) out.add("domain", strings(r.domain));
  if (!r.service.empty()) out.add("service", strings(r.service));
  if (r.config.is_mapping()) out.add("config", r.config);
  if (r.config_disable) out.add("configDisable", true);
  return out;
}

}  // namespace

std::vector<document> render_higress_plugins(platform_context& c) {
  const spec& s = c.s;
  std::vector<document> out;
  for (const auto& t : s.targets) {
    if (t.ns != kNamespace && s.positions.contains(t.path + ".namespace")) {
      reject(s, "higress.namespace", t.path + ".namespace",
             fmt::format("Higress reads WasmPlugins only from {} (the controller namespace), not {}", kNamespace, t.ns));
    }
    if (!t.workloads.empty() || !t.selector.empty() || !t.refs.empty() || !t.match.empty()) {
      reject(s, "higress.selector", t.path,
             "a Higress WasmPlugin has no selector, workloads, targetRefs or match; scope it with rules (matchRules)");
    }
  }
  for (const auto& f : s.filters) {
    if (f.runtime != "v8") unsupported(s, kPrefix, f.path + ".runtime", "Higress runs v8");
    if (f.type == filter_type::network) unsupported(s, kPrefix, f.path + ".type", "Higress runs HTTP plugins");
    if (f.fail == fail_strategy::fail_reload) unsupported(s, kPrefix, f.path + ".failStrategy", "Higress has FAIL_CLOSE and FAIL_OPEN");
    if (f.config.is_string()) {
      reject(s, "higress.config-string", f.path + ".config", "defaultConfig must be a mapping");
    }
    if (!f.module.is_remote() && !f.module.in_proxy()) {
      reject(s, "higress.module-source", f.path + ".module", "Higress fetches oci://, http(s):// or file:// modules");
    }
    node sp = node::mapping();
    sp.add("url", f.module.url);
    const std::string digest = f.sha256.empty() ? f.module.digest : f.sha256;
    if (!digest.empty() && f.module.is_remote()) sp.add("sha256", digest);
    if (f.pull != pull_policy::unset) sp.add("imagePullPolicy", std::string(to_string(f.pull)));
    if (!f.pull_secret.empty()) sp.add("imagePullSecret", f.pull_secret);
    const std::string root = platform_root_id(c, f);
    if (!root.empty()) sp.add("pluginName", root);
    if (f.phase != plugin_phase::unset) sp.add("phase", std::string(to_string(f.phase)));
    if (f.priority) sp.add("priority", *f.priority);
    if (f.config.is_mapping()) sp.add("defaultConfig", f.config);
    node rules = node::sequence();
    for (const auto& t : s.targets) {
      if (!target_applies(t, f)) continue;
      for (size_t i = 0; i < t.rules.size(); ++i) {
        rules.push(match_rule(s, t.rules[i], fmt::format("{}.rules[{}]", t.path, i)));
      }
    }
    if (!rules.empty()) {
      sp.add("matchRules", std::move(rules));
      c.note(severity::warning, "higress.match-rules-in-plugin", f.path,
             "matchRules are applied by the plugin itself (Higress SDK) at request time; a plugin built without the "
             "Higress SDK ignores them and uses defaultConfig everywhere");
    }
    if (f.fail != fail_strategy::unset) sp.add("failStrategy", std::string(to_string(f.fail)));
    if (!f.env.empty()) {
      node env = node::sequence();
      for (const auto& e : f.env) {
        node item = make_mapping({{"name", e.name}});
        if (e.from == env_source::host) item.add("valueFrom", "HOST");
        else item.add("value", e.value);
        env.push(std::move(item));
      }
      sp.add("vmConfig", make_mapping({{"env", std::move(env)}}));
    }
    c.note(severity::note, "higress.plugin-config-overrides", f.path,
           "do not add pluginConfig to this resource: when it is set Higress ignores defaultConfig and matchRules");
    node body = make_mapping({{"apiVersion", kApi},
                              {"kind", "WasmPlugin"},
                              {"metadata", owned_metadata(f.name, kNamespace, f.name, "")},
                              {"spec", std::move(sp)}});
    out.push_back(make_document(document::role::resource, kApi, "WasmPlugin", kNamespace, f.name, std::move(body)));
  }
  return out;
}

}  // namespace wasmdeploy::detail
