// render_cpp SPEC ISTIO yaml|json [TARGET [GATEWAY_VERSION]]: the C++ API's bytes for one spec,
// for check_same_bytes.py. An empty argument leaves that option unset (the spec decides).
#include <cstdio>
#include <cstring>
#include <iostream>

#include <wasmdeploy/render.hpp>
#include <wasmdeploy/spec.hpp>

int main(int argc, char** argv) {
  if (argc < 4 || argc > 6) {
    std::fprintf(stderr, "usage: render_cpp SPEC ISTIO yaml|json [TARGET [GATEWAY_VERSION]]\n");
    return 2;
  }
  try {
    wasmdeploy::render_options options;
    options.istio = argv[2];
    if (argc > 4 && *argv[4]) options.target = wasmdeploy::parse_platform(argv[4], "--target");
    if (argc > 5) options.gateway_version = argv[5];
    auto result = wasmdeploy::render(wasmdeploy::load_spec(argv[1]), options);
    auto format = std::strcmp(argv[3], "json") == 0 ? wasmdeploy::output_format::json : wasmdeploy::output_format::yaml;
    std::string text = wasmdeploy::to_text(result.documents, format);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  } catch (const wasmdeploy::error& e) {
    std::fprintf(stderr, "%s\n", wasmdeploy::format_error(e).c_str());
    return 1;
  }
}
