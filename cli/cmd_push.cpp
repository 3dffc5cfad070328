// `wasmdeploy push LAYOUT REFERENCE`: an image layout from `build` to a registry. The manifest
// bytes are pushed unchanged, so the digest `build` printed is the digest the registry serves.
#include <fmt/format.h>

#include <wasmdeploy/resolve.hpp>

#include "commands.hpp"
#include "registry_flags.hpp"

namespace wasmdeploy::cli {

void add_push_command(CLI::App& app) {
  struct flags {
    std::string layout, reference, ref_name, output = "text";
    registry_flags registry;
  };
  auto o = std::make_shared<flags>();
  CLI::App* cmd = app.add_subcommand(
      "push",
      "Push an OCI image layout (from wasmdeploy build) to a registry.\n"
      "  wasmdeploy push my-img/ oci://registry.example.com/filters/my-filter:v1");
  cmd->add_option("layout", o->layout, "OCI image layout directory")->required();
  cmd->add_option("reference", o->reference, "oci://registry/repository:tag")->required();
  cmd->add_option("--ref", o->ref_name, "Manifest of the layout to push, by org.opencontainers.image.ref.name");
  cmd->add_option("-o,--output", o->output, "text (default), json or yaml")->check(CLI::IsMember({"text", "json", "yaml"}));
  add_registry_flags(cmd, o->registry);
  cmd->callback([o] {
    check_reference_argument(o->reference);
    const registry_options settings = registry_settings(o->registry);
    print_resolved_image(push_layout(o->layout, o->ref_name, o->reference, settings), o->output);
  });
}

}  // namespace wasmdeploy::cli
