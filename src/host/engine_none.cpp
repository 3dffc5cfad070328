// Stands in for the engine when the library is configured with -DWD_HOST=OFF.
#include "host/engine.hpp"

namespace wasmdeploy::host {

bool engine_available() { return false; }
std::string engine_name() { return "none"; }

bool validate(std::string_view) { return false; }

std::unique_ptr<instance> instantiate(std::string_view, const import_resolver&) {
  throw engine_error("this wasmdeploy was built without the proxy-wasm host (configured with -DWD_HOST=OFF)");
}

}  // namespace wasmdeploy::host
