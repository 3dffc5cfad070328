/* render_c [--resolve CONFIG CA_FILE] [--undeploy|--restore] [--live FILE] [--allow CODE]... SPEC ISTIO
 * yaml|json [TARGET [GATEWAY_VERSION]]: the C API's bytes for one spec, for check_same_bytes.py. An
 * empty argument leaves that option unset (the spec decides). --undeploy / --restore print
 * wd_undeploy_text / wd_undeploy_restore_text (Istio only: those take no target). --live reads the
 * workloads' live annotations (wd_spec_apply_live), --allow acknowledges a code
 * (wd_render_options_add_allow). --resolve first renders with the resolve stage asking the registry
 * (wd_render_options_set_resolve, docker config.json, private CA). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wasmdeploy/wasmdeploy.h>

/* The whole file, as the CLI's --live reads it. */
static int apply_live(wd_spec *spec, const char *path) {
  FILE *f = fopen(path, "rb");
  char *text = NULL;
  size_t len = 0, cap = 0, n;
  int rc;
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    return WD_EIO;
  }
  do {
    if (len == cap) {
      char *grown = realloc(text, cap = cap ? 2 * cap : 65536);
      if (!grown) break;
      text = grown;
    }
    n = fread(text + len, 1, cap - len, f);
    len += n;
  } while (n > 0);
  fclose(f);
  rc = wd_spec_apply_live(spec, text, len, path);
  free(text);
  return rc;
}

int main(int argc, char **argv) {
  wd_spec *spec = NULL;
  wd_render_options *opts = NULL;
  wd_render_result *result = NULL;
  wd_buf out = WD_BUF_INIT;
  int rc;
  int undeploy = 0, restore = 0;
  const char *live = NULL;
  const char *allow[8];
  size_t allows = 0, i;
  wd_resolve_options *resolve = NULL;
  if (argc > 3 && strcmp(argv[1], "--resolve") == 0) {
    rc = wd_resolve_options_new(&resolve);
    if (rc == WD_OK) rc = wd_resolve_options_set_docker_config(resolve, argv[2]);
    if (rc == WD_OK) rc = wd_resolve_options_set_tls(resolve, 0, 0, argv[3]);
    if (rc != WD_OK) {
      fprintf(stderr, "%s\n", wd_error_last_message());
      return 1;
    }
    argv += 3;
    argc -= 3;
  }
  if (argc > 1 && (strcmp(argv[1], "--undeploy") == 0 || strcmp(argv[1], "--restore") == 0)) {
    undeploy = 1;
    restore = strcmp(argv[1], "--restore") == 0;
    argv++;
    argc--;
  }
  while (argc > 2 && (strcmp(argv[1], "--live") == 0 || strcmp(argv[1], "--allow") == 0)) {
    if (strcmp(argv[1], "--live") == 0) live = argv[2];
    else if (allows < sizeof allow / sizeof allow[0]) allow[allows++] = argv[2];
    argv += 2;
    argc -= 2;
  }
  if (argc < 4 || argc > 6) {
    fprintf(stderr, "usage: render_c SPEC ISTIO yaml|json [TARGET [GATEWAY_VERSION]]\n");
    return 2;
  }
  rc = wd_spec_load(&spec, argv[1]);
  if (rc == WD_OK && live) rc = apply_live(spec, live);
  if (rc == WD_OK && undeploy) {
    wd_format format = strcmp(argv[3], "json") == 0 ? WD_FORMAT_JSON : WD_FORMAT_YAML;
    rc = restore ? wd_undeploy_restore_text(&out, spec, argv[2], format) : wd_undeploy_text(&out, spec, argv[2], format);
    if (rc == WD_OK) fwrite(out.ptr, 1, out.size, stdout);
    else fprintf(stderr, "%s\n", wd_error_last_message());
    wd_buf_dispose(&out);
    wd_spec_free(spec);
    return rc == WD_OK ? 0 : 1;
  }
  if (rc == WD_OK) rc = wd_render_options_new(&opts);
  if (rc == WD_OK) rc = wd_render_options_set_istio(opts, argv[2]);
  if (rc == WD_OK && argc > 4) rc = wd_render_options_set_target(opts, argv[4]);
  if (rc == WD_OK && argc > 5) rc = wd_render_options_set_gateway_version(opts, argv[5]);
  for (i = 0; rc == WD_OK && i < allows; i++) rc = wd_render_options_add_allow(opts, allow[i]);
  if (rc == WD_OK && resolve) rc = wd_render_options_set_resolve(opts, resolve, 1);
  if (rc == WD_OK) rc = wd_render(&result, spec, opts);
  if (rc == WD_OK)
    rc = wd_render_result_text(&out, result, strcmp(argv[3], "json") == 0 ? WD_FORMAT_JSON : WD_FORMAT_YAML);
  if (rc == WD_OK) fwrite(out.ptr, 1, out.size, stdout);
  else fprintf(stderr, "%s\n", wd_error_last_message());
  wd_buf_dispose(&out);
  wd_render_result_free(result);
  wd_render_options_free(opts);
  wd_resolve_options_free(resolve);
  wd_spec_free(spec);
  return rc == WD_OK ? 0 : 1;
}
