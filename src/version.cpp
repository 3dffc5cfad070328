#include <wasmdeploy/version.hpp>

#include <fmt/format.h>

namespace wasmdeploy {

std::string library_version() { return WD_VERSION_STRING; }

std::string library_build() {
#if defined(__clang__)
  const std::string compiler = fmt::format("clang {}.{}.{}", __clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
  const std::string compiler = fmt::format("gcc {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
  const std::string compiler = "unknown compiler";
#endif
  return fmt::format("{}, {}", compiler, WD_BUILD_TYPE);
}

}  // namespace wasmdeploy
