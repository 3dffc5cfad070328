// Binder entry points, one per source file, called from module.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <pybind11/pybind11.h>

#include <wasmdeploy/limits.hpp>

namespace wasmdeploy_python {

namespace py = pybind11;

void bind_model(py::module_& m);
void bind_spec(py::module_& m);
void bind_render(py::module_& m);
void bind_capabilities(py::module_& m);
void bind_run(py::module_& m);
void bind_convert(py::module_& m);

/// The `limits={"json_depth": 32, ...}` keyword every reading function takes.
using limit_settings = std::optional<std::map<std::string, std::uint64_t>>;
/// The calling thread's limits with `given` applied; error{usage, "limits.*"} for a bad name.
wasmdeploy::limits limits_of(const limit_settings& given);

}  // namespace wasmdeploy_python
