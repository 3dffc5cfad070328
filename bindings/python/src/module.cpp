// The compiled half of the wasmdeploy Python package: wasmdeploy._core.
#include "bind_resolve.hpp"
#include "bindings.hpp"
#include "convert.hpp"

#ifndef WD_PY_VERSION
#define WD_PY_VERSION "dev"
#endif

PYBIND11_MODULE(_core, m) {
  m.doc() = "wasmdeploy's C++ core: specs, rendering and the capability table.";
  m.attr("__version__") = WD_PY_VERSION;
  wasmdeploy_python::register_errors(m);
  wasmdeploy_python::bind_model(m);
  wasmdeploy_python::bind_spec(m);
  wasmdeploy_python::bind_render(m);
  wasmdeploy_python::bind_capabilities(m);
  wasmdeploy_python::bind_run(m);
  wasmdeploy_python::bind_resolve(m);
  wasmdeploy_python::bind_convert(m);
}
