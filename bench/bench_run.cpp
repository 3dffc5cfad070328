// What `wasmdeploy run` costs: load (inspect, limits rewrite, compile, instantiate, start) +
// configure + one request through every callback, per module, against inspecting the same
// module (what `render` already does to a local module) as the baseline.
//   bench_run MODULE.wasm[=root_id[=config]]... [--iterations N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/inspect.hpp>
#include <wasmdeploy/run.hpp>

namespace {

template <typename F>
double median_ms(int n, F&& f) {
  std::vector<double> t;
  for (int i = 0; i < n; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int iterations = 20;
  std::vector<std::string> specs;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) iterations = std::atoi(argv[++i]);
    else specs.emplace_back(argv[i]);
  }
  if (specs.empty() || iterations < 1) {
    std::fprintf(stderr, "usage: bench_run MODULE.wasm[=root_id[=config]]... [--iterations N]\n");
    return 2;
  }
  std::printf("%s, median of %d\n", wasmdeploy::host_engine_name().c_str(), iterations);
  for (const auto& s : specs) {
    const auto eq = s.find('=');
    const std::string path = s.substr(0, eq);
    wasmdeploy::run_options o;
    if (eq != std::string::npos) {
      const std::string rest = s.substr(eq + 1);
      const auto eq2 = rest.find('=');
      o.root_id = rest.substr(0, eq2);
      if (eq2 != std::string::npos) o.plugin_config = rest.substr(eq2 + 1);
    }
    const std::string bytes = wasmdeploy::read_file(path, std::size_t{1} << 30);
    const auto first = wasmdeploy::run_module(bytes, o);
    if (!first.ok()) {
      std::fprintf(stderr, "%s does not run cleanly: %s\n", path.c_str(), first.trap.value_or("configure false").c_str());
      return 1;
    }
    const double inspect = median_ms(iterations, [&] { (void)wasmdeploy::inspect_module(bytes); });
    wasmdeploy::run_options configure_only = o;
    configure_only.send_request = false;
    const double configure = median_ms(iterations, [&] { (void)wasmdeploy::run_module(bytes, configure_only); });
    const double full = median_ms(iterations, [&] { (void)wasmdeploy::run_module(bytes, o); });
    const std::string name = path.substr(path.rfind('/') + 1);
    std::printf("  %-22s %8zu bytes  load+configure %8.2f ms  +request %8.2f ms  inspect %6.2f ms  run/inspect %6.1fx\n",
                name.c_str(), bytes.size(), configure, full, inspect, full / std::max(inspect, 1e-6));
  }
  return 0;
}
