// render_cpp SPEC VERSION yaml|json: the C++ API's bytes for one spec, for check_same_bytes.py.
#include <cstdio>
#include <cstring>
#include <iostream>

#include <wasmdeploy/render.hpp>
#include <wasmdeploy/spec.hpp>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: render_cpp SPEC VERSION yaml|json\n");
    return 2;
  }
  try {
    wasmdeploy::render_options options;
    options.istio = argv[2];
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
