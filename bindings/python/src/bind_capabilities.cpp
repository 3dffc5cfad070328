// The capability table: which Istio releases support what.
#include <pybind11/stl.h>

#include <wasmdeploy/capabilities.hpp>
#include <wasmdeploy/mesh_version.hpp>

#include "bindings.hpp"
#include "convert.hpp"

namespace wasmdeploy_python {

using namespace wasmdeploy;

namespace {

const capability_info& lookup(const std::string& key) {
  auto c = find_capability(key);
  if (!c) throw error(errc::not_found, "capability.unknown", "", "unknown capability '" + key + "'");
  return info(*c);
}

mesh_version version_of(const py::object& v) {
  if (py::isinstance<mesh_version>(v)) return v.cast<mesh_version>();
  return mesh_version::parse(v.cast<std::string>());
}

}  // namespace

void bind_capabilities(py::module_& m) {
  py::class_<capability_info>(m, "Capability", "One row of the capability table.")
      .def_property_readonly("key", [](const capability_info& c) { return std::string(c.key); }, "Stable name, e.g. \"wasm-plugin\".")
      .def_property_readonly("since", [](const capability_info& c) { return c.since.str(true); }, "First release that has it.")
      .def_property_readonly("until", [](const capability_info& c) {
        return c.until ? std::optional<std::string>(c.until->str(true)) : std::nullopt;
      }, "First release that no longer has it, or None.")
      .def_property_readonly("support", [](const capability_info& c) { return describe_support(c.id); },
                             "\"Istio 1.12 and later\" style text.")
      .def_property_readonly("summary", [](const capability_info& c) { return std::string(c.summary); }, "One-line description.")
      .def_property_readonly("source", [](const capability_info& c) { return std::string(c.source); }, "Where the fact comes from.")
      .def("__repr__", [](const capability_info& c) {
        return "Capability(" + py::repr(py::str(std::string(c.key))).cast<std::string>() + ", " +
               py::repr(py::str(describe_support(c.id))).cast<std::string>() + ")";
      });

  m.def("capabilities", [] {
          std::vector<capability_info> rows = capability_table();
          return rows;
        }, "All rows of the capability table, in table order.");
  m.def("supports", [](const py::object& istio, const std::string& key) { return supports(version_of(istio), lookup(key).id); },
        py::arg("istio"), py::arg("capability"),
        "Whether an Istio version (str or MeshVersion) has a capability; raises WasmDeployError for an unknown key.");
  m.def("first_release", [](const std::string& key) { return lookup(key).since.str(true); }, py::arg("capability"),
        "The first Istio release with a capability, e.g. \"1.12\".");
}

}  // namespace wasmdeploy_python
