// Gloo Edge: gateway.solo.io/v1 Gateway spec.httpGateway.options.wasm.filters[], the way
// `wasme deploy gloo` edits it: an entry {image | filePath, config (Any), name, rootId} replaces
// the entry with the same name or is appended, then the list is sorted by name. Given the
// existing Gateway (options.glooGateway) the output is a JSON merge patch setting that Gateway's
// list, edited, and undeploy's restore sets the list as it was (wasme removed our entries by
// name, losing an older entry of the same name); without it, a patch of gloo-system/gateway-proxy
// with only our entries (a warning says that applying it replaces the list).
#include <algorithm>

#include <fmt/format.h>

#include <wasmdeploy/spec.hpp>

#include "plan/validate.hpp"
#include "render/common.hpp"
#include "render/platforms.hpp"

namespace wasmdeploy::detail {
namespace {

constexpr const char* kPrefix = "gloo";
constexpr const char* kApi = "gateway.solo.io/v1";

node entry(const platform_context& c, const filter& f) {
  const spec& s = c.s;
  node e = node::mapping();
  if (f.module.kind == module_source::scheme::oci) {
    e.add("image", f.module.url.substr(6));
  } else if (f.module.in_proxy()) {
    e.add("filePath", f.module.url);
  } else {
    reject(s, "gloo.module-source", f.path + ".module",
           "Gloo takes an oci:// image (pulled by the Gloo control plane) or a file:// path inside the proxy");
  }
  if (node any = config_any(f, false); !any.is_null()) e.add("config", std::move(any));
  e.add("name", f.name);
  const std::string root = platform_root_id(c, f);
  if (root.empty()) {
    reject(s, "gloo.root-id-required", f.path + ".rootId",
           "Gloo needs rootId (\"the filter will crash if it is empty or wrong\"); set rootId or runtimeConfig");
  }
  e.add("rootId", root);
  if (f.fail == fail_strategy::fail_open) e.add("failOpen", true);
  return e;
}

void check_filter(const platform_context& c, const filter& f) {
  const spec& s = c.s;
  if (!f.env.empty()) unsupported(s, kPrefix, f.path + ".env", "Gloo's WasmFilter has no VM environment");
  if (f.fail == fail_strategy::fail_reload) unsupported(s, kPrefix, f.path + ".failStrategy", "Gloo has failOpen only");
  if (f.phase != plugin_phase::unset) unsupported(s, kPrefix, f.path + ".phase", "Gloo orders filters by filterStage, which wasmdeploy does not set");
  if (f.priority) unsupported(s, kPrefix, f.path + ".priority", "Gloo has no priority");
  if (f.runtime != "v8") unsupported(s, kPrefix, f.path + ".runtime", "wasmdeploy renders Gloo's default VM type (V8)");
  if (f.type == filter_type::network) unsupported(s, kPrefix, f.path + ".type", "Gloo runs HTTP filters only");
  if (!f.pull_secret.empty()) unsupported(s, kPrefix, f.path + ".imagePullSecret", "Gloo has no pull-secret field");
  if (!f.sha256.empty() || !f.module.digest.empty()) {
    c.note(severity::warning, "gloo.sha256-not-pinned", f.path + ".sha256",
           "Gloo's WasmFilter has no sha256 field; the digest is not enforced (put @sha256: in the image to pin it)");
  }
}

node* find_path(node& n, std::initializer_list<const char*> keys) {
  node* cur = &n;
  for (const char* k : keys) {
    cur = cur->find(k);
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

}  // namespace

std::vector<document> render_gloo_gateway(platform_context& c, bool remove) {
  const spec& s = c.s;
  for (const auto& f : s.filters) check_filter(c, f);
  for (const auto& t : s.targets) {
    if (!t.workloads.empty() || !t.selector.empty() || !t.refs.empty()) {
      c.note(severity::warning, "gloo.targets-ignored", t.path,
             "Gloo filters apply to the whole Gateway; the target's workloads, selector and targetRefs are not used");
    }
  }
  std::string name = "gateway-proxy";
  std::string ns = "gloo-system";
  node sp = node::mapping();
  const std::string input_path = "options.glooGateway";
  if (!s.options.gloo_gateway_file.empty()) {
    node gw = parse_config_value(c.in.gloo_gateway.value_or(std::string()), input_path);
    const node* api = gw.find("apiVersion");
    const node* kind = gw.find("kind");
    if (api == nullptr || kind == nullptr || !api->is_string() || api->as_string() != kApi ||
        !kind->is_string() || kind->as_string() != "Gateway") {
      reject(s, "gloo.not-a-gateway", input_path, fmt::format("{} is not a {} Gateway", s.options.gloo_gateway_file, kApi));
    }
    const node* n = find_path(gw, {"metadata", "name"});
    const node* nsn = find_path(gw, {"metadata", "namespace"});
    if (n == nullptr || !n->is_string()) reject(s, "gloo.not-a-gateway", input_path, "the Gateway has no metadata.name");
    name = n->as_string();
    ns = nsn != nullptr && nsn->is_string() ? nsn->as_string() : "gloo-system";
    if (node* existing = gw.find("spec"); existing != nullptr && existing->is_mapping()) sp = *existing;
    if (sp.find("httpGateway") == nullptr) {
      reject(s, "gloo.no-http-gateway", input_path,
             fmt::format("Gateway {}/{} has no spec.httpGateway; Wasm filters attach to HTTP gateways only", ns, name));
    }
  } else {
    c.note(severity::warning, "gloo.no-gateway-input", input_path,
           "no existing Gateway given (options.glooGateway): the output lists only these filters, and applying it "
           "replaces any other Wasm filters on gloo-system/gateway-proxy");
    sp.add("httpGateway", node::mapping());
  }
  // The output is a JSON merge patch (`kubectl patch --type=merge`) that touches only
  // httpGateway.options.wasm.filters: a merge patch replaces a list whole, so the list is the
  // input's, edited. The restore puts the input's list back, or removes the level it lacked.
  node* http = sp.find("httpGateway");
  if (http != nullptr && !http->is_mapping() && !http->is_null()) {
    reject(s, "gloo.not-a-gateway", input_path, "spec.httpGateway is not a mapping");
  }
  const node* opts = http != nullptr ? http->find("options") : nullptr;
  const node* wasm = opts != nullptr ? opts->find("wasm") : nullptr;
  const node* existing = wasm != nullptr ? wasm->find("filters") : nullptr;
  if (existing != nullptr && !existing->is_sequence() && !existing->is_null()) {
    reject(s, "gloo.not-a-gateway", input_path, "spec.httpGateway.options.wasm.filters is not a list");
  }
  node patch_http;
  if (remove) {
    if (s.options.gloo_gateway_file.empty()) {
      patch_http = make_mapping({{"options", make_mapping({{"wasm", make_mapping({{"filters", node()}})}})}});
    } else if (opts == nullptr) {
      patch_http = make_mapping({{"options", node()}});
    } else if (wasm == nullptr) {
      patch_http = make_mapping({{"options", make_mapping({{"wasm", node()}})}});
    } else {
      patch_http = make_mapping({{"options", make_mapping({{"wasm", make_mapping({{"filters",
                                 existing != nullptr ? *existing : node()}})}})}});
    }
  } else {
    node filters = existing != nullptr && existing->is_sequence() ? *existing : node::sequence();
    auto& items = filters.items();
    for (const auto& f : s.filters) {
      auto same = [&](const node& e) {
        const node* n = e.find("name");
        return n != nullptr && n->is_string() && n->as_string() == f.name;
      };
      items.erase(std::remove_if(items.begin(), items.end(), same), items.end());
      items.push_back(entry(c, f));
    }
    std::stable_sort(items.begin(), items.end(), [](const node& a, const node& b) {
      const node* x = a.find("name");
      const node* y = b.find("name");
      return (x && x->is_string() ? x->as_string() : "") < (y && y->is_string() ? y->as_string() : "");
    });
    patch_http = make_mapping({{"options", make_mapping({{"wasm", make_mapping({{"filters", std::move(filters)}})}})}});
  }
  node body = make_mapping({{"apiVersion", kApi},
                            {"kind", "Gateway"},
                            {"metadata", make_mapping({{"name", name}, {"namespace", ns}})},
                            {"spec", make_mapping({{"httpGateway", std::move(patch_http)}})}});
  return {make_document(document::role::patch, kApi, "Gateway", ns, name, std::move(body))};
}

}  // namespace wasmdeploy::detail
