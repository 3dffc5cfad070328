// `wasmdeploy inspect-image`: classify an OCI image layout and check it against a platform.
#pragma once

namespace CLI {
class App;
}

/// Registers the `inspect-image` subcommand. Failures throw wasmdeploy::error.
namespace wasmdeploy::cli {
void add_inspect_image_command(CLI::App& app);
}  // namespace wasmdeploy::cli
