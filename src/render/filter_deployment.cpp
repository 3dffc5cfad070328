// wasme.io/v1 FilterDeployment, in the shape the wasme operator reads (solo-io/wasm
// operator/api/wasme/v1/filter_deployment.proto, JSON names as gogo jsonpb writes them):
//   spec.filter {id, image, config (Any), rootID, imagePullOptions, patchContext}
//   spec.deployment.istio {kind, labels, istioNamespace}
// The operator matches `labels` against the *workload object's* metadata labels (wasme #116),
// lists one `kind` per FilterDeployment, and makes one EnvoyFilter per matched workload.
#include <set>

#include <fmt/format.h>

#include "plan/validate.hpp"
#include "render/common.hpp"
#include "render/platforms.hpp"

namespace wasmdeploy::detail {
namespace {

constexpr const char* kPrefix = "wasme";

void check_filter(const platform_context& c, const filter& f) {
  const spec& s = c.s;
  if (f.module.kind != module_source::scheme::oci) {
    reject(s, "wasme.image-required", f.path + ".module",
           "the wasme operator pulls the module itself: give an oci:// image (wasme/WebAssembly Hub format)");
  }
  if (!f.env.empty()) unsupported(s, kPrefix, f.path + ".env", "a FilterDeployment has no VM environment");
  if (f.fail != fail_strategy::unset) unsupported(s, kPrefix, f.path + ".failStrategy", "a FilterDeployment has no fail strategy");
  if (f.phase != plugin_phase::unset) unsupported(s, kPrefix, f.path + ".phase", "the operator always inserts before the router");
  if (f.priority) unsupported(s, kPrefix, f.path + ".priority", "a FilterDeployment has no priority");
  if (f.pull != pull_policy::unset) unsupported(s, kPrefix, f.path + ".imagePullPolicy", "the wasme cache pulls each ref once");
  if (f.runtime != "v8") unsupported(s, kPrefix, f.path + ".runtime", "the operator always uses envoy.wasm.runtime.v8");
  if (f.type == filter_type::network) unsupported(s, kPrefix, f.path + ".type", "the operator renders HTTP filters only");
  if (!f.vm_id.empty() && f.vm_id != f.name) unsupported(s, kPrefix, f.path + ".vmId", "the operator sets vmId to the filter id");
  if (f.how != delivery::automatic && f.how != delivery::hostpath) {
    unsupported(s, kPrefix, f.path + ".delivery", "the operator always delivers through its node cache (hostpath)");
  }
  if (!f.sha256.empty() || !f.module.digest.empty()) {
    c.note(severity::warning, "wasme.sha256-not-pinned", f.path + ".sha256",
           "a FilterDeployment cannot pin a digest: the operator pulls the tag and names the cached file after the "
           "module it got");
  }
  if (f.config.is_mapping()) {
    c.note(severity::note, "wasme.config-as-json", f.path + ".config",
           "the mapping is passed as a StringValue holding its JSON, as WasmPlugin passes pluginConfig (a "
           "google.protobuf.Struct Any would reach the module as binary protobuf)");
  }
}

node workload_selector(const std::string& kind, const std::map<std::string, std::string>& labels,
                       const std::string& istio_ns) {
  node istio = make_mapping({{"kind", kind}});
  if (!labels.empty()) {
    node l = node::mapping();
    for (const auto& [k, v] : labels) l.add(k, v);
    istio.add("labels", std::move(l));
  }
  if (!istio_ns.empty()) istio.add("istioNamespace", istio_ns);
  return make_mapping({{"istio", std::move(istio)}});
}

document filter_deployment(const platform_context& c, const filter& f, const target& t, const std::string& name,
                           const std::map<std::string, std::string>& labels, node deployment) {
  node fs = node::mapping();
  fs.add("id", f.name);
  fs.add("image", f.module.url.substr(6));  // wasme takes a plain image reference
  if (node any = config_any(f, true); !any.is_null()) fs.add("config", std::move(any));
  const std::string root = platform_root_id(c, f);
  if (!root.empty()) fs.add("rootID", root);
  if (!f.pull_secret.empty()) fs.add("imagePullOptions", make_mapping({{"pullSecret", f.pull_secret}}));
  // The operator patches SIDECAR_INBOUND by default, which a gateway does not have.
  const traffic_context ctx = placement_context(t, &labels);
  if (t.context_set || ctx != traffic_context::inbound) fs.add("patchContext", std::string(to_string(ctx)));
  node body = make_mapping({{"apiVersion", "wasme.io/v1"},
                            {"kind", "FilterDeployment"},
                            {"metadata", owned_metadata(name, t.ns, f.name, t.revision)},
                            {"spec", make_mapping({{"deployment", std::move(deployment)}, {"filter", std::move(fs)}})}});
  return make_document(document::role::resource, "wasme.io/v1", "FilterDeployment", t.ns, name, std::move(body));
}

}  // namespace

std::vector<document> render_filter_deployments(platform_context& c) {
  const spec& s = c.s;
  for (const auto& f : s.filters) check_filter(c, f);
  std::vector<document> out;
  std::set<std::string> names;
  for (const auto& t : s.targets) {
    if (!t.refs.empty()) unsupported(s, kPrefix, t.path + ".targetRefs", "the wasme operator selects workloads by labels");
    if (!t.match.empty()) unsupported(s, kPrefix, t.path + ".match", "use context (patchContext) instead");
    if (!t.workloads.empty() && !t.selector.empty()) {
      reject(s, "wasme.selector-and-workloads", t.path + ".selector",
             "give either workloads (one FilterDeployment each) or a selector (one for the target)");
    }
    if (t.workloads.empty() && t.selector.empty()) {
      c.note(severity::warning, "wasme.all-workloads", t.path,
             fmt::format("no selector: the operator applies the filter to every Deployment in namespace {}", t.ns));
    }
    for (const auto& f : s.filters) {
      if (!target_applies(t, f)) continue;
      auto add = [&](std::string name, const std::string& where, const std::map<std::string, std::string>& labels,
                     node deployment) {
        check_dns_subdomain(s, name, where, "FilterDeployment name");
        if (!names.insert(t.ns + "/" + name).second) {
          reject(s, "render.name-collision", where, fmt::format("two FilterDeployments would be named {}/{}", t.ns, name));
        }
        out.push_back(filter_deployment(c, f, t, name, labels, std::move(deployment)));
      };
      if (t.workloads.empty()) {
        add(t.name.empty() ? f.name : t.name + "-" + f.name, t.path, t.selector,
            workload_selector("Deployment", t.selector, t.istio_namespace));
      } else {
        for (size_t wi = 0; wi < t.workloads.size(); ++wi) {
          const workload& w = t.workloads[wi];
          // The operator matches these against the workload object's own labels.
          add(w.name + "-" + f.name, fmt::format("{}.workloads[{}]", t.path, wi), w.labels,
              workload_selector(std::string(to_string(w.kind)), w.labels, t.istio_namespace));
        }
      }
    }
  }
  return out;
}

}  // namespace wasmdeploy::detail
