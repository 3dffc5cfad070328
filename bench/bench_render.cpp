// Renders N workloads x 1 filter (Istio 1.8.1, wasme node cache: one EnvoyFilter and one
// volume patch per workload) to YAML, streaming into a file. Prints seconds, documents and
// memory: resident KiB once the input spec is built, and the peak at the end (Linux /proc), so
// bench/run.py can tell what the input costs from what rendering adds.
//   bench_render N OUT_FILE
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include <wasmdeploy/render.hpp>
#include <wasmdeploy/spec.hpp>

using namespace wasmdeploy;

spec make_spec(size_t n) {
  spec s;
  s.istio = "1.8.1";
  filter f;
  f.path = "filters[0]";
  f.name = "myfilter";
  f.module = parse_module_source("oci://webassemblyhub.io/tanjunchen20/add-header:v0.1", "module");
  f.module_sha256 = "0295d929353976266ab721389ec859b2fe012d63ce2e58815469ab85c123b510";
  f.root_id = "add_header";
  f.config = node("tanjunchen20");
  s.filters.push_back(f);
  target t;
  t.path = "targets[0]";
  t.ns = "bookinfo";
  t.workloads.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    workload w;
    w.name = fmt::format("app-{}-v1", i);
    w.labels = {{"app", fmt::format("app-{}", i)}, {"version", "v1"}};
    t.workloads.push_back(std::move(w));
  }
  s.targets.push_back(std::move(t));
  return s;
}

// A "VmRSS:" / "VmHWM:" line of /proc/self/status, in KiB (0 where unavailable).
long status_kib(const char* field) {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  long kib = 0;
  const size_t n = std::strlen(field);
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, field, n) == 0) kib = std::strtol(line + n, nullptr, 10);
  }
  std::fclose(f);
  return kib;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_render N OUT_FILE\n");
    return 2;
  }
  const size_t n = std::strtoul(argv[1], nullptr, 10);
  spec s = make_spec(n);
  const long input_kib = status_kib("VmRSS:");
  std::FILE* out = std::fopen(argv[2], "wb");
  if (!out) return 1;
  auto t0 = std::chrono::steady_clock::now();
  stream_writer w(out, output_format::yaml);
  render_summary r = render(s, render_options{}, w);
  w.finish();
  std::fclose(out);
  auto t1 = std::chrono::steady_clock::now();
  double secs = std::chrono::duration<double>(t1 - t0).count();
  std::printf("{\"workloads\": %zu, \"documents\": %zu, \"seconds\": %.6f, \"input_kib\": %ld, \"peak_kib\": %ld}\n", n,
              r.documents, secs, input_kib, status_kib("VmHWM:"));
  return 0;
}
