// libFuzzer entry point for the whole render pipeline: bytes -> spec reader (YAML or JSON) ->
// model -> plan -> every renderer -> YAML and JSON emitters, plus the undeploy plan.
//
// A hash of the input picks the Istio version, the platform and the Envoy Gateway version, so
// every renderer is reached from any seed while each input still replays the same way. A quarter
// of the inputs keep the spec's own `istio` and `options.platform`. Relative module paths
// resolve against WD_FUZZ_FILES_DIR, which holds a few real modules and side files.
//
// The same bytes also go, as a plugin configuration would, through the config value reader and
// the run options' config_json (nesting check, parse, istiod's re-serialisation), and one input
// in four is read under lowered limits (json_depth, spec_depth, alias bytes, ...) taken from the
// input, so the limits' boundaries are fuzzed too, not only the defaults.
//
// Any input must end in documents or in wasmdeploy::error; a crash, a sanitizer report, another
// exception type, a timeout or a huge allocation is a bug. Built by tests/fuzz/CMakeLists.txt
// with libFuzzer (WD_FUZZ=ON) and, for the regression replay, without it.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/render.hpp>
#include <wasmdeploy/run.hpp>
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

// Configuration text: the value reader and config_json as `run --config-json` takes it.
void read_as_config(std::string_view text) {
  using wasmdeploy::fuzz::note_reached;
  try {
    (void)wasmdeploy::parse_config_value(text, "config");
  } catch (const wasmdeploy::error& e) {
    note_reached("config: " + e.code());
  }
  wasmdeploy::run_options o;
  try {
    wasmdeploy::set_run_option(o, "config_json", std::string(text));
    note_reached("config_json: ok");
  } catch (const wasmdeploy::error& e) {
    note_reached("config_json: " + e.code());
  }
}

// Lowered limits, each between 1 and a few times what the seeds need.
wasmdeploy::limits lowered(wasmdeploy::fuzz::input_choices& choose) {
  wasmdeploy::limits l;
  l.json_depth = 1 + choose.take(16);
  l.spec_depth = 1 + choose.take(16);
  l.spec_nodes = 1 + choose.take(400);
  l.string_bytes = 1 + choose.take(256);
  l.alias_expansion_bytes = 1 + choose.take(4096);
  l.filters = 1 + choose.take(4);
  l.workloads = 1 + choose.take(4);
  l.placements = 1 + choose.take(8);
  return l;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using wasmdeploy::fuzz::note_reached;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  wasmdeploy::fuzz::input_choices choose(text);
  read_as_config(text);
  const wasmdeploy::limits bounds = choose.take(4) == 0 ? lowered(choose) : wasmdeploy::limits{};
  const wasmdeploy::limits_scope scope(bounds);
  wasmdeploy::spec s;
  try {
    s = wasmdeploy::parse_spec(text, "fuzz.yaml", WD_FUZZ_FILES_DIR);
  } catch (const wasmdeploy::error& e) {
    note_reached("parse: " + e.code());
    return 0;
  }
  for (const auto& f : s.filters) {
    if (!f.runtime_config_path.empty()) note_reached("runtime config");
  }
  for (const auto& t : s.targets) {
    for (const auto& w : t.workloads) {
      if (!w.annotations.empty()) note_reached("annotations");
    }
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
    note_reached("render: ok");
  } catch (const wasmdeploy::error& e) {
    note_reached("render: " + e.code());
  }
  try {
    (void)wasmdeploy::render_undeploy(s, o, sink);
  } catch (const wasmdeploy::error&) {
  }
  return 0;
}
