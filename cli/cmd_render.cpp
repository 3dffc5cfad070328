// `wasmdeploy render`: a spec file (or flags, for one-liners) -> manifests on stdout or in a
// directory. Everything is validated before the first byte is written.
#include <cstdio>

#include <fmt/format.h>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/render.hpp>
#include <wasmdeploy/run.hpp>
#include <wasmdeploy/spec.hpp>

#include "commands.hpp"

namespace wasmdeploy::cli {
namespace {

struct render_flags {
  std::string file;
  std::string istio;
  std::string output = "yaml";
  bool force = false;
  bool quiet = false;
  // Overrides / one-liner fields.
  std::string module, id, sha256, module_sha256, root_id, vm_id, config, config_json, runtime_config, image_layout;
  std::string ns, labels, context, phase, fail, pull_policy, pull_secret, delivery, resource, naming, revision, type;
  std::optional<int> priority;
  std::vector<std::string> workloads;
  bool allow_incompatible = false;
  std::string target, gateway_version;
  bool files = false;
  bool run_check = false;
};

// "name:app=details,version=v1" or "Kind/name:labels".
workload parse_workload_flag(const std::string& text) {
  workload w;
  auto colon = text.find(':');
  std::string head = text.substr(0, colon);
  if (auto slash = head.find('/'); slash != std::string::npos) {
    w.kind = parse_workload_kind(head.substr(0, slash), "--workload");
    head = head.substr(slash + 1);
  }
  w.name = head;
  if (colon == std::string::npos) {
    throw error(errc::usage, "workload.syntax", "--workload",
                fmt::format("'{}' needs its pod labels: NAME:app=x,version=v1", text));
  }
  w.labels = parse_labels(text.substr(colon + 1), "--workload");
  return w;
}

void apply_filter_overrides(const render_flags& o, filter& f) {
  if (!o.id.empty()) f.name = o.id;
  if (!o.module.empty()) f.module = parse_module_source(o.module, "--module");
  if (!o.sha256.empty()) f.sha256 = o.sha256;
  if (!o.module_sha256.empty()) f.module_sha256 = o.module_sha256;
  if (!o.root_id.empty()) f.root_id = o.root_id;
  if (!o.vm_id.empty()) f.vm_id = o.vm_id;
  if (!o.config.empty()) f.config = node(o.config);
  if (!o.config_json.empty()) f.config = parse_config_value(o.config_json, "--config-json");
  if (!o.runtime_config.empty()) f.runtime_config_path = o.runtime_config;
  if (!o.image_layout.empty()) f.image_layout = o.image_layout;
  if (!o.phase.empty()) f.phase = parse_plugin_phase(o.phase, "--phase");
  if (!o.fail.empty()) f.fail = parse_fail_strategy(o.fail, "--fail-strategy");
  if (!o.pull_policy.empty()) f.pull = parse_pull_policy(o.pull_policy, "--pull-policy");
  if (!o.pull_secret.empty()) f.pull_secret = o.pull_secret;
  if (!o.delivery.empty()) f.how = parse_delivery(o.delivery, "--delivery");
  if (!o.resource.empty()) f.resource = parse_resource_kind(o.resource, "--resource");
  if (!o.type.empty()) {
    f.type = parse_filter_type(o.type, "--type");
    f.type_set = true;
  }
  if (o.priority) f.priority = *o.priority;
}

void apply_target_overrides(const render_flags& o, target& t) {
  if (!o.ns.empty()) t.ns = o.ns;
  if (!o.labels.empty()) t.selector = parse_labels(o.labels, "--labels");
  if (!o.context.empty()) {
    t.context = parse_traffic_context(o.context, "--context");
    t.context_set = true;
  }
  if (!o.revision.empty()) t.revision = o.revision;
  for (const auto& w : o.workloads) t.workloads.push_back(parse_workload_flag(w));
}

spec build_spec(const render_flags& o) {
  spec s;
  if (!o.file.empty()) {
    s = load_spec(o.file);
  } else {
    if (o.module.empty()) {
      throw error(errc::usage, "render.no-input", "", "give a spec with -f FILE, or a MODULE (oci://..., https://..., ./x.wasm)");
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
  if ((!o.id.empty() || !o.module.empty()) && s.filters.size() > 1) {
    throw error(errc::usage, "render.ambiguous-override", "--id",
                "--id and MODULE override a single filter, but the spec has several");
  }
  for (auto& f : s.filters) apply_filter_overrides(o, f);
  for (auto& t : s.targets) apply_target_overrides(o, t);
  if (!o.naming.empty()) s.options.naming = parse_naming_scheme(o.naming, "--naming");
  if (o.allow_incompatible) s.options.allow_incompatible_module = true;
  return s;
}

void run(const render_flags& o) {
  spec s = build_spec(o);
  render_options ro = make_render_options(s, o.istio, o.target, o.gateway_version, o.allow_incompatible);
  if (o.run_check) print_diagnostics(wasmdeploy::run_check(s, ro), o.quiet);  // refuses before any output
  if (o.files) {
    render_result r = render(s, ro);
    print_files(r.documents);
    print_diagnostics(r.summary, o.quiet);
    return;
  }
  write_output(o.output, o.force, o.quiet, [&](document_sink& sink) { return render(s, ro, sink); });
}

}  // namespace

void add_render_command(CLI::App& app) {
  auto o = std::make_shared<render_flags>();
  CLI::App* cmd = app.add_subcommand(
      "render",
      "Render the manifests that deploy Wasm filters to Istio.\n"
      "  wasmdeploy render -f spec.yaml --istio 1.24\n"
      "  wasmdeploy render oci://registry/filter:v1 --id myfilter -n bookinfo -l app=details --istio 1.24");
  cmd->add_option("module", o->module, "Module for a one-line render (oci://..., https://..., ./filter.wasm)");
  cmd->add_option("-f,--filename", o->file, "Spec file (YAML or JSON); - reads stdin");
  cmd->add_option("--istio", o->istio, "Target Istio version: 1.8, 1.8.x or 1.8.1 (overrides the spec)");
  cmd->add_option("--target", o->target,
                  "Platform: istio (default), wasme, gloo, envoy, envoy-gateway or higress (overrides options.platform)");
  cmd->add_option("--gateway-version", o->gateway_version, "Envoy Gateway version v1.1 ... v1.9 (overrides the spec)");
  cmd->add_flag("--files", o->files, "Print the file artifacts (e.g. the Envoy bootstrap) instead of the manifests");
  cmd->add_option("-o,--output", o->output, "yaml (default), json, or dir=PATH");
  cmd->add_flag("--force", o->force, "With -o dir=PATH: replace a directory that already has files");
  cmd->add_flag("-q,--quiet", o->quiet, "Do not print notes");
  auto* g = "Filter fields (override the spec)";
  cmd->add_option("--id", o->id, "Filter name")->group(g);
  cmd->add_option("--sha256", o->sha256, "sha256: image manifest digest for oci://, module hash otherwise")->group(g);
  cmd->add_option("--module-sha256", o->module_sha256, "Hash of the .wasm of an oci:// module (wasme node cache)")->group(g);
  cmd->add_option("--root-id", o->root_id, "Plugin root id")->group(g);
  cmd->add_option("--vm-id", o->vm_id, "Envoy VM id (default: filter name)")->group(g);
  cmd->add_option("--config", o->config, "Plugin configuration as a plain string")->group(g);
  cmd->add_option("--config-json", o->config_json, "Plugin configuration as a JSON/YAML object")->group(g);
  cmd->add_option("--runtime-config", o->runtime_config, "wasme runtime-config.json (root id, ABI versions)")->group(g);
  cmd->add_option("--image-layout", o->image_layout,
                  "OCI image layout from `wasmdeploy build` that MODULE was pushed from (gives sha256)")->group(g);
  cmd->add_option("--phase", o->phase, "AUTHN, AUTHZ or STATS")->group(g);
  cmd->add_option("--priority", o->priority, "Ordering priority")->group(g);
  cmd->add_option("--fail-strategy", o->fail, "FAIL_CLOSE, FAIL_OPEN or FAIL_RELOAD")->group(g);
  cmd->add_option("--pull-policy", o->pull_policy, "IfNotPresent or Always")->group(g);
  cmd->add_option("--pull-secret", o->pull_secret, "dockerconfigjson Secret name")->group(g);
  cmd->add_option("--delivery", o->delivery, "auto, oci, http, configmap or hostpath")->group(g);
  cmd->add_option("--resource", o->resource, "auto, EnvoyFilter, WasmPlugin or TrafficExtension")->group(g);
  cmd->add_option("--type", o->type, "HTTP or NETWORK")->group(g);
  auto* tg = "Target fields (override the spec)";
  cmd->add_option("-n,--namespace", o->ns, "Namespace")->group(tg);
  cmd->add_option("-l,--labels", o->labels, "Pod label selector: app=details,version=v1")->group(tg);
  cmd->add_option("--workload", o->workloads, "Workload as [Kind/]NAME:label=value,...; repeatable")->group(tg);
  cmd->add_option("--context", o->context, "inbound, outbound, gateway or any")->group(tg);
  cmd->add_option("--revision", o->revision, "Istio revision (istio.io/rev label)")->group(tg);
  cmd->add_option("--naming", o->naming, "auto, per-workload or per-target")->group(tg);
  cmd->add_flag("--allow-incompatible-module", o->allow_incompatible,
                "Render even if a local module cannot load on the chosen Istio version");
  cmd->add_flag("--run-check", o->run_check,
                "Run vm start + configure of every module wasmdeploy can read in the embedded host; refuse when one "
                "rejects its configuration");
  cmd->callback([o] { run(*o); });
}

}  // namespace wasmdeploy::cli
