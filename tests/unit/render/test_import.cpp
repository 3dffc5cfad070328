// Import and migration: wasme FilterDeployments and EnvoyFilters, WasmPlugins, and the round
// trip render -> import -> render.
#include <catch2/catch.hpp>

#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/import.hpp>
#include <wasmdeploy/render.hpp>

using namespace wasmdeploy;

namespace {

std::string example(const std::string& rel) { return std::string(WD_SOURCE_DIR) + "/examples/" + rel; }

bool has(const import_result& r, const std::string& code) {
  for (const auto& d : r.diagnostics) {
    if (d.code == code) return true;
  }
  return false;
}

std::string yaml_of(const std::vector<document>& docs) { return to_text(docs, output_format::yaml); }

}  // namespace

TEST_CASE("seed 000 FilterDeployment imports with its gaps reported", "[import][wasme]") {
  import_result r = import_resources(read_file(example("convert-wasme/filterdeployment.yml"), SIZE_MAX));
  REQUIRE(r.imported.filters.size() == 1);
  const filter& f = r.imported.filters[0];
  CHECK(f.name == "bookinfo-custom-filter");
  CHECK(f.module.url == "oci://webassemblyhub.io/sodman/istio-1-7:v0.3");
  CHECK(f.config.is_string());
  CHECK(f.config.as_string() == "world");
  CHECK(has(r, "import.default-id"));
  CHECK(has(r, "import.root-id"));
  REQUIRE(r.imported.targets.size() == 1);
  CHECK(r.imported.targets[0].ns == "bookinfo");
  CHECK(r.imported.targets[0].selector.empty());
  // As is, Istio refuses the selector-less target rather than widening it silently.
  render_options o;
  o.istio = "1.24";
  CHECK_THROWS_AS(render(r.imported, o), error);
}

TEST_CASE("wasme-generated EnvoyFilters import, camelCase v2 and typed forms", "[import][envoyfilter]") {
  const char* v2 = R"(apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: details-v1-myfilter, namespace: bookinfo}
spec:
  configPatches:
  - applyTo: HTTP_FILTER
    match:
      context: SIDECAR_INBOUND
      listener: {filterChain: {filter: {name: envoy.http_connection_manager, subFilter: {name: envoy.router}}}}
    patch:
      operation: INSERT_BEFORE
      value:
        config:
          config:
            configuration: tomorrow
            name: myfilter
            rootId: add_header
            vmConfig:
              code: {local: {filename: /var/local/lib/wasme-cache/44bf95b368e78fafb663020b43cf099b23fc6032814653f2f47e4d20643e7267}}
              runtime: envoy.wasm.runtime.v8
              vmId: myfilter
        name: envoy.filters.http.wasm
  workloadSelector:
    labels: {app: details, version: v1}
---
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: reviews-v1-myfilter, namespace: bookinfo}
spec:
  configPatches:
  - applyTo: HTTP_FILTER
    match: {context: SIDECAR_OUTBOUND}
    patch:
      operation: INSERT_BEFORE
      value:
        name: envoy.filters.http.wasm
        typed_config:
          '@type': type.googleapis.com/udpa.type.v1.TypedStruct
          type_url: type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
          value:
            config:
              configuration: {'@type': type.googleapis.com/google.protobuf.StringValue, value: tomorrow}
              name: myfilter
              root_id: add_header
              vm_config:
                code: {local: {filename: /var/local/lib/wasme-cache/44bf95b368e78fafb663020b43cf099b23fc6032814653f2f47e4d20643e7267}}
                runtime: envoy.wasm.runtime.v8
                vm_id: myfilter
  workloadSelector:
    labels: {app: reviews, version: v1}
)";
  import_result r = import_resources(v2);
  REQUIRE(r.imported.filters.size() == 1);
  const filter& f = r.imported.filters[0];
  CHECK(f.name == "myfilter");
  CHECK(f.root_id == "add_header");
  CHECK(f.config.as_string() == "tomorrow");
  CHECK(f.module.in_proxy());
  CHECK(f.module_sha256 == "44bf95b368e78fafb663020b43cf099b23fc6032814653f2f47e4d20643e7267");
  CHECK(has(r, "import.wasme-cache-file"));
  // The contexts differ, so the workloads land in separate targets (one inbound, one outbound).
  REQUIRE(r.imported.targets.size() == 2);
  CHECK(r.imported.targets[0].workloads.at(0).name == "details-v1");
  // Inbound is kept explicit: a WasmPlugin rendered from it must stay on inbound traffic (mode SERVER).
  CHECK(r.imported.targets[0].context_set);
  CHECK(r.imported.targets[0].context == traffic_context::inbound);
  CHECK(r.imported.targets[1].context == traffic_context::outbound);
  CHECK(r.imported.targets[1].workloads.at(0).labels.at("app") == "reviews");
}

TEST_CASE("unknown kinds and malformed resources are reported", "[import]") {
  import_result r = import_resources(read_file(example("convert-wasme/filterdeployment.yml"), SIZE_MAX) +
                                     "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
  CHECK(has(r, "import.unknown-kind"));
  try {
    import_resources("apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: x}\nspec: {}\n");
    FAIL("no error");
  } catch (const error& e) {
    CHECK(e.code() == "import.not-wasm");
  }
  try {
    import_resources("apiVersion: v1\nkind: ConfigMap\n");
    FAIL("no error");
  } catch (const error& e) {
    CHECK(e.code() == "import.nothing");
  }
}

TEST_CASE("render -> import -> render is stable", "[import][roundtrip]") {
  struct row {
    const char* spec;
    const char* istio;
  };
  for (const row& c : {row{"bookinfo-add-header/spec.yaml", "1.24"}, row{"gateway-json-config/spec.yaml", "1.22"},
                       row{"traffic-extension/spec.yaml", "1.30"}, row{"bookinfo-add-header/details.yaml", "1.24"}}) {
    INFO(c.spec << " @ " << c.istio);
    spec s = load_spec(example(c.spec));
    render_options o;
    o.istio = c.istio;
    render_result first = render(s, o);
    std::vector<document> resources;
    for (const auto& d : first.documents) {
      if (d.what == document::role::resource) resources.push_back(d);
    }
    import_result back = import_resources(yaml_of(resources));
    back.imported.options = s.options;
    render_result second = render(back.imported, o);
    std::vector<document> again;
    for (const auto& d : second.documents) {
      if (d.what == document::role::resource) again.push_back(d);
    }
    CHECK(yaml_of(again) == yaml_of(resources));
    // And through the spec text.
    spec reparsed = parse_spec(to_yaml(spec_to_node(back.imported)));
    reparsed.options = s.options;
    render_result third = render(reparsed, o);
    std::vector<document> thrice;
    for (const auto& d : third.documents) {
      if (d.what == document::role::resource) thrice.push_back(d);
    }
    CHECK(yaml_of(thrice) == yaml_of(resources));
  }
}

// Istio 1.7 dropped `config:` patch values (patch_value_v2_config), 1.19 stopped matching
// deprecated filter names and refused xDS v2 type URLs: an EnvoyFilter in those forms did
// nothing on the later release, so converting it there must be refused unless it ran earlier.
TEST_CASE("legacy EnvoyFilter forms: 1.7 config:, 1.19 deprecated names and v2 type URLs", "[import][envoyfilter][gates]") {
  const char* legacy = R"(apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: details-v1-myfilter, namespace: bookinfo}
spec:
  workloadSelector: {labels: {app: details}}
  configPatches:
  - applyTo: HTTP_FILTER
    match:
      context: SIDECAR_INBOUND
      listener: {filterChain: {filter: {name: envoy.http_connection_manager, subFilter: {name: envoy.router}}}}
    patch:
      operation: INSERT_BEFORE
      value:
        name: envoy.filters.http.wasm
        config:
          config:
            name: myfilter
            vm_config: {runtime: envoy.wasm.runtime.v8, code: {local: {filename: /var/local/wasm/f.wasm}}}
)";
  import_result r = import_resources(legacy, "in.yaml");
  REQUIRE(r.legacy.size() == 3);
  CHECK(r.legacy[0].code == "import.deprecated-filter-name");
  CHECK(r.legacy[0].path == "in.yaml[0].spec.configPatches[0].match.listener.filterChain.filter.name");
  CHECK(r.legacy[1].what == "envoy.router");
  CHECK(r.legacy[2].code == "import.config-form");
  CHECK_NOTHROW(check_legacy_forms(r, mesh_version::parse("1.6")));
  try {
    check_legacy_forms(r, mesh_version::parse("1.7"));
    FAIL("1.7 ignores config:");
  } catch (const error& e) {
    CHECK(e.code() == "import.config-form");
    CHECK(e.path() == "in.yaml[0].spec.configPatches[0].patch.value.config");
  }

  const char* typed = R"(apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: f, namespace: ns}
spec:
  configPatches:
  - applyTo: HTTP_FILTER
    match:
      listener: {filterChain: {filter: {name: envoy.http_connection_manager}}}
    patch:
      operation: INSERT_BEFORE
      value:
        name: f
        typed_config:
          '@type': type.googleapis.com/udpa.type.v1.TypedStruct
          type_url: type.googleapis.com/envoy.config.filter.http.wasm.v2.Wasm
          value: {config: {name: f, vm_config: {code: {local: {filename: /f.wasm}}}}}
)";
  import_result t = import_resources(typed, "t.yaml");
  REQUIRE(t.legacy.size() == 2);
  CHECK(t.legacy[1].code == "import.xds-v2-type-url");
  CHECK(t.legacy[1].path == "t.yaml[0].spec.configPatches[0].patch.value.typed_config.type_url");
  CHECK_NOTHROW(check_legacy_forms(t, mesh_version::parse("1.18")));
  CHECK_THROWS_AS(check_legacy_forms(t, mesh_version::parse("1.19")), error);

  // A wasme FilterDeployment carries no EnvoyFilter shape at all.
  import_result modern = import_resources(read_file(example("convert-wasme/filterdeployment.yml"), SIZE_MAX));
  CHECK(modern.legacy.empty());
}
