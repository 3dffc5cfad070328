// wasmdeploy.resolve(): the registry's answer for a reference, the same data as
// `wasmdeploy resolve -o json` and wd_resolved_image_json().
#include "bind_resolve.hpp"

#include <cmath>

#include <pybind11/stl.h>

#include <wasmdeploy/resolve.hpp>

#include "convert.hpp"

namespace wasmdeploy_python {

using namespace wasmdeploy;

registry_options registry_options_of(const py::object& registry) {
  registry_options o;
  if (registry.is_none()) return o;
  for (const auto& [key_obj, value] : registry.cast<py::dict>()) {
    const std::string key = key_obj.cast<std::string>();
    if (value.is_none()) continue;
    if (key == "username") o.username = value.cast<std::string>();
    else if (key == "password") o.password = value.cast<std::string>();
    else if (key == "docker_config") o.docker_config = value.cast<std::string>();
    else if (key == "docker_config_json") o.docker_config_json = value.cast<std::string>();
    else if (key == "insecure") o.insecure = value.cast<bool>();
    else if (key == "plain_http") o.plain_http = value.cast<bool>();
    else if (key == "ca_file") o.ca_file = value.cast<std::string>();
    else if (key == "timeout") o.timeout_ms = std::lround(value.cast<double>() * 1000);
    else if (key == "connect_timeout") o.connect_timeout_ms = std::lround(value.cast<double>() * 1000);
    else if (key == "retries") o.retries = value.cast<int>();
    else if (key == "max_blob_bytes") o.max_blob_bytes = value.cast<std::uint64_t>();
    else throw error(errc::usage, "registry.option-unknown", key, "unknown registry setting '" + key + "'");
  }
  if (o.timeout_ms <= 0 || o.connect_timeout_ms <= 0 || o.retries < 0 || o.retries > 10 || o.max_blob_bytes == 0) {
    throw error(errc::usage, "registry.option-unknown", "registry",
                "timeouts must be positive, retries 0-10 and max_blob_bytes positive");
  }
  return o;
}

resolve_options resolve_options_of(bool resolve, const py::object& registry, const std::vector<std::string>& allow_paths,
                                   bool allow_outside_spec_dir) {
  resolve_options inputs;
  inputs.network = resolve;
  inputs.registry = registry_options_of(registry);
  inputs.files.allowed_paths = allow_paths;
  inputs.files.allow_outside_spec_dir = allow_outside_spec_dir;
  return inputs;
}

void bind_resolve(py::module_& m) {
  m.def("resolve", [](const std::string& reference, const py::object& registry) {
          const registry_options o = registry_options_of(registry);
          resolved_image r;
          {
            py::gil_scoped_release unlocked;  // network I/O: let other Python threads run
            r = resolve_image(reference, o);
          }
          return from_node(resolved_image_data(r));
        },
        py::arg("reference"), py::kw_only(), py::arg("registry") = py::none(),
        "Asks a registry for an image: a dict with manifestDigest, sha256 (what a spec's sha256 takes for "
        "oci://), moduleSha256, pinned, variant, ... registry: None or a dict of settings (username, password, "
        "docker_config, docker_config_json, insecure, plain_http, ca_file, timeout, connect_timeout, retries, "
        "max_blob_bytes).");
}

}  // namespace wasmdeploy_python
