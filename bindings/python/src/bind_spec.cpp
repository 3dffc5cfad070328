// Spec: parsed from text or a file, or assembled from Filter and Target objects.
#include <pybind11/stl.h>

#include <wasmdeploy/live.hpp>
#include <wasmdeploy/spec.hpp>

#include "bindings.hpp"
#include "convert.hpp"

namespace wasmdeploy_python {

using namespace wasmdeploy;

namespace {

// Field paths in diagnostics follow the position in the spec ("filters[1].sha256"), as they
// would for a parsed file.
void renumber(spec& s) {
  for (size_t i = 0; i < s.filters.size(); ++i) s.filters[i].path = "filters[" + std::to_string(i) + "]";
  for (size_t i = 0; i < s.targets.size(); ++i) s.targets[i].path = "targets[" + std::to_string(i) + "]";
}

spec parse_text(const std::string& text, const std::string& file, const std::string& base_dir,
                const limit_settings& limits) {
  const wasmdeploy::limits bounds = limits_of(limits);
  py::gil_scoped_release unlocked;
  return parse_spec(text, file, base_dir, bounds);
}

spec load_path(const std::string& path, const limit_settings& limits) {
  const wasmdeploy::limits bounds = limits_of(limits);
  py::gil_scoped_release unlocked;
  return load_spec(path, bounds);
}

// Only the keys given change; the others keep their defaults.
void set_envoy(spec& s, const py::dict& d) {
  for (auto item : d) {
    const std::string key = item.first.cast<std::string>();
    if (key == "listen_port") {
      s.options.envoy_listen_port = item.second.cast<std::uint32_t>();
    } else if (key == "admin_port") {
      s.options.envoy_admin_port = item.second.cast<std::uint32_t>();
    } else if (key == "upstream") {
      s.options.envoy_upstream = item.second.cast<std::string>();
    } else {
      throw error(errc::invalid, "spec.unknown-field", "options.envoy." + key,
                  "unknown field '" + key + "'; known fields: listen_port, admin_port, upstream");
    }
  }
}

}  // namespace

void bind_spec(py::module_& m) {
  py::class_<spec>(m, "Spec", "A deployment spec: filters (what to deploy) and targets (where).")
      .def(py::init([](const std::vector<filter>& filters, const std::vector<target>& targets, const std::string& istio,
                       const std::string& naming, const std::string& resource, bool allow_incompatible_module,
                       const std::string& base_dir, const std::string& file, std::optional<std::string> platform_,
                       const std::string& gateway_version, const py::dict& envoy, const std::string& gloo_gateway,
                       const std::vector<std::string>& allow) {
             spec s;
             s.filters = filters;
             s.targets = targets;
             s.istio = istio;
             s.options.naming = parse_naming_scheme(naming, "options.naming");
             s.options.resource = parse_resource_kind(resource, "options.resource");
             s.options.allow_incompatible_module = allow_incompatible_module;
             s.base_dir = base_dir;
             s.file = file;
             if (platform_) {
               s.options.target_platform = parse_platform(*platform_, "options.platform");
               s.options.platform_set = true;
             }
             s.options.gateway_version = gateway_version;
             set_envoy(s, envoy);
             s.options.gloo_gateway_file = gloo_gateway;
             s.options.allow = allow;
             renumber(s);
             return s;
           }),
           py::arg("filters") = std::vector<filter>{}, py::arg("targets") = std::vector<target>{}, py::kw_only(),
           py::arg("istio") = "", py::arg("naming") = "auto", py::arg("resource") = "auto",
           py::arg("allow_incompatible_module") = false, py::arg("base_dir") = ".", py::arg("file") = "<input>",
           py::arg("platform") = py::none(), py::arg("gateway_version") = "", py::arg("envoy") = py::dict(),
           py::arg("gloo_gateway") = "", py::arg("allow") = std::vector<std::string>{},
           "Builds a spec from Filter and Target objects. The keywords after the lists are the spec file's "
           "fields and its options' fields in snake_case; envoy is {\"listen_port\": ..., \"admin_port\": ..., "
           "\"upstream\": ...}.")
      .def_static("from_string", &parse_text, py::arg("text"), py::arg("file") = "<input>", py::arg("base_dir") = ".", py::kw_only(), py::arg("limits") = py::none(),
                  "Parses YAML or JSON text strictly; raises WasmDeployError with file:line:col.")
      .def_static("from_file", &load_path, py::arg("path"), py::kw_only(), py::arg("limits") = py::none(),
                  "Reads and parses a spec file; relative module paths resolve against its directory.")
      .def_readwrite("istio", &spec::istio, "Istio version text from the spec (\"\" when absent).")
      .def_property("naming", [](const spec& s) { return std::string(to_string(s.options.naming)); },
                    [](spec& s, const std::string& v) { s.options.naming = parse_naming_scheme(v, "options.naming"); },
                    "auto, per-workload or per-target.")
      .def_property("resource", [](const spec& s) { return std::string(to_string(s.options.resource)); },
                    [](spec& s, const std::string& v) { s.options.resource = parse_resource_kind(v, "options.resource"); },
                    "Default resource kind: auto, EnvoyFilter, WasmPlugin or TrafficExtension.")
      .def_property("allow_incompatible_module", [](const spec& s) { return s.options.allow_incompatible_module; },
                    [](spec& s, bool v) { s.options.allow_incompatible_module = v; },
                    "Render even when a local module's ABI cannot load on the chosen version.")
      .def_property("filters", [](const spec& s) { return s.filters; },
                    [](spec& s, const std::vector<filter>& v) {
                      s.filters = v;
                      renumber(s);
                    },
                    "The filters (a copy: edit and assign back to change).")
      .def_property("targets", [](const spec& s) { return s.targets; },
                    [](spec& s, const std::vector<target>& v) {
                      s.targets = v;
                      renumber(s);
                    },
                    "The targets (a copy: edit and assign back to change).")
      .def_property("platform",
                    [](const spec& s) {
                      return s.options.platform_set ? std::optional<std::string>(std::string(to_string(s.options.target_platform)))
                                                    : std::nullopt;
                    },
                    [](spec& s, std::optional<std::string> v) {
                      s.options.platform_set = v.has_value();
                      s.options.target_platform = v ? parse_platform(*v, "options.platform") : platform::istio;
                    },
                    "istio, wasme, gloo, envoy, envoy-gateway, higress, or None (istio).")
      .def_property("gateway_version", [](const spec& s) { return s.options.gateway_version; },
                    [](spec& s, const std::string& v) { s.options.gateway_version = v; },
                    "Envoy Gateway version (v1.1 ... v1.9), or \"\".")
      .def_property("envoy",
                    [](const spec& s) {
                      py::dict d;
                      d["listen_port"] = s.options.envoy_listen_port;
                      d["admin_port"] = s.options.envoy_admin_port;
                      d["upstream"] = s.options.envoy_upstream;
                      return d;
                    },
                    [](spec& s, const py::dict& d) { set_envoy(s, d); },
                    "The local Envoy bootstrap's listen_port, admin_port and upstream (a copy; assign to change).")
      .def_property("gloo_gateway", [](const spec& s) { return s.options.gloo_gateway_file; },
                    [](spec& s, const std::string& v) { s.options.gloo_gateway_file = v; },
                    "Existing Gloo Gateway file to merge the filters into, or \"\".")
      .def_property("allow", [](const spec& s) { return s.options.allow; },
                    [](spec& s, const std::vector<std::string>& v) { s.options.allow = v; },
                    "Warning codes acknowledged (options.allow): notes instead of warnings, recorded in the "
                    "wasmdeploy.io/allowed annotation.")
      .def_readwrite("base_dir", &spec::base_dir, "Directory relative module paths resolve against.")
      .def_readwrite("file", &spec::file, "Name used in diagnostics.")
      .def("add_filter", [](spec& s, const filter& f) {
             s.filters.push_back(f);
             renumber(s);
           }, py::arg("filter"), "Appends a filter.")
      .def("add_target", [](spec& s, const target& t) {
             s.targets.push_back(t);
             renumber(s);
           }, py::arg("target"), "Appends a target.")
      .def("copy", [](const spec& s) { return s; }, "Returns an independent copy.")
      .def("__repr__", [](const spec& s) {
        return "Spec(file=" + py::repr(py::str(s.file)).cast<std::string>() + ", istio=" +
               py::repr(py::str(s.istio)).cast<std::string>() + ", filters=" + std::to_string(s.filters.size()) +
               ", targets=" + std::to_string(s.targets.size()) + ")";
      });

  m.def("parse_spec", &parse_text, py::arg("text"), py::arg("file") = "<input>", py::arg("base_dir") = ".", py::kw_only(), py::arg("limits") = py::none(),
        "Parses a spec from YAML or JSON text (same as Spec.from_string).");
  m.def("load_spec", &load_path, py::arg("path"), py::kw_only(), py::arg("limits") = py::none(), "Reads and parses a spec file (same as Spec.from_file).");
  m.def("with_live", [](const spec& s, const py::object& text, const std::string& file) {
          std::string bytes = py::isinstance<py::bytes>(text) ? text.cast<std::string>() : text.cast<py::str>().cast<std::string>();
          spec changed = s;
          {
            py::gil_scoped_release unlocked;
            apply_live_workloads(changed, bytes, file);
          }
          return changed;
        },
        py::arg("spec"), py::arg("text"), py::kw_only(), py::arg("file") = "<live>",
        "A copy of spec whose listed workloads carry their live volume annotations, read from `kubectl get "
        "... -o yaml|json` output (str or bytes): the CLI's --live, the C API's wd_spec_apply_live.");
}

}  // namespace wasmdeploy_python
