/* Per-call cost of one small render through the C API (spec parsed once, then
 * wd_render_text in a loop). Prints "capi_ns_per_render <ns>" for bench_python_call.py.
 *
 *   bench_capi_render [ITERATIONS] [ISTIO] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <wasmdeploy/wasmdeploy.h>

/* Keep in step with SMALL_SPEC in bench_python_call.py. */
static const char SMALL_SPEC[] =
    "filters:\n"
    "- name: add-header\n"
    "  module: oci://ghcr.io/acme/add-header:v1.0.0\n"
    "  sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
    "  rootId: add_header\n"
    "  config: {header: x-bench, value: \"1\"}\n"
    "targets:\n"
    "- namespace: bench\n"
    "  selector: {app: api}\n";

static double now_ns(void) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC); /* C11; CLOCK_MONOTONIC would need POSIX feature macros */
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 20000, i;
  const char *istio = argc > 2 ? argv[2] : "1.24";
  wd_spec *spec = NULL;
  wd_buf out = WD_BUF_INIT;
  double best = 1e300;
  int round;
  if (wd_spec_parse(&spec, SMALL_SPEC, strlen(SMALL_SPEC), "bench.yaml", NULL) != WD_OK) {
    fprintf(stderr, "%s\n", wd_error_last_message());
    return 1;
  }
  /* Best of 5 rounds, as timeit does: the minimum is the least disturbed measurement. */
  for (round = 0; round < 5; ++round) {
    double t0 = now_ns(), per;
    for (i = 0; i < n; ++i) {
      if (wd_render_text(&out, spec, istio, WD_FORMAT_YAML) != WD_OK) {
        fprintf(stderr, "%s\n", wd_error_last_message());
        return 1;
      }
    }
    per = (now_ns() - t0) / (double)n;
    if (per < best) best = per;
  }
  printf("capi_ns_per_render %.0f\n", best);
  printf("capi_bytes %lu\n", (unsigned long)out.size);
  wd_buf_dispose(&out);
  wd_spec_free(spec);
  return 0;
}
