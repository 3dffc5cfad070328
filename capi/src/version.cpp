// Library and Istio version queries.
#include <wasmdeploy/mesh_version.hpp>

#include "handles.hpp"

using namespace wasmdeploy;

extern "C" {

// The run-time values come from the same generated header as the compile-time macros, as seen
// when the library was built; callers compare them with their own WD_VERSION_NUMBER.
unsigned wd_version_number(void) { return WD_VERSION_NUMBER; }
const char* wd_version_string(void) { return WD_VERSION_STRING; }

int wd_istio_check(const char* text) {
  return capi::guard([&] {
    capi::require(text, "text");
    mesh_version::parse(text);
    return WD_OK;
  });
}

const char* wd_istio_oldest_supported(void) {
  static const std::string s = mesh_version::oldest_supported().str(true);
  return s.c_str();
}

const char* wd_istio_newest_supported(void) {
  static const std::string s = mesh_version::newest_supported().str(true);
  return s.c_str();
}

}  // extern "C"
