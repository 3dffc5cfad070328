#include "spec_flags.hpp"

#include "commands.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include <wasmdeploy/digest.hpp>
#include <wasmdeploy/error.hpp>
#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/gateway_capabilities.hpp>
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/live.hpp>
#include <wasmdeploy/mesh_version.hpp>
#include <wasmdeploy/spec_merge.hpp>

namespace wasmdeploy::cli {
namespace {

// Which flag sets which spec field (the suffix after "filters[i]" / "targets[i]").
struct field_flag {
  const char* field;
  const char* flag;
  std::string spec_flags::*value;
  /// The value describes one module (its identity, hash, entry point or configuration): on a
  /// spec with several filters it cannot mean all of them, so it is refused there. The others
  /// are policies (delivery, phase, pull policy, ...) that may sensibly apply to every filter.
  bool one_module = false;
};
const field_flag kFilterFlags[] = {
    {".name", "--id", &spec_flags::id, true},
    {".module", "MODULE", &spec_flags::module, true},
    {".sha256", "--sha256", &spec_flags::sha256, true},
    {".moduleSha256", "--module-sha256", &spec_flags::module_sha256, true},
    {".rootId", "--root-id", &spec_flags::root_id, true},
    {".vmId", "--vm-id", &spec_flags::vm_id, true},
    {".config", "--config", &spec_flags::config, true},
    {".config", "--config-json", &spec_flags::config_json, true},
    {".runtimeConfig", "--runtime-config", &spec_flags::runtime_config, true},
    {".imageLayout", "--image-layout", &spec_flags::image_layout, true},
    {".phase", "--phase", &spec_flags::phase},
    {".failStrategy", "--fail-strategy", &spec_flags::fail},
    {".imagePullPolicy", "--pull-policy", &spec_flags::pull_policy},
    {".imagePullSecret", "--pull-secret", &spec_flags::pull_secret},
    {".delivery", "--delivery", &spec_flags::delivery},
    {".resource", "--resource", &spec_flags::resource},
    {".type", "--type", &spec_flags::type},
};
const field_flag kTargetFlags[] = {
    {".namespace", "--namespace", &spec_flags::ns},
    {".selector", "--labels", &spec_flags::labels},
    {".context", "--context", &spec_flags::context},
    {".revision", "--revision", &spec_flags::revision},
};

// A flag value the library refuses is the caller's mistake in typing the command: exit 2,
// naming the flag (the library's message already lists the choices).
template <typename F>
auto flag_value(const char* flag, F&& parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const error& e) {
    rethrow_as_usage(e, flag);
  }
}

[[noreturn]] void conflicting(const std::string& a, const std::string& b, const std::string& why) {
  throw error(errc::usage, "flags.conflict", a, fmt::format("{} and {} cannot be combined: {}", a, b, why));
}

std::string checked_sha256(const char* flag, const std::string& value) {
  if (value.empty()) return value;
  if (normalized_sha256(value).empty()) {
    throw error(errc::usage, "sha256.format", flag,
                fmt::format("'{}' is not a sha256: write 64 hex characters, optionally after sha256: (as skopeo "
                            "inspect --format '{{{{.Digest}}}}' prints it)", shorten(value)));
  }
  return value;  // the library normalises it and says so in a note
}

// "name:app=details,version=v1" or "Kind/name:labels".
workload parse_workload_flag(const std::string& text) {
  workload w;
  auto colon = text.find(':');
  std::string head = text.substr(0, colon);
  if (auto slash = head.find('/'); slash != std::string::npos) {
    w.kind = flag_value("--workload", [&] { return parse_workload_kind(head.substr(0, slash), "--workload"); });
    head = head.substr(slash + 1);
  }
  w.name = head;
  if (colon == std::string::npos) {
    throw error(errc::usage, "workload.syntax", "--workload",
                fmt::format("'{}' needs its pod labels: NAME:app=x,version=v1", shorten(text)));
  }
  w.labels = flag_value("--workload", [&] { return parse_labels(text.substr(colon + 1), "--workload"); });
  return w;
}

void check_conflicts(const spec_flags& o) {
  if (!o.workloads.empty() && !o.labels.empty()) {
    conflicting("--workload", "--labels",
                "--workload lists workloads with their own labels, --labels is a bare selector; give one");
  }
  if (o.all_workloads && (!o.labels.empty() || !o.workloads.empty())) {
    conflicting("--all-workloads", o.labels.empty() ? "--workload" : "--labels",
                "--all-workloads means no selector");
  }
  if (!o.config.empty() && !o.config_json.empty()) {
    conflicting("--config", "--config-json", "--config is a plain string, --config-json an object; give one");
  }
  if (o.force && o.output.rfind("dir=", 0) != 0) {
    throw error(errc::usage, "output.force-needs-dir", "--force",
                "--force replaces an existing output directory; it needs -o dir=PATH");
  }
}

void apply_filter_overrides(const spec_flags& o, filter& f) {
  if (!o.id.empty()) f.name = o.id;
  if (!o.module.empty()) f.module = flag_value("MODULE", [&] { return parse_module_source(o.module, "MODULE"); });
  if (!o.sha256.empty()) f.sha256 = checked_sha256("--sha256", o.sha256);
  if (!o.module_sha256.empty()) f.module_sha256 = checked_sha256("--module-sha256", o.module_sha256);
  if (!o.root_id.empty()) f.root_id = o.root_id;
  if (!o.vm_id.empty()) f.vm_id = o.vm_id;
  if (!o.config.empty()) f.config = node(o.config);
  if (!o.config_json.empty()) {
    f.config = flag_value("--config-json", [&] {
      try {
        return parse_config_value(o.config_json, "--config-json");
      } catch (const error& e) {
        // The position is inside the flag's value, not in a file.
        const auto& p = e.position();
        throw error(e.category(), e.code(), "--config-json",
                    p.known() ? fmt::format("{} (at line {}, column {} of the value)", e.message(), p.line, p.column)
                              : e.message());
      }
    });
    if (!f.config.is_mapping()) {
      throw error(errc::usage, "config.not-an-object", "--config-json",
                  fmt::format("'{}' is not a JSON/YAML object; pass a plain string with --config", shorten(o.config_json)));
    }
  }
  if (!o.runtime_config.empty()) f.runtime_config_path = o.runtime_config;
  if (!o.image_layout.empty()) f.image_layout = o.image_layout;
  if (!o.phase.empty()) f.phase = flag_value("--phase", [&] { return parse_plugin_phase(o.phase, "--phase"); });
  if (!o.fail.empty()) f.fail = flag_value("--fail-strategy", [&] { return parse_fail_strategy(o.fail, "--fail-strategy"); });
  if (!o.pull_policy.empty()) {
    f.pull = flag_value("--pull-policy", [&] { return parse_pull_policy(o.pull_policy, "--pull-policy"); });
  }
  if (!o.pull_secret.empty()) f.pull_secret = o.pull_secret;
  if (!o.delivery.empty()) f.how = flag_value("--delivery", [&] { return parse_delivery(o.delivery, "--delivery"); });
  if (!o.resource.empty()) f.resource = flag_value("--resource", [&] { return parse_resource_kind(o.resource, "--resource"); });
  if (!o.type.empty()) {
    f.type = flag_value("--type", [&] { return parse_filter_type(o.type, "--type"); });
    f.type_set = true;
  }
  if (o.priority) f.priority = *o.priority;
}

void apply_target_overrides(const spec_flags& o, target& t) {
  if (!o.ns.empty()) t.ns = o.ns;
  if (!o.labels.empty()) {
    if (!t.workloads.empty()) {
      throw error(errc::usage, "flags.conflict", "--labels",
                  fmt::format("--labels would replace the selector, but {} lists workloads (their labels select the "
                              "pods); edit the spec or use --workload", t.path));
    }
    t.selector = flag_value("--labels", [&] { return parse_labels(o.labels, "--labels"); });
  }
  if (!o.context.empty()) {
    t.context = flag_value("--context", [&] { return parse_traffic_context(o.context, "--context"); });
    t.context_set = true;
  }
  if (!o.revision.empty()) t.revision = o.revision;
  for (const auto& w : o.workloads) t.workloads.push_back(parse_workload_flag(w));
  if (o.all_workloads) {
    if (!t.selector.empty() || !t.workloads.empty() || !t.refs.empty()) {
      throw error(errc::usage, "flags.conflict", "--all-workloads",
                  fmt::format("--all-workloads means no selector, but {} has workloads, a selector or targetRefs",
                              t.path));
    }
    t.all_workloads = true;
  }
}

void record_origins(spec_flags& o, const spec& s, bool one_liner) {
  for (const auto& f : s.filters) {
    for (const auto& ff : kFilterFlags) {
      // Two flags set config: the one given, else (one-liner) the first.
      const std::string key = f.path + ff.field;
      if (!(o.*ff.value).empty() || (one_liner && !o.origins.count(key))) o.origins[key] = ff.flag;
    }
    if (one_liner || o.priority) o.origins[f.path + ".priority"] = "--priority";
  }
  for (const auto& t : s.targets) {
    for (const auto& tf : kTargetFlags) {
      if (one_liner || !(o.*tf.value).empty()) o.origins[t.path + tf.field] = tf.flag;
    }
    if (!o.workloads.empty()) o.origins[t.path + ".workloads"] = "--workload";
    if (o.all_workloads) o.origins[t.path + ".allWorkloads"] = "--all-workloads";
    if (one_liner) o.origins[t.path] = o.all_workloads ? "--all-workloads" : o.workloads.empty() ? "--labels" : "--workload";
  }
}

// The flag a field path came from: the longest recorded prefix ending at a path boundary.
const std::string* origin_of(const spec_flags& o, const std::string& path) {
  for (std::string p = path; !p.empty();) {
    if (auto it = o.origins.find(p); it != o.origins.end()) return &it->second;
    auto cut = p.find_last_of(".[");
    if (cut == std::string::npos) break;
    p.resize(cut);
  }
  return nullptr;
}

}  // namespace

void add_spec_flags(CLI::App* cmd, spec_flags& o) {
  cmd->add_option("module", o.module, "Module for a one-line render (oci://..., https://..., ./filter.wasm)");
  cmd->add_option("-f,--filename", o.files,
                  "Spec file (YAML or JSON, several documents allowed) or a directory of them; repeatable; - reads "
                  "stdin");
  cmd->add_option("--istio", o.istio, "Target Istio version: 1.8, 1.8.x or 1.8.1 (overrides the spec)");
  cmd->add_option("--target", o.target,
                  "Platform: istio (default), wasme, gloo, envoy, envoy-gateway or higress (overrides options.platform)");
  cmd->add_option("--gateway-version", o.gateway_version, "Envoy Gateway version v1.1 ... v1.9 (overrides the spec)");
  cmd->add_option("-o,--output", o.output, "yaml (default), json, or dir=PATH");
  cmd->add_flag("--force", o.force, "With -o dir=PATH: replace a directory that already has files");
  cmd->add_flag("-q,--quiet", o.quiet, "Do not print notes and warnings (errors still are)");
  cmd->add_flag("--strict", o.strict, "Exit 1 without writing anything when there is a warning (also with -q)");
  auto* g = "Filter fields (override the spec)";
  cmd->add_option("--id", o.id, "Filter name")->group(g);
  cmd->add_option("--sha256", o.sha256,
                  "Image manifest digest for oci://, module hash otherwise (sha256: prefix and uppercase accepted)")
      ->group(g);
  cmd->add_option("--module-sha256", o.module_sha256, "Hash of the .wasm of an oci:// module (wasme node cache)")->group(g);
  cmd->add_option("--root-id", o.root_id, "Plugin root id")->group(g);
  cmd->add_option("--vm-id", o.vm_id, "Envoy VM id (default: filter name)")->group(g);
  cmd->add_option("--config", o.config, "Plugin configuration as a plain string")->group(g);
  cmd->add_option("--config-json", o.config_json, "Plugin configuration as a JSON/YAML object")->group(g);
  cmd->add_option("--runtime-config", o.runtime_config, "wasme runtime-config.json (root id, ABI versions)")->group(g);
  cmd->add_option("--image-layout", o.image_layout,
                  "OCI image layout from `wasmdeploy build` that MODULE was pushed from (gives sha256 and the root id)")
      ->group(g);
  cmd->add_option("--phase", o.phase, "AUTHN, AUTHZ or STATS")->group(g);
  cmd->add_option("--priority", o.priority, "Ordering priority (EnvoyFilters get 10 when none is set)")->group(g);
  cmd->add_option("--fail-strategy", o.fail, "FAIL_CLOSE, FAIL_OPEN or FAIL_RELOAD")->group(g);
  cmd->add_option("--pull-policy", o.pull_policy, "IfNotPresent or Always")->group(g);
  cmd->add_option("--pull-secret", o.pull_secret, "dockerconfigjson Secret name")->group(g);
  cmd->add_option("--delivery", o.delivery, "auto, oci, http, configmap, hostpath or file")->group(g);
  cmd->add_option("--resource", o.resource, "auto, EnvoyFilter, WasmPlugin or TrafficExtension")->group(g);
  cmd->add_option("--type", o.type, "HTTP or NETWORK")->group(g);
  auto* tg = "Target fields (override the spec)";
  cmd->add_option("-n,--namespace", o.ns, "Namespace")->group(tg);
  cmd->add_option("-l,--labels", o.labels, "Pod label selector: app=details,version=v1")->group(tg);
  cmd->add_option("--workload", o.workloads, "Workload as [Kind/]NAME:label=value,...; repeatable")->group(tg);
  cmd->add_flag("--all-workloads", o.all_workloads,
                "No selector: every workload in the namespace (spec field allWorkloads; wasme deploy without --labels)")
      ->group(tg);
  cmd->add_option("--live", o.live,
                  "The listed workloads as they are now (`kubectl get deployment/NAME ... -o yaml > FILE`): patches "
                  "merge into, and undeploy --restore takes out of, their current volume annotations")
      ->group(tg);
  cmd->add_option("--context", o.context, "inbound, outbound, gateway or any")->group(tg);
  cmd->add_option("--revision", o.revision, "Istio revision (istio.io/rev label)")->group(tg);
  cmd->add_option("--naming", o.naming, "auto, per-workload or per-target")->group(tg);
  cmd->add_option("--allow-path", o.allow_paths,
                  "Let the spec name local files in this directory (besides its own); repeatable");
  cmd->add_flag("--allow-outside-spec-dir", o.allow_outside_spec_dir,
                "Let the spec name local files anywhere (by default only inside its own directory)");
  cmd->add_flag("--allow-incompatible-module", o.allow_incompatible,
                "Render even if a local module cannot load on the chosen Istio version");
}

spec build_spec(spec_flags& o) {
  o.files.erase(std::remove(o.files.begin(), o.files.end(), std::string()), o.files.end());
  check_conflicts(o);
  spec s;
  const bool one_liner = o.files.empty();
  if (!one_liner) {
    s = load_specs(o.files);
  } else {
    if (o.module.empty()) {
      throw error(errc::usage, "render.no-input", "",
                  "give a spec with -f FILE, or a MODULE (oci://..., https://..., ./x.wasm)");
    }
    filter f;
    f.path = "filters[0]";
    f.name = o.id;
    if (f.name.empty()) throw error(errc::usage, "render.no-id", "--id", "--id names the filter");
    s.filters.push_back(f);
    target t;
    t.path = "targets[0]";
    s.targets.push_back(t);
  }
  if (s.filters.size() > 1) {
    for (const auto& ff : kFilterFlags) {
      if (!ff.one_module || (o.*ff.value).empty()) continue;
      throw error(errc::usage, "render.ambiguous-override", ff.flag,
                  fmt::format("{} describes one filter's module, but the spec has {} filters; set it on the filter "
                              "in the spec (filters[i]{}), or render one filter with MODULE --id",
                              ff.flag, s.filters.size(), ff.field));
    }
  }
  for (auto& f : s.filters) apply_filter_overrides(o, f);
  for (auto& t : s.targets) apply_target_overrides(o, t);
  if (!o.naming.empty()) s.options.naming = flag_value("--naming", [&] { return parse_naming_scheme(o.naming, "--naming"); });
  if (o.allow_incompatible) s.options.allow_incompatible_module = true;
  if (!o.live.empty()) apply_live_workloads(s, read_file(o.live, active_limits().spec_bytes), o.live);
  record_origins(o, s, one_liner);
  return s;
}

mesh_version istio_flag(const std::string& text, const char* flag) {
  try {
    return mesh_version::parse(text);
  } catch (const error& e) {
    throw error(errc::usage, e.code(), flag,
                e.code() == "version.syntax"
                    ? fmt::format("{}; supported: {} to {}", e.message(), mesh_version::oldest_supported().str(true),
                                  mesh_version::newest_supported().str(true))
                    : e.message());
  }
}

render_options make_render_options(const spec& s, const spec_flags& o) {
  render_options ro;
  if (!o.istio.empty()) istio_flag(o.istio);
  ro.istio = o.istio;
  if (!o.target.empty()) ro.target = flag_value("--target", [&] { return parse_platform(o.target, "--target"); });
  if (!o.gateway_version.empty()) {
    flag_value("--gateway-version", [&] { return parse_gateway_version(o.gateway_version, "--gateway-version"); });
  }
  ro.gateway_version = o.gateway_version;
  ro.allow_incompatible_module = o.allow_incompatible || s.options.allow_incompatible_module;
  return ro;
}

input_access make_input_access(const spec& s, const spec_flags& o) {
  input_access access;
  // The resolve stage reads only files inside the spec's directory. The directories of the -f
  // files, the paths typed as flags and --allow-path are allowed too: the user named them.
  access.allow_outside_spec_dir = o.allow_outside_spec_dir;
  access.allowed_paths = o.allow_paths;
  for (const auto& f : o.files) {
    std::error_code ec;
    if (f == "-") continue;
    if (std::filesystem::is_directory(f, ec)) {
      access.allowed_paths.push_back(f);
    } else {
      const auto slash = f.find_last_of('/');
      access.allowed_paths.push_back(slash == std::string::npos ? "." : f.substr(0, slash == 0 ? 1 : slash));
    }
  }
  auto flag_path = [&](const std::string& p) {
    if (p.empty()) return;
    access.allowed_paths.push_back(!p.empty() && p[0] == '/' ? p : s.base_dir + "/" + p);
  };
  for (const auto& f : s.filters) {
    if (!o.module.empty() && f.module.is_local()) flag_path(f.module.url);
    if (!o.runtime_config.empty()) flag_path(f.runtime_config_path);
    if (!o.image_layout.empty()) flag_path(f.image_layout);
  }
  return access;
}

void with_flag_names(const spec_flags& o, const std::function<void()>& body) {
  try {
    body();
  } catch (const error& e) {
    const std::string* flag = origin_of(o, e.path());
    if (flag == nullptr) throw;
    throw error(e.category(), e.code(), *flag, e.message());
  }
}

std::vector<diagnostic> name_flags(const spec_flags& o, std::vector<diagnostic> diagnostics) {
  for (auto& d : diagnostics) {
    if (const std::string* flag = origin_of(o, d.path)) {
      d.path = *flag;
      d.position = {};
    }
  }
  return diagnostics;
}

}  // namespace wasmdeploy::cli
