/* Renders a one-filter spec through the installed C API. */
#include <stdio.h>
#include <string.h>

#include <wasmdeploy/wasmdeploy.h>

int main(void) {
  static const char spec_yaml[] =
      "filters: [{name: hello, module: 'oci://ghcr.io/acme/hello:v1'}]\n"
      "targets: [{namespace: demo, selector: {app: web}}]\n";
  wd_spec *spec = NULL;
  wd_buf out = WD_BUF_INIT;
  int rc;
  if (wd_version_number() != WD_VERSION_NUMBER) {
    fprintf(stderr, "header %s but library %s\n", WD_VERSION_STRING, wd_version_string());
    return 1;
  }
  rc = wd_spec_parse(&spec, spec_yaml, strlen(spec_yaml), "inline.yaml", NULL);
  if (rc == WD_OK) rc = wd_render_text(&out, spec, "1.24", WD_FORMAT_YAML);
  if (rc != WD_OK) {
    fprintf(stderr, "error %d: %s\n", rc, wd_error_last_message());
    wd_spec_free(spec);
    return 1;
  }
  fwrite(out.ptr, 1, out.size, stdout);
  wd_buf_dispose(&out);
  wd_spec_free(spec);
  return 0;
}
