// `wasmdeploy krm`: a KRM function (kustomize/kpt exec-function protocol). Reads a
// config.kubernetes.io/v1 ResourceList on stdin whose functionConfig is a WasmDeployment spec,
// appends the rendered resources to items, and writes the ResourceList to stdout. Diagnostics
// go to `results`; an invalid spec gives one error result and exit 1 with the items unchanged.
// Workload patches are not items (kustomize would treat them as whole objects): they are
// reported in results, to be applied as kustomize patches.
#include <cstdio>
#include <iostream>
#include <iterator>

#include <fmt/format.h>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/render.hpp>
#include <wasmdeploy/resolve.hpp>

#include "commands.hpp"

namespace wasmdeploy::cli {
namespace {

struct krm_flags {
  std::string file = "-";
  std::vector<std::string> allow_paths;
  bool allow_outside_spec_dir = false;
};

node result(const char* severity, const std::string& message, const std::string& field) {
  node r = make_mapping({{"message", message}, {"severity", severity}});
  if (!field.empty()) r.add("field", make_mapping({{"path", field}}));
  return r;
}

void run(const krm_flags& o) {
  std::string text = read_input_prefix(o.file, active_limits().spec_bytes);
  if (text.size() > active_limits().spec_bytes) {
    throw error(errc::invalid, "file.too-large", "",
                fmt::format("{} is larger than {} bytes", o.file == "-" ? "stdin" : o.file, active_limits().spec_bytes));
  }
  node list = parse_config_value(text, "ResourceList");
  const node* kind = list.find("kind");
  if (!list.is_mapping() || kind == nullptr || !kind->is_string() || kind->as_string() != "ResourceList") {
    throw error(errc::invalid, "krm.not-a-resource-list", "", "stdin must be a config.kubernetes.io/v1 ResourceList");
  }
  node items = list.find("items") != nullptr && list.find("items")->is_sequence() ? *list.find("items") : node::sequence();
  node results = node::sequence();
  const node* fc = list.find("functionConfig");
  int status = 0;
  try {
    if (fc == nullptr || !fc->is_mapping()) {
      throw error(errc::invalid, "krm.no-function-config", "functionConfig", "functionConfig must be a WasmDeployment spec");
    }
    // kustomize requires metadata on function configs; the spec itself has none.
    node spec_node = node::mapping();
    for (const auto& m : fc->members()) {
      if (m.key != "metadata") spec_node.add(m.key, m.value);
    }
    // The spec has no file: its directory is the working directory (kustomize runs exec
    // functions in the kustomization's), with render's confinement and --allow-path.
    spec s = parse_spec(to_yaml(spec_node), "functionConfig");
    resolve_options inputs;
    inputs.files.allowed_paths = o.allow_paths;
    inputs.files.allow_outside_spec_dir = o.allow_outside_spec_dir;
    render_result r = render(s, make_render_options(s, "", "", "", false), inputs);
    for (const auto& d : r.documents) {
      if (d.what == document::role::resource) {
        items.push(d.body);
      } else if (d.what == document::role::patch) {
        results.push(result("info", fmt::format("apply as a patch: {} {}/{}: {}", d.kind, d.ns, d.name, to_json(d.body)), ""));
      }
    }
    for (const auto& d : r.summary.diagnostics) {
      results.push(result(d.level == severity::warning ? "warning" : "info", "[" + d.code + "] " + d.message, d.path));
    }
  } catch (const error& e) {
    results.push(result("error", "[" + e.code() + "] " + e.message(), e.path()));
    status = 1;
  }
  node out = make_mapping({{"apiVersion", "config.kubernetes.io/v1"}, {"kind", "ResourceList"}, {"items", std::move(items)}});
  if (fc != nullptr) out.add("functionConfig", *fc);
  if (!results.empty()) out.add("results", std::move(results));
  std::fputs(to_yaml(out).c_str(), stdout);
  exit_status() = status;
}

}  // namespace

void add_krm_command(CLI::App& app) {
  auto o = std::make_shared<krm_flags>();
  CLI::App* cmd = app.add_subcommand(
      "krm", "KRM function: ResourceList on stdin (functionConfig = spec), rendered items appended, on stdout");
  cmd->add_option("-f,--filename", o->file, "Read the ResourceList from a file instead of stdin");
  cmd->add_option("--allow-path", o->allow_paths,
                  "Let the spec name local files in this directory (besides the working directory); repeatable");
  cmd->add_flag("--allow-outside-spec-dir", o->allow_outside_spec_dir,
                "Let the spec name local files anywhere (by default only inside the working directory)");
  cmd->callback([o] { run(*o); });
}

}  // namespace wasmdeploy::cli
