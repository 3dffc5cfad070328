// Binder entry points, one per source file, called from module.cpp.
#pragma once

#include <pybind11/pybind11.h>

namespace wasmdeploy_python {

namespace py = pybind11;

void bind_model(py::module_& m);
void bind_spec(py::module_& m);
void bind_render(py::module_& m);
void bind_capabilities(py::module_& m);
void bind_run(py::module_& m);
void bind_convert(py::module_& m);

}  // namespace wasmdeploy_python
