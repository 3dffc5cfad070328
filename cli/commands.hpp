// Each subcommand registers itself on the root app; errors are thrown as wasmdeploy::error and
// turned into exit codes by main.
#pragma once

#include <CLI/CLI.hpp>

namespace wasmdeploy::cli {

void add_render_command(CLI::App& app);
void add_versions_command(CLI::App& app);
void add_inspect_command(CLI::App& app);
void add_build_command(CLI::App& app);
void add_inspect_image_command(CLI::App& app);

/// Exit status a subcommand asks for when it completed without throwing (e.g. a failed check).
int& exit_status();

}  // namespace wasmdeploy::cli
