/* The public header must compile on its own as strict C11 (libgit2's headertest). */
#include <wasmdeploy/wasmdeploy.h>

int main(void) { return WD_VERSION_NUMBER > 0 ? 0 : 1; }
