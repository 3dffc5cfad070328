// render(): spec -> documents as text, or as Python objects parsed from the JSON text (so the
// objects carry exactly the bytes every other front end produces).
#include <memory>
#include <optional>

#include <pybind11/stl.h>

#include <wasmdeploy/gateway_capabilities.hpp>
#include <wasmdeploy/inspect.hpp>
#include <wasmdeploy/oci_image.hpp>
#include <wasmdeploy/render.hpp>
#include <wasmdeploy/undeploy.hpp>

#include "bind_resolve.hpp"
#include "bindings.hpp"
#include "convert.hpp"

namespace wasmdeploy_python {

using namespace wasmdeploy;

namespace {

struct py_render_result {
  render_result impl;
};

std::string istio_text(const py::object& istio) {
  if (istio.is_none()) return {};
  if (py::isinstance<mesh_version>(istio)) return istio.cast<const mesh_version&>().str();
  return istio.cast<std::string>();
}

// The options every render-like function takes, as the CLI's --istio/--target/--gateway-version.
render_options options_of(const py::object& istio, const std::optional<std::string>& target,
                          const std::optional<std::string>& gateway_version, bool allow_incompatible_module = false,
                          const std::vector<std::string>& allow = {}) {
  render_options o;
  o.allow = allow;
  o.istio = istio_text(istio);
  if (target && !target->empty()) o.target = parse_platform(*target, "target");
  if (gateway_version && !gateway_version->empty()) {
    parse_gateway_version(*gateway_version, "gateway_version");  // report it where it was given
    o.gateway_version = *gateway_version;
  }
  o.allow_incompatible_module = allow_incompatible_module;
  return o;
}

render_result run(const spec& s, const render_options& o, const resolve_options& inputs = {}) {
  py::gil_scoped_release unlocked;
  return render(s, o, inputs);
}

py::object to_output(const std::vector<document>& docs, const std::string& output) {
  if (output == "yaml" || output == "json") {
    std::string text;
    {
      py::gil_scoped_release unlocked;
      text = to_text(docs, output == "yaml" ? output_format::yaml : output_format::json);
    }
    return py::str(text);
  }
  if (output == "objects") {
    std::string text;
    {
      py::gil_scoped_release unlocked;
      text = to_text(docs, output_format::json);
    }
    py::object list = py::module_::import("json").attr("loads")(py::str(text));
    return list["items"];
  }
  throw error(errc::usage, "python.bad-output", "output", "output must be \"objects\", \"yaml\" or \"json\", not \"" + output + "\"");
}

}  // namespace

void bind_render(py::module_& m) {
  py::class_<diagnostic>(m, "Diagnostic", "A warning or note from a render.")
      .def_property_readonly("severity", [](const diagnostic& d) { return std::string(severity_name(d.level)); },
                             "\"note\", \"warning\" or \"error\".")
      .def_readonly("code", &diagnostic::code, "Stable dotted identifier.")
      .def_readonly("path", &diagnostic::path, "Field path, or \"\".")
      .def_readonly("message", &diagnostic::message, "The message.")
      .def_property_readonly("line", [](const diagnostic& d) { return d.position.line; }, "1-based line, 0 when unknown.")
      .def_property_readonly("column", [](const diagnostic& d) { return d.position.column; }, "1-based column, 0 when unknown.")
      .def("__str__", &format_diagnostic)
      .def("__repr__", [](const diagnostic& d) {
        return "Diagnostic(" + py::repr(py::str(format_diagnostic(d))).cast<std::string>() + ")";
      });

  py::class_<py_render_result>(m, "RenderResult", "A finished render: documents, diagnostics and the version used.")
      .def_property_readonly("version", [](const py_render_result& r) { return r.impl.summary.version; },
                             "The Istio version the render used.")
      .def_property_readonly("diagnostics", [](const py_render_result& r) { return r.impl.summary.diagnostics; },
                             "Warnings and notes.")
      .def_property_readonly("file_names", [](const py_render_result& r) {
        std::vector<std::string> out;
        for (const auto& d : r.impl.documents) out.push_back(d.file_name);
        return out;
      }, "Stable file names of the documents, in order.")
      .def("output", [](const py_render_result& r, const std::string& output) { return to_output(r.impl.documents, output); },
           py::arg("output") = "objects", "The documents as \"objects\" (list of dicts), \"yaml\" or \"json\" text.")
      .def("write_directory", [](const py_render_result& r, const std::string& dir, bool force) {
             py::gil_scoped_release unlocked;
             write_directory(r.impl.documents, dir, force);
           }, py::arg("directory"), py::kw_only(), py::arg("force") = false,
           "Writes one file per document into directory, atomically.")
      .def("__len__", [](const py_render_result& r) { return r.impl.documents.size(); })
      .def("__repr__", [](const py_render_result& r) {
        return "RenderResult(version=" + py::repr(py::str(r.impl.summary.version.str())).cast<std::string>() +
               ", documents=" + std::to_string(r.impl.documents.size()) +
               ", diagnostics=" + std::to_string(r.impl.summary.diagnostics.size()) + ")";
      });

  m.def("render", [](const spec& s, const py::object& istio, const std::string& output, bool allow_incompatible_module,
                     const std::optional<std::string>& target,
                     const std::optional<std::string>& gateway_version, bool resolve, const py::object& registry,
                     const std::vector<std::string>& allow_paths, bool allow_outside_spec_dir,
                     const limit_settings& limits) {
          resolve_options inputs = resolve_options_of(resolve, registry, allow_paths, allow_outside_spec_dir);
          render_options o = options_of(istio, target, gateway_version, allow_incompatible_module);
          o.limits = limits_of(limits);
          render_result r = run(s, o, inputs);
          return to_output(r.documents, output);
        },
        py::arg("spec"), py::kw_only(), py::arg("istio") = py::none(), py::arg("output") = "objects",
        py::arg("allow_incompatible_module") = false, py::arg("target") = py::none(),
        py::arg("gateway_version") = py::none(), py::arg("resolve") = false, py::arg("registry") = py::none(),
        py::arg("allow_paths") = std::vector<std::string>{}, py::arg("allow_outside_spec_dir") = false,
        py::arg("limits") = py::none(),
        "Renders a spec for an Istio version (str or MeshVersion; None uses the spec's). output is \"objects\" "
        "(list of dicts), \"yaml\" or \"json\". target (\"istio\", \"wasme\", \"gloo\", \"envoy\", "
        "\"envoy-gateway\", \"higress\") overrides the spec's options.platform and gateway_version (\"v1.3\") its "
        "options.gatewayVersion, like the CLI's --target and --gateway-version. resolve=True asks the registry for "
        "each oci:// module (render --resolve; registry: the settings dict of resolve()); allow_paths and "
        "allow_outside_spec_dir widen where the spec may name local files.");
  m.def("render_result", [](const spec& s, const py::object& istio, bool allow_incompatible_module,
                            const std::optional<std::string>& target,
                            const std::optional<std::string>& gateway_version, const std::vector<std::string>& allow,
                            bool resolve, const py::object& registry, const std::vector<std::string>& allow_paths,
                            bool allow_outside_spec_dir, const limit_settings& limits) {
          resolve_options inputs = resolve_options_of(resolve, registry, allow_paths, allow_outside_spec_dir);
          auto r = std::make_unique<py_render_result>();
          render_options o = options_of(istio, target, gateway_version, allow_incompatible_module, allow);
          o.limits = limits_of(limits);
          r->impl = run(s, o, inputs);
          return r;
        },
        py::arg("spec"), py::kw_only(), py::arg("istio") = py::none(), py::arg("allow_incompatible_module") = false,
        py::arg("target") = py::none(), py::arg("gateway_version") = py::none(),
        py::arg("allow") = std::vector<std::string>{}, py::arg("resolve") = false, py::arg("registry") = py::none(),
        py::arg("allow_paths") = std::vector<std::string>{}, py::arg("allow_outside_spec_dir") = false,
        py::arg("limits") = py::none(),
        "Renders a spec and returns a RenderResult with diagnostics and file names (target, gateway_version, "
        "resolve, registry, allow_paths and allow_outside_spec_dir as for render()).");
  m.def("undeploy", [](const spec& s, const py::object& istio, const std::string& output,
                       const std::optional<std::string>& target, const std::optional<std::string>& gateway_version,
                       bool restore, const std::vector<std::string>& allow, const limit_settings& limits,
                       const std::vector<std::string>& allow_paths, bool allow_outside_spec_dir) {
          render_options o = options_of(istio, target, gateway_version, false, allow);
          o.limits = limits_of(limits);
          const resolve_options inputs = resolve_options_of(false, py::none(), allow_paths, allow_outside_spec_dir);
          render_result r;
          {
            py::gil_scoped_release unlocked;
            r = render_undeploy(s, o, inputs, restore ? undeploy_part::restores : undeploy_part::deletions);
          }
          return to_output(r.documents, output);
        },
        py::arg("spec"), py::kw_only(), py::arg("istio") = py::none(), py::arg("output") = "objects",
        py::arg("target") = py::none(), py::arg("gateway_version") = py::none(), py::arg("restore") = false,
        py::arg("allow") = std::vector<std::string>{}, py::arg("limits") = py::none(),
        py::arg("allow_paths") = std::vector<std::string>{}, py::arg("allow_outside_spec_dir") = false,
        "The removal plan for what render() deploys: the objects wasmdeploy created, for `kubectl delete -f`; "
        "with restore=True instead the merge patches that restore user objects (`kubectl patch --type=merge`), "
        "as `wasmdeploy undeploy [--restore]`. output is \"objects\", \"yaml\" or \"json\"; target and "
        "gateway_version, allow_paths and allow_outside_spec_dir as for render().");
  m.def("inspect_module", [](const py::bytes& data, const py::object& istio, const limit_settings& limits) {
          std::string bytes = data;
          const wasmdeploy::limits bounds = limits_of(limits);
          std::optional<mesh_version> v;
          if (!istio.is_none()) v = mesh_version::parse(istio_text(istio));
          std::string text;
          {
            py::gil_scoped_release unlocked;
            text = format_report_json(inspect_module(bytes, bounds), v);
          }
          return py::module_::import("json").attr("loads")(py::str(text));
        },
        py::arg("data"), py::kw_only(), py::arg("istio") = py::none(), py::arg("limits") = py::none(),
        "Inspects a .wasm module (bytes): ABI, allocator, imports, sha256 and the Istio releases that can load "
        "it, as a dict (the JSON of `wasmdeploy inspect -o json`). With istio, includes that version's verdict.");
  m.def("build_image", [](const py::bytes& data, const std::string& root_id, const std::string& output_dir,
                          const std::string& variant, bool force) {
          std::string bytes = data;
          build_options o;
          o.variant = parse_image_variant(variant);
          o.root_ids = {root_id};
          o.output_dir = output_dir;
          o.force = force;
          py::gil_scoped_release unlocked;
          return build_image(bytes, o).wasm_plugin_sha256();
        },
        py::arg("data"), py::kw_only(), py::arg("root_id"), py::arg("output_dir"), py::arg("variant") = "oci",
        py::arg("force") = false,
        "Writes a reproducible OCI image layout for a module and returns its manifest digest (64 hex), which is "
        "a WasmPlugin's sha256 for oci:// delivery. variant is \"oci\" (wasme) or \"compat\".");
}

}  // namespace wasmdeploy_python
