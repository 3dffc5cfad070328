// import_resources(): wasme FilterDeployments, EnvoyFilters and WasmPlugins read back into a
// Spec, as `wasmdeploy convert` and the C API's wd_spec_import do; spec_yaml(): a spec as the
// YAML `convert --to spec` writes.
#include <string>
#include <tuple>
#include <vector>

#include <pybind11/stl.h>

#include <wasmdeploy/import.hpp>
#include <wasmdeploy/limits.hpp>

#include "bindings.hpp"
#include "convert.hpp"

namespace wasmdeploy_python {

using namespace wasmdeploy;

void bind_convert(py::module_& m) {
  m.def("import_resources", [](const py::object& text, const std::string& file, const limit_settings& limits) {
          const wasmdeploy::limits bounds = limits_of(limits);
          const limits_scope scope(bounds);
          std::string bytes = py::isinstance<py::bytes>(text) ? text.cast<std::string>() : text.cast<py::str>().cast<std::string>();
          import_result r;
          {
            py::gil_scoped_release unlocked;
            r = import_resources(bytes, file);
          }
          accept_namespace_wide(r);  // as `convert --to spec`: what render reads back
          return std::make_tuple(std::move(r.imported), std::move(r.diagnostics));
        },
        py::arg("text"), py::kw_only(), py::arg("file") = "<input>", py::arg("limits") = py::none(),
        "Reads a YAML stream of FilterDeployments, EnvoyFilters and WasmPlugins (str or bytes) into (Spec, "
        "diagnostics), as `wasmdeploy convert` does.");
  m.def("spec_yaml", [](const spec& s) {
          std::string yaml = "---\n" + to_yaml(spec_to_node(s));
          if (yaml.back() != '\n') yaml += '\n';
          return yaml;
        },
        py::arg("spec"), "The spec as the YAML `wasmdeploy convert --to spec` writes.");
}

}  // namespace wasmdeploy_python
