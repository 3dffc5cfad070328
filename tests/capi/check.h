/* Minimal assertion macros for the C tests (fmt's c-test habit): print where and why, count. */
#ifndef WD_TEST_CHECK_H
#define WD_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

#include <wasmdeploy/wasmdeploy.h>

static int check_failures = 0;

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);      \
      ++check_failures;                                                             \
    }                                                                               \
  } while (0)

/* Checks a status and prints the library's last error when it is not the expected one. */
#define CHECK_RC(expected, call)                                                        \
  do {                                                                                  \
    int check_rc_ = (call);                                                             \
    if (check_rc_ != (expected)) {                                                      \
      fprintf(stderr, "%s:%d: %s returned %d, expected %d: %s\n", __FILE__, __LINE__,   \
              #call, check_rc_, (int)(expected), wd_error_last_message());              \
      ++check_failures;                                                                 \
    }                                                                                   \
  } while (0)

#define CHECK_STR(a, b) CHECK(strcmp((a), (b)) == 0)

#endif /* WD_TEST_CHECK_H */
