// Renders the same spec through the installed static C++ core.
#include <iostream>

#include <wasmdeploy/capabilities.hpp>
#include <wasmdeploy/render.hpp>
#include <wasmdeploy/spec.hpp>

int main() {
  try {
    auto spec = wasmdeploy::parse_spec(
        "filters: [{name: hello, module: 'oci://ghcr.io/acme/hello:v1'}]\n"
        "targets: [{namespace: demo, selector: {app: web}}]\n",
        "inline.yaml");
    wasmdeploy::render_options options;
    options.istio = "1.24";
    auto result = wasmdeploy::render(spec, options);
    std::cout << wasmdeploy::to_text(result.documents, wasmdeploy::output_format::yaml);
    return wasmdeploy::capability_table().empty() ? 1 : 0;
  } catch (const wasmdeploy::error& e) {
    std::cerr << wasmdeploy::format_error(e) << "\n";
    return 1;
  }
}
