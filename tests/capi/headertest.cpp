// The public header must compile on its own as C++ too (extern "C", no C-only constructs).
#include <wasmdeploy/wasmdeploy.h>

static_assert(WD_VERSION_CHECK(0, 0, 0), "version macros are usable in constant expressions");

int main() {
  wd_buf buf = WD_BUF_INIT;
  wd_buf_dispose(&buf);
  return 0;
}
