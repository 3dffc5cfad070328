// libFuzzer entry point for the importers behind `wasmdeploy convert`: bytes -> YAML stream of
// FilterDeployment / EnvoyFilter / WasmPlugin / TrafficExtension -> model, then what convert does
// with it: write it as a spec and read that back (which must give the same spec), and render it
// for a resource kind or platform and Istio version picked from a hash of the input.
//
// Any input must end in a result or in wasmdeploy::error; a crash, a sanitizer report, another
// exception type, a timeout or a huge allocation is a bug. Built by tests/fuzz/CMakeLists.txt.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/import.hpp>
#include <wasmdeploy/render.hpp>

#include "fuzz_support.hpp"

namespace {

constexpr const char* kIstio[] = {"1.5", "1.7", "1.8", "1.9", "1.12", "1.16", "1.19", "1.22", "1.24", "1.27", "1.30"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wasmdeploy;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  wasmdeploy::fuzz::input_choices choose(text);
  import_result r;
  try {
    r = import_resources(text, "fuzz.yaml");
  } catch (const error&) {
    return 0;
  }
  // convert --to spec must write a spec that reads back to the same model: a refusal or a
  // difference is a bug, like a crash.
  {
    const node written = spec_to_node(r.imported);
    try {
      if (spec_to_node(parse_spec(to_yaml(written), "converted.yaml")) != written) std::abort();
    } catch (const error&) {
      std::abort();
    }
  }
  // convert --to <kind or platform> --istio <v> --all-workloads --wrap-string-config value
  render_options o;
  o.istio = kIstio[choose.take(std::size(kIstio))];
  switch (choose.take(9)) {
    case 0: r.imported.options.resource = resource_kind::wasm_plugin; break;
    case 1: r.imported.options.resource = resource_kind::envoy_filter; break;
    case 2: r.imported.options.resource = resource_kind::traffic_extension; break;
    case 3: o.target = platform::wasme; break;
    case 4: o.target = platform::gloo; break;
    case 5: o.target = platform::envoy; break;
    case 6: o.target = platform::envoy_gateway; o.gateway_version = "v1.3"; break;
    case 7: o.target = platform::higress; break;
    default: break;
  }
  for (auto& f : r.imported.filters) {
    if (r.imported.options.resource != resource_kind::automatic) f.resource = resource_kind::automatic;
    if (f.config.is_string() && choose.take(2) == 0) f.config = make_mapping({{"value", f.config}});
  }
  for (auto& t : r.imported.targets) {
    if (t.selector.empty() && t.workloads.empty() && t.refs.empty()) t.all_workloads = true;
  }
  wasmdeploy::fuzz::discarding_sink sink;
  try {
    (void)render(r.imported, o, sink);
  } catch (const error&) {
  }
  return 0;
}
