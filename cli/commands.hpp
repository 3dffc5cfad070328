// Each subcommand registers itself on the root app; errors are thrown as wasmdeploy::error and
// turned into exit codes by main.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

#include <wasmdeploy/render.hpp>
#include <wasmdeploy/spec.hpp>

namespace wasmdeploy::cli {

void add_render_command(CLI::App& app);
void add_versions_command(CLI::App& app);
void add_inspect_command(CLI::App& app);
void add_build_command(CLI::App& app);
void add_inspect_image_command(CLI::App& app);
void add_undeploy_command(CLI::App& app);
void add_convert_command(CLI::App& app);
void add_krm_command(CLI::App& app);
void add_crd_commands(CLI::App& app);

/// render_options from the shared render/undeploy/krm flags.
render_options make_render_options(const spec& s, const std::string& istio, const std::string& target,
                                   const std::string& gateway_version, bool allow_incompatible);
/// Prints diagnostics to stderr (notes only unless quiet).
void print_diagnostics(const render_summary& r, bool quiet);
/// Diagnostics to stderr, one per line; notes are dropped when quiet.
void print_diagnostics(const std::vector<diagnostic>& diagnostics, bool quiet);
/// Writes what `produce` renders as -o yaml|json (streamed to stdout) or -o dir=PATH.
void write_output(const std::string& output, bool force, bool quiet,
                  const std::function<render_summary(document_sink&)>& produce);
/// Writes role::file documents' contents to stdout.
void print_files(const std::vector<document>& docs);

/// Exit status a subcommand asks for when it completed without throwing (e.g. a failed check).
int& exit_status();

}  // namespace wasmdeploy::cli
