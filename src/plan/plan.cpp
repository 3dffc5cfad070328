#include "plan/plan.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <wasmdeploy/capabilities.hpp>
#include <wasmdeploy/digest.hpp>
#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/inspect.hpp>
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/oci_image.hpp>
#include <wasmdeploy/reference.hpp>
#include <wasmdeploy/resolve.hpp>

#include "plan/key_index.hpp"
#include "plan/plan_inputs.hpp"
#include "plan/validate.hpp"

namespace wasmdeploy::detail {
namespace {

constexpr const char* kWasmeCacheDir = "/var/local/lib/wasme-cache";
constexpr const char* kWasmeCacheVolume = "cache-dir";  // wasme's name, so merges with wasme pods dedupe
constexpr const char* kConfigMapMountRoot = "/var/local/wasm";
constexpr const char* kIstioSystem = "istio-system";  // where the default gateways are installed

struct context {
  const spec& s;
  const mesh_version& v;
  plan& p;
  bool allow_incompatible = false;
  const resolved_inputs* in = nullptr;  // what the resolve stage read; plan reads nothing itself

  // Refuses something the version lacks, naming the release that has it.
  void require(capability c, const std::string& path, const std::string& what) const {
    if (supports(v, c)) return;
    reject(s, "version.unsupported-field", path,
           fmt::format("{} needs {}; the target is Istio {}", what, describe_support(c), v.str()), errc::version);
  }
  void note(severity level, const std::string& code, const std::string& path, const std::string& msg) const {
    p.diagnostics.push_back({level, code, path, msg, s.position_of(path)});
  }
};

std::string sanitize_label(std::string name) {
  for (char& c : name) {
    if (c == '.') c = '-';
  }
  return name;
}

}  // namespace

// wasme's runtime-config.json: {"type":..., "abiVersions":[...], "config":{"rootIds":[...]}}.
// Like wasme's jsonpb reader it accepts either field spelling and rejects unknown keys.
void parse_runtime_config(const spec& s, const filter& f, const std::string& text, filter_plan& fp) {
  const std::string path = f.path + ".runtimeConfig";
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    reject(s, "runtime-config.syntax", path, fmt::format("{}: {}", f.runtime_config_path, e.what()), errc::parse);
  }
  if (!j.is_object()) reject(s, "runtime-config.syntax", path, "runtime-config.json must be a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k == "type") continue;
    if (k == "abiVersions" || k == "abi_versions") {
      for (const auto& a : it.value()) {
        if (a.is_string()) fp.abi_versions.push_back(a.get<std::string>());
      }
    } else if (k == "config") {
      for (auto ct = it.value().begin(); ct != it.value().end(); ++ct) {
        if (ct.key() != "rootIds" && ct.key() != "root_ids") {
          reject(s, "runtime-config.unknown-field", path, fmt::format("unknown field config.{}", ct.key()));
        }
        if (fp.root_id.empty() && ct.value().is_array() && !ct.value().empty() && ct.value()[0].is_string()) {
          fp.root_id = ct.value()[0].get<std::string>();
        }
      }
    } else {
      reject(s, "runtime-config.unknown-field", path,
             fmt::format("unknown field '{}' in {} (wasme reads abiVersions, config.rootIds, type)", k, f.runtime_config_path));
    }
  }
}

namespace {

// The image's runtime-config.json (wasme's format) names the root ids the module registers;
// wasme deploy used the first one, so a render from the same image does too.
void root_id_from_image(const context& c, const filter& f, const std::string& text, filter_plan& fp) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("config") || !j["config"].is_object()) return;
  for (const char* key : {"rootIds", "root_ids"}) {
    const auto it = j["config"].find(key);
    if (it != j["config"].end() && it->is_array() && !it->empty() && (*it)[0].is_string()) {
      fp.root_id = (*it)[0].get<std::string>();
      c.note(severity::note, "filter.root-id-from-image", f.path + ".imageLayout",
             fmt::format("root id {} read from the image's runtime-config.json", fp.root_id));
      return;
    }
  }
}

resource_kind choose_kind(const context& c, const filter& f) {
  resource_kind k = f.resource != resource_kind::automatic ? f.resource : c.s.options.resource;
  const std::string path = f.path + ".resource";
  if (k == resource_kind::wasm_plugin) {
    c.require(capability::wasm_plugin, path, "WasmPlugin");
    return k;
  }
  if (k == resource_kind::traffic_extension) {
    // Only on request: `auto` keeps choosing WasmPlugin, which every Istio >= 1.12 still serves
    // and which is not deprecated, while TrafficExtension exists only from 1.30 and older
    // istioctl binaries and CRD bundles reject it.
    c.require(capability::traffic_extension, path, "TrafficExtension");
    return k;
  }
  if (k == resource_kind::envoy_filter) return k;
  // auto: WasmPlugin where it exists and can express the filter, else EnvoyFilter.
  if (!supports(c.v, capability::wasm_plugin)) return resource_kind::envoy_filter;
  std::string why;
  if (f.config.is_string()) why = "its config is a plain string (WasmPlugin.pluginConfig must be an object)";
  else if (f.runtime != "v8") why = fmt::format("it asks for runtime {} (WasmPlugin always uses v8)", f.runtime);
  else if (f.type == filter_type::network && !supports(c.v, capability::wasm_plugin_type)) {
    why = "it is a NETWORK filter (WasmPlugin.type needs Istio 1.20)";
  }
  if (!why.empty()) {
    c.note(severity::note, "resource.auto-envoy-filter", f.path,
           fmt::format("rendered as EnvoyFilter because {}", why));
    return resource_kind::envoy_filter;
  }
  return resource_kind::wasm_plugin;
}

// A URL naming a gzip or tar file rather than a bare .wasm (query and fragment ignored).
bool is_archive_url(std::string url) {
  url = url.substr(0, url.find_first_of("?#"));
  for (char& ch : url) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  for (const char* ext : {".gz", ".tgz", ".tar"}) {
    const size_t n = std::char_traits<char>::length(ext);
    if (url.size() > n && url.compare(url.size() - n, n, ext) == 0) return true;
  }
  return false;
}

void choose_delivery(const context& c, const filter& f, filter_plan& fp) {
  const std::string path = f.path + ".delivery";
  const auto& m = f.module;
  const bool wp = is_plugin_kind(fp.kind);
  delivery d = f.how;
  if (d == delivery::automatic) {
    if (m.kind == module_source::scheme::oci) {
      d = (wp || supports(c.v, capability::agent_oci_fetch)) ? delivery::oci : delivery::hostpath;
    } else if (m.is_remote()) {
      d = delivery::http;
    } else if (m.in_proxy()) {
      d = delivery::file;
    } else {
      d = delivery::configmap;
    }
  }
  switch (d) {
    case delivery::oci:
      if (m.kind != module_source::scheme::oci) {
        reject(c.s, "delivery.source-mismatch", path, "oci delivery needs an oci:// module");
      }
      if (!wp) {
        c.require(capability::agent_oci_fetch, path, "pulling oci:// modules (istio-agent)");
        c.require(capability::extension_config_patch, path, "an EnvoyFilter fetching its module (ECDS, EXTENSION_CONFIG)");
      }
      break;
    case delivery::http:
      if (m.kind != module_source::scheme::http && m.kind != module_source::scheme::https) {
        reject(c.s, "delivery.source-mismatch", path, "http delivery needs an http(s):// module");
      }
      if (!wp) {
        c.require(capability::agent_http_fetch, path, "downloading http(s) modules (istio-agent ECDS)");
        c.require(capability::extension_config_patch, path, "an EnvoyFilter fetching its module (ECDS, EXTENSION_CONFIG)");
      }
      if (is_archive_url(m.url)) {
        // Before 1.15 istio-agent hands the downloaded bytes to Envoy unchanged (istio.md 4.3).
        c.require(capability::agent_http_unwrap, f.path + ".module",
                  fmt::format("a compressed or tar module ({}), which istio-agent unpacks,", m.url));
      }
      break;
    case delivery::configmap:
      if (!m.is_local()) {
        reject(c.s, "delivery.source-mismatch", path, "configmap delivery needs a local .wasm file as module");
      }
      break;
    case delivery::hostpath:
      if (m.kind == module_source::scheme::oci) {
        if (fp.module_sha256.empty()) {
          reject(c.s, "delivery.hostpath-needs-module-sha256", f.path + ".moduleSha256",
                 fmt::format("Istio {} cannot pull oci:// modules (istio-agent can from 1.12); delivering it through "
                             "the wasme node cache needs moduleSha256, the hash of the .wasm layer, which names the "
                             "cached file", c.v.str()),
                 errc::version);
        }
      } else if (!m.is_local()) {
        reject(c.s, "delivery.source-mismatch", path, "hostpath delivery needs an oci:// module or a local .wasm file");
      }
      break;
    case delivery::file:
      if (!m.in_proxy()) {
        reject(c.s, "delivery.source-mismatch", path, "file delivery needs a file:///path module (a path inside the proxy)");
      }
      break;
    case delivery::automatic:
      break;
  }
  fp.how = d;
}

// Inspects a module wasmdeploy can read (a local file) and refuses one the chosen Istio
// cannot load, unless the user explicitly allows it; its ABI also names the wasme abiVersions
// labels for runtime-config.json.
void check_module(const context& c, const filter& f, filter_plan& fp) {
  const std::string path = f.path + ".module";
  module_report report;
  try {
    report = inspect_module(fp.module_bytes);
  } catch (const error& e) {
    reject(c.s, e.code(), path, fmt::format("{} is not a valid WebAssembly module: {}", f.module.text, e.message()),
           errc::parse);
  }
  compat_verdict verdict = verdict_for(report, c.v);
  for (const auto& d : verdict.problems) {
    if (d.level == severity::error && !c.allow_incompatible) continue;
    diagnostic copy = d;
    copy.path = path;
    copy.position = c.s.position_of(path);
    if (copy.level == severity::error) copy.level = severity::warning;  // allowed by the user
    c.p.diagnostics.push_back(std::move(copy));
  }
  if (!verdict.loads && !c.allow_incompatible) {
    std::string why;
    for (const auto& d : verdict.problems) {
      if (d.level != severity::error) continue;
      why += why.empty() ? "" : "; ";
      why += d.message;
    }
    reject(c.s, "wasm.incompatible", path,
           fmt::format("Istio {} cannot load {}: {}. Releases that can: {}. (Override with allowIncompatibleModule "
                       "/ --allow-incompatible-module.)",
                       c.v.str(), f.module.text, why, describe_releases(loadable_releases(report))),
           errc::version);
  }
  if (fp.abi_versions.empty()) fp.abi_versions = wasme_abi_versions(report);
  fp.any_root_id = accepts_any_root_id(report);
}

// A layout built by `wasmdeploy build` pins an oci:// module: its manifest digest is what
// istio-agent compares sha256 with, and the module inside can be checked like a local file.
const layout_report& read_image_layout(const context& c, const filter& f, const layout_report& layout, filter_plan& fp) {
  const std::string path = f.path + ".imageLayout";
  if (f.module.kind != module_source::scheme::oci) {
    reject(c.s, "layout.needs-oci-module", path,
           "imageLayout describes an image: module must be the oci:// reference it was pushed to");
  }
  const std::string digest = layout.manifest.digest.substr(layout.manifest.digest.find(':') + 1);
  if (!fp.sha256.empty() && fp.sha256 != digest) {
    reject(c.s, fp.sha256 == layout.module_sha256 ? "sha256.module-hash-for-oci" : "sha256.mismatch",
           f.path + ".sha256",
           fmt::format("sha256 {} {}; for oci:// modules Istio compares sha256 with the image manifest digest, "
                       "which for this layout is {}", fp.sha256,
                       fp.sha256 == layout.module_sha256 ? "is the hash of the .wasm inside the image"
                                                         : "does not match the layout",
                       digest));
  }
  fp.sha256 = digest;
  if (fp.module_sha256.empty()) fp.module_sha256 = layout.module_sha256;
  if (layout.module) {
    fp.module_bytes = *layout.module;
    check_module(c, f, fp);
    fp.module_bytes.clear();
  }
  return layout;
}

// Whoever pulls the image must understand its format: istio-agent (oci delivery) reads the
// compat and wasme variants; the wasme node cache (hostpath delivery) only the wasme variant.
void check_image_layout(const context& c, const filter& f, const filter_plan& fp, const layout_report& layout) {
  // The image came from imageLayout, or from the registry (--resolve) for the module field.
  const std::string path = f.path + (f.image_layout.empty() ? ".module" : ".imageLayout");
  const std::string& source = f.image_layout.empty() ? f.module.text : f.image_layout;
  if (fp.how == delivery::hostpath) {
    if (layout.kind != layout_kind::oci) {
      reject(c.s, "layout.wasme-cache-format", path,
             fmt::format("the wasme node cache pulls only wasme-format images (wasmdeploy build --variant oci); "
                         "{} is a {} layout", source, layout_kind_name(layout.kind)));
    }
    return;
  }
  for (const auto& d : check_layout_for(wasm_platform::istio, layout, c.v)) {
    if (d.level == severity::error) reject(c.s, d.code, path, fmt::format("{}: {}", source, d.message));
    c.note(d.level, d.code, path, d.message);
  }
}

/// Where a module too large for a ConfigMap can go instead, on this release: https:// only where
/// istio-agent downloads modules (ECDS), otherwise oci:// through the wasme node cache.
std::string larger_module_advice(const mesh_version& v) {
  if (supports(v, capability::agent_http_fetch) && supports(v, capability::extension_config_patch)) {
    return "Publish it as an oci:// image or serve it over https:// instead";
  }
  return fmt::format("Publish it as an oci:// image instead (on Istio {} through the wasme node cache, with "
                     "moduleSha256); https:// downloads need {}",
                     v.str(), describe_support(capability::agent_http_fetch));
}

void plan_filter(const context& c, const filter& f, filter_plan& fp) {
  fp.f = &f;
  fp.vm_id = f.vm_id.empty() ? f.name : f.vm_id;
  fp.root_id = f.root_id;
  fp.sha256 = f.sha256;
  fp.module_sha256 = f.module_sha256;
  const resolved_filter& in = c.in->filters[static_cast<size_t>(&f - c.s.filters.data())];
  if (in.runtime_config) parse_runtime_config(c.s, f, *in.runtime_config, fp);
  if (f.module.kind == module_source::scheme::oci && fp.sha256.empty()) fp.sha256 = f.module.digest;
  if (f.module.kind == module_source::scheme::oci && !fp.sha256.empty() && fp.sha256 == fp.module_sha256) {
    reject(c.s, "sha256.module-hash-for-oci", f.path + ".sha256",
           "sha256 equals moduleSha256, but they are different hashes: for oci:// modules sha256 is the image "
           "manifest digest (skopeo inspect --format '{{.Digest}}'), moduleSha256 the hash of the .wasm layer");
  }
  const layout_report* layout = in.layout ? &read_image_layout(c, f, *in.layout, fp) : nullptr;
  if (fp.root_id.empty() && layout && layout->runtime_config) root_id_from_image(c, f, *layout->runtime_config, fp);
  if (layout && layout->module) {
    try {
      fp.any_root_id = accepts_any_root_id(inspect_module(*layout->module));
    } catch (const error&) {
      // check_layout_for reports a module it cannot read; here it only means "not known".
    }
  }
  if (f.module.is_local()) {
    fp.module_bytes = in.module ? *in.module : std::string();
    std::string actual = sha256_hex(fp.module_bytes);
    if (!f.sha256.empty() && f.sha256 != actual) {
      reject(c.s, "sha256.mismatch", f.path + ".sha256",
             fmt::format("the module file hashes to {}, not {}", actual, f.sha256));
    }
    fp.sha256 = fp.module_sha256 = actual;
    check_module(c, f, fp);
  } else if (f.module.kind != module_source::scheme::oci && fp.module_sha256.empty()) {
    fp.module_sha256 = fp.sha256;
  }

  if (fp.root_id.empty() && !fp.any_root_id) {
    c.note(severity::warning, "filter.no-root-id", f.path + ".rootId",
           "no root id: Envoy starts the plugin with an empty root id, and a module that registers its root context "
           "under a name never runs; set rootId (--root-id), or give runtimeConfig / imageLayout (--runtime-config, "
           "--image-layout) to read it from the image as wasme did");
  }
  fp.kind = choose_kind(c, f);
  choose_delivery(c, f, fp);
  if (!is_plugin_kind(fp.kind) && !f.priority && f.phase != plugin_phase::authn &&
      supports(c.v, capability::envoy_filter_priority)) {
    c.note(severity::note, "envoyfilter.default-priority", f.path + ".priority",
           fmt::format("priority: {} is written: EnvoyFilters inserted relative to another filter apply in creation "
                       "order without one (istioctl analyze IST0151); set priority (--priority) to order it against "
                       "your other EnvoyFilters", kDefaultEnvoyFilterPriority));
  }
  if (layout) check_image_layout(c, f, fp, *layout);
  const bool wp = is_plugin_kind(fp.kind);

  switch (fp.how) {
    case delivery::oci:
    case delivery::http:
      fp.remote_url = f.module.url;
      // A layout or the registry (--resolve) pins the image: reference it by digest so a re-pushed
      // tag cannot change it.
      if (layout && f.module.digest.empty()) fp.remote_url += "@sha256:" + fp.sha256;
      if (!wp && fp.sha256.empty()) {
        reject(c.s, "sha256.required", f.path + ".sha256",
               f.module.kind == module_source::scheme::oci
                   ? "an EnvoyFilter fetching a remote module needs sha256 (Envoy's RemoteDataSource requires it); "
                     "for oci:// it is the image manifest digest, or write oci://...@sha256:<digest>"
                   : "an EnvoyFilter fetching a remote module needs sha256 (Envoy's RemoteDataSource requires it): "
                     "the hash of the .wasm file");
      }
      if (wp && fp.sha256.empty()) {
        c.note(severity::warning, "sha256.unpinned", f.path + ".sha256",
               "the module is not pinned by sha256: a re-pushed tag or changed file is loaded silently");
      }
      break;
    case delivery::configmap:
      if (fp.module_bytes.size() > WD_MAX_CONFIGMAP_BYTES) {
        reject(c.s, "configmap.too-large", f.path + ".module",
               fmt::format("the module is {} bytes; a ConfigMap holds at most 1 MiB ({} bytes). {}", fp.module_bytes.size(),
                           WD_MAX_CONFIGMAP_BYTES, larger_module_advice(c.v)));
      }
      fp.configmap_name = sanitize_label("wasm-" + f.name);
      fp.volume_name = fp.configmap_name;
      fp.mount_dir = fmt::format("{}/{}", kConfigMapMountRoot, f.name);
      fp.local_path = fp.mount_dir + "/plugin.wasm";
      if (fp.volume_name.size() > 63) {
        reject(c.s, "name.too-long", f.path + ".name",
               fmt::format("volume name '{}' is longer than 63 characters; shorten the filter name", fp.volume_name));
      }
      break;
    case delivery::hostpath:
      fp.volume_name = kWasmeCacheVolume;
      fp.mount_dir = kWasmeCacheDir;
      if (f.module.kind == module_source::scheme::oci) {
        fp.wasme_cache = true;
        fp.local_path = fmt::format("{}/{}", kWasmeCacheDir, fp.module_sha256);
        // One cache object set per filter: undeploying one filter deletes only its own, never
        // another filter's or a wasme install's (`wasme-cache`); files are named by sha256, so
        // the caches share the hostPath.
        fp.cache_name = sanitize_label("wasme-cache-" + f.name);
        fp.cache_image = f.module.url.substr(6);
        if (fp.cache_name.size() > 63) {
          reject(c.s, "name.too-long", f.path + ".name",
                 fmt::format("wasme cache name '{}' is longer than 63 characters; shorten the filter name", fp.cache_name));
        }
      } else {
        fp.local_path = fmt::format("{}/{}", kWasmeCacheDir, fp.module_sha256);
        c.note(severity::note, "hostpath.copy-module", f.path + ".module",
               fmt::format("copy the module to {} on every node that runs these workloads", fp.local_path));
      }
      c.note(severity::warning, "hostpath.pod-security", f.path + ".delivery",
             "hostPath volumes violate the Pod Security 'baseline' profile; namespaces enforcing it will reject the pods");
      break;
    case delivery::file:
      fp.local_path = f.module.url;
      c.note(severity::note, "file.preloaded", f.path + ".module",
             fmt::format("{} must already exist inside the proxy container; wasmdeploy renders only the reference",
                         fp.local_path));
      break;
    case delivery::automatic:
      break;
  }

  // Fields whose availability depends on the resource kind and version.
  if (wp) {
    if (!f.env.empty()) c.require(capability::wasm_plugin_vm_config, f.path + ".env", "WasmPlugin.vmConfig");
    if (f.fail == fail_strategy::fail_open) c.require(capability::wasm_plugin_fail_strategy, f.path + ".failStrategy", "WasmPlugin.failStrategy FAIL_OPEN");
    if (f.fail == fail_strategy::fail_reload) c.require(capability::wasm_plugin_fail_reload, f.path + ".failStrategy", "WasmPlugin.failStrategy FAIL_RELOAD");
    if (f.fail == fail_strategy::fail_close && !supports(c.v, capability::wasm_plugin_fail_strategy)) {
      c.note(severity::note, "field.default-omitted", f.path + ".failStrategy",
             "FAIL_CLOSE is the behaviour of this version; failStrategy is not written (the field arrived in 1.19)");
    }
    if (f.type == filter_type::network) c.require(capability::wasm_plugin_type, f.path + ".type", "WasmPlugin.type NETWORK");
    if (f.runtime != "v8") reject(c.s, "wasmplugin.runtime", f.path + ".runtime", "WasmPlugin always runs v8; use resource: EnvoyFilter for another runtime");
    if (f.config.is_string()) {
      reject(c.s, "wasmplugin.config-string", f.path + ".config",
             "WasmPlugin.pluginConfig must be an object; give config as a mapping or use resource: EnvoyFilter");
    }
    if (!f.pull_secret.empty() && !supports(c.v, capability::agent_pull_secret)) {
      c.note(severity::warning, "wasmplugin.pull-secret-ignored", f.path + ".imagePullSecret",
             fmt::format("Istio {} accepts imagePullSecret but istio-agent ignores it ({} implement it)", c.v.str(),
                         describe_support(capability::agent_pull_secret)));
    }
  } else {
    if (f.fail == fail_strategy::fail_reload) {
      reject(c.s, "envoyfilter.fail-reload", f.path + ".failStrategy", "FAIL_RELOAD exists only for WasmPlugin (Istio 1.27+)");
    }
    if (!f.pull_secret.empty()) {
      reject(c.s, "envoyfilter.pull-secret", f.path + ".imagePullSecret",
             "an EnvoyFilter cannot reference a pull secret (istiod resolves secrets only for WasmPlugin, Istio 1.12+)");
    }
    if (f.phase == plugin_phase::authz || f.phase == plugin_phase::stats) {
      reject(c.s, "envoyfilter.phase", f.path + ".phase",
             "an EnvoyFilter can place a filter first (AUTHN) or before the router (no phase); AUTHZ and STATS "
             "positions depend on filters that may be absent, so the patch could silently match nothing. Use WasmPlugin ("
             + describe_support(capability::wasm_plugin) + ")");
    }
    if (f.priority) c.require(capability::envoy_filter_priority, f.path + ".priority", "EnvoyFilter.priority");
    if (f.phase == plugin_phase::authn) {
      c.require(capability::patch_operation_insert_first, f.path + ".phase", "placing the filter first (INSERT_FIRST)");
    }
    if (f.fail == fail_strategy::fail_open && fp.how != delivery::oci && fp.how != delivery::http) {
      // fail_open in PluginConfig is honoured by the agent-converted configs from 1.9 (istio.md §4.1).
      c.require(capability::agent_http_fetch, f.path + ".failStrategy", "FAIL_OPEN for an EnvoyFilter");
    }
    if (f.type == filter_type::network && !supports(c.v, capability::patch_value_typed_config)) {
      reject(c.s, "envoyfilter.network-v2", f.path + ".type", "NETWORK filters are rendered for Istio 1.7 and later");
    }
    if (f.type == filter_type::network && (fp.how == delivery::oci || fp.how == delivery::http)) {
      // Before 1.20 istio-agent converts only HTTP Wasm in ECDS (istio.md 4.1): Envoy would get
      // a remote code source with no cluster to fetch it from.
      c.require(capability::agent_network_wasm, f.path + ".type",
                "fetching a NETWORK filter's module through istio-agent (ECDS)");
    }
  }
}

bool applies(const target& t, const filter& f) {
  if (t.filters.empty()) return true;
  for (const auto& n : t.filters) {
    if (n == f.name) return true;
  }
  return false;
}

// Cross-document checks keep no per-document strings: names and workload keys go into
// key_index tables (a hash and three indexes per entry), rebuilt from the spec on a hash match.
struct cross_checks {
  key_index names;      ///< "<Kind>/<ns>/<name>" of every filter resource
  key_index workloads;  ///< "<ns>/<Kind>/<name>" of every workload that gets a volume patch
  /// Only one target has patches: validate_spec already refused a workload listed twice in a
  /// target, so the workload index is not needed.
  bool one_patch_target = false;
};

// The resource name of a placement, rebuilt from its indexes (c = workload + 1, 0 for none).
std::string placement_name(const spec& s, const key_ref& r) {
  const target& t = s.targets[r.a];
  const std::string& fname = s.filters[r.b].name;
  if (r.c > 0) return t.workloads[r.c - 1].name + "-" + fname;
  return t.name.empty() ? fname : t.name + "-" + fname;
}

void append_resource_key(std::string& out, const plan& p, const spec& s, const key_ref& r) {
  out.assign(to_string(p.filters[r.b].kind));
  out += '/';
  out += s.targets[r.a].ns;
  out += '/';
}

// Labels only gateway pods carry: the istio label of the default ingress/egress gateway
// deployments (manifests/charts/gateway) and the label istiod puts on the pods of gateways it
// deploys for a Gateway API Gateway (any value). Other labels may select sidecars, so a
// gateway is only assumed when one of these is in the selection.
struct gateway_label {
  const char* key;
  const char* value;  ///< nullptr: any value
};
constexpr gateway_label kGatewayLabels[] = {
    {"istio", "ingressgateway"},
    {"istio", "egressgateway"},
    {"app", "istio-ingressgateway"},
    {"app", "istio-egressgateway"},
    {"gateway.networking.k8s.io/gateway-name", nullptr},
    {"istio.io/gateway-name", nullptr},
};

// Sidecar-only traffic: a gateway proxy has neither sidecar listener, so an EnvoyFilter with
// either context never patches it, and a WasmPlugin limited to SERVER never matches it (istiod
// treats gateway listeners as CLIENT: pilot/pkg/model/extensions.go workloadModeForListenerClass).
void check_gateway_context(const context& c, const target& t, const std::string& reason, bool plugin) {
  const bool sidecar_only = t.context == traffic_context::inbound || (!plugin && t.context == traffic_context::outbound);
  if (t.context_set && sidecar_only) {
    reject(c.s, "no-effect.sidecar-context-on-gateway", t.path + ".context",
           fmt::format("context {} patches {} traffic, which a gateway proxy does not have, and this target can only "
                       "select gateways ({}): the filter would never be installed; use context gateway (or leave it unset)",
                       to_string(t.context), t.context == traffic_context::inbound ? "sidecar inbound" : "sidecar outbound",
                       reason));
  }
  for (size_t i = 0; plugin && i < t.match.size(); ++i) {
    if (t.match[i].mode == match_mode::server) {
      reject(c.s, "no-effect.sidecar-context-on-gateway", fmt::format("{}.match[{}].mode", t.path, i),
             fmt::format("mode SERVER matches only sidecar inbound traffic; istiod treats a gateway's listeners as "
                         "CLIENT, and this target can only select gateways ({}): the plugin would never be installed; "
                         "use CLIENT or leave mode unset", reason));
    }
  }
}

// istiod attaches a policy with targetRefs to a sidecar or gateway only through a Gateway
// targetRef naming that gateway; a Service or ServiceEntry targetRef attaches to the waypoint
// serving it (ambient mode) and nothing else (pilot/pkg/model/policyattachment.go
// ShouldAttachPolicy, read at 1.25.3 and 1.29.1). Whether a waypoint exists is not in the spec.
void warn_waypoint_only_refs(const context& c, const target& t, bool& warned) {
  for (size_t i = 0; i < t.refs.size() && !warned; ++i) {
    const target_ref& r = t.refs[i];
    if (r.kind != "Service" && r.kind != "ServiceEntry") continue;
    warned = true;
    c.note(severity::warning, "no-effect.target-ref-waypoint-only", fmt::format("{}.targetRefs[{}]", t.path, i),
           fmt::format("a {} targetRef attaches the filter only to the waypoint proxy serving {} (ambient mode); "
                       "sidecars and gateways ignore every resource that has targetRefs, so without a waypoint it "
                       "is installed nowhere: use a selector or workloads for sidecars",
                       r.kind, r.name));
  }
}

// How waypoints (and Gateway API gateways) attach a WasmPlugin/TrafficExtension:
// pilot/pkg/model/policyattachment.go ShouldAttachPolicy, the same at 1.25.3, 1.29.1 and 1.31
// (eed52ebb66ad): a waypoint never uses a selector ("waypoints never use selector"; the shape of
// istio #51038, "silently ignores"), and a GatewayClass targetRef attaches only the class
// `istio-waypoint` and only from the root namespace (constants.WaypointGatewayClassName).
constexpr const char* kWaypointClass = "istio-waypoint";

// The labels istiod's waypoint template (manifests/charts/istio-control/istio-discovery/files/waypoint.yaml)
// puts on waypoint pods and no other proxy has.
std::string waypoint_marker(const std::map<std::string, std::string>& labels) {
  auto cls = labels.find("gateway.networking.k8s.io/gateway-class-name");
  if (cls != labels.end() && cls->second == kWaypointClass) return fmt::format("{}={}", cls->first, cls->second);
  auto managed = labels.find("gateway.istio.io/managed");
  // The value is istio.io-mesh-controller (constants.ManagedGatewayMeshControllerLabel).
  const std::string_view suffix = "-mesh-controller";
  if (managed != labels.end() && managed->second.size() > suffix.size() &&
      managed->second.compare(managed->second.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return fmt::format("{}={}", managed->first, managed->second);
  }
  return {};
}

void check_waypoint_attachment(const context& c, const target& t) {
  std::vector<std::pair<std::string, const std::map<std::string, std::string>*>> selections;
  if (!t.selector.empty()) selections.emplace_back(t.path + ".selector", &t.selector);
  for (size_t i = 0; i < t.workloads.size(); ++i) {
    selections.emplace_back(fmt::format("{}.workloads[{}].labels", t.path, i), &t.workloads[i].labels);
  }
  for (const auto& [path, labels] : selections) {
    const std::string marker = waypoint_marker(*labels);
    if (marker.empty()) continue;
    auto gw = labels->find("gateway.networking.k8s.io/gateway-name");
    const std::string name = gw != labels->end() ? gw->second : std::string("<waypoint>");
    reject(c.s, "no-effect.selector-on-waypoint", path,
           fmt::format("the label {} selects a waypoint, and istiod never attaches a WasmPlugin or TrafficExtension "
                       "to a waypoint by selector (policyattachment.go: \"waypoints never use selector\"; istio "
                       "#51038): it would be ignored silently; write targetRefs: [{{group: gateway.networking.k8s.io, "
                       "kind: Gateway, name: {}}}] instead",
                       marker, name));
  }
  for (size_t i = 0; i < t.refs.size(); ++i) {
    const target_ref& r = t.refs[i];
    if (r.kind != "GatewayClass") continue;
    const std::string path = fmt::format("{}.targetRefs[{}]", t.path, i);
    if (r.name != kWaypointClass) {
      reject(c.s, "no-effect.gateway-class-not-waypoint", path + ".name",
             fmt::format("istiod attaches a GatewayClass targetRef only for the class {} (all waypoints); the class "
                         "'{}' matches no proxy: target the Gateway by name instead",
                         kWaypointClass, shorten(r.name)));
    }
    if (t.ns != kIstioSystem) {
      c.note(severity::warning, "no-effect.gateway-class-outside-root", path,
             fmt::format("a GatewayClass {} targetRef attaches only from the mesh's root namespace (istio-system "
                         "unless meshConfig.rootNamespace says otherwise); from {} it matches nothing",
                         kWaypointClass, t.ns));
    }
  }
  // istio #60530: the waypoint's listeners name the extension, but before 1.31 istiod serves
  // ECDS to a waypoint only from its own and the root namespace, so a waypoint in another
  // namespace (istio.io/use-waypoint-namespace) waits for it and never becomes ready.
  if (supports(c.v, capability::waypoint_cross_namespace_extensions) || t.ns == kIstioSystem) return;
  for (size_t i = 0; i < t.refs.size(); ++i) {
    const target_ref& r = t.refs[i];
    if (r.kind != "Service" && r.kind != "ServiceEntry") continue;
    c.note(severity::warning, "waypoint.cross-namespace-extension", fmt::format("{}.targetRefs[{}]", t.path, i),
           fmt::format("if {} {} uses a waypoint in another namespace (istio.io/use-waypoint-namespace), Istio {} "
                       "names this extension in that waypoint's listeners but never serves it (ECDS is served only "
                       "from the waypoint's own and the root namespace), and the waypoint never becomes ready "
                       "(istio #60530; {}): keep the waypoint in {} or upgrade",
                       r.kind, r.name, c.v.str(), describe_support(capability::waypoint_cross_namespace_extensions),
                       t.ns));
    return;
  }
}

}  // namespace

std::string gateway_only_reason(const target& t, const std::map<std::string, std::string>* selector) {
  for (const auto& r : t.refs) {
    if (r.kind == "Gateway" || r.kind == "GatewayClass") return fmt::format("targetRef {} {}", r.kind, r.name);
  }
  if (!selector) return {};
  for (const auto& g : kGatewayLabels) {
    auto it = selector->find(g.key);
    if (it != selector->end() && (!g.value || it->second == g.value)) {
      return fmt::format("label {}={}", it->first, it->second);
    }
  }
  return {};
}

traffic_context placement_context(const target& t, const std::map<std::string, std::string>* selector) {
  if (t.context_set) return t.context;
  return gateway_only_reason(t, selector).empty() ? traffic_context::inbound : traffic_context::gateway;
}

namespace {

void append_workload_key(std::string& out, const target& t, const workload& w) {
  out.assign(t.ns);
  out += '/';
  out += to_string(w.kind);
  out += '/';
  out += w.name;
}

void plan_target(const context& c, size_t ti, cross_checks& checks) {
  const target& t = c.s.targets[ti];
  naming_scheme naming = c.s.options.naming;
  if (naming == naming_scheme::automatic) {
    naming = t.workloads.empty() ? naming_scheme::per_target : naming_scheme::per_workload;
  }
  if (naming == naming_scheme::per_workload && t.workloads.empty()) {
    reject(c.s, "naming.per-workload-needs-workloads", t.path + ".workloads",
           "per-workload naming needs the target's workloads listed");
  }
  if (naming == naming_scheme::per_target && t.selector.empty() && t.refs.empty() && !t.all_workloads) {
    reject(c.s, "naming.per-target-needs-selector", t.path + ".selector",
           "per-target naming makes one resource per target, so the target needs a selector (or targetRefs)");
  }
  target_plan& tp = c.p.targets[ti];
  tp.per_workload = naming == naming_scheme::per_workload;
  if (c.s.options.naming == naming_scheme::automatic && t.refs.empty()) {
    c.note(severity::note, "naming.automatic", t.path,
           tp.per_workload
               ? "resources are named <workload>-<filter> because workloads are listed; a selector alone would name "
                 "them <filter> instead, so switching leaves these behind: undeploy first (options.naming / --naming "
                 "fixes the scheme)"
               : "resources are named <filter> (or <target>-<filter>) because no workloads are listed; listing them "
                 "would name them <workload>-<filter>, so switching leaves these behind: undeploy first "
                 "(options.naming / --naming fixes the scheme)");
  }
  if (t.ns == kDefaultRootNamespace) {
    c.note(severity::note, "target.root-namespace", t.path + ".namespace",
           fmt::format("{} is Istio's default root namespace: a resource there applies to matching workloads in every "
                       "namespace (mesh-wide), not only {}", t.ns, t.ns));
  }
  bool any = false;
  bool warned_context = false;
  bool warned_refs = false;
  bool checked_waypoint = false;
  for (size_t fi = 0; fi < c.s.filters.size(); ++fi) {
    const filter& f = c.s.filters[fi];
    if (!applies(t, f)) continue;
    any = true;
    const filter_plan& fp = c.p.filters[fi];
    const bool wp = is_plugin_kind(fp.kind);
    // Targeting gates.
    if (!t.refs.empty()) {
      if (wp) {
        if (t.refs.size() > 1 || supports(c.v, capability::wasm_plugin_target_refs)) {
          c.require(capability::wasm_plugin_target_refs, t.path + ".targetRefs", "WasmPlugin.targetRefs");
        } else {
          c.require(capability::wasm_plugin_target_ref, t.path + ".targetRefs", "WasmPlugin.targetRef");
        }
      } else if (!supports(c.v, capability::envoy_filter_target_refs)) {
        reject(c.s, "version.unsupported-field", t.path + ".targetRefs",
               fmt::format("EnvoyFilter.targetRefs needs {}; before that istiod ignores it and the EnvoyFilter applies "
                           "to every workload in the namespace", describe_support(capability::envoy_filter_target_refs)),
               errc::version);
      }
      check_target_ref_kinds(c.s, c.v, t, !wp);
      warn_waypoint_only_refs(c, t, warned_refs);
    }
    if (wp && !checked_waypoint) {
      checked_waypoint = true;
      check_waypoint_attachment(c, t);
    }
    if (wp && !t.match.empty()) c.require(capability::wasm_plugin_match, t.path + ".match", "WasmPlugin.match");
    if (wp && t.context_set && (t.context == traffic_context::inbound || t.context == traffic_context::outbound)) {
      c.require(capability::wasm_plugin_match, t.path + ".context",
                fmt::format("limiting a WasmPlugin to {} traffic (WasmPlugin.match)", to_string(t.context)));
    }
    if (!wp && !t.match.empty()) {
      reject(c.s, "envoyfilter.match", t.path + ".match", "match (mode/ports) is a WasmPlugin field; use context for an EnvoyFilter");
    }
    // Which proxies the selection can reach decides the patch context (see placement_context).
    bool unknown = false;
    auto judge = [&](const std::map<std::string, std::string>* selector) {
      const std::string reason = gateway_only_reason(t, selector);
      if (!reason.empty()) {
        check_gateway_context(c, t, reason, wp);
      } else {
        unknown = true;
      }
    };
    if (tp.per_workload) {
      for (const auto& w : t.workloads) judge(&w.labels);
    } else {
      judge(&t.selector);
    }
    if (unknown && !t.context_set && !wp && t.ns == kIstioSystem && !warned_context) {
      warned_context = true;
      // Pods in istio-system are rarely injected sidecars; gateways usually live there.
      c.note(severity::warning, "no-effect.context-unknown", t.path + ".context",
             fmt::format("the EnvoyFilter patches sidecar inbound traffic (the default context), but pods in {} are "
                         "usually gateways, which have none, and nothing in the selection says which they are: set "
                         "context gateway for a gateway, or inbound for sidecars",
                         t.ns));
    }
    std::string key;
    std::string other;
    auto add = [&](long wi, const std::string& name) {
      // The field path is formatted only for an error: this runs once per rendered resource.
      auto where = [&] { return wi >= 0 ? fmt::format("{}.workloads[{}]", t.path, wi) : t.path; };
      if (!is_dns_subdomain(name)) check_dns_subdomain(c.s, name, where(), "resource name");
      const key_ref ref{static_cast<std::uint32_t>(ti), static_cast<std::uint32_t>(fi),
                        static_cast<std::uint32_t>(wi + 1)};
      append_resource_key(key, c.p, c.s, ref);
      key += name;
      key_ref found;
      const bool seen = checks.names.find_or_insert(key, ref, found, [&](const key_ref& r) -> const std::string& {
        append_resource_key(other, c.p, c.s, r);
        other += placement_name(c.s, r);
        return other;
      });
      if (seen) {
        reject(c.s, "render.name-collision", where(),
               fmt::format("two {} resources would be named {}/{}; give targets distinct names or use per-workload naming",
                           to_string(fp.kind), t.ns, name));
      }
    };
    tp.filters.push_back(fi);
    if (!fp.volume_name.empty()) tp.file_filters.push_back(fi);
    if (tp.per_workload) {
      std::string name;
      for (size_t wi = 0; wi < t.workloads.size(); ++wi) {
        name.assign(t.workloads[wi].name).append(1, '-').append(f.name);
        add(static_cast<long>(wi), name);
      }
    } else {
      add(-1, t.name.empty() ? f.name : t.name + "-" + f.name);
    }
    if (!fp.configmap_name.empty()) {
      bool seen = false;
      for (const auto& cm : c.p.configmaps) seen |= (cm.filter == fi && cm.ns == t.ns);
      if (!seen) c.p.configmaps.push_back({fi, t.ns});
    }
  }
  if (!any) reject(c.s, "target.no-filters", t.path + ".filters", "no filter applies to this target");
  // Workloads that mount a module file get a patch, one per workload covering all its filters.
  bool file_delivery = false;
  for (size_t fi = 0; fi < c.s.filters.size(); ++fi) {
    file_delivery |= applies(t, c.s.filters[fi]) && !c.p.filters[fi].volume_name.empty();
  }
  if (file_delivery && t.workloads.empty() && supports(c.v, capability::agent_oci_fetch)) {
    // From 1.12 a file delivery is the user's explicit choice (auto pulls images): warn.
    c.note(severity::warning, "volume.no-workloads", t.path,
           "the module is delivered as a file, but no workloads are listed: add the sidecar.istio.io/userVolume and "
           "userVolumeMount annotations to the pods yourself, or list the workloads to get patches");
  } else if (file_delivery && t.workloads.empty()) {
    // Before 1.12 a file is the only way in (wasme's flow): an EnvoyFilter naming a file no pod
    // mounts breaks every proxy it selects ("Invalid path"), so this is refused, not warned.
    reject(c.s, "delivery.unmounted", t.path,
           "the module is delivered as a file (a ConfigMap or the wasme node cache), but no workloads are listed, so "
           "no pod would mount it: list the workloads (--workload NAME:labels) to get their patches, deliver the "
           "module over oci:// or https:// (Istio 1.12+), or mount it yourself and use delivery: file");
  }
  for (size_t wi = 0; file_delivery && wi < t.workloads.size(); ++wi) {
    // Gateways ignore the volume annotations: their patch edits the pod spec (volume_patch.cpp).
    if (placement_context(t, &t.workloads[wi].labels) != traffic_context::gateway) continue;
    c.note(severity::note, "volume.gateway-pod-spec", fmt::format("{}.workloads[{}]", t.path, wi),
           fmt::format("{} is a gateway, whose injection ignores the userVolume annotations: its patch adds the "
                       "module's volume to the pod spec and to the istio-proxy container ({})",
                       t.workloads[wi].name,
                       supports(c.v, capability::gateway_injection_template)
                           ? "the gateway's proxy, or an injected gateway's `image: auto` override, which the "
                             "gateway injection template completes and whose volumeMounts it keeps"
                           : "the gateway's proxy, as the gateway charts install it; gateway injection arrived in "
                             "Istio 1.10"));
  }
  std::string key;
  std::string other;
  for (size_t wi = 0; file_delivery && !checks.one_patch_target && wi < t.workloads.size(); ++wi) {
    // One patch per workload: each patch sets the whole annotation, so a second patch for a
    // workload listed in another target would drop the first one's volumes.
    const workload& w = t.workloads[wi];
    append_workload_key(key, t, w);
    key_ref first;
    const bool seen = checks.workloads.find_or_insert(
        key, key_ref{static_cast<std::uint32_t>(ti), 0, static_cast<std::uint32_t>(wi)}, first,
        [&](const key_ref& r) -> const std::string& {
          append_workload_key(other, c.s.targets[r.a], c.s.targets[r.a].workloads[r.c]);
          return other;
        });
    if (!seen) continue;
    c.p.repeated_listings.insert(listing_key(ti, wi));
    auto [it, inserted] = c.p.merged_patches.try_emplace(listing_key(first.a, first.c));
    std::vector<size_t>& filters = it->second;
    if (inserted) filters = c.p.targets[first.a].file_filters;
    for (size_t fi : tp.file_filters) {
      if (std::find(filters.begin(), filters.end(), fi) == filters.end()) filters.push_back(fi);
    }
  }
}

}  // namespace

plan make_plan(const spec& s, const render_options& options, const resolved_inputs& inputs) {
  plan p;
  p.diagnostics = inputs.notes;
  const std::string version_text = options.istio.empty() ? s.istio : options.istio;
  if (version_text.empty()) {
    throw error(errc::usage, "version.missing", "istio",
                "no Istio version: set istio in the spec or pass --istio (e.g. 1.8.1)");
  }
  try {
    p.version = mesh_version::parse(version_text);
  } catch (const error& e) {
    throw error(e.category(), e.code(), e.path(), e.message(), options.istio.empty() ? s.position_of("istio") : source_position{});
  }
  validate_spec(s);
  context c{s, p.version, p, options.allow_incompatible_module || s.options.allow_incompatible_module, &inputs};
  if (p.version.newer_than_known()) {
    const std::string known = mesh_version::newest_supported().str(true);
    c.note(severity::warning, "version.newer-than-known", options.istio.empty() ? "istio" : "--istio",
           fmt::format("Istio {} is newer than the newest release wasmdeploy knows ({}): rendered with {}'s rules; "
                       "a newer wasmdeploy may know what changed (--strict refuses this)",
                       p.version.str(), known, known));
  }
  p.filters.resize(s.filters.size());
  for (size_t i = 0; i < s.filters.size(); ++i) plan_filter(c, s.filters[i], p.filters[i]);
  // ConfigMap and cache names derive from filter names with '.' replaced, so two filters can meet.
  for (size_t i = 0; i < p.filters.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const filter_plan &a = p.filters[i], &b = p.filters[j];
      const std::string& clash = !a.configmap_name.empty() && a.configmap_name == b.configmap_name ? a.configmap_name
                                 : !a.cache_name.empty() && a.cache_name == b.cache_name       ? a.cache_name
                                                                                                : std::string();
      if (!clash.empty()) {
        reject(s, "render.name-collision", s.filters[i].path + ".name",
               fmt::format("filters '{}' and '{}' would both use the objects named {}; rename one",
                           s.filters[j].name, s.filters[i].name, clash));
      }
    }
  }
  p.targets.resize(s.targets.size());
  cross_checks checks;
  size_t patch_targets = 0;
  for (const auto& t : s.targets) {
    bool file_delivery = false;
    for (size_t fi = 0; fi < s.filters.size(); ++fi) file_delivery |= applies(t, s.filters[fi]) && !p.filters[fi].volume_name.empty();
    patch_targets += file_delivery && !t.workloads.empty();
  }
  checks.one_patch_target = patch_targets <= 1;
  for (size_t i = 0; i < s.targets.size(); ++i) plan_target(c, i, checks);
  return p;
}

}  // namespace wasmdeploy::detail
