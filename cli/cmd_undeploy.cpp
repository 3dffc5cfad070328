// `wasmdeploy undeploy`: the same inputs as render, the removal plan as output. stdout holds
// only objects wasmdeploy created, as minimal objects for `kubectl delete -f`; `--restore`
// prints instead the JSON merge patches (`kubectl patch --type=merge`) that give user objects
// (workloads, the Gloo Gateway) back their previous state. -o dir= writes both: deletions at
// the top, restores under patches/.
#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/undeploy.hpp>

#include "commands.hpp"
#include "spec_flags.hpp"

namespace wasmdeploy::cli {
namespace {

struct undeploy_flags : spec_flags {
  bool restore = false;
};

void run(undeploy_flags& o) {
  o.files.erase(std::remove(o.files.begin(), o.files.end(), std::string()), o.files.end());
  if (o.files.empty() && o.module.empty()) {
    throw error(errc::usage, "undeploy.no-input", "-f",
                "give the spec that was rendered with -f FILE, or the same one-liner flags as render");
  }
  with_flag_names(o, [&] {
    spec s = build_spec(o);
    render_options ro = make_render_options(s, o);
    const undeploy_part part = o.output.rfind("dir=", 0) == 0 ? undeploy_part::all
                               : o.restore                     ? undeploy_part::restores
                                                               : undeploy_part::deletions;
    output_settings out{o.output, o.force, o.quiet, o.strict,
                        [&](std::vector<diagnostic> d) { return name_flags(o, std::move(d)); }};
    write_output(out, [&](document_sink& sink) { return render_undeploy(s, ro, part, sink); });
  });
}

}  // namespace

void add_undeploy_command(CLI::App& app) {
  auto o = std::make_shared<undeploy_flags>();
  CLI::App* cmd = app.add_subcommand(
      "undeploy",
      "Render the removal plan for a spec: the objects to delete (stdout), or with --restore the\n"
      "merge patches that restore workloads; -o dir= writes both (restores under patches/).\n"
      "Restore the workloads first (kubectl patch --type=merge each patches/ file), then delete:\n"
      "  wasmdeploy undeploy -f spec.yaml --istio 1.24 --live live.yaml -o dir=removal\n"
      "  wasmdeploy undeploy -f spec.yaml --istio 1.24 | kubectl delete --ignore-not-found -f -\n"
      "  wasmdeploy undeploy oci://registry/filter:v1 --id myfilter -n bookinfo -l app=details --istio 1.24");
  add_spec_flags(cmd, *o);
  cmd->add_flag("--restore", o->restore,
                "Print the merge patches restoring user objects instead of the objects to delete");
  cmd->callback([o] { run(*o); });
}

}  // namespace wasmdeploy::cli
