// Envoy Gateway EnvoyExtensionPolicy (gateway.envoyproxy.io/v1alpha1) with wasm[]: one policy
// per target, listing the target's filters in spec order (EG runs them in list order). Version
// gates come from the Envoy Gateway capability table (gateway_capabilities.hpp).
//   code.type Image: image.url is a plain reference; sha256 is the image *manifest* digest.
//   code.type HTTP:  http.url; sha256 is the hash of the .wasm itself.
//   config is arbitrary JSON that EG hands to the module as a JSON string, so a plain-string
//   config would arrive with quotes around it: refused rather than changed silently.
#include <set>

#include <fmt/format.h>

#include <wasmdeploy/gateway_capabilities.hpp>

#include "plan/validate.hpp"
#include "render/common.hpp"
#include "render/platforms.hpp"

namespace wasmdeploy::detail {
namespace {

constexpr const char* kPrefix = "envoy-gateway";
constexpr const char* kApi = "gateway.envoyproxy.io/v1alpha1";

struct eg_context {
  platform_context& c;
  release version;

  void require(gateway_capability cap, const std::string& path, const std::string& what) const {
    if (supports(version, cap)) return;
    reject(c.s, "version.unsupported-field", path,
           fmt::format("{} needs {}; the target is Envoy Gateway {}", what, describe_support(cap),
                       gateway_version_str(version)),
           errc::version);
  }
};

node wasm_entry(const eg_context& e, const filter& f) {
  const spec& s = e.c.s;
  if (f.phase != plugin_phase::unset) unsupported(s, kPrefix, f.path + ".phase", "order comes from the wasm[] list and EnvoyProxy.filterOrder");
  if (f.priority) unsupported(s, kPrefix, f.path + ".priority", "EnvoyExtensionPolicy has no priority");
  if (f.runtime != "v8") unsupported(s, kPrefix, f.path + ".runtime", "Envoy Gateway always runs v8");
  if (f.type == filter_type::network) unsupported(s, kPrefix, f.path + ".type", "Envoy Gateway runs HTTP Wasm filters");
  if (f.fail == fail_strategy::fail_reload) unsupported(s, kPrefix, f.path + ".failStrategy", "Envoy Gateway has failOpen only");
  if (!f.vm_id.empty() && f.vm_id != f.name) unsupported(s, kPrefix, f.path + ".vmId", "Envoy Gateway uses the name as the VM id");
  if (f.config.is_string()) {
    reject(s, "envoy-gateway.config-string", f.path + ".config",
           "Envoy Gateway passes config to the module as JSON text, so the string would arrive quoted; give a mapping");
  }
  node entry = node::mapping();
  entry.add("name", f.name);
  const std::string root = platform_root_id(e.c, f);
  if (!root.empty()) entry.add("rootID", root);
  node code = node::mapping();
  if (f.module.kind == module_source::scheme::oci) {
    code.add("type", "Image");
    node image = make_mapping({{"url", f.module.url.substr(6)}});
    const std::string digest = f.sha256.empty() ? f.module.digest : f.sha256;
    if (!digest.empty()) image.add("sha256", digest);
    if (!f.pull_secret.empty()) image.add("pullSecretRef", make_mapping({{"name", f.pull_secret}}));
    code.add("image", std::move(image));
  } else if (f.module.kind == module_source::scheme::http || f.module.kind == module_source::scheme::https) {
    code.add("type", "HTTP");
    node http = make_mapping({{"url", f.module.url}});
    if (!f.sha256.empty()) http.add("sha256", f.sha256);
    if (!f.pull_secret.empty()) unsupported(s, kPrefix, f.path + ".imagePullSecret", "pull secrets apply to Image sources only");
    code.add("http", std::move(http));
  } else {
    reject(s, "envoy-gateway.module-source", f.path + ".module",
           "Envoy Gateway fetches modules itself: give an oci:// image or an http(s):// URL");
  }
  if (f.pull != pull_policy::unset) code.add("pullPolicy", std::string(to_string(f.pull)));
  entry.add("code", std::move(code));
  if (f.config.is_mapping()) entry.add("config", f.config);
  if (f.fail == fail_strategy::fail_open) entry.add("failOpen", true);
  if (!f.env.empty()) {
    node keys = node::sequence();
    for (size_t i = 0; i < f.env.size(); ++i) {
      const auto& v = f.env[i];
      if (v.from != env_source::host) {
        reject(s, "envoy-gateway.env-inline", fmt::format("{}.env[{}]", f.path, i),
               "Envoy Gateway passes host environment variables only (env.hostKeys); set valueFrom: HOST");
      }
      keys.push(v.name);
    }
    e.require(gateway_capability::eep_wasm_env_host_keys, f.path + ".env", "env.hostKeys");
    entry.add("env", make_mapping({{"hostKeys", std::move(keys)}}));
  }
  return entry;
}

node target_refs(const eg_context& e, const target& t) {
  const spec& s = e.c.s;
  static const std::set<std::string> kKinds = {"Gateway", "HTTPRoute", "GRPCRoute", "TCPRoute", "UDPRoute", "TLSRoute", "ListenerSet"};
  node refs = node::sequence();
  for (size_t i = 0; i < t.refs.size(); ++i) {
    const auto& r = t.refs[i];
    const std::string p = fmt::format("{}.targetRefs[{}]", t.path, i);
    if (!kKinds.count(r.kind)) {
      reject(s, "envoy-gateway.target-kind", p + ".kind",
             fmt::format("'{}' cannot carry an EnvoyExtensionPolicy; use Gateway, HTTPRoute, GRPCRoute, TCPRoute, "
                         "UDPRoute, TLSRoute or ListenerSet", r.kind));
    }
    if (r.kind == "ListenerSet") e.require(gateway_capability::eep_listener_set_target, p + ".kind", "a ListenerSet target");
    refs.push(make_mapping({{"group", r.group.empty() ? "gateway.networking.k8s.io" : r.group},
                            {"kind", r.kind},
                            {"name", r.name}}));
  }
  return refs;
}

}  // namespace

std::vector<document> render_envoy_extension_policies(platform_context& c) {
  const spec& s = c.s;
  std::string text = c.options.gateway_version.empty() ? s.options.gateway_version : c.options.gateway_version;
  if (text.empty()) {
    throw error(errc::usage, "gateway-version.missing", "options.gatewayVersion",
                "no Envoy Gateway version: set options.gatewayVersion or pass --gateway-version (e.g. v1.3)");
  }
  const std::string vpath = c.options.gateway_version.empty() ? "options.gatewayVersion" : "--gateway-version";
  eg_context e{c, {}};
  try {
    e.version = parse_gateway_version(text, vpath);
  } catch (const error& err) {
    throw error(err.category(), err.code(), err.path(), err.message(), s.position_of(vpath));
  }
  c.version_text = gateway_version_str(e.version);
  std::vector<document> out;
  std::set<std::string> names;
  for (const auto& t : s.targets) {
    if (t.refs.empty()) {
      reject(s, "envoy-gateway.no-target-refs", t.path + ".targetRefs",
             "an EnvoyExtensionPolicy attaches through targetRefs (Gateway, HTTPRoute, ...); pod selectors do not apply");
    }
    if (!t.match.empty()) unsupported(s, kPrefix, t.path + ".match", "route-level attachment replaces match");
    if (t.context_set) unsupported(s, kPrefix, t.path + ".context", "the policy applies to the targeted Gateway or route");
    node wasm = node::sequence();
    std::string only;
    size_t count = 0;
    for (const auto& f : s.filters) {
      if (!target_applies(t, f)) continue;
      wasm.push(wasm_entry(e, f));
      only = f.name;
      ++count;
    }
    if (count > 16) reject(s, "envoy-gateway.too-many-filters", t.path + ".filters", "an EnvoyExtensionPolicy holds at most 16 wasm entries");
    if (t.name.empty() && count > 1) {
      reject(s, "envoy-gateway.target-name-required", t.path + ".name",
             "the target applies several filters in one policy: name the target to name the policy");
    }
    const std::string name = t.name.empty() ? only : t.name;
    if (!names.insert(t.ns + "/" + name).second) {
      reject(s, "render.name-collision", t.path, fmt::format("two EnvoyExtensionPolicies would be named {}/{}", t.ns, name));
    }
    node sp = make_mapping({{"targetRefs", target_refs(e, t)}, {"wasm", std::move(wasm)}});
    node body = make_mapping({{"apiVersion", kApi},
                              {"kind", "EnvoyExtensionPolicy"},
                              {"metadata", owned_metadata(name, t.ns, count == 1 ? only : name, "")},
                              {"spec", std::move(sp)}});
    out.push_back(make_document(document::role::resource, kApi, "EnvoyExtensionPolicy", t.ns, name, std::move(body)));
  }
  return out;
}

}  // namespace wasmdeploy::detail
