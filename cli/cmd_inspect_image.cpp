#include "cmd_inspect_image.hpp"

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/mesh_version.hpp>
#include <wasmdeploy/oci_image.hpp>

#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace wasmdeploy::cli {

namespace {

struct inspect_args {
  std::string dir;
  std::string ref;
  std::string platform;
  std::string istio_version;
  std::string extract;  ///< write the module here
};

void run_inspect(const inspect_args& a) {
  wasmdeploy::layout_report r = wasmdeploy::inspect_layout(a.dir, a.ref);
  fmt::print("layout    {}\n", r.directory);
  fmt::print("variant   {}\n", wasmdeploy::layout_kind_name(r.kind));
  if (!r.ref_name.empty()) fmt::print("ref       {}\n", r.ref_name);
  fmt::print("manifest  {}  {} bytes  {}\n", r.manifest.digest, r.manifest.size,
             r.manifest.media_type);
  fmt::print("config    {}  {} bytes  {}\n", r.config.digest, r.config.size, r.config.media_type);
  for (const auto& l : r.layers)
    fmt::print("layer     {}  {} bytes  {}\n", l.digest, l.size, l.media_type);
  if (r.module)
    fmt::print("module    sha256:{}  {} bytes{}\n", r.module_sha256, r.module->size(),
               r.module_is_wasm ? "" : "  (NOT Wasm)");
  if (r.runtime_config) fmt::print("runtime-config.json  {}\n", *r.runtime_config);
  if (!a.extract.empty() && r.module) wasmdeploy::write_file_atomic(a.extract, *r.module);
  if (!a.platform.empty()) {
    auto platform = wasmdeploy::parse_wasm_platform(a.platform);
    std::optional<wasmdeploy::mesh_version> v;
    if (!a.istio_version.empty()) v = wasmdeploy::mesh_version::parse(a.istio_version);
    for (const auto& d : wasmdeploy::check_layout_for(platform, r, v)) {
      fmt::print(stderr, "{}\n", wasmdeploy::format_diagnostic(d));
    }
    fmt::print("{}: accepted\n", a.platform);
  }
}

}  // namespace

void add_inspect_image_command(CLI::App& app) {
  auto args = std::make_shared<inspect_args>();
  CLI::App* cmd = app.add_subcommand(
      "inspect-image", "Classify a Wasm OCI image layout and check it for a platform");
  cmd->add_option("dir", args->dir, "OCI image layout directory")->required();
  cmd->add_option("--ref", args->ref, "Manifest to read, by org.opencontainers.image.ref.name");
  cmd->add_option("--platform", args->platform, "Refuse layouts this platform rejects")
      ->check(CLI::IsMember({"istio", "envoy-gateway", "higress", "gloo"}));
  cmd->add_option("--istio-version", args->istio_version,
                  "Istio release for --platform istio (e.g. 1.15)");
  cmd->add_option("--extract", args->extract, "Write the module found in the image to this file");
  cmd->callback([args] { run_inspect(*args); });
}

}  // namespace wasmdeploy::cli
