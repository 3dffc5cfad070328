// `wasmdeploy run MODULE [...]` / `wasmdeploy run -f spec.yaml --filter NAME [--istio V]`
//
// Runs the module in the embedded proxy-wasm host with the configuration given (or, with -f,
// exactly the one `render` would deploy for that filter and Istio version) and pushes one
// request and response through it. Exit 0 when it loaded, configured and did not trap; 1 when
// it trapped, configure returned false, or it could not load; 2 for usage errors.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/inspect.hpp>
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/oci_image.hpp>
#include <wasmdeploy/run.hpp>

#include "commands.hpp"

namespace wasmdeploy::cli {
namespace {

struct run_flags {
  std::string module, file, filter, istio, output = "text";
  std::string root_id, vm_id, config, config_json, vm_config;
  std::string request, request_body, response_body, call_body;
  std::vector<std::string> request_headers, response_headers, env, metadata;
  int response_status = 200, call_status = 200;
  std::uint64_t max_memory_mib = 64, instruction_budget = 1000000000, timeout_ms = 10000, max_value_mib = 16;
  bool config_set = false, config_json_set = false;
  std::vector<std::string> allow_paths;  // with -f: where the spec may name local files
  bool allow_outside_spec_dir = false;
};

std::pair<std::string, std::string> split_header(const std::string& text, const char* flag) {
  const auto colon = text.find(':', text.empty() || text[0] != ':' ? 0 : 1);  // ":authority: x"
  if (colon == std::string::npos || colon == 0) {
    throw error(errc::usage, "run.header-syntax", flag, fmt::format("'{}' is not a header: write 'name: value'", text));
  }
  std::string value = text.substr(colon + 1);
  value.erase(0, value.find_first_not_of(" \t"));
  return {text.substr(0, colon), value};
}

std::pair<std::string, std::string> split_assignment(const std::string& text, const char* flag) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw error(errc::usage, "run.assignment-syntax", flag, fmt::format("'{}': write KEY=VALUE", text));
  }
  return {text.substr(0, eq), text.substr(eq + 1)};
}

// A .wasm file, or an OCI image layout written by `wasmdeploy build`.
std::string read_module(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    layout_report layout = inspect_layout(path);
    if (!layout.module) throw error(errc::invalid, "oci.platform.no-module", path, "the layout holds no Wasm module");
    return std::move(*layout.module);
  }
  return read_file(path, active_limits().wasm_module_bytes);
}

// Flag names map to run option names ("--response-status" -> "response_status").
void apply_traffic_flags(const run_flags& o, run_options& ro) {
  auto set = [&](const char* field, const std::string& value, const char* flag) {
    try {
      set_run_option(ro, field, value);
    } catch (const error& e) {
      throw error(e.category(), e.code(), flag, e.message());
    }
  };
  if (!o.request.empty()) set("request", o.request, "--request");
  for (const auto& h : o.request_headers) {
    auto kv = split_header(h, "--request-header");
    add_run_option(ro, "request", kv.first, kv.second);
  }
  for (const auto& h : o.response_headers) {
    auto kv = split_header(h, "--response-header");
    add_run_option(ro, "response", kv.first, kv.second);
  }
  ro.request_body = o.request_body;
  ro.response_body = o.response_body;
  set("response_status", std::to_string(o.response_status), "--response-status");
  set("http_call_status", std::to_string(o.call_status), "--http-call-status");
  ro.http_call_response.body = o.call_body;
  for (const auto& m : o.metadata) {
    auto kv = split_assignment(m, "--node-metadata");
    add_run_option(ro, "node_metadata", kv.first, kv.second);
  }
  set("max_memory_mib", std::to_string(o.max_memory_mib), "--max-memory-mib");
  set("instruction_budget", std::to_string(o.instruction_budget), "--instruction-budget");
  set("timeout_ms", std::to_string(o.timeout_ms), "--timeout-ms");
  set("max_value_mib", std::to_string(o.max_value_mib), "--max-value-mib");
}

void run_command(const run_flags& o) {
  run_options ro;
  std::string bytes, label;
  if (!o.file.empty()) {
    if (!o.module.empty() || o.config_set || o.config_json_set || !o.root_id.empty() || !o.vm_id.empty() ||
        !o.vm_config.empty() || !o.env.empty()) {
      throw error(errc::usage, "run.spec-and-flags", "-f",
                  "with -f the module and its configuration come from the spec, as render deploys them; drop "
                  "MODULE, --root-id, --vm-id, --config, --config-json, --vm-config and --env");
    }
    if (o.filter.empty()) throw error(errc::usage, "run.no-filter", "--filter", "-f needs --filter NAME");
    const spec s = load_spec(o.file);
    render_options opts;
    opts.istio = o.istio;
    opts.allow_incompatible_module = s.options.allow_incompatible_module;
    input_access access;  // render's confinement: the spec's directory and --allow-path
    access.allowed_paths = o.allow_paths;
    access.allow_outside_spec_dir = o.allow_outside_spec_dir;
    filter_run_input in = run_input_for(s, o.filter, opts, access);
    ro = std::move(in.options);
    bytes = std::move(in.module_bytes);
  } else {
    if (o.module.empty()) throw error(errc::usage, "run.no-module", "", "give a MODULE (.wasm or image layout) or -f spec.yaml --filter NAME");
    if (!o.filter.empty()) throw error(errc::usage, "run.filter-needs-spec", "--filter", "--filter selects a filter of the -f spec");
    if (o.config_set && o.config_json_set) {
      throw error(errc::usage, "run.config-conflict", "--config-json", "give --config or --config-json, not both");
    }
    bytes = read_module(o.module);
    ro.root_id = o.root_id;
    ro.vm_id = o.vm_id;
    ro.vm_config = o.vm_config;
    ro.plugin_config = o.config;
    if (o.config_json_set) {
      try {
        set_run_option(ro, "config_json", o.config_json);
      } catch (const error& e) {
        throw error(e.category(), e.code(), "--config-json", e.message());
      }
    }
    for (const auto& e : o.env) {
      auto kv = split_assignment(e, "--env");
      add_run_option(ro, "env", kv.first, kv.second);
    }
    if (!o.istio.empty()) {
      const mesh_version v = mesh_version::parse(o.istio);
      module_report report;
      try {
        report = inspect_module(bytes);
      } catch (const error&) {
        report = {};  // the run reports the parse error
      }
      if (report.size) {
        const auto verdict = verdict_for(report, v);
        print_diagnostics(verdict.problems, false);
        if (!verdict.loads) {
          throw error(errc::version, "wasm.incompatible", o.module,
                      fmt::format("Istio {} cannot load this module (see above); not running it", v.str()));
        }
      }
    }
  }
  apply_traffic_flags(o, ro);
  const run_result r = run_module(bytes, ro);
  const std::string text = o.output == "json" ? format_run_json(r) : format_run_text(r);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  if (!r.ok()) {
    const char* why = !r.loaded ? "could not load" : r.trap ? "trapped" : !r.vm_started ? "failed proxy_on_vm_start"
                                                                         : "rejected its configuration (proxy_on_configure returned false)";
    std::fprintf(stderr, "error: [%s] the module %s\n", "run.failed", why);
    exit_status() = 1;
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto o = std::make_shared<run_flags>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Run a proxy-wasm module in the embedded host with the configuration it would be deployed with, and push a "
      "request through it.\n"
      "  wasmdeploy run filter.wasm --root-id add_header --config world --request 'GET /'\n"
      "  wasmdeploy run -f spec.yaml --filter add-header --istio 1.24 -o json");
  cmd->add_option("module", o->module, "The .wasm module, or an OCI image layout from `wasmdeploy build`");
  cmd->add_option("-f,--filename", o->file, "Spec file: run its --filter as render would deploy it");
  cmd->add_option("--filter", o->filter, "With -f: the filter to run");
  cmd->add_option("--allow-path", o->allow_paths,
                  "With -f: let the spec name local files in this directory (besides its own); repeatable");
  cmd->add_flag("--allow-outside-spec-dir", o->allow_outside_spec_dir,
                "With -f: let the spec name local files anywhere (by default only inside its own directory)");
  cmd->add_option("--istio", o->istio, "Istio version whose delivery of the configuration to use (with -f), or to check the module against");
  cmd->add_option("-o,--output", o->output, "Output format")->check(CLI::IsMember({"text", "json"}));
  auto* g = "Plugin (without -f)";
  cmd->add_option("--root-id", o->root_id, "Root context id (plugin_root_id)")->group(g);
  cmd->add_option("--vm-id", o->vm_id, "VM id (plugin_vm_id)")->group(g);
  cmd->add_option("--config", o->config, "Plugin configuration, passed as these exact bytes")->group(g)
      ->each([o](const std::string&) { o->config_set = true; });
  cmd->add_option("--config-json", o->config_json, "Plugin configuration as JSON, delivered as istiod delivers a WasmPlugin pluginConfig")
      ->group(g)->each([o](const std::string&) { o->config_json_set = true; });
  cmd->add_option("--vm-config", o->vm_config, "VM configuration bytes")->group(g);
  cmd->add_option("--env", o->env, "VM environment variable KEY=VALUE; repeatable")->group(g);
  auto* t = "Traffic";
  cmd->add_option("--request", o->request, "Request line: 'GET /path' (default GET /)")->group(t);
  cmd->add_option("--request-header", o->request_headers, "'name: value'; repeatable")->group(t);
  cmd->add_option("--request-body", o->request_body, "Request body")->group(t);
  cmd->add_option("--response-status", o->response_status, "Upstream response status (default 200)")->group(t);
  cmd->add_option("--response-header", o->response_headers, "'name: value'; repeatable")->group(t);
  cmd->add_option("--response-body", o->response_body, "Upstream response body")->group(t);
  cmd->add_option("--http-call-status", o->call_status, "Status answering the filter's outbound calls (default 200)")->group(t);
  cmd->add_option("--http-call-body", o->call_body, "Body answering the filter's outbound calls")->group(t);
  cmd->add_option("--node-metadata", o->metadata, "node.metadata property KEY=VALUE; repeatable")->group(t);
  auto* b = "Bounds";
  cmd->add_option("--max-memory-mib", o->max_memory_mib,
                  "Cap on linear memories, tables and host-side state the module creates (default 64)")->group(b);
  cmd->add_option("--instruction-budget", o->instruction_budget, "Instructions the run may execute (default 1e9)")->group(b);
  cmd->add_option("--timeout-ms", o->timeout_ms, "Wall-clock limit of the run, 0 for none (default 10000)")->group(b);
  cmd->add_option("--max-value-mib", o->max_value_mib,
                  "Largest header value, buffer or property the module may set (default 16)")->group(b);
  cmd->callback([o] { run_command(*o); });
}

}  // namespace wasmdeploy::cli
