// Flags shared by the commands that talk to a registry (push, pull, resolve, login, logout,
// render --resolve): credentials, TLS, time and size limits.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include <wasmdeploy/node.hpp>
#include <wasmdeploy/resolve.hpp>

namespace wasmdeploy::cli {

/// Checks the REFERENCE argument of push, pull and resolve before anything is read or sent: a
/// malformed one is a usage error (exit 2), as a bad MODULE or flag value is.
void check_reference_argument(const std::string& reference);

struct registry_flags {
  registry_options options;
  bool password_stdin = false;
  double timeout_s = 120, connect_timeout_s = 10;
};

/// Registers --registry-config, --username, --password-stdin, --insecure, --plain-http,
/// --ca-file, --timeout, --connect-timeout, --retries, --max-blob-bytes.
void add_registry_flags(CLI::App* cmd, registry_flags& f, bool credentials = true);

/// The options with the password read from stdin (when asked) and the times converted.
registry_options registry_settings(registry_flags& f);

/// A resolved image as text lines, or as resolved_image_data() in -o json / yaml.
void print_resolved_image(const resolved_image& r, const std::string& format);

}  // namespace wasmdeploy::cli
