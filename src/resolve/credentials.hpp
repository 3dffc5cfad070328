// Registry credentials the way docker, podman, skopeo and crane find them: explicit ones, then
// docker's config.json (`credHelpers` for the registry, `auths`, then `credsStore`), whose
// helpers are `docker-credential-<name>` executables speaking JSON on stdin/stdout.
#pragma once

#include <string>

#include <wasmdeploy/resolve.hpp>

namespace wasmdeploy::resolve {

struct credentials {
  std::string username;
  std::string password;  ///< or an identity token when username is "<token>"
  bool known() const { return !username.empty() || !password.empty(); }
};

/// The config.json path: options.docker_config, $DOCKER_CONFIG/config.json, ~/.docker/config.json.
std::string docker_config_path(const registry_options& options);

/// Credentials for `registry` (host[:port]); empty when none are configured.
credentials find_credentials(const std::string& registry, const registry_options& options);

/// Writes `auths[registry].auth` into config.json (mode 0600, atomically), keeping the rest.
void store_credentials(const std::string& registry, const credentials& c, const registry_options& options);

/// Removes `auths[registry]`; false when absent.
bool erase_credentials(const std::string& registry, const registry_options& options);

}  // namespace wasmdeploy::resolve
