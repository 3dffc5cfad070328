// libFuzzer entry point for the whole render pipeline: bytes -> spec reader (YAML or JSON) ->
// model -> plan -> every renderer -> YAML and JSON emitters, plus the undeploy plan.
//
// A hash of the input picks the Istio version, the platform and the Envoy Gateway version, so
// every renderer is reached from any seed while each input still replays the same way. A quarter
// of the inputs keep the spec's own `istio` and `options.platform`. Relative module paths
// resolve against WD_FUZZ_FILES_DIR, which holds a few real modules and side files.
//
// Any input must end in documents or in wasmdeploy::error; a crash, a sanitizer report, another
// exception type, a timeout or a huge allocation is a bug. Built by tests/fuzz/CMakeLists.txt
// with libFuzzer (WD_FUZZ=ON) and, for the regression replay, without it.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/render.hpp>
#include <wasmdeploy/spec.hpp>
#include <wasmdeploy/undeploy.hpp>

#include "fuzz_support.hpp"

#ifndef WD_FUZZ_FILES_DIR
#define WD_FUZZ_FILES_DIR "."
#endif

namespace {

constexpr const char* kIstio[] = {"1.5",  "1.6",  "1.7",  "1.7.1", "1.8",  "1.9",  "1.10", "1.11", "1.12",
                                  "1.14", "1.16", "1.19", "1.20",  "1.22", "1.24", "1.27", "1.29", "1.30",
                                  "1.31", "1.4",  "2.0",  "x"};
constexpr wasmdeploy::platform kPlatforms[] = {
    wasmdeploy::platform::istio, wasmdeploy::platform::wasme,         wasmdeploy::platform::gloo,
    wasmdeploy::platform::envoy, wasmdeploy::platform::envoy_gateway, wasmdeploy::platform::higress};
constexpr const char* kGateway[] = {"v1.1", "v1.2", "v1.3", "v1.5", "v1.9", "v2.0", ""};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  wasmdeploy::fuzz::input_choices choose(text);
  wasmdeploy::spec s;
  try {
    s = wasmdeploy::parse_spec(text, "fuzz.yaml", WD_FUZZ_FILES_DIR);
  } catch (const wasmdeploy::error&) {
    return 0;
  }
  wasmdeploy::render_options o;
  const bool own = choose.take(4) == 0;
  const std::size_t istio = choose.take(std::size(kIstio));
  const std::size_t platform = choose.take(std::size(kPlatforms));
  const std::size_t gateway = choose.take(std::size(kGateway));
  if (!own || s.istio.empty()) o.istio = kIstio[istio];
  if (!own || !s.options.platform_set) o.target = kPlatforms[platform];
  if (!own) o.gateway_version = kGateway[gateway];
  o.allow_incompatible_module = choose.take(2) == 0;
  wasmdeploy::fuzz::discarding_sink sink;
  try {
    (void)wasmdeploy::render(s, o, sink);
  } catch (const wasmdeploy::error&) {
  }
  try {
    (void)wasmdeploy::render_undeploy(s, o, sink);
  } catch (const wasmdeploy::error&) {
  }
  return 0;
}
