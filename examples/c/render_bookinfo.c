/* The bookinfo scenario through the C API: `wasme deploy istio
 * webassemblyhub.io/tanjunchen20/add-header:v0.1 --id=myfilter --namespace bookinfo
 * --config tanjunchen20`, built in code (no spec file) and rendered as YAML on stdout.
 *
 *   render_bookinfo [ISTIO_VERSION]      (default 1.8.1)
 *
 * The output equals examples/bookinfo-add-header/expected/spec-<version>.yaml. */
#include <stdio.h>

#include <wasmdeploy/wasmdeploy.h>

/* Stops at the first failure and reports it from the thread's last error. */
#define TRY(call)                                                                      \
  do {                                                                                 \
    if ((rc = (call)) != WD_OK) {                                                      \
      const wd_error *e = wd_error_last();                                             \
      fprintf(stderr, "render_bookinfo: %s (code %d, id %s)\n", e->message, e->code,   \
              e->id);                                                                  \
      goto done;                                                                       \
    }                                                                                  \
  } while (0)

int main(int argc, char **argv) {
  static const char *const workloads[][3] = {
      {"details-v1", "details", "v1"},   {"productpage-v1", "productpage", "v1"},
      {"ratings-v1", "ratings", "v1"},   {"reviews-v1", "reviews", "v1"},
      {"reviews-v2", "reviews", "v2"},   {"reviews-v3", "reviews", "v3"},
  };
  const char *istio = argc > 1 ? argv[1] : "1.8.1";
  wd_spec *spec = NULL;
  wd_render_options *opts = NULL;
  wd_render_result *result = NULL;
  wd_buf yaml = WD_BUF_INIT;
  size_t filter = 0, target = 0, w = 0, i;
  int rc = WD_OK;

  TRY(wd_spec_new(&spec));
  TRY(wd_spec_add_filter(&filter, spec, "myfilter", "oci://webassemblyhub.io/tanjunchen20/add-header:v0.1"));
  /* The image manifest digest (checked by istio-agent from 1.12) and the digest of the .wasm
   * layer (the wasme node-cache file name before 1.12). */
  TRY(wd_spec_filter_set(spec, filter, "sha256", "6b0e5e8d4b7c0a3f1b2d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a"));
  TRY(wd_spec_filter_set(spec, filter, "moduleSha256", "0295d929353976266ab721389ec859b2fe012d63ce2e58815469ab85c123b510"));
  TRY(wd_spec_filter_set(spec, filter, "rootId", "add_header"));
  TRY(wd_spec_filter_set(spec, filter, "config", "tanjunchen20"));

  TRY(wd_spec_add_target(&target, spec, "bookinfo"));
  for (i = 0; i < sizeof workloads / sizeof workloads[0]; ++i) {
    TRY(wd_spec_target_add_workload(&w, spec, target, workloads[i][0], NULL));
    TRY(wd_spec_workload_add_label(spec, target, w, "app", workloads[i][1]));
    TRY(wd_spec_workload_add_label(spec, target, w, "version", workloads[i][2]));
  }

  TRY(wd_render_options_new(&opts));
  TRY(wd_render_options_set_istio(opts, istio));
  TRY(wd_render(&result, spec, opts));
  for (i = 0; i < wd_render_result_diagnostic_count(result); ++i)
    fprintf(stderr, "%s\n", wd_render_result_diagnostic(result, i)->text);
  TRY(wd_render_result_text(&yaml, result, WD_FORMAT_YAML));
  fwrite(yaml.ptr, 1, yaml.size, stdout);

done:
  wd_buf_dispose(&yaml);
  wd_render_result_free(result);
  wd_render_options_free(opts);
  wd_spec_free(spec);
  return rc == WD_OK ? 0 : 1;
}
