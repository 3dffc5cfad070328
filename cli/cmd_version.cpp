// `wasmdeploy version [-o text|json|yaml]`: the library version and build, and the Istio and
// Envoy Gateway releases this build renders for.
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include <wasmdeploy/gateway_capabilities.hpp>
#include <wasmdeploy/mesh_version.hpp>
#include <wasmdeploy/node.hpp>
#include <wasmdeploy/version.hpp>

#include "commands.hpp"

namespace wasmdeploy::cli {
namespace {

void run(const std::string& output) {
  const std::string istio_lo = mesh_version::oldest_supported().str(true);
  const std::string istio_hi = mesh_version::newest_supported().str(true);
  const std::string eg_lo = gateway_version_str(gateway_oldest_supported());
  const std::string eg_hi = gateway_version_str(gateway_newest_supported());
  if (output == "text") {
    std::fputs(fmt::format("wasmdeploy {}\nlibrary:       {}\nbuild:         {}\nistio:         {} to {}\n"
                           "envoy-gateway: {} to {}\n",
                           WD_CLI_VERSION, library_version(), library_build(), istio_lo, istio_hi, eg_lo, eg_hi)
                   .c_str(),
               stdout);
    return;
  }
  node n = make_mapping({{"version", std::string(WD_CLI_VERSION)},
                         {"library", library_version()},
                         {"build", library_build()},
                         {"istio", make_mapping({{"oldest", istio_lo}, {"newest", istio_hi}})},
                         {"envoyGateway", make_mapping({{"oldest", eg_lo}, {"newest", eg_hi}})}});
  print_data(n, output);
}

}  // namespace

void add_version_command(CLI::App& app) {
  auto output = std::make_shared<std::string>("text");
  CLI::App* cmd = app.add_subcommand("version", "Print the version, the build and the supported Istio and Envoy Gateway releases");
  cmd->add_option("-o,--output", *output, "text (default), json or yaml")->check(CLI::IsMember({"text", "json", "yaml"}));
  cmd->callback([output] { run(*output); });
}

}  // namespace wasmdeploy::cli
