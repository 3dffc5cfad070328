#include "cmd_build.hpp"

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/oci_image.hpp>

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace wasmdeploy::cli {

namespace {

struct build_args {
  std::string module_path;
  std::string variant = "oci";
  std::vector<std::string> root_ids;
  std::vector<std::string> abi_versions;
  std::string ref;
  std::string output;
  bool force = false;
  bool no_runtime_config = false;
};

/// What to put in WasmPlugin `url`: the digest pins the exact image the layout holds.
std::string url_hint(const std::string& ref, const std::string& hex) {
  if (ref.find('/') != std::string::npos) return fmt::format("oci://{}@sha256:{}", ref, hex);
  if (!ref.empty()) return fmt::format("oci://<registry>/<repository>:{}@sha256:{}", ref, hex);
  return fmt::format("oci://<registry>/<repository>@sha256:{}", hex);
}

void run_build(const build_args& a) {
  wasmdeploy::build_options o;
  o.variant = wasmdeploy::parse_image_variant(a.variant);
  o.root_ids = a.root_ids;
  o.abi_versions = a.abi_versions;
  o.ref_name = a.ref;
  o.output_dir = a.output;
  o.force = a.force;
  o.compat_runtime_config = !a.no_runtime_config;
  std::string module = wasmdeploy::read_file(a.module_path, active_limits().wasm_module_bytes);
  wasmdeploy::build_result r = wasmdeploy::build_image(module, o);

  fmt::print("wrote OCI image layout {} (variant {})\n", r.output_dir,
             wasmdeploy::image_variant_name(r.variant));
  fmt::print("manifest  {}  {} bytes\n", r.manifest.digest, r.manifest.size);
  fmt::print("config    {}  {} bytes  {}\n", r.config.digest, r.config.size, r.config.media_type);
  for (const auto& l : r.layers)
    fmt::print("layer     {}  {} bytes  {}\n", l.digest, l.size, l.media_type);
  fmt::print("module    sha256:{}  {} bytes\n", r.module_sha256, r.module_size);
  fmt::print("\nWasmPlugin sha256 (oci:// delivery uses the manifest digest): {}\n",
             r.wasm_plugin_sha256());
  fmt::print("url: {}\n", url_hint(r.ref_name, r.wasm_plugin_sha256()));
  std::string src =
      r.ref_name.empty() ? r.output_dir : fmt::format("{}:{}", r.output_dir, r.ref_name);
  fmt::print("push: skopeo copy oci:{} docker://<registry>/<repository>:<tag>\n", src);
}

}  // namespace

void add_build_command(CLI::App& app) {
  auto args = std::make_shared<build_args>();
  CLI::App* cmd = app.add_subcommand(
      "build",
      "Package a .wasm module as an OCI image layout (reproducible; push it with skopeo or oras)");
  cmd->add_option("module", args->module_path, "The .wasm module")
      ->required()
      ;
  cmd->add_option("--root-id", args->root_ids, "Root id for runtime-config.json (repeatable)")
      ->required();
  cmd->add_option(
         "--variant", args->variant,
         "oci: wasme/WebAssembly Hub two-layer image; compat: tar+gzip layer with plugin.wasm")
      ->check(CLI::IsMember({"oci", "compat"}))
      ->capture_default_str();
  cmd->add_option("--abi-version", args->abi_versions,
                  "ABI version recorded in the image (repeatable)");
  cmd->add_option("--ref", args->ref,
                  "org.opencontainers.image.ref.name in index.json (tag or full reference)");
  cmd->add_option("-o,--output", args->output, "Layout directory to create")->required();
  cmd->add_flag("--force", args->force, "Replace an existing OCI layout at the output path");
  cmd->add_flag("--no-runtime-config", args->no_runtime_config,
                "compat: leave runtime-config.json out of the layer tar");
  cmd->callback([args] { run_build(*args); });
}

}  // namespace wasmdeploy::cli
