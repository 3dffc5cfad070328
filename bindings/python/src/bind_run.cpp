// The embedded proxy-wasm host: wasmdeploy._core.run_module / run_spec_filter / run_check.
// Results cross as the JSON of `wasmdeploy run -o json`; wasmdeploy/_run.py turns it into
// typed objects.
#include <wasmdeploy/run.hpp>

#include <pybind11/stl.h>

#include "bindings.hpp"

namespace wasmdeploy_python {

using namespace wasmdeploy;

namespace {

using additions = std::vector<std::tuple<std::string, std::string, std::string>>;

run_options make_options(const std::map<std::string, std::string>& options, const additions& added,
                         const std::optional<py::bytes>& config, const limit_settings& limits) {
  run_options o;
  o.limits = limits_of(limits);  // first: config_json's depth is checked as it is set
  for (const auto& [k, v] : options) set_run_option(o, k, v);
  for (const auto& [where, name, value] : added) add_run_option(o, where, name, value);
  if (config) o.plugin_config = std::string(*config);
  return o;
}

}  // namespace

void bind_run(py::module_& m) {
  m.def("host_available", &host_available, "Whether this build has the embedded proxy-wasm host.");
  m.def("run_module", [](const py::bytes& data, const std::map<std::string, std::string>& options,
                         const additions& added, const std::optional<py::bytes>& config,
                         const limit_settings& limits) {
          const std::string bytes = data;
          const run_options o = make_options(options, added, config, limits);
          py::gil_scoped_release unlocked;
          return format_run_json(run_module(bytes, o));
        },
        py::arg("data"), py::kw_only(), py::arg("options") = std::map<std::string, std::string>{},
        py::arg("additions") = additions{}, py::arg("config") = std::nullopt, py::arg("limits") = py::none(),
        "Runs a module in the embedded host; returns the JSON of `wasmdeploy run -o json`.");
  m.def("run_spec_filter", [](const spec& s, const std::string& filter, const std::string& istio,
                              const std::map<std::string, std::string>& options, const additions& added,
                              const limit_settings& limits) {
          const wasmdeploy::limits bounds = limits_of(limits);
          const limits_scope scope(bounds);
          render_options ro;
          ro.istio = istio;
          ro.allow_incompatible_module = s.options.allow_incompatible_module;
          const filter_run_input in = run_input_for(s, filter, ro);
          const run_options o = in.deployed_with(make_options(options, added, std::nullopt, limits));
          py::gil_scoped_release unlocked;
          return format_run_json(run_module(in.module_bytes, o));
        },
        py::arg("spec"), py::arg("filter"), py::kw_only(), py::arg("istio") = "",
        py::arg("options") = std::map<std::string, std::string>{}, py::arg("additions") = additions{},
        py::arg("limits") = py::none(),
        "Runs a spec filter with exactly the configuration render deploys for istio; returns JSON.");
  m.def("run_check", [](const spec& shared, const std::string& istio, const limit_settings& limits) {
          const wasmdeploy::limits bounds = limits_of(limits);
          const limits_scope scope(bounds);
          render_options ro;
          ro.limits = bounds;
          ro.istio = istio;
          ro.allow_incompatible_module = shared.options.allow_incompatible_module;
          // Other Python threads run while the modules do: they may change the Spec meanwhile,
          // so the run reads a copy taken under the GIL.
          const spec s = shared;
          std::vector<diagnostic> found;
          {
            py::gil_scoped_release unlocked;
            found = run_check(s, ro);
          }
          std::vector<std::string> notes;
          for (const auto& d : found) notes.push_back(format_diagnostic(d));
          return notes;
        },
        py::arg("spec"), py::kw_only(), py::arg("istio") = "", py::arg("limits") = py::none(),
        "render --run-check: raises WasmDeployError (host.configure-rejected, ...) with the field path when a "
        "module rejects its configuration; returns the notes for those that accept it.");
}

}  // namespace wasmdeploy_python
