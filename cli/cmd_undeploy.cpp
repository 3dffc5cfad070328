// `wasmdeploy undeploy`: the same inputs as render, the removal plan as output. Resources come
// as minimal objects for `kubectl delete -f`; workload patches as JSON merge patches for
// `kubectl patch --type merge` that restore the annotations the workloads had before.
#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/undeploy.hpp>

#include "commands.hpp"
#include "spec_flags.hpp"

namespace wasmdeploy::cli {
namespace {

void run(spec_flags& o) {
  o.files.erase(std::remove(o.files.begin(), o.files.end(), std::string()), o.files.end());
  if (o.files.empty() && o.module.empty()) {
    throw error(errc::usage, "undeploy.no-input", "-f",
                "give the spec that was rendered with -f FILE, or the same one-liner flags as render");
  }
  with_flag_names(o, [&] {
    spec s = build_spec(o);
    render_options ro = make_render_options(s, o);
    output_settings out{o.output, o.force, o.quiet, o.strict,
                        [&](std::vector<diagnostic> d) { return name_flags(o, std::move(d)); }};
    write_output(out, [&](document_sink& sink) { return render_undeploy(s, ro, sink); });
  });
}

}  // namespace

void add_undeploy_command(CLI::App& app) {
  auto o = std::make_shared<spec_flags>();
  CLI::App* cmd = app.add_subcommand(
      "undeploy",
      "Render the removal plan for a spec: objects to delete and patches that restore workloads.\n"
      "  wasmdeploy undeploy -f spec.yaml --istio 1.24 > removal.yaml\n"
      "  wasmdeploy undeploy oci://registry/filter:v1 --id myfilter -n bookinfo -l app=details --istio 1.24");
  add_spec_flags(cmd, *o);
  cmd->callback([o] { run(*o); });
}

}  // namespace wasmdeploy::cli
