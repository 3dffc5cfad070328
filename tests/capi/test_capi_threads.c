/* Many threads, each with its own handles, render the same spec and run a module in the embedded
 * host: every thread must produce the bytes the main thread produced, and each thread's last
 * error must stay its own.
 * Usage: test_capi_threads [threads] [iterations] [mixed|parse-only|build-only]
 * mixed (the default) alternates between parsing the spec and building it through the setters,
 * so both paths run concurrently; parse-only makes every thread parse (the spec reader, its map
 * fields included, under contention); build-only never parses. */
/* POSIX threads rather than C11 <threads.h>: GCC 12's ThreadSanitizer does not intercept
 * thrd_create, so threads started with it crash under TSan. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wasmdeploy/wasmdeploy.h>

#include "bookinfo.h"

static wd_buf expected_yaml = WD_BUF_INIT;
static wd_buf expected_json = WD_BUF_INIT;
static wd_buf expected_run = WD_BUF_INIT;
static int host = 0;

/* A proxy-wasm module (ABI 0.2.0) that adds `x-threads: ok` to the request: each thread runs it
 * in its own embedded host, with its own options, concurrently with the renders. */
static const char kModule[] =
    "\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x1f\x05\x60\x05\x7f\x7f\x7f\x7f\x7f\x01\x7f\x60\x00\x00\x60"
    "\x01\x7f\x01\x7f\x60\x02\x7f\x7f\x01\x7f\x60\x03\x7f\x7f\x7f\x01\x7f\x02\x22\x01\x03\x65\x6e\x76"
    "\x1a\x70\x72\x6f\x78\x79\x5f\x61\x64\x64\x5f\x68\x65\x61\x64\x65\x72\x5f\x6d\x61\x70\x5f\x76\x61"
    "\x6c\x75\x65\x00\x00\x03\x06\x05\x01\x02\x03\x03\x04\x05\x03\x01\x00\x01\x06\x07\x01\x7f\x01\x41"
    "\x80\x08\x0b\x07\x71\x06\x06\x6d\x65\x6d\x6f\x72\x79\x02\x00\x17\x70\x72\x6f\x78\x79\x5f\x61\x62"
    "\x69\x5f\x76\x65\x72\x73\x69\x6f\x6e\x5f\x30\x5f\x32\x5f\x30\x00\x01\x06\x6d\x61\x6c\x6c\x6f\x63"
    "\x00\x02\x11\x70\x72\x6f\x78\x79\x5f\x6f\x6e\x5f\x76\x6d\x5f\x73\x74\x61\x72\x74\x00\x03\x12\x70"
    "\x72\x6f\x78\x79\x5f\x6f\x6e\x5f\x63\x6f\x6e\x66\x69\x67\x75\x72\x65\x00\x04\x18\x70\x72\x6f\x78"
    "\x79\x5f\x6f\x6e\x5f\x72\x65\x71\x75\x65\x73\x74\x5f\x68\x65\x61\x64\x65\x72\x73\x00\x05\x0a\x2c"
    "\x05\x02\x00\x0b\x0b\x00\x23\x00\x23\x00\x20\x00\x6a\x24\x00\x0b\x04\x00\x41\x01\x0b\x04\x00\x41"
    "\x01\x0b\x11\x00\x41\x00\x41\x00\x41\x09\x41\x09\x41\x02\x10\x00\x1a\x41\x00\x0b\x0b\x11\x01\x00"
    "\x41\x00\x0b\x0b\x78\x2d\x74\x68\x72\x65\x61\x64\x73\x6f\x6b";

static int run_once(wd_buf *out) {
  wd_run_options *opts = NULL;
  int ok = 0;
  int rc = wd_run_options_new(&opts);
  if (rc == WD_OK) rc = wd_run_options_set(opts, "request", "GET /threads");
  if (rc == WD_OK) rc = wd_run_module(out, &ok, kModule, sizeof kModule - 1, opts);
  wd_run_options_free(opts);
  return rc == WD_OK && ok ? WD_OK : WD_ERROR;
}
static int iterations = 20;
static enum { MIXED, PARSE_ONLY, BUILD_ONLY } mode = MIXED;

static int same(const wd_buf *a, const wd_buf *b) {
  return a->size == b->size && memcmp(a->ptr, b->ptr, a->size) == 0;
}

static void *worker(void *arg) {
  int id = *(const int *)arg, i, failures = 0;
  for (i = 0; i < iterations; ++i) {
    wd_spec *spec = NULL;
    wd_render_result *result = NULL;
    wd_buf yaml = WD_BUF_INIT, json = WD_BUF_INIT, run = WD_BUF_INIT;
    /* Alternate between the parsed and the built spec so both paths run concurrently. */
    int parse = mode == PARSE_ONLY || (mode == MIXED && (i + id) % 2);
    int rc = parse ? wd_spec_parse(&spec, BOOKINFO_YAML, strlen(BOOKINFO_YAML), NULL, NULL) : build_bookinfo(&spec);
    if (rc == WD_OK) rc = wd_render(&result, spec, NULL);
    if (rc == WD_OK) rc = wd_render_result_text(&yaml, result, WD_FORMAT_YAML);
    if (rc == WD_OK) rc = wd_render_result_text(&json, result, WD_FORMAT_JSON);
    if (rc == WD_OK && host) rc = run_once(&run);
    if (rc != WD_OK) {
      fprintf(stderr, "thread %d: %s\n", id, wd_error_last_message());
      ++failures;
    } else if (!same(&yaml, &expected_yaml) || !same(&json, &expected_json) || (host && !same(&run, &expected_run))) {
      fprintf(stderr, "thread %d iteration %d: output differs\n", id, i);
      ++failures;
    }
    /* Each thread's error is its own: provoke one and read it back at once. */
    if (wd_spec_filter_set(spec, 0, "failStrategy", "NEVER") != WD_EINVALID ||
        strcmp(wd_error_last_path(), "filters[0].failStrategy") != 0) {
      fprintf(stderr, "thread %d: last error was not this thread's\n", id);
      ++failures;
    }
    wd_buf_dispose(&yaml);
    wd_buf_dispose(&json);
    wd_buf_dispose(&run);
    wd_render_result_free(result);
    wd_spec_free(spec);
  }
  return (void *)(intptr_t)failures;
}

int main(int argc, char **argv) {
  int nthreads = argc > 1 ? atoi(argv[1]) : 8, i, failures = 0;
  pthread_t threads[64];
  int ids[64];
  wd_spec *spec = NULL;
  if (argc > 2) iterations = atoi(argv[2]);
  if (argc > 3) {
    if (strcmp(argv[3], "build-only") == 0) {
      mode = BUILD_ONLY;
    } else if (strcmp(argv[3], "parse-only") == 0) {
      mode = PARSE_ONLY;
    } else if (strcmp(argv[3], "mixed") != 0) {
      fprintf(stderr, "unknown mode %s\n", argv[3]);
      return 2;
    }
  }
  if (nthreads < 1 || nthreads > 64) nthreads = 8;

  if ((mode == BUILD_ONLY ? build_bookinfo(&spec) : wd_spec_parse(&spec, BOOKINFO_YAML, strlen(BOOKINFO_YAML), NULL, NULL)) != WD_OK ||
      wd_render_text(&expected_yaml, spec, NULL, WD_FORMAT_YAML) != WD_OK ||
      wd_render_text(&expected_json, spec, NULL, WD_FORMAT_JSON) != WD_OK) {
    fprintf(stderr, "reference render failed: %s\n", wd_error_last_message());
    return 1;
  }
  wd_spec_free(spec);
  host = wd_host_available() && getenv("WD_THREADS_NO_HOST") == NULL;
  if (host && run_once(&expected_run) != WD_OK) {
    fprintf(stderr, "reference run failed: %s\n%.*s\n", wd_error_last_message(), (int)expected_run.size,
            expected_run.ptr ? expected_run.ptr : "");
    return 1;
  }
  if (host && strstr(expected_run.ptr, "x-threads") == NULL) {
    fprintf(stderr, "the module's header is missing from the run\n");
    return 1;
  }

  for (i = 0; i < nthreads; ++i) {
    ids[i] = i;
    if (pthread_create(&threads[i], NULL, worker, &ids[i]) != 0) return 1;
  }
  for (i = 0; i < nthreads; ++i) {
    void *r = NULL;
    pthread_join(threads[i], &r);
    failures += (int)(intptr_t)r;
  }
  /* The main thread's error state was never touched by the workers. */
  if (wd_error_last_code() != WD_OK) {
    fprintf(stderr, "main thread saw another thread's error: %s\n", wd_error_last_message());
    ++failures;
  }
  wd_buf_dispose(&expected_yaml);
  wd_buf_dispose(&expected_json);
  wd_buf_dispose(&expected_run);
  if (failures) {
    fprintf(stderr, "%d failure(s)\n", failures);
    return 1;
  }
  printf("test_capi_threads: %d threads x %d renders%s, identical bytes\n", nthreads, iterations,
         host ? " and host runs" : "");
  return 0;
}
