// Python settings of the resolve stage, shared by resolve() and render(..., resolve=True).
#pragma once

#include <string>
#include <vector>

#include <pybind11/pybind11.h>

#include <wasmdeploy/resolve.hpp>

namespace wasmdeploy_python {

namespace py = pybind11;

/// registry: None or a dict with username, password, docker_config, docker_config_json,
/// insecure, plain_http, ca_file, timeout (s), connect_timeout (s), retries, max_blob_bytes.
/// Unknown keys raise (a typo must not silently drop a credential).
wasmdeploy::registry_options registry_options_of(const py::object& registry);

/// The resolve stage's settings: network access only when `resolve` is true.
wasmdeploy::resolve_options resolve_options_of(bool resolve, const py::object& registry,
                                               const std::vector<std::string>& allow_paths, bool allow_outside_spec_dir);

void bind_resolve(py::module_& m);

}  // namespace wasmdeploy_python
