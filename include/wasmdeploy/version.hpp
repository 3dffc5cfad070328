// What this build of the library is: its version and how it was built.
#pragma once

#include <string>

namespace wasmdeploy {

/// The library version, e.g. "0.1.0" (the CMake project version).
std::string library_version();
/// The compiler and build type the library was built with, e.g. "GNU 12.2.0, RelWithDebInfo".
std::string library_build();

}  // namespace wasmdeploy
