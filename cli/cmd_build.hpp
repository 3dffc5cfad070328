// `wasmdeploy build`: package a .wasm module as an OCI image layout.
#pragma once

namespace CLI {
class App;
}

/// Registers the `build` subcommand. Failures throw wasmdeploy::error (errc::usage for bad
/// combinations, errc::invalid for unacceptable input), which main maps to exit codes.
namespace wasmdeploy::cli {
void add_build_command(CLI::App& app);
}  // namespace wasmdeploy::cli
