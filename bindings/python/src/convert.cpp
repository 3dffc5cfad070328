#include "convert.hpp"
#include "bindings.hpp"

#include <pybind11/eval.h>

#include <cmath>
#include <string>

#include <wasmdeploy/limits.hpp>

namespace wasmdeploy_python {

using wasmdeploy::errc;
using wasmdeploy::error;
using wasmdeploy::node;

wasmdeploy::limits limits_of(const limit_settings& given) {
  wasmdeploy::limits out = wasmdeploy::active_limits();
  if (given) {
    for (const auto& [name, value] : *given) wasmdeploy::set_limit(out, name, value);
  }
  return out;
}

node to_node(const py::handle& obj, const std::string& path, int depth) {
  if (obj.is_none()) return node();
  if (static_cast<std::uint64_t>(depth) > wasmdeploy::active_limits().spec_depth) {
    throw error(errc::invalid, "spec.too-deep", path,
                "nested deeper than " + std::to_string(wasmdeploy::active_limits().spec_depth) + " levels (or cyclic); a spec allows at most that");
  }
  // bool before int: Python's bool is an int subclass.
  if (py::isinstance<py::bool_>(obj)) return node(obj.cast<bool>());
  if (py::isinstance<py::int_>(obj)) {
    try {
      return node(obj.cast<long long>());
    } catch (const py::cast_error&) {
      throw error(errc::invalid, "config.integer-range", path, "integer does not fit in 64 bits");
    }
  }
  if (py::isinstance<py::float_>(obj)) {
    const double d = obj.cast<double>();
    if (!std::isfinite(d)) {
      throw error(errc::invalid, "spec.non-finite-number", path,
                  "the JSON a proxy receives its configuration in has no NaN or infinity; pass a string");
    }
    return node(d);
  }
  if (py::isinstance<py::str>(obj)) return node(obj.cast<std::string>());
  if (py::isinstance<py::dict>(obj)) {
    node map = node::mapping();
    for (auto item : obj.cast<py::dict>()) {
      if (!py::isinstance<py::str>(item.first))
        throw error(errc::invalid, "config.key-type", path, "mapping keys must be str");
      std::string key = item.first.cast<std::string>();
      map.add(key, to_node(item.second, path + "." + key, depth + 1));
    }
    return map;
  }
  if (py::isinstance<py::list>(obj) || py::isinstance<py::tuple>(obj)) {
    node seq = node::sequence();
    size_t i = 0;
    for (auto item : obj) seq.push(to_node(item, path + "[" + std::to_string(i++) + "]", depth + 1));
    return seq;
  }
  throw error(errc::invalid, "config.value-type", path,
              "cannot use a " + std::string(py::str(obj.get_type().attr("__name__"))) +
                  " here (expected None, bool, int, float, str, dict or list)");
}

py::object from_node(const node& n) {
  switch (n.kind()) {
    case node::type::null: return py::none();
    case node::type::boolean: return py::bool_(n.as_bool());
    case node::type::integer: return py::int_(n.as_int());
    case node::type::real: return py::float_(n.as_real());
    case node::type::string: return py::str(n.as_string());
    case node::type::sequence: {
      py::list out;
      for (const node& item : n.items()) out.append(from_node(item));
      return std::move(out);
    }
    case node::type::mapping: {
      py::dict out;
      for (const auto& m : n.members()) out[py::str(m.key)] = from_node(m.value);
      return std::move(out);
    }
  }
  return py::none();
}

namespace {

const char* category_name(errc c) {
  switch (c) {
    case errc::ok: return "ok";
    case errc::generic: return "generic";
    case errc::invalid: return "invalid";
    case errc::parse: return "parse";
    case errc::not_found: return "not_found";
    case errc::version: return "version";
    case errc::no_memory: return "no_memory";
    case errc::io: return "io";
    case errc::usage: return "usage";
  }
  return "generic";
}

// The exception type lives as long as the process: it is created once per interpreter and
// deliberately never released, so the translator can use it during interpreter shutdown too.
PyObject* g_error_type = nullptr;

}  // namespace

void register_errors(py::module_& m) {
  py::dict ns;
  ns["__builtins__"] = py::module_::import("builtins");
  // Defined in Python so attributes have defaults and the class has a normal docstring.
  py::exec(R"PY(
class WasmDeployError(ValueError):
    """A wasmdeploy error: bad spec, unsupported Istio version, unknown capability, I/O failure.

    Attributes: code (stable dotted id such as "spec.unknown-field"), path (field path such as
    "filters[0].sha256", or ""), line and column (1-based, 0 when unknown), file (input name or
    ""), category ("invalid", "parse", "version", "not_found", "io", ...).
    """

    def __init__(self, message, code="", path="", line=0, column=0, file="", category="generic"):
        super().__init__(message)
        self.code = code
        self.path = path
        self.line = line
        self.column = column
        self.file = file
        self.category = category
)PY", ns);
  py::object type = ns["WasmDeployError"];
  type.attr("__module__") = "wasmdeploy";
  m.attr("WasmDeployError") = type;
  g_error_type = type.release().ptr();

  py::register_exception_translator([](std::exception_ptr p) {
    if (!p) return;
    try {
      std::rethrow_exception(p);
    } catch (const error& e) {
      py::object type = py::reinterpret_borrow<py::object>(g_error_type);
      py::object inst = type(wasmdeploy::format_error(e), e.code(), e.path(), e.position().line,
                             e.position().column, e.position().file, category_name(e.category()));
      PyErr_SetObject(g_error_type, inst.ptr());
    }
  });
}

}  // namespace wasmdeploy_python
