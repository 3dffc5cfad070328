// Each subcommand registers itself on the root app; errors are thrown as wasmdeploy::error and
// turned into exit codes by main.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/limits.hpp>
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
void add_version_command(CLI::App& app);
void add_help_command(CLI::App& app);
void add_completion_command(CLI::App& app);
/// Hidden `wasmdeploy man`: the manual page, generated from the command definitions.
void add_man_command(CLI::App& app);

/// True when `typed` is probably a misspelling of `known` (edit distance, or a prefix).
bool is_close(const std::string& typed, const std::string& known);
/// CLI11's parse errors as wasmdeploy usage errors: a stable code, the flag, a did-you-mean.
error usage_error(CLI::App& app, const CLI::ParseError& e);
/// A value typed on the command line that the library refuses is a usage error (exit 2) naming
/// the flag or argument, whatever the check (a choice, a digest, a reference, a version); read
/// from a file the same value is invalid input (exit 1). Text that is not UTF-8 stays invalid
/// input wherever it comes from.
[[noreturn]] void rethrow_as_usage(const error& e, const std::string& flag);
/// argv with `-X=value` split into `-X value` (kubectl accepts both; CLI11 would keep the '=').
std::vector<std::string> split_short_equals(int argc, char** argv);

/// Throws error{usage, "cli.unknown-command"} with did-you-mean when `name` is no command.
void check_subcommand(CLI::App& app, const std::string& name);
void add_run_command(CLI::App& app);
void add_crd_commands(CLI::App& app);
void add_push_command(CLI::App& app);
void add_pull_command(CLI::App& app);
void add_resolve_command(CLI::App& app);
void add_login_commands(CLI::App& app);

/// render_options from the shared render/undeploy/krm flags.
render_options make_render_options(const spec& s, const std::string& istio, const std::string& target,
                                   const std::string& gateway_version, bool allow_incompatible);
/// --allow CODE (repeatable): acknowledges a warning code (render_options::allow).
void add_allow_flag(CLI::App* cmd, std::vector<std::string>& codes);
/// --limit NAME=VALUE (repeatable) on every command that reads input, applied to `limits` as
/// the command line is parsed (before any command runs).
void add_limit_flags(CLI::App& app, limits& into);
/// Prints diagnostics to stderr (errors only when quiet).
void print_diagnostics(const render_summary& r, bool quiet);
/// Diagnostics to stderr, one per line; notes and warnings are dropped when quiet.
void print_diagnostics(const std::vector<diagnostic>& diagnostics, bool quiet);
struct output_settings {
  std::string output = "yaml";  ///< yaml, json or dir=PATH
  bool force = false;           ///< replace a directory that has files
  bool quiet = false;           ///< print errors only
  bool strict = false;          ///< a warning refuses the output (exit 1, nothing written)
  /// Applied to diagnostics before they are printed (e.g. naming the flag a value came from).
  std::function<std::vector<diagnostic>(std::vector<diagnostic>)> rename;
};
/// Throws error{usage, "output.dir-is-cwd"} when -o dir= names the working directory or a parent.
void refuse_current_directory(const std::string& dir);
/// Writes what `produce` renders as -o yaml|json (streamed to stdout) or -o dir=PATH.
void write_output(const output_settings& o, const std::function<render_summary(document_sink&)>& produce);
void write_output(const std::string& output, bool force, bool quiet,
                  const std::function<render_summary(document_sink&)>& produce);
/// Prints a data report (versions, inspect, version) as -o json or -o yaml.
void print_data(const node& n, const std::string& format);
/// Writes role::file documents' contents to stdout.
void print_files(const std::vector<document>& docs);

/// Exit status a subcommand asks for when it completed without throwing (e.g. a failed check).
int& exit_status();

}  // namespace wasmdeploy::cli
