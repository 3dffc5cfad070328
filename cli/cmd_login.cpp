// `wasmdeploy login REGISTRY -u USER --password-stdin` and `logout REGISTRY`: docker
// config.json compatible (auths.<registry>.auth), so docker, skopeo and podman read the same.
#include <fmt/format.h>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/resolve.hpp>

#include "commands.hpp"
#include "registry_flags.hpp"

namespace wasmdeploy::cli {

void add_login_commands(CLI::App& app) {
  struct flags {
    std::string registry;
    registry_flags settings;
  };
  auto in = std::make_shared<flags>();
  CLI::App* login = app.add_subcommand(
      "login",
      "Check credentials against a registry and store them in docker's config.json.\n"
      "  echo \"$TOKEN\" | wasmdeploy login registry.example.com -u me --password-stdin");
  login->add_option("registry", in->registry, "registry host[:port]")->required();
  add_registry_flags(login, in->settings);
  login->callback([in] {
    if (!in->settings.password_stdin) {
      throw error(errc::usage, "registry.login-incomplete", "--password-stdin",
                  "give the password on standard input with --password-stdin (never as an argument: it would show in ps)");
    }
    const registry_options o = registry_settings(in->settings);
    registry_login(in->registry, o.username, o.password, o);
    fmt::print(stderr, "note: [registry.logged-in] credentials for {} stored\n", in->registry);
  });

  auto out = std::make_shared<flags>();
  CLI::App* logout = app.add_subcommand("logout", "Remove a registry's credentials from docker's config.json");
  logout->add_option("registry", out->registry, "registry host[:port]")->required();
  logout->add_option("--registry-config", out->settings.options.docker_config, "docker config.json");
  logout->callback([out] {
    if (!registry_logout(out->registry, out->settings.options)) {
      fmt::print(stderr, "note: [registry.not-logged-in] no credentials for {} were stored\n", out->registry);
    }
  });
}

}  // namespace wasmdeploy::cli
