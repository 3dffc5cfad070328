// render_cpp [--resolve CONFIG CA_FILE] [--undeploy|--restore] [--live FILE] [--allow CODE]... SPEC
// ISTIO yaml|json [TARGET [GATEWAY_VERSION]]: the C++ API's bytes for one spec, for
// check_same_bytes.py. An empty argument leaves that option unset (the spec decides). --undeploy /
// --restore print render_undeploy's deletions / restores; --live is apply_live_workloads, --allow
// render_options::allow; --resolve renders with the resolve stage asking the registry (render
// --resolve --registry-config CONFIG --ca-file CA_FILE).
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/live.hpp>

#include <wasmdeploy/render.hpp>
#include <wasmdeploy/resolve.hpp>
#include <wasmdeploy/spec.hpp>
#include <wasmdeploy/undeploy.hpp>

int main(int argc, char** argv) {
  const char* mode = "";
  wasmdeploy::resolve_options inputs;
  if (argc > 3 && std::strcmp(argv[1], "--resolve") == 0) {
    inputs.network = true;
    inputs.registry.docker_config = argv[2];
    inputs.registry.ca_file = argv[3];
    argv += 3;
    argc -= 3;
  }
  if (argc > 1 && (std::strcmp(argv[1], "--undeploy") == 0 || std::strcmp(argv[1], "--restore") == 0)) {
    mode = argv[1];
    ++argv;
    --argc;
  }
  const char* live = nullptr;
  std::vector<std::string> allow;
  while (argc > 2 && (std::strcmp(argv[1], "--live") == 0 || std::strcmp(argv[1], "--allow") == 0)) {
    if (std::strcmp(argv[1], "--live") == 0) {
      live = argv[2];
    } else {
      allow.emplace_back(argv[2]);
    }
    argv += 2;
    argc -= 2;
  }
  if (argc < 4 || argc > 6) {
    std::fprintf(stderr, "usage: render_cpp SPEC ISTIO yaml|json [TARGET [GATEWAY_VERSION]]\n");
    return 2;
  }
  try {
    wasmdeploy::render_options options;
    options.istio = argv[2];
    if (argc > 4 && *argv[4]) options.target = wasmdeploy::parse_platform(argv[4], "--target");
    if (argc > 5) options.gateway_version = argv[5];
    options.allow = allow;
    wasmdeploy::spec s = wasmdeploy::load_spec(argv[1]);
    if (live) wasmdeploy::apply_live_workloads(s, wasmdeploy::read_file(live, WD_MAX_SPEC_BYTES), live);
    auto result = !*mode ? wasmdeploy::render(s, options, inputs)
                         : wasmdeploy::render_undeploy(s, options,
                                                       std::strcmp(mode, "--restore") == 0
                                                           ? wasmdeploy::undeploy_part::restores
                                                           : wasmdeploy::undeploy_part::deletions);
    auto format = std::strcmp(argv[3], "json") == 0 ? wasmdeploy::output_format::json : wasmdeploy::output_format::yaml;
    std::string text = wasmdeploy::to_text(result.documents, format);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  } catch (const wasmdeploy::error& e) {
    std::fprintf(stderr, "%s\n", wasmdeploy::format_error(e).c_str());
    return 1;
  }
}
