// libFuzzer entry point for the wasm reader and the inspection built on it.
//
// Any input must end in a report or in error{errc::parse}; anything else (a crash, a sanitizer
// report, another error category) is a bug. Built by tests/fuzz/CMakeLists.txt with -DWD_FUZZ=ON.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/inspect.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const auto report = wasmdeploy::inspect_module(bytes);
    // The formatters walk every list the reader filled and run every verdict rule.
    static const auto version = wasmdeploy::mesh_version::parse("1.7");
    (void)wasmdeploy::format_report_json(report, version);
    (void)wasmdeploy::format_report_text(report, version);
  } catch (const wasmdeploy::error& e) {
    if (e.category() != wasmdeploy::errc::parse) std::abort();
  }
  return 0;
}
