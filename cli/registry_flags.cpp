#include "registry_flags.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>

#include <fmt/format.h>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/reference.hpp>

#include "commands.hpp"

namespace wasmdeploy::cli {

void check_reference_argument(const std::string& reference) {
  try {
    parse_oci_url(reference, "REFERENCE");
  } catch (const error& e) {
    rethrow_as_usage(e, "REFERENCE");
  }
}

void add_registry_flags(CLI::App* cmd, registry_flags& f, bool credentials) {
  cmd->add_option("--registry-config", f.options.docker_config,
                  "docker config.json with credentials (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json)");
  if (credentials) {
    cmd->add_option("-u,--username", f.options.username, "Username (instead of config.json)");
    cmd->add_flag("--password-stdin", f.password_stdin, "Read the password (or token) from standard input");
  }
  cmd->add_flag("--insecure", f.options.insecure, "Do not verify the registry's TLS certificate");
  cmd->add_flag("--plain-http", f.options.plain_http, "Talk plain HTTP to the registry (local test registries)");
  cmd->add_option("--ca-file", f.options.ca_file, "PEM bundle of the CAs to trust for the registry");
  cmd->add_option("--timeout", f.timeout_s, "Seconds one registry request may take, body included (default 120)")
      ->check(CLI::Range(0.1, 86400.0));
  cmd->add_option("--connect-timeout", f.connect_timeout_s, "Seconds to wait for a connection (default 10)")
      ->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--retries", f.options.retries, "Retries after a failed connection, 429 or 5xx (default 2)")
      ->check(CLI::Range(0, 10));
  cmd->add_option("--max-blob-bytes", f.options.max_blob_bytes, "Largest blob accepted from a registry (default 256 MiB)")
      ->check(CLI::Range(1.0, 4.0 * 1024 * 1024 * 1024));
}

registry_options registry_settings(registry_flags& f) {
  registry_options o = f.options;
  o.timeout_ms = static_cast<long>(std::lround(f.timeout_s * 1000));
  o.connect_timeout_ms = static_cast<long>(std::lround(f.connect_timeout_s * 1000));
  if (f.password_stdin) {
    std::string line;
    std::getline(std::cin, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) throw error(errc::usage, "registry.login-incomplete", "--password-stdin", "standard input held no password");
    o.password = line;
  }
  return o;
}

void print_resolved_image(const resolved_image& r, const std::string& format) {
  if (format == "json" || format == "yaml") {
    print_data(resolved_image_data(r), format);
    return;
  }
  fmt::print("reference  {}\n", r.reference.str());
  fmt::print("manifest   {}  {}\n", r.manifest_digest, r.manifest_media_type);
  if (!r.index_digest.empty()) fmt::print("index      {}\n", r.index_digest);
  fmt::print("pinned     {}\n", r.pinned());
  fmt::print("module     sha256:{}  {} bytes\n", r.module_sha256, r.module_size);
  fmt::print("variant    {}\n", layout_kind_name(r.kind));
}

}  // namespace wasmdeploy::cli
