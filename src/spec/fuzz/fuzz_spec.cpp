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

#ifndef WD_FUZZ_FILES_DIR
#define WD_FUZZ_FILES_DIR "."
#endif

namespace {

// Serialises each document and drops it: the emitters run, nothing is kept.
class discarding_sink : public wasmdeploy::document_sink {
 public:
  void on_document(const wasmdeploy::document& d) override {
    if (d.what == wasmdeploy::document::role::file) return;
    (void)wasmdeploy::to_yaml(d.body);
    (void)wasmdeploy::to_json(d.body);
  }
};

constexpr const char* kIstio[] = {"1.5",  "1.6",  "1.7",  "1.7.1", "1.8",  "1.9",  "1.10", "1.11", "1.12",
                                  "1.14", "1.16", "1.19", "1.20",  "1.22", "1.24", "1.27", "1.29", "1.30",
                                  "1.31", "1.4",  "2.0",  "x"};
constexpr wasmdeploy::platform kPlatforms[] = {
    wasmdeploy::platform::istio, wasmdeploy::platform::wasme,         wasmdeploy::platform::gloo,
    wasmdeploy::platform::envoy, wasmdeploy::platform::envoy_gateway, wasmdeploy::platform::higress};
constexpr const char* kGateway[] = {"v1.1", "v1.2", "v1.3", "v1.5", "v1.9", "v2.0", ""};

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::uint64_t pick = fnv1a(text);
  auto take = [&pick](std::uint64_t n) {
    std::uint64_t v = pick % n;
    pick /= n;
    return static_cast<std::size_t>(v);
  };
  wasmdeploy::spec s;
  try {
    s = wasmdeploy::parse_spec(text, "fuzz.yaml", WD_FUZZ_FILES_DIR);
  } catch (const wasmdeploy::error&) {
    return 0;
  }
  wasmdeploy::render_options o;
  const bool own = take(4) == 0;
  const std::size_t istio = take(std::size(kIstio));
  const std::size_t platform = take(std::size(kPlatforms));
  const std::size_t gateway = take(std::size(kGateway));
  if (!own || s.istio.empty()) o.istio = kIstio[istio];
  if (!own || !s.options.platform_set) o.target = kPlatforms[platform];
  if (!own) o.gateway_version = kGateway[gateway];
  o.allow_incompatible_module = take(2) == 0;
  discarding_sink sink;
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
