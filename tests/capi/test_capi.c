/* The C API driven from C11: every function, the error model, ownership and NULL safety. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, mkdir: the undeploy test's files */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <wasmdeploy/wasmdeploy.h>

#include "bookinfo.h"
#include "check.h"

static void test_versions(void) {
  CHECK(wd_version_number() == WD_VERSION_NUMBER);
  CHECK_STR(wd_version_string(), WD_VERSION_STRING);
  CHECK(WD_VERSION_CHECK(WD_VERSION_MAJOR, WD_VERSION_MINOR, WD_VERSION_PATCH));
  CHECK_RC(WD_OK, wd_istio_check("1.8.1"));
  CHECK_RC(WD_OK, wd_istio_check("v1.12"));
  CHECK(wd_istio_check("0.1") < 0);
  CHECK(strlen(wd_istio_oldest_supported()) > 0);
  CHECK(strlen(wd_istio_newest_supported()) > 0);
  /* istiod's image tags, and a minor newer than the table (rendered with its newest rules). */
  CHECK_RC(WD_OK, wd_istio_check("1.24.3-distroless"));
  CHECK_RC(WD_OK, wd_istio_check("1.30.0-rc.1"));
  CHECK_RC(WD_OK, wd_istio_check("1.33"));
  CHECK_STR(wd_istio_newest_supported(), "1.32");
  CHECK(wd_istio_check("2.0") < 0);
  CHECK(wd_istio_check("1.24.3-a b") < 0);
}

static void test_error_model(void) {
  const wd_error *e;
  wd_error_clear();
  e = wd_error_last();
  CHECK(e != NULL);
  CHECK(e->code == WD_OK);
  CHECK_STR(wd_error_last_message(), "no error");
  CHECK_STR(wd_error_last_id(), "");
  CHECK_STR(wd_error_last_path(), "");

  /* NULL arguments are usage errors, never crashes. */
  CHECK_RC(WD_EUSAGE, wd_spec_new(NULL));
  CHECK(wd_error_last_code() == WD_EUSAGE);
  CHECK_STR(wd_error_last_id(), "capi.null-argument");

  /* A later success leaves the last error in place (libgit2 semantics). */
  CHECK_RC(WD_OK, wd_istio_check("1.12"));
  CHECK(wd_error_last_code() == WD_EUSAGE);

  /* NULL-safe destructors. */
  wd_spec_free(NULL);
  wd_render_result_free(NULL);
  wd_render_options_free(NULL);
  wd_buf_dispose(NULL);
}

static void test_parse_error_position(void) {
  wd_spec *spec = (wd_spec *)1;
  char bad[sizeof BOOKINFO_YAML];
  const wd_error *e;
  memcpy(bad, BOOKINFO_YAML, sizeof bad);
  memcpy(strstr(bad, "rootId"), "rootid", 6);
  CHECK(wd_spec_parse(&spec, bad, strlen(bad), "bookinfo.yaml", NULL) < 0);
  CHECK(spec == NULL); /* out is cleared on failure */
  e = wd_error_last();
  CHECK(e->line == 7);
  CHECK(e->column > 0);
  CHECK_STR(e->file, "bookinfo.yaml");
  CHECK(strncmp(e->path, "filters[0]", 10) == 0);
  CHECK(strstr(e->message, "bookinfo.yaml:7:") != NULL);
}

static void test_setters(void) {
  wd_spec *spec = NULL;
  size_t f = 99, t = 99, found = 99;
  uint32_t ports[2] = {8080, 9090};
  CHECK_RC(WD_OK, wd_spec_new(&spec));
  CHECK(wd_spec_filter_count(spec) == 0);
  CHECK_RC(WD_OK, wd_spec_add_filter(&f, spec, "one", "oci://ghcr.io/acme/one:v1"));
  CHECK(f == 0);
  CHECK_RC(WD_OK, wd_spec_add_filter(NULL, spec, "two", "https://example.com/two.wasm"));
  CHECK(wd_spec_filter_count(spec) == 2);
  CHECK_RC(WD_OK, wd_spec_find_filter(&found, spec, "two"));
  CHECK(found == 1);
  CHECK_RC(WD_ENOTFOUND, wd_spec_find_filter(&found, spec, "three"));

  CHECK_RC(WD_OK, wd_spec_filter_set(spec, 0, "sha256", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
  CHECK_RC(WD_OK, wd_spec_filter_set(spec, 0, "vmId", "shared"));
  CHECK_RC(WD_OK, wd_spec_filter_set(spec, 0, "failStrategy", "FAIL_OPEN"));
  CHECK_RC(WD_OK, wd_spec_filter_set(spec, 0, "phase", "AUTHZ"));
  CHECK_RC(WD_OK, wd_spec_filter_set(spec, 0, "priority", "-10"));
  CHECK_RC(WD_OK, wd_spec_filter_set(spec, 0, "priority", NULL));
  CHECK_RC(WD_OK, wd_spec_filter_set(spec, 0, "config", "plain text config"));
  CHECK_RC(WD_OK, wd_spec_filter_set(spec, 0, "type", "HTTP"));
  CHECK_RC(WD_OK, wd_spec_filter_set(spec, 0, "imagePullPolicy", "Always"));
  CHECK_RC(WD_OK, wd_spec_filter_add_env(spec, 0, "LOG", "debug", NULL));
  CHECK_RC(WD_OK, wd_spec_filter_add_env(spec, 0, "POD_NAME", NULL, "HOST"));

  CHECK_RC(WD_EINVALID, wd_spec_filter_set(spec, 0, "priority", "12abc"));
  CHECK_STR(wd_error_last_path(), "filters[0].priority");
  CHECK_RC(WD_EINVALID, wd_spec_filter_set(spec, 0, "failStrategy", "SOMETIMES"));
  CHECK_STR(wd_error_last_path(), "filters[0].failStrategy");
  CHECK_RC(WD_EUSAGE, wd_spec_filter_set(spec, 0, "rootID", "x"));
  CHECK_RC(WD_ENOTFOUND, wd_spec_filter_set(spec, 7, "rootId", "x"));
  CHECK_RC(WD_EPARSE, wd_spec_filter_set_config_json(spec, 0, "{nope", 5));
  CHECK_RC(WD_EINVALID, wd_spec_add_filter(NULL, spec, "bad", "localhost:5000/repo:v1"));

  CHECK_RC(WD_OK, wd_spec_add_target(&t, spec, NULL));
  CHECK(t == 0);
  CHECK_RC(WD_OK, wd_spec_target_set(spec, t, "namespace", "prod"));
  CHECK_RC(WD_OK, wd_spec_target_set(spec, t, "selector", "app=web,tier=front"));
  CHECK_RC(WD_OK, wd_spec_target_add_selector(spec, t, "track", "stable"));
  CHECK_RC(WD_OK, wd_spec_target_set(spec, t, "context", "gateway"));
  CHECK_RC(WD_OK, wd_spec_target_add_filter(spec, t, "one"));
  CHECK_RC(WD_OK, wd_spec_target_add_match(spec, t, "SERVER", ports, 2));
  CHECK_RC(WD_OK, wd_spec_target_add_ref(spec, t, "gateway.networking.k8s.io", "Gateway", "gw"));
  CHECK_RC(WD_EINVALID, wd_spec_target_set(spec, t, "context", "sideways"));
  CHECK_RC(WD_ENOTFOUND, wd_spec_workload_add_label(spec, t, 3, "a", "b"));
  CHECK(wd_spec_target_count(spec) == 1);

  CHECK_RC(WD_OK, wd_spec_set(spec, "naming", "per-target"));
  CHECK_RC(WD_OK, wd_spec_set(spec, "allowIncompatibleModule", "true"));
  CHECK(wd_spec_set(spec, "istio", "2.0") < 0);
  CHECK_RC(WD_EUSAGE, wd_spec_set(spec, "colour", "blue"));
  wd_spec_free(spec);
}

static void test_render_bookinfo(void) {
  wd_spec *parsed = NULL, *built = NULL, *copy = NULL;
  wd_render_options *opts = NULL;
  wd_render_result *result = NULL;
  wd_buf a = WD_BUF_INIT, b = WD_BUF_INIT, json = WD_BUF_INIT;
  size_t i;

  CHECK_RC(WD_OK, wd_spec_parse(&parsed, BOOKINFO_YAML, strlen(BOOKINFO_YAML), "bookinfo.yaml", NULL));
  CHECK_RC(WD_OK, build_bookinfo(&built));
  if (parsed == NULL || built == NULL) return;
  CHECK(wd_spec_filter_count(parsed) == 1 && wd_spec_target_count(parsed) == 1);

  /* Parsed and built specs give the same bytes for every version tried. */
  CHECK_RC(WD_OK, wd_render_text(&a, parsed, "1.8.1", WD_FORMAT_YAML));
  CHECK_RC(WD_OK, wd_render_text(&b, built, "1.8.1", WD_FORMAT_YAML));
  CHECK(a.size > 0 && a.ptr != NULL && a.ptr[a.size] == '\0');
  CHECK(a.size == b.size && memcmp(a.ptr, b.ptr, a.size) == 0);
  CHECK_RC(WD_OK, wd_render_text(&a, parsed, NULL, WD_FORMAT_YAML)); /* reuses a: old bytes released */
  CHECK_RC(WD_OK, wd_render_text(&b, built, "1.12", WD_FORMAT_YAML));
  CHECK(a.size == b.size && memcmp(a.ptr, b.ptr, a.size) == 0);
  CHECK_RC(WD_EUSAGE, wd_render_text(&a, parsed, NULL, (wd_format)7));

  /* Through options and a result handle. */
  CHECK_RC(WD_OK, wd_render_options_new(&opts));
  CHECK_RC(WD_OK, wd_render_options_set_istio(opts, "1.12"));
  CHECK_RC(WD_OK, wd_render_options_set_allow_incompatible_module(opts, 0));
  CHECK(wd_render_options_set_istio(opts, "banana") < 0);
  CHECK_RC(WD_OK, wd_spec_clone(&copy, parsed));
  CHECK_RC(WD_OK, wd_render(&result, copy, opts));
  if (result != NULL) {
    CHECK_STR(wd_render_result_istio(result), "1.12");
    CHECK(wd_render_result_document_count(result) > 0);
    for (i = 0; i < wd_render_result_document_count(result); ++i) {
      const wd_document *d = wd_render_result_document(result, i);
      CHECK(d != NULL && d->kind != NULL && d->file_name != NULL && strlen(d->file_name) > 0);
    }
    CHECK(wd_render_result_document(result, wd_render_result_document_count(result)) == NULL);
    for (i = 0; i < wd_render_result_diagnostic_count(result); ++i) {
      const wd_diagnostic *d = wd_render_result_diagnostic(result, i);
      CHECK(d != NULL && d->id != NULL && d->message != NULL && d->text != NULL);
      CHECK(d->severity >= WD_SEVERITY_NOTE && d->severity <= WD_SEVERITY_ERROR);
    }
    CHECK(wd_render_result_diagnostic(result, 100000) == NULL);
    CHECK_RC(WD_OK, wd_render_result_text(&b, result, WD_FORMAT_YAML));
    CHECK(a.size == b.size && memcmp(a.ptr, b.ptr, a.size) == 0);
    CHECK_RC(WD_OK, wd_render_result_text(&json, result, WD_FORMAT_JSON));
    CHECK(json.size > 0 && json.ptr[0] == '{');
  }

  /* A version that cannot be rendered leaves no result behind. */
  {
    wd_render_result *none = (wd_render_result *)1;
    wd_spec *empty = NULL;
    CHECK_RC(WD_OK, wd_spec_new(&empty));
    CHECK(wd_render(&none, empty, NULL) < 0); /* no Istio version anywhere */
    CHECK(none == NULL);
    wd_spec_free(empty);
  }

  wd_buf_dispose(&a);
  wd_buf_dispose(&b);
  wd_buf_dispose(&json);
  CHECK(a.ptr == NULL && a.size == 0);
  wd_render_result_free(result);
  wd_render_options_free(opts);
  wd_spec_free(copy);
  wd_spec_free(parsed);
  wd_spec_free(built);
}

/* An Istio spec rendered for another platform through the options, as `--target` does. */
static const char GATEWAY_YAML[] =
    "filters:\n"
    "- name: add-header\n"
    "  module: oci://ghcr.io/acme/add-header:v1\n"
    "  rootId: add_header\n"
    "  env:\n"
    "  - {name: POD_NAME, valueFrom: HOST}\n"
    "targets:\n"
    "- namespace: edge\n"
    "  targetRefs:\n"
    "  - {group: gateway.networking.k8s.io, kind: Gateway, name: public}\n";

static void test_render_target(void) {
  wd_spec *spec = NULL;
  wd_render_options *opts = NULL;
  wd_render_result *result = NULL;
  wd_buf text = WD_BUF_INIT;

  /* NULL-safe and validated where given, with the last error naming the argument. */
  CHECK_RC(WD_EUSAGE, wd_render_options_set_target(NULL, "gloo"));
  CHECK_STR(wd_error_last_id(), "capi.null-argument");
  CHECK_RC(WD_EUSAGE, wd_render_options_set_gateway_version(NULL, "v1.3"));
  CHECK_RC(WD_OK, wd_render_options_new(&opts));
  CHECK_RC(WD_EINVALID, wd_render_options_set_target(opts, "kuma"));
  CHECK_STR(wd_error_last_path(), "target");
  CHECK(strstr(wd_error_last_message(), "envoy-gateway") != NULL); /* lists the choices */
  CHECK_RC(WD_EUSAGE, wd_render_options_set_gateway_version(opts, "three"));
  CHECK_STR(wd_error_last_id(), "gateway-version.syntax");
  CHECK_STR(wd_error_last_path(), "gateway_version");
  CHECK_RC(WD_EVERSION, wd_render_options_set_gateway_version(opts, "v1.0"));
  CHECK_STR(wd_error_last_id(), "gateway-version.unsupported");

  CHECK_RC(WD_OK, wd_spec_parse(&spec, GATEWAY_YAML, strlen(GATEWAY_YAML), "gateway.yaml", NULL));
  if (spec == NULL || opts == NULL) return;
  /* Envoy Gateway: env.hostKeys needs v1.3, so v1.2 refuses and v1.3 renders. */
  CHECK_RC(WD_OK, wd_render_options_set_target(opts, "envoy-gateway"));
  CHECK_RC(WD_OK, wd_render_options_set_gateway_version(opts, "v1.2"));
  CHECK_RC(WD_EVERSION, wd_render(&result, spec, opts));
  CHECK(result == NULL);
  CHECK_STR(wd_error_last_path(), "filters[0].env");
  CHECK_RC(WD_OK, wd_render_options_set_gateway_version(opts, "1.3"));
  CHECK_RC(WD_OK, wd_render(&result, spec, opts));
  if (result != NULL) {
    CHECK(wd_render_result_document_count(result) == 1);
    CHECK_STR(wd_render_result_document(result, 0)->kind, "EnvoyExtensionPolicy");
    CHECK_RC(WD_OK, wd_render_result_text(&text, result, WD_FORMAT_YAML));
    CHECK(strstr(text.ptr, "hostKeys:") != NULL);
    wd_render_result_free(result);
    result = NULL;
  }
  /* Higress: another platform, chosen by name (any case, as the CLI accepts). */
  CHECK_RC(WD_OK, wd_render_options_set_target(opts, "Higress"));
  CHECK(wd_render(&result, spec, opts) < 0); /* Higress has no targetRefs */
  CHECK(strncmp(wd_error_last_id(), "higress.", 8) == 0);
  /* NULL goes back to the spec's platform: Istio, which needs a version. */
  CHECK_RC(WD_OK, wd_render_options_set_target(opts, NULL));
  CHECK_RC(WD_OK, wd_render_options_set_gateway_version(opts, NULL));
  CHECK_RC(WD_OK, wd_render_options_set_istio(opts, "1.24"));
  CHECK_RC(WD_OK, wd_render(&result, spec, opts));
  if (result != NULL) CHECK_STR(wd_render_result_document(result, 0)->kind, "WasmPlugin");
  wd_render_result_free(result);
  wd_buf_dispose(&text);
  wd_render_options_free(opts);
  wd_spec_free(spec);
}

static void test_capabilities(void) {
  const wd_capability *c = NULL;
  int yes = -1;
  size_t i, n = wd_capability_count();
  CHECK(n > 0);
  for (i = 0; i < n; ++i) {
    const wd_capability *row = wd_capability_at(i);
    CHECK(row != NULL && row->key != NULL && row->since != NULL && row->support != NULL);
  }
  CHECK(wd_capability_at(n) == NULL);
  CHECK_RC(WD_OK, wd_capability_find(&c, "wasm-plugin"));
  if (c != NULL) {
    CHECK_STR(c->since, "1.12");
    CHECK(c->until == NULL);
  }
  CHECK_RC(WD_OK, wd_capability_supported(&yes, "1.12", "wasm-plugin"));
  CHECK(yes == 1);
  CHECK_RC(WD_OK, wd_capability_supported(&yes, "1.11.4", "wasm-plugin"));
  CHECK(yes == 0);
  CHECK_RC(WD_ENOTFOUND, wd_capability_find(&c, "no-such-thing"));
  CHECK_STR(wd_error_last_id(), "capability.unknown");
  CHECK(wd_capability_supported(&yes, "nope", "wasm-plugin") < 0);
}

/* ABI 0.1.0 marker, malloc and memory: loadable by every Istio from 1.5. */
static const unsigned char kModule[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x09, 0x02, 0x60, 0x00, 0x00, 0x60, 0x01, 0x7f, 0x01,
    0x7f, 0x03, 0x03, 0x02, 0x00, 0x01, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x2d, 0x03, 0x17, 'p', 'r', 'o',
    'x', 'y', '_', 'a', 'b', 'i', '_', 'v', 'e', 'r', 's', 'i', 'o', 'n', '_', '0', '_', '1', '_', '0', 0x00,
    0x00, 0x06, 'm', 'a', 'l', 'l', 'o', 'c', 0x00, 0x01, 0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00, 0x0a,
    0x09, 0x02, 0x02, 0x00, 0x0b, 0x04, 0x00, 0x41, 0x00, 0x0b};

static void test_inspect_and_undeploy(void) {
  wd_buf report = WD_BUF_INIT;
  wd_spec *spec = NULL;
  wd_buf plan = WD_BUF_INIT;
  static const char yaml[] =
      "filters: [{name: hello, module: 'oci://ghcr.io/acme/hello:v1'}]\n"
      "targets: [{namespace: demo, selector: {app: web}}]\n";
  CHECK_RC(WD_OK, wd_inspect_module(&report, kModule, sizeof kModule, "1.5"));
  CHECK(strstr(report.ptr, "proxy_abi_version_0_1_0") != NULL);
  wd_buf_dispose(&report);
  CHECK_RC(WD_EPARSE, wd_inspect_module(&report, "nope", 4, NULL));
  CHECK(strncmp(wd_error_last()->id, "wasm.", 5) == 0);
  CHECK_RC(WD_OK, wd_spec_parse(&spec, yaml, strlen(yaml), "inline.yaml", NULL));
  CHECK_RC(WD_OK, wd_undeploy_text(&plan, spec, "1.24", WD_FORMAT_YAML));
  CHECK(strstr(plan.ptr, "kind: WasmPlugin") != NULL);
  CHECK(strstr(plan.ptr, "name: hello") != NULL);
  wd_buf_dispose(&plan);
  /* No workload patch for an OCI module on 1.24: nothing to restore. */
  CHECK_RC(WD_OK, wd_undeploy_restore_text(&plan, spec, "1.24", WD_FORMAT_YAML));
  CHECK(plan.size == 0);
  /* On 1.8 the module comes from the wasme node cache: the Deployment's patch is undone by a
     restore, and the deletions name no Deployment. */
  wd_spec_free(spec);
  spec = NULL;
  static const char cache_yaml[] =
      "filters: [{name: hello, module: 'oci://ghcr.io/acme/hello:v1', moduleSha256: "
      "'0295d929353976266ab721389ec859b2fe012d63ce2e58815469ab85c123b510'}]\n"
      "targets: [{namespace: demo, workloads: [{name: web, labels: {app: web}}]}]\n";
  CHECK_RC(WD_OK, wd_spec_parse(&spec, cache_yaml, strlen(cache_yaml), "inline.yaml", NULL));
  CHECK_RC(WD_OK, wd_undeploy_text(&plan, spec, "1.8", WD_FORMAT_YAML));
  CHECK(strstr(plan.ptr, "kind: Deployment") == NULL);
  CHECK(strstr(plan.ptr, "kind: EnvoyFilter") != NULL);
  CHECK_RC(WD_OK, wd_undeploy_restore_text(&plan, spec, "1.8", WD_FORMAT_YAML));
  CHECK(strstr(plan.ptr, "kind: Deployment") != NULL);
  CHECK(strstr(plan.ptr, "sidecar.istio.io/userVolume: null") != NULL);
  CHECK(strstr(plan.ptr, "kind: EnvoyFilter") == NULL);
  wd_buf_dispose(&plan);
  wd_spec_free(spec);
}

/* Bytes that are not UTF-8 set through the API are refused when rendering, with the field path. */
static void test_invalid_utf8(void) {
  wd_spec *spec = NULL;
  wd_render_result *result = NULL;
  static const char yaml[] =
      "istio: '1.24'\n"
      "filters: [{name: hello, module: 'oci://ghcr.io/acme/hello:v1'}]\n"
      "targets: [{namespace: demo, selector: {app: web}}]\n";
  CHECK_RC(WD_OK, wd_spec_parse(&spec, yaml, strlen(yaml), "inline.yaml", NULL));
  CHECK_RC(WD_OK, wd_spec_filter_set(spec, 0, "rootId", "caf\xe9"));
  CHECK_RC(WD_EINVALID, wd_render(&result, spec, NULL));
  CHECK(result == NULL);
  CHECK_STR(wd_error_last_id(), "spec.invalid-utf8");
  CHECK_STR(wd_error_last_path(), "filters[0].rootId");
  CHECK_RC(WD_OK, wd_spec_filter_set(spec, 0, "rootId", "caf\xc3\xa9"));
  CHECK_RC(WD_OK, wd_render(&result, spec, NULL));
  wd_render_result_free(result);
  wd_spec_free(spec);
}

/* A digest as skopeo prints it ("sha256:" prefix), or in uppercase, renders the lowercase hex. */
static void test_sha256_as_printed(void) {
  static const char *const given[] = {
      "6b0e5e8d4b7c0a3f1b2d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a",
      "sha256:6b0e5e8d4b7c0a3f1b2d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a",
      "sha256:6B0E5E8D4B7C0A3F1B2D9C8E7F6A5B4C3D2E1F0A9B8C7D6E5F4A3B2C1D0E9F8A"};
  wd_buf first = WD_BUF_INIT, out = WD_BUF_INIT;
  size_t i;
  for (i = 0; i < 3; ++i) {
    wd_spec *spec = NULL;
    size_t t = 0;
    CHECK_RC(WD_OK, wd_spec_new(&spec));
    CHECK_RC(WD_OK, wd_spec_add_filter(NULL, spec, "f", "oci://ghcr.io/acme/f:v1"));
    CHECK_RC(WD_OK, wd_spec_filter_set(spec, 0, "sha256", given[i]));
    CHECK_RC(WD_OK, wd_spec_filter_set(spec, 0, "rootId", "r"));
    CHECK_RC(WD_OK, wd_spec_add_target(&t, spec, NULL));
    CHECK_RC(WD_OK, wd_spec_target_set(spec, t, "namespace", "ns"));
    CHECK_RC(WD_OK, wd_spec_target_set(spec, t, "selector", "app=web"));
    CHECK_RC(WD_OK, wd_render_text(i == 0 ? &first : &out, spec, "1.24", WD_FORMAT_YAML));
    if (i > 0) CHECK(out.size == first.size && memcmp(out.ptr, first.ptr, out.size) == 0);
    wd_spec_free(spec);
  }
  CHECK(first.ptr != NULL && strstr(first.ptr, given[0]) != NULL);
  wd_buf_dispose(&first);
  wd_buf_dispose(&out);
}

/* A wasme FilterDeployment read into a spec (what the controller does), then its workloads set. */
static void test_import(void) {
  wd_spec *spec = NULL;
  wd_buf out = WD_BUF_INIT;
  static const char fd[] =
      "apiVersion: wasme.io/v1\nkind: FilterDeployment\n"
      "metadata: {name: add-header, namespace: bookinfo}\n"
      "spec:\n  deployment: {istio: {kind: Deployment, labels: {app: details}}}\n"
      "  filter: {image: 'webassemblyhub.io/acme/add-header:v1', rootID: add_header,\n"
      "           config: {'@type': type.googleapis.com/google.protobuf.StringValue, value: world}}\n";
  size_t w = 0;
  CHECK_RC(WD_OK, wd_spec_import(&spec, fd, strlen(fd), "fd.yaml"));
  CHECK(wd_spec_filter_count(spec) == 1);
  CHECK(wd_spec_target_count(spec) == 1);
  CHECK_RC(WD_OK, wd_spec_filter_set(spec, 0, "moduleSha256",
                                     "d2bc5bea58499684981fda875101ac18a69923cea4a4153958dad08065aa1e74"));
  CHECK_RC(WD_OK, wd_spec_target_set(spec, 0, "selector", NULL));
  CHECK_RC(WD_OK, wd_spec_target_add_workload(&w, spec, 0, "details-v1", "Deployment"));
  CHECK_RC(WD_OK, wd_spec_workload_add_label(spec, 0, w, "app", "details"));
  CHECK_RC(WD_OK, wd_render_text(&out, spec, "1.8.1", WD_FORMAT_YAML));
  CHECK(strstr(out.ptr, "name: details-v1-add-header") != NULL);
  CHECK(strstr(out.ptr, "value: world") != NULL || strstr(out.ptr, "world") != NULL);
  wd_buf_dispose(&out);
  wd_spec_free(spec);
  CHECK_RC(WD_EINVALID, wd_spec_import(&spec, "kind: ConfigMap\n", 16, "x.yaml"));
  CHECK(spec == NULL);
  CHECK_STR(wd_error_last_id(), "import.nothing");
}

/* --allow and --live from C: an acknowledged warning becomes a note and is recorded on the
 * objects; the live annotations of filter a and the user reach filter b's patch. */
static void test_allow_and_live(void) {
  static const char spec_yaml[] =
      "istio: '1.8.1'\n"
      "filters: [{name: b, module: 'oci://webassemblyhub.io/acme/b:v1', rootId: b_root,\n"
      "  moduleSha256: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb}]\n"
      "targets: [{namespace: compose, workloads: [{name: web, labels: {app: web}}]}]\n";
  static const char live[] =
      "{\"kind\": \"Deployment\", \"metadata\": {\"name\": \"web\", \"namespace\": \"compose\"},\n"
      " \"spec\": {\"template\": {\"metadata\": {\"annotations\": {\n"
      "  \"sidecar.istio.io/userVolume\": \"{\\\"mine\\\": {\\\"emptyDir\\\": {}}}\",\n"
      "  \"wasmdeploy.io/volumes\": \"{\\\"cache-dir\\\":[\\\"a\\\"]}\"}}}}}\n";
  wd_spec *spec = NULL;
  wd_render_options *opts = NULL;
  wd_render_result *result = NULL;
  wd_buf out = WD_BUF_INIT;
  size_t i, notes = 0, warnings = 0;
  CHECK_RC(WD_OK, wd_spec_parse(&spec, spec_yaml, strlen(spec_yaml), "spec.yaml", NULL));
  CHECK_RC(WD_OK, wd_render_options_new(&opts));
  CHECK_RC(WD_OK, wd_render_options_add_allow(opts, "hostpath.pod-security"));
  CHECK_RC(WD_EUSAGE, wd_render_options_add_allow(opts, NULL));
  CHECK_RC(WD_EUSAGE, wd_render_options_add_allow(NULL, "x.y"));
  CHECK_RC(WD_OK, wd_spec_apply_live(spec, live, strlen(live), "live.json"));
  CHECK_RC(WD_OK, wd_render(&result, spec, opts));
  for (i = 0; i < wd_render_result_diagnostic_count(result); i++) {
    const wd_diagnostic *d = wd_render_result_diagnostic(result, i);
    if (strcmp(d->id, "hostpath.pod-security") == 0) {
      notes += d->severity == WD_SEVERITY_NOTE;
      warnings += d->severity == WD_SEVERITY_WARNING;
    }
  }
  CHECK(notes == 1 && warnings == 0);
  CHECK_RC(WD_OK, wd_render_result_text(&out, result, WD_FORMAT_YAML));
  CHECK(strstr(out.ptr, "wasmdeploy.io/allowed: hostpath.pod-security\n") != NULL ||
        strstr(out.ptr, "wasmdeploy.io/allowed: 'hostpath.pod-security'\n") != NULL);
  CHECK(strstr(out.ptr, "{\"cache-dir\":[\"a\",\"b\"]}") != NULL);          /* a's record kept */
  CHECK(strstr(out.ptr, "\"mine\":{\"emptyDir\":{}}") != NULL);              /* the user's volume kept */
  wd_buf_dispose(&out);
  wd_render_result_free(result);
  result = NULL;
  /* Refused input changes nothing: a live file without the listed workload. */
  CHECK_RC(WD_EINVALID, wd_spec_apply_live(spec, "{kind: List, items: []}", 23, "empty.yaml"));
  CHECK_STR(wd_error_last_id(), "live.workload-missing");
  CHECK_RC(WD_EINVALID, wd_spec_apply_live(spec, "just: text", 10, NULL));
  CHECK_STR(wd_error_last_id(), "live.not-objects");
  CHECK_RC(WD_EUSAGE, wd_spec_apply_live(NULL, "x", 1, NULL));
  /* A malformed code is refused by the render, naming it. */
  CHECK_RC(WD_OK, wd_render_options_add_allow(opts, "Not A Code"));
  CHECK_RC(WD_EINVALID, wd_render(&result, spec, opts));
  CHECK(result == NULL);
  CHECK_STR(wd_error_last_id(), "options.allow-syntax");
  wd_render_options_free(opts);
  wd_spec_free(spec);
}

static size_t count_kind(const wd_render_result *result, const char *kind) {
  size_t i, n = result ? wd_render_result_document_count(result) : 0, found = 0;
  for (i = 0; i < n; ++i) found += strcmp(wd_render_result_document(result, i)->kind, kind) == 0;
  return found;
}

/* wd_undeploy takes the render's options: a module outside the spec's directory needs the same
   allowance (wd_resolve_options_allow_path) for the undeploy plan as for the render. */
static void test_undeploy_options(void) {
  char root[] = "/tmp/wd-capi-undeploy-XXXXXX";
  char dir[128], mods[128], spec_path[160], module_path[160];
  static const char yaml[] =
      "filters: [{name: hello, module: ../mods/hello.wasm, rootId: r}]\n"
      "targets: [{namespace: demo, workloads: [{name: web, labels: {app: web}}]}]\n";
  static const char module[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  wd_spec *spec = NULL;
  wd_render_options *opts = NULL;
  wd_resolve_options *inputs = NULL;
  wd_render_result *plan = NULL;
  FILE *f;
  if (mkdtemp(root) == NULL) {
    CHECK(0);
    return;
  }
  snprintf(dir, sizeof dir, "%s/spec", root);
  snprintf(mods, sizeof mods, "%s/mods", root);
  snprintf(spec_path, sizeof spec_path, "%s/spec.yaml", dir);
  snprintf(module_path, sizeof module_path, "%s/hello.wasm", mods);
  CHECK(mkdir(dir, 0700) == 0 && mkdir(mods, 0700) == 0);
  f = fopen(spec_path, "wb");
  CHECK(f != NULL);
  if (f) fwrite(yaml, 1, sizeof yaml - 1, f), fclose(f);
  f = fopen(module_path, "wb");
  CHECK(f != NULL);
  if (f) fwrite(module, 1, sizeof module, f), fclose(f);

  CHECK_RC(WD_OK, wd_spec_load(&spec, spec_path));
  CHECK_RC(WD_OK, wd_render_options_new(&opts));
  CHECK_RC(WD_OK, wd_render_options_set_istio(opts, "1.24"));
  CHECK_RC(WD_OK, wd_render_options_set_allow_incompatible_module(opts, 1));
  /* Not allowed yet: refused with the field path, nothing allocated. */
  CHECK(wd_undeploy(&plan, spec, opts, 0) < 0);
  CHECK(plan == NULL);
  CHECK_STR(wd_error_last_id(), "input.outside-spec-dir");
  CHECK_STR(wd_error_last_path(), "filters[0].module");
  CHECK_RC(WD_OK, wd_resolve_options_new(&inputs));
  CHECK_RC(WD_OK, wd_resolve_options_allow_path(inputs, mods));
  CHECK_RC(WD_OK, wd_render_options_set_resolve(opts, inputs, 0));
  CHECK_RC(WD_OK, wd_undeploy(&plan, spec, opts, 0));
  CHECK(count_kind(plan, "ConfigMap") == 1 && count_kind(plan, "Deployment") == 0);
  wd_render_result_free(plan);
  plan = NULL;
  /* restore != 0: the Deployment's merge patch, and nothing to delete. */
  CHECK_RC(WD_OK, wd_undeploy(&plan, spec, opts, 1));
  CHECK(count_kind(plan, "ConfigMap") == 0 && count_kind(plan, "Deployment") == 1);
  wd_render_result_free(plan);
  CHECK_RC(WD_EUSAGE, wd_undeploy(NULL, spec, opts, 0));
  wd_resolve_options_free(inputs);
  wd_render_options_free(opts);
  wd_spec_free(spec);
  remove(module_path);
  remove(spec_path);
  rmdir(mods);
  rmdir(dir);
  rmdir(root);
}

int main(void) {
  test_versions();
  test_error_model();
  test_parse_error_position();
  test_setters();
  test_render_bookinfo();
  test_render_target();
  test_capabilities();
  test_inspect_and_undeploy();
  test_invalid_utf8();
  test_sha256_as_printed();
  test_import();
  test_allow_and_live();
  test_undeploy_options();
  if (check_failures != 0) {
    fprintf(stderr, "%d check(s) failed\n", check_failures);
    return 1;
  }
  puts("test_capi: all checks passed");
  return 0;
}
