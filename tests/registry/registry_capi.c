/* The C API's resolve stage against the real registry tests/registry/registry_test.py starts
 * (step capi): wd_resolve_image and wd_render_options_set_resolve with docker config.json
 * credentials and a private CA, and the failures a caller must be able to tell apart by
 * wd_error_last_id(): a wrong password, a missing tag, a registry that never answers (bounded
 * by the request timeout), bad settings.
 *
 *   registry_capi CONFIG CA_FILE REF DIGEST MODULE_SHA256 MISSING_REF HANGING_REF SPEC
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <wasmdeploy/wasmdeploy.h>

#include "../capi/check.h"

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A refused resolve: the status, the error id, and no result. */
static void check_refused(const char *ref, const wd_resolve_options *ro, int status, const char *id) {
  wd_resolved_image *img = (wd_resolved_image *)&img; /* not NULL: the call must reset it */
  CHECK_RC(status, wd_resolve_image(&img, ref, ro));
  CHECK(img == NULL);
  if (strcmp(wd_error_last_id(), id) != 0) {
    fprintf(stderr, "%s: error id %s, expected %s (%s)\n", ref, wd_error_last_id(), id, wd_error_last_message());
    ++check_failures;
  }
}

int main(int argc, char **argv) {
  const char *config, *ca_file, *ref, *digest, *module_sha, *missing, *hanging, *spec_path;
  wd_resolve_options *ro = NULL, *wrong = NULL, *hang = NULL;
  wd_resolved_image *img = NULL;
  wd_buf json = WD_BUF_INIT, text = WD_BUF_INIT;
  wd_spec *spec = NULL;
  wd_render_options *opts = NULL;
  wd_render_result *result = NULL;
  char pinned[512];
  double start;

  if (argc != 9) {
    fprintf(stderr, "usage: registry_capi CONFIG CA_FILE REF DIGEST MODULE_SHA256 MISSING_REF HANGING_REF SPEC\n");
    return 2;
  }
  config = argv[1];
  ca_file = argv[2];
  ref = argv[3];
  digest = argv[4];
  module_sha = argv[5];
  missing = argv[6];
  hanging = argv[7];
  spec_path = argv[8];

  CHECK_RC(WD_OK, wd_resolve_options_new(&ro));
  CHECK_RC(WD_OK, wd_resolve_options_set_docker_config(ro, config));
  CHECK_RC(WD_OK, wd_resolve_options_set_tls(ro, 0, 0, ca_file));

  /* Tag -> manifest digest and module sha256, as the registry serves them. */
  CHECK_RC(WD_OK, wd_resolve_image(&img, ref, ro));
  if (img != NULL) {
    CHECK_STR(wd_resolved_image_manifest_digest(img), digest);
    CHECK_STR(wd_resolved_image_module_sha256(img), module_sha);
    CHECK_STR(wd_resolved_image_variant(img), "oci");
    /* registry/repo@digest: the reference without oci:// and the tag. */
    snprintf(pinned, sizeof pinned, "%.*s@%s", (int)(strrchr(ref, ':') - ref - 6), ref + 6, digest);
    CHECK_STR(wd_resolved_image_pinned(img), pinned);
    CHECK_RC(WD_OK, wd_resolved_image_json(&json, img));
    CHECK(json.ptr != NULL && strstr(json.ptr, digest) != NULL && strstr(json.ptr, module_sha) != NULL);
    fputs(json.ptr, stdout); /* the driver compares it with `wasmdeploy resolve -o json` */
  }
  wd_resolved_image_free(img);
  img = NULL;

  /* A missing tag, a wrong password, a registry that never answers. */
  check_refused(missing, ro, WD_ENOTFOUND, "registry.not-found");
  CHECK_RC(WD_OK, wd_resolve_options_new(&wrong));
  CHECK_RC(WD_OK, wd_resolve_options_set_tls(wrong, 0, 0, ca_file));
  CHECK_RC(WD_OK, wd_resolve_options_set_credentials(wrong, "ceposta", "wrong-password"));
  check_refused(ref, wrong, WD_EINVALID, "registry.unauthorized");
  CHECK_RC(WD_OK, wd_resolve_options_new(&hang));
  CHECK_RC(WD_OK, wd_resolve_options_set_tls(hang, 0, 1, NULL));
  CHECK_RC(WD_OK, wd_resolve_options_set_timeouts(hang, 2000, 1500, 0));
  start = now_seconds();
  check_refused(hanging, hang, WD_EIO, "registry.timeout");
  CHECK(now_seconds() - start < 8.0);

  /* Settings out of range are usage errors, and NULL handles are refused or ignored. */
  CHECK_RC(WD_EUSAGE, wd_resolve_options_set_timeouts(ro, 0, 1000, 1));
  CHECK_RC(WD_EUSAGE, wd_resolve_options_set_timeouts(ro, 1000, 1000, 11));
  CHECK_RC(WD_EUSAGE, wd_resolve_options_set_max_blob_bytes(ro, 0));
  CHECK_RC(WD_EUSAGE, wd_resolve_image(NULL, ref, ro));
  CHECK_RC(WD_EUSAGE, wd_resolve_image(&img, NULL, ro));
  wd_resolved_image_free(NULL);
  wd_resolve_options_free(NULL);
  CHECK_STR(wd_resolved_image_manifest_digest(NULL), "");

  /* A blob limit below the module's size is refused before the module is read. */
  CHECK_RC(WD_OK, wd_resolve_options_set_max_blob_bytes(wrong, 16));
  CHECK_RC(WD_OK, wd_resolve_options_set_credentials(wrong, NULL, NULL));
  CHECK_RC(WD_OK, wd_resolve_options_set_docker_config(wrong, config));
  check_refused(ref, wrong, WD_EINVALID, "registry.too-large");

  /* render with the resolve stage. Without network the EnvoyFilter (Istio 1.24, a string
   * config) lacks the digest Envoy requires and is refused; with it, the tag is pinned. */
  CHECK_RC(WD_OK, wd_spec_load(&spec, spec_path));
  CHECK_RC(WD_OK, wd_render_options_new(&opts));
  CHECK_RC(WD_OK, wd_render_options_set_istio(opts, "1.24"));
  CHECK_RC(WD_OK, wd_render_options_set_resolve(opts, ro, 0));
  CHECK_RC(WD_EINVALID, wd_render(&result, spec, opts));
  CHECK_STR(wd_error_last_id(), "sha256.required");
  CHECK_RC(WD_OK, wd_render_options_set_resolve(opts, ro, 1));
  CHECK_RC(WD_OK, wd_render(&result, spec, opts));
  snprintf(pinned, sizeof pinned, "%s@%s", ref, digest); /* oci://registry/repo:tag@sha256:... */
  if (result != NULL) {
    CHECK_RC(WD_OK, wd_render_result_text(&text, result, WD_FORMAT_YAML));
    CHECK(text.ptr != NULL && strstr(text.ptr, digest + 7) != NULL && strstr(text.ptr, pinned) != NULL);
  }
  wd_render_result_free(result);
  result = NULL;
  /* ... and a render whose registry refuses gives no result. */
  CHECK_RC(WD_OK, wd_resolve_options_set_credentials(wrong, "ceposta", "wrong-password"));
  CHECK_RC(WD_OK, wd_resolve_options_set_max_blob_bytes(wrong, 1 << 20));
  CHECK_RC(WD_OK, wd_render_options_set_resolve(opts, wrong, 1));
  result = (wd_render_result *)&result;
  CHECK_RC(WD_EINVALID, wd_render(&result, spec, opts));
  CHECK(result == NULL);
  CHECK_STR(wd_error_last_id(), "registry.unauthorized");

  wd_buf_dispose(&json);
  wd_buf_dispose(&text);
  wd_render_options_free(opts);
  wd_spec_free(spec);
  wd_resolve_options_free(ro);
  wd_resolve_options_free(wrong);
  wd_resolve_options_free(hang);
  if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures);
  return check_failures ? 1 : 0;
}
