/* The bookinfo scenario shared by the C tests: one spec as YAML text, and a builder that makes
 * the same spec through the setter API (the two must render identically). */
#ifndef WD_TEST_BOOKINFO_H
#define WD_TEST_BOOKINFO_H

#include <string.h>

#include <wasmdeploy/wasmdeploy.h>

static const char BOOKINFO_YAML[] =
    "istio: \"1.12\"\n"
    "filters:\n"
    "  - name: add-header\n"
    "    module: oci://webassemblyhub.io/tanjunchen20/add-header:v0.1\n"
    "    sha256: 6b0e5e8d4b7c0a3f1b2d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a\n"
    "    moduleSha256: 0295d929353976266ab721389ec859b2fe012d63ce2e58815469ab85c123b510\n"
    "    rootId: add_header\n"
    "    config:\n"
    "      name: hello\n"
    "      value: world\n"
    "targets:\n"
    "  - namespace: bookinfo\n"
    "    workloads:\n"
    "      - name: details-v1\n"
    "        labels: {app: details, version: v1}\n"
    "      - name: reviews-v1\n"
    "        labels: {app: reviews, version: v1}\n";

/* Builds BOOKINFO_YAML through the setters. Returns a wd_status. */
static int build_bookinfo(wd_spec **out) {
  wd_spec *spec = NULL;
  size_t f = 0, t = 0, w = 0;
  static const char config[] = "{\"name\":\"hello\",\"value\":\"world\"}";
  int rc = wd_spec_new(&spec);
  if (rc == WD_OK) rc = wd_spec_set(spec, "istio", "1.12");
  if (rc == WD_OK) rc = wd_spec_add_filter(&f, spec, "add-header", "oci://webassemblyhub.io/tanjunchen20/add-header:v0.1");
  if (rc == WD_OK) rc = wd_spec_filter_set(spec, f, "sha256", "6b0e5e8d4b7c0a3f1b2d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a");
  if (rc == WD_OK) rc = wd_spec_filter_set(spec, f, "moduleSha256", "0295d929353976266ab721389ec859b2fe012d63ce2e58815469ab85c123b510");
  if (rc == WD_OK) rc = wd_spec_filter_set(spec, f, "rootId", "add_header");
  if (rc == WD_OK) rc = wd_spec_filter_set_config_json(spec, f, config, strlen(config));
  if (rc == WD_OK) rc = wd_spec_add_target(&t, spec, "bookinfo");
  if (rc == WD_OK) rc = wd_spec_target_add_workload(&w, spec, t, "details-v1", NULL);
  if (rc == WD_OK) rc = wd_spec_workload_add_label(spec, t, w, "app", "details");
  if (rc == WD_OK) rc = wd_spec_workload_add_label(spec, t, w, "version", "v1");
  if (rc == WD_OK) rc = wd_spec_target_add_workload(&w, spec, t, "reviews-v1", "Deployment");
  if (rc == WD_OK) rc = wd_spec_workload_add_label(spec, t, w, "app", "reviews");
  if (rc == WD_OK) rc = wd_spec_workload_add_label(spec, t, w, "version", "v1");
  if (rc != WD_OK) {
    wd_spec_free(spec);
    spec = NULL;
  }
  *out = spec;
  return rc;
}

#endif /* WD_TEST_BOOKINFO_H */
