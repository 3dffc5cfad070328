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
  std::vector<std::string> allow;
};

// Stand-ins for inputs that only shape what is deployed, never what is removed: the objects an
// undeploy deletes and the patches that restore workloads are named by the filter id, the
// namespace and the workloads, not by the module's hashes (`wasme undeploy istio --id myfilter
// --namespace bookinfo` asked for nothing more). The deletions are minimal objects and the
// restores carry the workloads' previous values, so a stand-in never reaches the output (the
// cli tests check it).
constexpr const char* kUnusedModule = "oci://undeploy.wasmdeploy.invalid/unused:unused";
constexpr const char* kUnusedDigest = "0000000000000000000000000000000000000000000000000000000000000000";
constexpr const char* kUnusedModuleHash = "1111111111111111111111111111111111111111111111111111111111111111";

void fill_unused_hashes(spec& s) {
  for (auto& f : s.filters) {
    if (f.module.kind != module_source::scheme::oci || !f.image_layout.empty()) continue;
    if (f.sha256.empty() && f.module.digest.empty()) f.sha256 = kUnusedDigest;
    if (f.module_sha256.empty()) f.module_sha256 = kUnusedModuleHash;
  }
}

void run(undeploy_flags& o) {
  o.files.erase(std::remove(o.files.begin(), o.files.end(), std::string()), o.files.end());
  if (o.files.empty() && o.module.empty() && o.id.empty()) {
    throw error(errc::usage, "undeploy.no-input", "-f",
                "give the spec that was rendered with -f FILE, or the same one-liner flags as render "
                "(--id NAME -n NAMESPACE is enough for an oci:// filter)");
  }
  // No module: the filter was an oci:// one (what wasme deployed); its reference names nothing removed.
  if (o.files.empty() && o.module.empty()) o.module = kUnusedModule;
  with_flag_names(o, [&] {
    spec s = build_spec(o);
    fill_unused_hashes(s);
    render_options ro = make_render_options(s, o);
    ro.allow = o.allow;
    const undeploy_part part = o.output.rfind("dir=", 0) == 0 ? undeploy_part::all
                               : o.restore                     ? undeploy_part::restores
                                                               : undeploy_part::deletions;
    output_settings out{o.output, o.force, o.quiet, o.strict,
                        [&](std::vector<diagnostic> d) { return name_flags(o, std::move(d)); }};
    // The same confinement as render: the spec's directory, -f directories, --allow-path.
    resolve_options inputs;
    inputs.files = make_input_access(s, o);
    write_output(out, [&](document_sink& sink) { return render_undeploy(s, ro, inputs, part, sink); });
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
      "  wasmdeploy undeploy oci://registry/filter:v1 --id myfilter -n bookinfo -l app=details --istio 1.24\n"
      "  wasmdeploy undeploy --id myfilter -n bookinfo --workload details-v1:app=details --istio 1.8\n"
      "An oci:// module's sha256 and moduleSha256 name nothing that is removed, so they may be left out.");
  add_spec_flags(cmd, *o);
  add_allow_flag(cmd, o->allow);
  cmd->add_flag("--restore", o->restore,
                "Print the merge patches restoring user objects instead of the objects to delete");
  cmd->callback([o] { run(*o); });
}

}  // namespace wasmdeploy::cli
