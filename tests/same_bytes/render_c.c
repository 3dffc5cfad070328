/* render_c SPEC VERSION yaml|json: the C API's bytes for one spec, for check_same_bytes.py. */
#include <stdio.h>
#include <string.h>

#include <wasmdeploy/wasmdeploy.h>

int main(int argc, char **argv) {
  wd_spec *spec = NULL;
  wd_buf out = WD_BUF_INIT;
  int rc;
  if (argc != 4) {
    fprintf(stderr, "usage: render_c SPEC VERSION yaml|json\n");
    return 2;
  }
  rc = wd_spec_load(&spec, argv[1]);
  if (rc == WD_OK)
    rc = wd_render_text(&out, spec, argv[2], strcmp(argv[3], "json") == 0 ? WD_FORMAT_JSON : WD_FORMAT_YAML);
  if (rc == WD_OK) fwrite(out.ptr, 1, out.size, stdout);
  else fprintf(stderr, "%s\n", wd_error_last_message());
  wd_buf_dispose(&out);
  wd_spec_free(spec);
  return rc == WD_OK ? 0 : 1;
}
