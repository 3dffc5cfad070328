// `wasmdeploy convert`: existing resources (wasme FilterDeployment, EnvoyFilter, WasmPlugin) in,
// a wasmdeploy spec or freshly rendered resources out. Nothing changes meaning silently: a
// string config cannot become a WasmPlugin pluginConfig (an object) unless --wrap-string-config
// names the key the module will find it under; a selector-less FilterDeployment (every
// Deployment of its namespace) becomes a namespace-wide resource only with --all-workloads.
#include <cstdio>
#include <iostream>
#include <iterator>

#include <fmt/format.h>

#include <wasmdeploy/digest.hpp>
#include <wasmdeploy/error.hpp>
#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/import.hpp>
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/render.hpp>

#include "commands.hpp"
#include "spec_flags.hpp"

namespace wasmdeploy::cli {
namespace {

struct convert_flags {
  std::string file, to = "spec", istio, from_istio, gateway_version, output = "yaml";
  std::string module, sha256, module_sha256, wrap_key;
  bool all_workloads = false, quiet = false;
};

void fix_up(const convert_flags& o, import_result& r, bool plugin_config_object, bool istio_selectors) {
  spec& s = r.imported;
  if ((!o.module.empty() || !o.sha256.empty() || !o.module_sha256.empty()) && s.filters.size() != 1) {
    throw error(errc::usage, "convert.ambiguous-override", "--module",
                "--module, --sha256 and --module-sha256 need exactly one filter");
  }
  for (const auto* flag : {&o.sha256, &o.module_sha256}) {
    if (!flag->empty() && !is_sha256_hex(*flag)) {
      throw error(errc::usage, "convert.bad-sha256", flag == &o.sha256 ? "--sha256" : "--module-sha256",
                  fmt::format("'{}' is not 64 lowercase hex characters", shorten(*flag)));
    }
  }
  for (auto& f : s.filters) {
    if (!o.module.empty()) f.module = parse_module_source(o.module, "--module");
    if (!o.sha256.empty()) f.sha256 = o.sha256;
    if (!o.module_sha256.empty()) f.module_sha256 = o.module_sha256;
    if (plugin_config_object && f.config.is_string()) {
      if (o.wrap_key.empty()) {
        throw error(errc::invalid, "convert.string-config", f.path + ".config",
                    fmt::format("filter {} has the string config {}; a WasmPlugin passes its pluginConfig object to the "
                                "module as JSON, so the module would receive different bytes. Either convert --to "
                                "envoyfilter (keeps the string; an oci:// module then needs --sha256), or pass "
                                "--wrap-string-config KEY if the module reads {{\"KEY\": \"...\"}}",
                                f.name, to_json(f.config)));
      }
      f.config = make_mapping({{o.wrap_key, f.config}});
      r.diagnostics.push_back({severity::warning, "convert.string-config-wrapped", f.path + ".config",
                               fmt::format("the string config is now the JSON object {}: the module must parse it",
                                           to_json(f.config)), {}});
    }
  }
  for (auto& t : s.targets) {
    if (!istio_selectors || t.all_workloads || !t.selector.empty() || !t.workloads.empty() || !t.refs.empty()) continue;
    if (!o.all_workloads) {
      throw error(errc::invalid, "convert.no-selector", t.path + ".selector",
                  fmt::format("the source applies to every Deployment in namespace {}; a selector-less Istio resource "
                              "applies to every workload of any kind there. Pass --all-workloads to accept that, or "
                              "edit the spec (--to spec) and add a selector", t.ns));
    }
  }
  if (istio_selectors) accept_namespace_wide(r);
}

void run(const convert_flags& o) {
  if (o.file.empty()) throw error(errc::usage, "convert.no-input", "-f", "give the resources to convert with -f FILE");
  if (o.output != "yaml" && o.output != "json") {
    throw error(errc::usage, "output.syntax", "-o", fmt::format("unknown output '{}'; use yaml or json", shorten(o.output)));
  }
  if (!o.istio.empty()) istio_flag(o.istio);
  if (!o.from_istio.empty()) istio_flag(o.from_istio, "--from-istio");
  std::string text = read_input_prefix(o.file, active_limits().spec_bytes);
  import_result r = import_resources(text, o.file);
  const std::string to = o.to;
  render_options ro;
  ro.istio = o.istio;
  ro.gateway_version = o.gateway_version;
  bool object_config = false;
  bool istio = false;
  if (to == "spec") {
    // A spec is written to be read back by render, which refuses a selector-less target: it
    // says what the source meant (allWorkloads), with a warning, and the user can narrow it.
    fix_up(o, r, false, false);
    accept_namespace_wide(r);
    if (!o.from_istio.empty()) check_legacy_forms(r, istio_flag(o.from_istio, "--from-istio"));
    std::fputs("---\n", stdout);
    std::string yaml = to_yaml(spec_to_node(r.imported));
    if (yaml.empty() || yaml.back() != '\n') yaml += '\n';
    std::fputs(yaml.c_str(), stdout);
  } else {
    if (to == "wasmplugin" || to == "trafficextension") {
      r.imported.options.resource = to == "wasmplugin" ? resource_kind::wasm_plugin : resource_kind::traffic_extension;
      for (auto& f : r.imported.filters) f.resource = resource_kind::automatic;
      object_config = istio = true;
    } else if (to == "envoyfilter") {
      r.imported.options.resource = resource_kind::envoy_filter;
      for (auto& f : r.imported.filters) f.resource = resource_kind::automatic;
      istio = true;
    } else {
      try {
        ro.target = parse_platform(to, "--to");
      } catch (const error& e) {
        throw error(errc::usage, "convert.unknown-to", "--to",
                    fmt::format("'{}' is not something to convert to; expected one of: spec, wasmplugin, envoyfilter, "
                                "trafficextension, wasme, gloo, envoy, envoy-gateway, higress", shorten(to)));
      }
      object_config = *ro.target == platform::envoy_gateway || *ro.target == platform::higress;
    }
    fix_up(o, r, object_config, istio);
    // A legacy EnvoyFilter the target release ignores was not running there; converting it
    // would switch it on, unless it ran on an earlier release (--from-istio).
    const std::string ran_on = !o.from_istio.empty() ? o.from_istio : (istio || ro.target == platform::wasme ? o.istio : "");
    if (!ran_on.empty()) check_legacy_forms(r, istio_flag(ran_on, o.from_istio.empty() ? "--istio" : "--from-istio"));
    stream_writer out(stdout, o.output == "json" ? output_format::json : output_format::yaml);
    render_summary rs = render(r.imported, ro, out);
    out.finish();
    for (auto& d : rs.diagnostics) r.diagnostics.push_back(d);
  }
  print_diagnostics(r.diagnostics, o.quiet);
}

}  // namespace

void add_convert_command(CLI::App& app) {
  auto o = std::make_shared<convert_flags>();
  CLI::App* cmd = app.add_subcommand(
      "convert",
      "Import FilterDeployments, EnvoyFilters or WasmPlugins and emit a spec or other resources.\n"
      "  wasmdeploy convert -f filterdeployment.yaml --to wasmplugin --istio 1.24 --wrap-string-config value --all-workloads\n"
      "  wasmdeploy convert -f envoyfilters.yaml --to spec > spec.yaml");
  cmd->add_option("-f,--filename", o->file, "Resources (a YAML stream); - reads stdin")->required();
  cmd->add_option("--to", o->to,
                  "spec (default), wasmplugin, envoyfilter, trafficextension, or a platform: wasme, gloo, envoy, "
                  "envoy-gateway, higress");
  cmd->add_option("--istio", o->istio, "Istio version for --to wasmplugin/envoyfilter/trafficextension/wasme");
  cmd->add_option("--from-istio", o->from_istio,
                  "Istio version the resources ran on (default: --istio); EnvoyFilters in a form that version "
                  "ignores are refused");
  cmd->add_option("--gateway-version", o->gateway_version, "Envoy Gateway version for --to envoy-gateway");
  cmd->add_option("--module", o->module, "Replace the module (e.g. the image behind a wasme cache file)");
  cmd->add_option("--sha256", o->sha256,
                  "Set sha256: the image manifest digest for oci:// (wasmdeploy resolve prints it; also the "
                  "wasmdeploy.io/sha256 annotation)");
  cmd->add_option("--module-sha256", o->module_sha256,
                  "Set moduleSha256: the .wasm's hash, for the wasme node cache on Istio < 1.12 (also the "
                  "wasmdeploy.io/module-sha256 annotation)");
  cmd->add_option("--wrap-string-config", o->wrap_key,
                  "Turn a string config into {KEY: string} where an object is required (the module must read JSON)");
  cmd->add_flag("--all-workloads", o->all_workloads,
                "Accept a namespace-wide resource for a source without a selector");
  cmd->add_option("-o,--output", o->output, "yaml (default) or json");
  cmd->add_flag("-q,--quiet", o->quiet, "Do not print notes and warnings");
  cmd->callback([o] { run(*o); });
}

}  // namespace wasmdeploy::cli
