/* Each part of the C API compiles on its own as strict C11: resolve.h and limits.h include
   wasmdeploy.h themselves (this file includes them before it). */
#include <wasmdeploy/resolve.h>
#include <wasmdeploy/limits.h>

int main(void) {
  wd_resolve_options *opts = NULL;
  int rc = wd_resolve_options_new(&opts);
  wd_resolve_options_free(opts);
  return rc == WD_OK ? 0 : 1;
}
