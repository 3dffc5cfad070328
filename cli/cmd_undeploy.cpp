// `wasmdeploy undeploy`: the same inputs as render, the removal plan as output. stdout holds
// only objects wasmdeploy created, as minimal objects for `kubectl delete -f`; `--restore`
// prints instead the JSON merge patches (`kubectl patch --type=merge`) that give user objects
// (workloads, the Gloo Gateway) back their previous state. -o dir= writes both: deletions at
// the top, restores under patches/.
#include <cstdio>

#include <fmt/format.h>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/undeploy.hpp>

#include "commands.hpp"

namespace wasmdeploy::cli {
namespace {

struct undeploy_flags {
  std::string file, istio, target, gateway_version, output = "yaml";
  bool quiet = false, force = false, restore = false;
};

void run(const undeploy_flags& o) {
  if (o.file.empty()) throw error(errc::usage, "undeploy.no-input", "-f", "give the spec that was rendered with -f FILE");
  spec s = load_spec(o.file);
  render_options ro = make_render_options(s, o.istio, o.target, o.gateway_version, false);
  const undeploy_part part = o.output.rfind("dir=", 0) == 0 ? undeploy_part::all
                             : o.restore                     ? undeploy_part::restores
                                                             : undeploy_part::deletions;
  write_output(o.output, o.force, o.quiet, [&](document_sink& sink) { return render_undeploy(s, ro, part, sink); });
}

}  // namespace

void add_undeploy_command(CLI::App& app) {
  auto o = std::make_shared<undeploy_flags>();
  CLI::App* cmd = app.add_subcommand(
      "undeploy",
      "Render the removal plan for a spec: the objects to delete (stdout), or with --restore the\n"
      "merge patches that restore workloads; -o dir= writes both (restores under patches/).\n"
      "  wasmdeploy undeploy -f spec.yaml --istio 1.24 | kubectl delete -f -");
  cmd->add_option("-f,--filename", o->file, "Spec file (YAML or JSON); - reads stdin")->required();
  cmd->add_option("--istio", o->istio, "Target Istio version (overrides the spec)");
  cmd->add_option("--target", o->target, "Platform: istio, wasme, gloo, envoy, envoy-gateway or higress");
  cmd->add_option("--gateway-version", o->gateway_version, "Envoy Gateway version v1.1 ... v1.9");
  cmd->add_option("-o,--output", o->output, "yaml (default), json, or dir=PATH");
  cmd->add_flag("--restore", o->restore,
                "Print the merge patches restoring user objects instead of the objects to delete");
  cmd->add_flag("--force", o->force, "With -o dir=PATH: replace a directory that already has files");
  cmd->add_flag("-q,--quiet", o->quiet, "Do not print notes");
  cmd->callback([o] { run(*o); });
}

}  // namespace wasmdeploy::cli
