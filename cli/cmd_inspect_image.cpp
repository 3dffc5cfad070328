#include "cmd_inspect_image.hpp"

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/mesh_version.hpp>
#include <wasmdeploy/node.hpp>
#include <wasmdeploy/oci_image.hpp>

#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "spec_flags.hpp"

namespace wasmdeploy::cli {

namespace {

struct inspect_args {
  std::string dir;
  std::string ref;
  std::string platform;
  std::string istio_version;
  std::string old_platform, old_istio_version;  ///< --platform / --istio-version, deprecated
  std::string extract;  ///< write the module here
  std::string output = "text";
};

wasmdeploy::node blob_node(const wasmdeploy::blob_info& b) {
  return wasmdeploy::make_mapping({{"digest", b.digest}, {"size", static_cast<long long>(b.size)}, {"mediaType", b.media_type}});
}

// The report as data, for -o json|yaml.
wasmdeploy::node report_node(const wasmdeploy::layout_report& r) {
  wasmdeploy::node layers = wasmdeploy::node::sequence();
  for (const auto& l : r.layers) layers.push(blob_node(l));
  wasmdeploy::node n = wasmdeploy::make_mapping({{"layout", r.directory},
                                                 {"variant", std::string(wasmdeploy::layout_kind_name(r.kind))},
                                                 {"ref", r.ref_name},
                                                 {"manifest", blob_node(r.manifest)},
                                                 {"config", blob_node(r.config)},
                                                 {"layers", std::move(layers)}});
  if (r.module) {
    n.add("module", wasmdeploy::make_mapping({{"sha256", r.module_sha256},
                                              {"size", static_cast<long long>(r.module->size())},
                                              {"wasm", r.module_is_wasm}}));
  }
  if (r.runtime_config) n.add("runtimeConfig", *r.runtime_config);
  return n;
}

// The names inspect-image had before every command used --target and --istio.
void take_deprecated(const std::string& old_value, const char* old_name, std::string& value, const char* name) {
  if (old_value.empty()) return;
  const wasmdeploy::diagnostic d{wasmdeploy::severity::warning, "cli.deprecated-flag", old_name,
                                 fmt::format("deprecated, use {}", name), {}};
  fmt::print(stderr, "{}\n", wasmdeploy::format_diagnostic(d));
  if (!value.empty() && value != old_value) {
    throw wasmdeploy::error(wasmdeploy::errc::usage, "flags.conflict", name,
                            fmt::format("{} and {} (its old name) give different values", name, old_name));
  }
  value = old_value;
}

void run_inspect(inspect_args a) {
  take_deprecated(a.old_platform, "--platform", a.platform, "--target");
  take_deprecated(a.old_istio_version, "--istio-version", a.istio_version, "--istio");
  wasmdeploy::layout_report r = wasmdeploy::inspect_layout(a.dir, a.ref);
  const bool text = a.output == "text";
  if (text) {
    fmt::print("layout    {}\n", r.directory);
    fmt::print("variant   {}\n", wasmdeploy::layout_kind_name(r.kind));
    if (!r.ref_name.empty()) fmt::print("ref       {}\n", r.ref_name);
    fmt::print("manifest  {}  {} bytes  {}\n", r.manifest.digest, r.manifest.size, r.manifest.media_type);
    fmt::print("config    {}  {} bytes  {}\n", r.config.digest, r.config.size, r.config.media_type);
    for (const auto& l : r.layers) fmt::print("layer     {}  {} bytes  {}\n", l.digest, l.size, l.media_type);
    if (r.module)
      fmt::print("module    sha256:{}  {} bytes{}\n", r.module_sha256, r.module->size(),
                 r.module_is_wasm ? "" : "  (NOT Wasm)");
    if (r.runtime_config) fmt::print("runtime-config.json  {}\n", *r.runtime_config);
  }
  if (!a.extract.empty() && r.module) wasmdeploy::write_file_atomic(a.extract, *r.module);
  if (!a.platform.empty()) {
    auto platform = wasmdeploy::parse_wasm_platform(a.platform);
    std::optional<wasmdeploy::mesh_version> v;
    if (!a.istio_version.empty()) v = istio_flag(a.istio_version);
    for (const auto& d : wasmdeploy::check_layout_for(platform, r, v)) {
      fmt::print(stderr, "{}\n", wasmdeploy::format_diagnostic(d));
    }
    if (text) fmt::print("{}: accepted\n", a.platform);
  }
  if (!text) {
    wasmdeploy::node n = report_node(r);
    if (!a.platform.empty()) n.add("accepted", a.platform);
    std::string out = a.output == "json" ? wasmdeploy::to_json_pretty(n) : wasmdeploy::to_yaml(n);
    if (!out.empty() && out.back() != '\n') out += '\n';
    fmt::print("{}", out);
  }
}

}  // namespace

void add_inspect_image_command(CLI::App& app) {
  auto args = std::make_shared<inspect_args>();
  CLI::App* cmd = app.add_subcommand(
      "inspect-image", "Classify a Wasm OCI image layout and check it for a platform");
  cmd->add_option("dir", args->dir, "OCI image layout directory")->required();
  cmd->add_option("--ref", args->ref, "Manifest to read, by org.opencontainers.image.ref.name");
  const auto platforms = CLI::IsMember({"istio", "envoy-gateway", "higress", "gloo"});
  cmd->add_option("--target", args->platform, "Refuse layouts this platform rejects: istio, envoy-gateway, higress, gloo")
      ->check(platforms);
  cmd->add_option("--istio", args->istio_version, "Istio release for --target istio (e.g. 1.15)");
  // Hidden old names (an empty group hides an option from --help).
  cmd->add_option("--platform", args->old_platform, "Deprecated: --target")->check(platforms)->group("");
  cmd->add_option("--istio-version", args->old_istio_version, "Deprecated: --istio")->group("");
  cmd->add_option("-o,--output", args->output, "text (default), json or yaml")
      ->check(CLI::IsMember({"text", "json", "yaml"}));
  cmd->add_option("--extract", args->extract, "Write the module found in the image to this file");
  cmd->callback([args] { run_inspect(*args); });
}

}  // namespace wasmdeploy::cli
