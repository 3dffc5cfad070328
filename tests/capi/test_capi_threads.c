/* Many threads, each with its own handles, render the same spec: every thread must produce the
 * bytes the main thread produced, and each thread's last error must stay its own.
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
    wd_buf yaml = WD_BUF_INIT, json = WD_BUF_INIT;
    /* Alternate between the parsed and the built spec so both paths run concurrently. */
    int parse = mode == PARSE_ONLY || (mode == MIXED && (i + id) % 2);
    int rc = parse ? wd_spec_parse(&spec, BOOKINFO_YAML, strlen(BOOKINFO_YAML), NULL, NULL) : build_bookinfo(&spec);
    if (rc == WD_OK) rc = wd_render(&result, spec, NULL);
    if (rc == WD_OK) rc = wd_render_result_text(&yaml, result, WD_FORMAT_YAML);
    if (rc == WD_OK) rc = wd_render_result_text(&json, result, WD_FORMAT_JSON);
    if (rc != WD_OK) {
      fprintf(stderr, "thread %d: %s\n", id, wd_error_last_message());
      ++failures;
    } else if (!same(&yaml, &expected_yaml) || !same(&json, &expected_json)) {
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
  if (failures) {
    fprintf(stderr, "%d failure(s)\n", failures);
    return 1;
  }
  printf("test_capi_threads: %d threads x %d renders, identical bytes\n", nthreads, iterations);
  return 0;
}
