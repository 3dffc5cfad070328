// `wasmdeploy render`: a spec file (or flags, for one-liners) -> manifests on stdout or in a
// directory. Everything is validated before the first byte is written.
#include <cstdio>

#include <fmt/format.h>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/render.hpp>
#include <wasmdeploy/run.hpp>
#include <wasmdeploy/spec.hpp>

#include "commands.hpp"
#include "registry_flags.hpp"
#include "spec_flags.hpp"

namespace wasmdeploy::cli {
namespace {

struct render_flags : spec_flags {
  bool files = false;
  bool run_check = false;
  bool resolve = false;
  registry_flags registry;
  std::vector<std::string> allow;
};

// Passes documents on and counts the merge patches among them.
class patch_counter : public document_sink {
 public:
  explicit patch_counter(document_sink& next) : next_(next) {}
  void on_document(const document& d) override {
    patches += d.what == document::role::patch;
    next_.on_document(d);
  }
  size_t patches = 0;

 private:
  document_sink& next_;
};

void run(render_flags& o) {
  with_flag_names(o, [&] {
    spec s = build_spec(o);
    render_options ro = make_render_options(s, o);
    resolve_options inputs;
    inputs.files = make_input_access(s, o);
    // The network only with --resolve: a plain render stays offline and deterministic.
    inputs.network = o.resolve;
    if (o.resolve) inputs.registry = registry_settings(o.registry);
    ro.allow = o.allow;
    // Refuses before any output when a module rejects its configuration.
    if (o.run_check) print_diagnostics(name_flags(o, wasmdeploy::run_check(s, ro, inputs.files)), o.quiet);
    if (o.files) {
      render_result r = render(s, ro, inputs);
      print_files(r.documents);
      print_diagnostics(name_flags(o, r.summary.diagnostics), o.quiet);
      return;
    }
    output_settings out{o.output, o.force, o.quiet, o.strict,
                        [&](std::vector<diagnostic> d) { return name_flags(o, std::move(d)); }};
    const bool stream = o.output.rfind("dir=", 0) != 0;
    write_output(out, [&](document_sink& sink) {
      patch_counter counted(sink);
      render_summary summary = render(s, ro, inputs, counted);
      if (stream && counted.patches > 0) {
        // The stream is the whole render, to read or to convert; `kubectl apply -f` refuses its
        // partial workload objects, so applying it as a whole is not what it is for.
        summary.diagnostics.push_back(
            {severity::note, "render.patches-in-stream", "",
             fmt::format("the output holds {} merge patch(es) for objects you own (workloads, a Gateway), which "
                         "`kubectl apply -f` refuses: write -o dir=DIR and apply DIR/, then `kubectl patch` each "
                         "DIR/patches/ file (README: Deploying and undoing)", counted.patches), {}});
      }
      return summary;
    });
  });
}

}  // namespace

void add_render_command(CLI::App& app) {
  auto o = std::make_shared<render_flags>();
  CLI::App* cmd = app.add_subcommand(
      "render",
      "Render the manifests that deploy Wasm filters to Istio.\n"
      "  wasmdeploy render -f spec.yaml --istio 1.24            # the whole render, to read\n"
      "  wasmdeploy render -f spec.yaml --istio 1.24 -o dir=out  # to apply: objects in out/, patches in out/patches/\n"
      "  wasmdeploy render oci://registry/filter:v1 --id myfilter -n bookinfo -l app=details --istio 1.24\n"
      "  wasmdeploy render oci://registry/filter:v1 --id myfilter -n bookinfo --all-workloads --istio 1.24");
  add_spec_flags(cmd, *o);
  add_allow_flag(cmd, o->allow);
  cmd->add_flag("--files", o->files, "Print the file artifacts (e.g. the Envoy bootstrap) instead of the manifests");
  cmd->add_flag("--run-check", o->run_check,
                "Run vm start + configure of every module wasmdeploy can read in the embedded host; refuse when one "
                "rejects its configuration");
  cmd->add_flag("--resolve", o->resolve,
                "Ask the registry for each oci:// module: fill sha256 and moduleSha256, pin the tag to the digest "
                "(network; without it render never leaves this machine)");
  add_registry_flags(cmd, o->registry);
  cmd->callback([o] { run(*o); });
}

}  // namespace wasmdeploy::cli
