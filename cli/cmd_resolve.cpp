// `wasmdeploy resolve REFERENCE`: tag -> manifest digest (the WasmPlugin / EnvoyFilter sha256
// for oci://) and the sha256 of the .wasm inside (moduleSha256, the wasme cache file name).
#include <fmt/format.h>

#include <wasmdeploy/resolve.hpp>

#include "commands.hpp"
#include "registry_flags.hpp"

namespace wasmdeploy::cli {

void add_resolve_command(CLI::App& app) {
  struct flags {
    std::string reference, output = "text";
    registry_flags registry;
  };
  auto o = std::make_shared<flags>();
  CLI::App* cmd = app.add_subcommand(
      "resolve",
      "Ask a registry for an image's manifest digest and its module's sha256.\n"
      "  wasmdeploy resolve oci://registry.example.com/filters/my-filter:v1 -o json");
  cmd->add_option("reference", o->reference, "oci://registry/repository:tag (or @sha256:...)")->required();
  cmd->add_option("-o,--output", o->output, "text (default), json or yaml")->check(CLI::IsMember({"text", "json", "yaml"}));
  add_registry_flags(cmd, o->registry);
  cmd->callback([o] {
    check_reference_argument(o->reference);
    const registry_options settings = registry_settings(o->registry);
    print_resolved_image(resolve_image(o->reference, settings), o->output);
  });
}

}  // namespace wasmdeploy::cli
