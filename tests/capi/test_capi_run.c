/* wd_run_*: the embedded proxy-wasm host from C, on the probe filter built by tests/host. */
#include <stdlib.h>

#include "check.h"

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *data = NULL;
  long n;
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
    data = malloc((size_t)n);
    if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
      free(data);
      data = NULL;
    }
    *len = (size_t)n;
  }
  fclose(f);
  return data;
}

int main(int argc, char **argv) {
  size_t len = 0;
  char *module;
  wd_run_options *opts = NULL;
  wd_buf out = WD_BUF_INIT;
  int ok = -1;
  if (argc != 2) {
    fprintf(stderr, "usage: test_capi_run probe20.wasm\n");
    return 2;
  }
  if (!(module = read_all(argv[1], &len))) {
    fprintf(stderr, "SKIPPED: %s not built (tests/host needs clang)\n", argv[1]);
    return 77;
  }
  CHECK(wd_host_available() == 1);
  CHECK_RC(WD_OK, wd_run_options_new(&opts));
  CHECK_RC(WD_OK, wd_run_options_set(opts, "root_id", "c_root"));
  CHECK_RC(WD_OK, wd_run_options_set(opts, "request", "PUT /c"));
  CHECK_RC(WD_OK, wd_run_options_add(opts, "request", "X-From", "c"));
  CHECK_RC(WD_OK, wd_run_options_set_config(opts, "ok", 2));
  CHECK_RC(WD_OK, wd_run_module(&out, &ok, module, len, opts));
  CHECK(ok == 1);
  CHECK(out.ptr && strstr(out.ptr, "\"configure\": true"));
  CHECK(out.ptr && strstr(out.ptr, "\"c_root\""));
  CHECK(out.ptr && strstr(out.ptr, "\"x-from\""));

  /* A refused configuration is a result, not an error. */
  CHECK_RC(WD_OK, wd_run_options_set(opts, "config", "reject"));
  CHECK_RC(WD_OK, wd_run_module(&out, &ok, module, len, opts));
  CHECK(ok == 0 && strstr(out.ptr, "\"configure\": false"));

  /* Usage errors. */
  CHECK_RC(WD_EUSAGE, wd_run_options_set(opts, "no_such_option", "1"));
  CHECK(strcmp(wd_error_last_id(), "run.unknown-option") == 0);
  CHECK_RC(WD_EUSAGE, wd_run_options_set(opts, "request", "GET"));
  CHECK_RC(WD_EUSAGE, wd_run_options_add(opts, "nowhere", "a", "b"));
  CHECK_RC(WD_EUSAGE, wd_run_module(&out, &ok, NULL, 0, opts));
  CHECK_RC(WD_EUSAGE, wd_run_options_new(NULL));

  /* Defaults (NULL options) and garbage bytes: it ran, the module did not load. */
  CHECK_RC(WD_OK, wd_run_module(&out, &ok, "\0asm\x01\0\0\0\x01", 9, NULL));
  CHECK(ok == 0 && strstr(out.ptr, "\"loaded\": false"));

  wd_buf_dispose(&out);
  wd_run_options_free(opts);
  wd_run_options_free(NULL);
  free(module);
  return check_failures ? 1 : 0;
}
