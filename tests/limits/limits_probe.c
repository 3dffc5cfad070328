/*
 * The C API's side of tests/limits/limits_test.py: runs one reader through wd_limits.
 *
 *   limits_probe KIND DIR [NAME VALUE]
 *
 * KIND is render (DIR/spec.yaml), inspect (DIR/f.wasm), convert (DIR/in.yaml) or run
 * (DIR/f.wasm with DIR/config.json as config_json). With NAME VALUE that one limit is lowered.
 * Prints the refusal's error id and exits 1, exits 0 when the input is accepted (inspect prints
 * its JSON report then, whose findings may name a limit), 77 when the
 * host is not built (run), 2 on a usage error of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wasmdeploy/wasmdeploy.h>

static char *slurp(const char *dir, const char *file, size_t *len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  FILE *fh = fopen(path, "rb");
  if (!fh) return NULL;
  char *buf = NULL;
  size_t cap = 0, n = 0, got;
  do {
    if (n == cap) {
      cap = cap ? cap * 2 : 4096;
      char *bigger = realloc(buf, cap + 1);
      if (!bigger) break;
      buf = bigger;
    }
    got = fread(buf + n, 1, cap - n, fh);
    n += got;
  } while (got > 0);
  fclose(fh);
  if (buf) buf[n] = '\0';
  *len = n;
  return buf;
}

static int refused(void) {
  printf("%s\n", wd_error_last()->id);
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3 && argc != 5) {
    fprintf(stderr, "usage: limits_probe KIND DIR [NAME VALUE]\n");
    return 2;
  }
  const char *kind = argv[1], *dir = argv[2];
  wd_limits *lim = NULL;
  if (wd_limits_new(&lim) != WD_OK) return refused();
  if (argc == 5 && wd_limits_set(lim, argv[3], strtoull(argv[4], NULL, 10)) != WD_OK) return refused();
  int rc = 2;
  size_t len = 0;
  if (strcmp(kind, "render") == 0) {
    char path[4096];
    snprintf(path, sizeof path, "%s/spec.yaml", dir);
    wd_spec *spec = NULL;
    wd_render_options *opts = NULL;
    wd_render_result *result = NULL;
    rc = wd_spec_load_limited(&spec, path, lim) == WD_OK && wd_render_options_new(&opts) == WD_OK &&
                 wd_render_options_set_limits(opts, lim) == WD_OK && wd_render(&result, spec, opts) == WD_OK
             ? 0
             : refused();
    wd_render_result_free(result);
    wd_render_options_free(opts);
    wd_spec_free(spec);
  } else if (strcmp(kind, "inspect") == 0) {
    char *bytes = slurp(dir, "f.wasm", &len);
    wd_buf report = WD_BUF_INIT;
    rc = bytes && wd_inspect_module_limited(&report, bytes, len, NULL, lim) == WD_OK ? 0 : refused();
    if (rc == 0) fwrite(report.ptr, 1, report.size, stdout); /* findings: limits a reader reports and passes */
    wd_buf_dispose(&report);
    free(bytes);
  } else if (strcmp(kind, "convert") == 0) {
    char *text = slurp(dir, "in.yaml", &len);
    wd_spec *spec = NULL;
    rc = text && wd_spec_import_limited(&spec, text, len, "in.yaml", lim) == WD_OK ? 0 : refused();
    wd_spec_free(spec);
    free(text);
  } else if (strcmp(kind, "run") == 0) {
    if (!wd_host_available()) {
      wd_limits_free(lim);
      return 77;
    }
    size_t config_len = 0;
    char *bytes = slurp(dir, "f.wasm", &len), *config = slurp(dir, "config.json", &config_len);
    wd_run_options *opts = NULL;
    wd_buf out = WD_BUF_INIT;
    rc = bytes && config && wd_run_options_new(&opts) == WD_OK && wd_run_options_set_limits(opts, lim) == WD_OK &&
                 wd_run_options_set(opts, "config_json", config) == WD_OK &&
                 wd_run_module(&out, NULL, bytes, len, opts) == WD_OK
             ? 0
             : refused();
    wd_buf_dispose(&out);
    wd_run_options_free(opts);
    free(bytes);
    free(config);
  }
  wd_limits_free(lim);
  return rc;
}
