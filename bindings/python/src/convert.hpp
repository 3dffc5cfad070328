// Conversions between Python objects and the core's value types.
#pragma once

#include <pybind11/pybind11.h>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/node.hpp>

namespace wasmdeploy_python {

namespace py = pybind11;

/// None, bool, int, float, str, dict (str keys, order kept) and list/tuple -> node.
/// Refuses (spec.too-deep) values nested deeper than the spec_depth limit, cyclic ones included,
/// before the native stack could run out.
wasmdeploy::node to_node(const py::handle& obj, const std::string& path, int depth = 0);
/// The reverse; mappings become dicts in key order.
py::object from_node(const wasmdeploy::node& n);

/// Registers WasmDeployError(ValueError) on `m` and the translator that fills its attributes.
void register_errors(py::module_& m);

}  // namespace wasmdeploy_python
