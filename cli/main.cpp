// wasmdeploy: render proxy-wasm deployment manifests for Istio and Envoy.
// Exit codes: 0 success, 1 invalid input (or a failed check), 2 usage error.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/limits.hpp>

#include "commands.hpp"

namespace wasmdeploy::cli {
int& exit_status() {
  static int status = 0;
  return status;
}
}  // namespace wasmdeploy::cli

int main(int argc, char** argv) {
  // `-n=bookinfo` means `-n bookinfo` (as in kubectl), not the value "=bookinfo".
  std::vector<std::string> args = wasmdeploy::cli::split_short_equals(argc, argv);
  std::vector<char*> arg_ptrs;
  for (auto& a : args) arg_ptrs.push_back(a.data());
  arg_ptrs.push_back(nullptr);
  argv = arg_ptrs.data();
  argc = static_cast<int>(args.size());
  CLI::App app{"wasmdeploy: render and check proxy-wasm deployment manifests for Istio and Envoy"};
  app.set_version_flag("--version", std::string("wasmdeploy ") + WD_CLI_VERSION);
  app.require_subcommand(0, 1);
  wasmdeploy::cli::add_render_command(app);
  wasmdeploy::cli::add_versions_command(app);
  wasmdeploy::cli::add_inspect_command(app);
  wasmdeploy::cli::add_build_command(app);
  wasmdeploy::cli::add_inspect_image_command(app);
  wasmdeploy::cli::add_undeploy_command(app);
  wasmdeploy::cli::add_convert_command(app);
  wasmdeploy::cli::add_krm_command(app);
  wasmdeploy::cli::add_version_command(app);
  wasmdeploy::cli::add_help_command(app);
  wasmdeploy::cli::add_completion_command(app);
  wasmdeploy::cli::add_man_command(app);
  wasmdeploy::cli::add_run_command(app);
  wasmdeploy::cli::add_crd_commands(app);
  wasmdeploy::cli::add_push_command(app);
  wasmdeploy::cli::add_pull_command(app);
  wasmdeploy::cli::add_resolve_command(app);
  wasmdeploy::cli::add_login_commands(app);
  // --limit NAME=VALUE on every command that reads input; in force for the whole command.
  wasmdeploy::limits limits;
  const wasmdeploy::limits_scope limits_in_force(limits);
  wasmdeploy::cli::add_limit_flags(app, limits);
  try {
    // Like kubectl: a mistyped command gets a suggestion instead of a list of stray arguments.
    if (argc > 1 && argv[1][0] != '-') wasmdeploy::cli::check_subcommand(app, argv[1]);
    app.parse(argc, argv);
    if (app.get_subcommands().empty()) {
      // Bare `wasmdeploy`, as kubectl and istioctl do: the usage, exit 0.
      std::fputs(app.help().c_str(), stdout);
      return 0;
    }
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Every usage error in the same form as the others: `error: [code] flag: message`, exit 2.
    const wasmdeploy::error usage = wasmdeploy::cli::usage_error(app, e);
    std::fprintf(stderr, "error: %s\n", usage.what());
    return 2;
  } catch (const wasmdeploy::error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return e.category() == wasmdeploy::errc::usage ? 2 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return wasmdeploy::cli::exit_status();
}
