// `wasmdeploy pull REFERENCE -o DIR [--wasm FILE]`: an image to a layout and/or its module,
// written only after every manifest and blob matched its digest.
#include <fmt/format.h>

#include <wasmdeploy/resolve.hpp>

#include "commands.hpp"
#include "registry_flags.hpp"

namespace wasmdeploy::cli {

void add_pull_command(CLI::App& app) {
  struct flags {
    std::string reference, layout, wasm, format = "text";
    bool force = false;
    registry_flags registry;
  };
  auto o = std::make_shared<flags>();
  CLI::App* cmd = app.add_subcommand(
      "pull",
      "Pull an image from a registry into an OCI image layout and/or its .wasm module.\n"
      "  wasmdeploy pull oci://registry.example.com/filters/my-filter:v1 -o my-img/ --wasm filter.wasm");
  cmd->add_option("reference", o->reference, "oci://registry/repository:tag (or @sha256:...)")->required();
  cmd->add_option("-o,--layout", o->layout, "Write the image as an OCI image layout here");
  cmd->add_option("--wasm", o->wasm, "Write the module here");
  cmd->add_flag("--force", o->force, "Replace an existing layout directory");
  cmd->add_option("--format", o->format, "What to print: text (default), json or yaml")->check(CLI::IsMember({"text", "json", "yaml"}));
  add_registry_flags(cmd, o->registry);
  cmd->callback([o] {
    check_reference_argument(o->reference);
    const registry_options settings = registry_settings(o->registry);
    pull_result r = pull_image(o->reference, settings, o->layout, o->wasm, o->force);
    print_resolved_image(r.image, o->format);
  });
}

}  // namespace wasmdeploy::cli
