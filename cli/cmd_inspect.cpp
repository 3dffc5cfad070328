// `wasmdeploy inspect MODULE.wasm [--istio VERSION] [-o text|json]`
//
// Prints the module report. With --istio, a module that version cannot load still prints the
// report, then fails with error{invalid, "wasm.incompatible"} so the exit status is 1.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/inspect.hpp>
#include <wasmdeploy/mesh_version.hpp>
#include <wasmdeploy/oci_image.hpp>

#include <filesystem>

#include <fmt/format.h>

#include <wasmdeploy/spec.hpp>

#include "commands.hpp"
#include "spec_flags.hpp"

namespace wasmdeploy::cli {

namespace {

struct inspect_options {
  std::string module;
  std::string istio;
  std::string output = "text";
};

// An OCI image layout: its variant and digests, whether Istio can pull it, then the module
// inside gets the same report as a .wasm file.
wasmdeploy::module_report inspect_layout_dir(const inspect_options& o, const std::optional<mesh_version>& version) {
  layout_report r = inspect_layout(o.module);
  std::string head = fmt::format("layout:     {}\nvariant:    {}\nmanifest:   {} ({} bytes)\n", r.directory,
                                 layout_kind_name(r.kind), r.manifest.digest, r.manifest.size);
  head += fmt::format("            WasmPlugin sha256 for oci:// delivery: {}\n",
                      r.manifest.digest.substr(r.manifest.digest.find(':') + 1));
  for (const auto& l : r.layers) head += fmt::format("layer:      {} {} ({} bytes)\n", l.digest, l.media_type, l.size);
  if (o.output == "text") std::fputs(head.c_str(), stdout);
  for (const auto& d : check_layout_for(wasm_platform::istio, r, version)) {
    std::fprintf(stderr, "%s\n", format_diagnostic(d).c_str());
    if (d.level == severity::error) throw error(errc::invalid, d.code, o.module, d.message);
  }
  if (!r.module) throw error(errc::invalid, "oci.platform.no-module", o.module, "the layout holds no Wasm module");
  if (o.output == "text") std::fputs("module inside the image:\n", stdout);
  return inspect_module(*r.module);
}

void run_inspect(const inspect_options& o) {
  std::optional<wasmdeploy::mesh_version> version;
  if (!o.istio.empty()) version = istio_flag(o.istio);
  wasmdeploy::module_report report;
  try {
    std::error_code ec;
    report = std::filesystem::is_directory(o.module, ec) ? inspect_layout_dir(o, version)
                                                          : wasmdeploy::inspect_file(o.module);
  } catch (const wasmdeploy::error& e) {
    // Name the file: the library's parse errors carry only the byte offset.
    throw wasmdeploy::error(e.category(), e.code(), o.module, e.message());
  }
  if (o.output == "text") {
    const std::string text = wasmdeploy::format_report_text(report, version);
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else if (o.output == "yaml") {
    print_data(parse_config_value(wasmdeploy::format_report_json(report, version), "report"), "yaml");
  } else {
    const std::string text = wasmdeploy::format_report_json(report, version);
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  std::fflush(stdout);
  if (version) {
    const auto verdict = wasmdeploy::verdict_for(report, *version);
    if (!verdict.loads) {
      throw wasmdeploy::error(wasmdeploy::errc::invalid, "wasm.incompatible", o.module,
                              "Istio " + version->str() + " cannot load this module (" +
                                  std::to_string(std::count_if(verdict.problems.begin(), verdict.problems.end(),
                                                               [](const wasmdeploy::diagnostic& d) {
                                                                 return d.level == wasmdeploy::severity::error;
                                                               })) +
                                  " problem(s) above)");
    }
  }
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto opts = std::make_shared<inspect_options>();
  CLI::App* cmd = app.add_subcommand("inspect", "Check a proxy-wasm module (or an OCI image layout) against Istio releases");
  cmd->add_option("module", opts->module, "The .wasm module, or an OCI image layout directory")->required();
  cmd->add_option("--istio", opts->istio, "Istio version to check against (1.N, 1.N.x or 1.N.P)");
  cmd->add_option("-o,--output", opts->output, "text (default), json or yaml")
      ->check(CLI::IsMember({"text", "json", "yaml"}));
  cmd->callback([opts] { run_inspect(*opts); });
}

}  // namespace wasmdeploy::cli
