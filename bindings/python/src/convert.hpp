// Conversions between Python objects and the core's value types.
#pragma once

#include <pybind11/pybind11.h>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/node.hpp>

namespace wasmdeploy_python {

namespace py = pybind11;

/// None, bool, int, float, str, dict (str keys, order kept) and list/tuple -> node.
wasmdeploy::node to_node(const py::handle& obj, const std::string& path);
/// The reverse; mappings become dicts in key order.
py::object from_node(const wasmdeploy::node& n);

/// Registers WasmDeployError(ValueError) on `m` and the translator that fills its attributes.
void register_errors(py::module_& m);

}  // namespace wasmdeploy_python
