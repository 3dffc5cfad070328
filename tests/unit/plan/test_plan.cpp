// Version-dependent decisions and rejections in src/plan/plan.cpp, and the auto choices.
#include <catch2/catch.hpp>

#include <algorithm>

#include <fstream>
#include <set>

#include <wasmdeploy/digest.hpp>

#include <wasmdeploy/limits.hpp>

#include "unit/helpers.hpp"
#include "plan/plan.hpp"
#include "plan/plan_inputs.hpp"

using namespace wasmdeploy;
using wdtest::contains;

namespace {

const std::string kT = "- namespace: ns\n  selector: {app: a}\n";
// File deliveries need a workload to mount the module (delivery.unmounted).
const std::string kTW = "- namespace: ns\n  workloads: [{name: a, labels: {app: a}}]\n";

// Line 1 istio, 2 "filters:", 3 "- name: f", 4 module, 5 onwards the extra filter lines.
std::string spec_of(const std::string& module, const std::string& extra = "", const std::string& targets = kT,
                    const std::string& top = "") {
  return top + "istio: '1.24'\nfilters:\n- name: f\n  module: " + module + "\n" + extra + "targets:\n" + targets;
}

detail::plan plan_of(const std::string& yaml, const std::string& istio, const std::string& base = ".") {
  spec s = parse_spec(yaml, "test.yaml", base);
  render_options o;
  o.istio = istio;
  return detail::make_plan(s, o, resolve_inputs(s, resolve_options{}));
}

void check_error(const error& e, const std::string& code, const std::string& path, const std::string& phrase,
                 int line = 0, errc category = errc::invalid) {
  INFO(format_error(e));
  CHECK(e.code() == code);
  CHECK(e.path() == path);
  CHECK(e.category() == category);
  CHECK(contains(e.message(), phrase));
  if (line) CHECK(e.position().line == line);
}

void write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

const std::string kOci = "oci://ghcr.io/acme/f:v1";
const std::string kHttp = "https://example.com/f.wasm";
const std::string kShaLine = "  sha256: " + wdtest::kSha + "\n";

}  // namespace

TEST_CASE("the Istio version must be given and valid", "[plan][errors]") {
  const std::string no_version = "filters:\n- name: f\n  module: " + kOci + "\ntargets:\n" + kT;
  const error e = wdtest::render_error(no_version);
  check_error(e, "version.missing", "istio", "--istio", 0, errc::usage);
  CHECK_NOTHROW(wdtest::render_text(no_version, "1.24"));

  const error syntax = wdtest::render_error("istio: banana\n" + no_version);
  CHECK(syntax.code() == "version.syntax");
  CHECK(syntax.position().line == 1);
  const error old = wdtest::render_error("istio: '1.4'\n" + no_version);
  CHECK(old.code() == "version.unsupported");
  CHECK(old.position().line == 1);
  // A bad --istio has no spec position.
  const error flag = wdtest::render_error(no_version, "2.0");
  CHECK(flag.code() == "version.unsupported");
  CHECK_FALSE(flag.position().known());
  // --istio overrides the spec.
  CHECK(wdtest::render_text("istio: '1.4'\n" + no_version, "1.24").summary.version.str() == "1.24");
}

TEST_CASE("resource auto: EnvoyFilter below 1.12 and for what WasmPlugin cannot express", "[plan][auto]") {
  CHECK(plan_of(spec_of(kOci, kShaLine + "  moduleSha256: " + wdtest::kSha2 + "\n", kTW), "1.11").filters[0].kind ==
        resource_kind::envoy_filter);
  CHECK(plan_of(spec_of(kOci, kShaLine), "1.12").filters[0].kind == resource_kind::wasm_plugin);

  auto str = plan_of(spec_of(kOci, kShaLine + "  config: plain text\n"), "1.24");
  CHECK(str.filters[0].kind == resource_kind::envoy_filter);
  REQUIRE(str.diagnostics.size() >= 1);
  bool noted = false;
  for (const auto& d : str.diagnostics) {
    if (d.code == "resource.auto-envoy-filter") {
      noted = true;
      CHECK(d.level == severity::note);
      CHECK(d.path == "filters[0]");
      CHECK(contains(d.message, "plain string"));
      CHECK(d.position.line == 3);
    }
  }
  CHECK(noted);

  auto rt = plan_of(spec_of(kOci, kShaLine + "  runtime: wamr\n"), "1.24");
  CHECK(rt.filters[0].kind == resource_kind::envoy_filter);
  const auto auto_note = [](const auto& diagnostics) {
    return std::find_if(diagnostics.begin(), diagnostics.end(),
                        [](const diagnostic& d) { return d.code == "resource.auto-envoy-filter"; });
  };
  REQUIRE(auto_note(rt.diagnostics) != rt.diagnostics.end());
  CHECK(contains(auto_note(rt.diagnostics)->message, "runtime wamr"));

  // A mapping config goes to WasmPlugin with no note about the resource kind.
  auto map = plan_of(spec_of(kOci, kShaLine + "  config: {a: 1}\n"), "1.24");
  CHECK(map.filters[0].kind == resource_kind::wasm_plugin);
  CHECK(auto_note(map.diagnostics) == map.diagnostics.end());

  // options.resource sets the default; the filter's own resource wins.
  CHECK(plan_of(spec_of(kOci, kShaLine, kT, "options: {resource: EnvoyFilter}\n"), "1.24").filters[0].kind ==
        resource_kind::envoy_filter);
  CHECK(plan_of(spec_of(kOci, kShaLine + "  resource: WasmPlugin\n", kT, "options: {resource: EnvoyFilter}\n"), "1.24")
            .filters[0]
            .kind == resource_kind::wasm_plugin);
}

TEST_CASE("delivery auto per source and version", "[plan][auto]") {
  const std::string mod_sha = "  moduleSha256: " + wdtest::kSha2 + "\n";
  auto oci11 = plan_of(spec_of(kOci, kShaLine + mod_sha, kTW), "1.11");
  CHECK(oci11.filters[0].how == delivery::hostpath);
  CHECK(oci11.filters[0].wasme_cache);
  CHECK(oci11.filters[0].local_path == "/var/local/lib/wasme-cache/" + wdtest::kSha2);
  CHECK(oci11.filters[0].cache_image == "ghcr.io/acme/f:v1");
  CHECK(oci11.filters[0].cache_name == "wasme-cache-f");

  auto oci12 = plan_of(spec_of(kOci, kShaLine + mod_sha + "  resource: EnvoyFilter\n"), "1.12");
  CHECK(oci12.filters[0].how == delivery::oci);
  CHECK(oci12.filters[0].cache_name.empty());
  CHECK(oci12.filters[0].remote_url == kOci);

  CHECK(plan_of(spec_of(kOci, kShaLine), "1.24").filters[0].how == delivery::oci);
  CHECK(plan_of(spec_of(kHttp, kShaLine), "1.9").filters[0].how == delivery::http);
  auto file = plan_of(spec_of("file:///etc/f.wasm"), "1.5");
  CHECK(file.filters[0].how == delivery::file);
  CHECK(file.filters[0].local_path == "/etc/f.wasm");

  wdtest::temp_dir tmp("plan-delivery");
  write(tmp.str() + "/f.wasm", wdtest::proxy_module());
  auto local = plan_of(spec_of("./f.wasm", "", kTW), "1.24", tmp.str());
  CHECK(local.filters[0].how == delivery::configmap);
  CHECK(local.filters[0].sha256 == sha256_hex(wdtest::proxy_module()));
  CHECK(local.filters[0].configmap_name == "wasm-f");
  CHECK(local.filters[0].local_path == "/var/local/wasm/f/plugin.wasm");
  REQUIRE(local.configmaps.size() == 1);
  CHECK(local.configmaps[0].ns == "ns");
}

TEST_CASE("delivery that does not fit the module is refused", "[plan][errors]") {
  struct c {
    std::string module, delivery, phrase;
  };
  for (const c& k : {c{kHttp, "oci", "oci delivery needs an oci:// module"},
                     c{kOci, "http", "http delivery needs an http(s)://"},
                     c{kOci, "configmap", "configmap delivery needs a local .wasm"},
                     c{kHttp, "hostpath", "hostpath delivery needs an oci:// module or a local"},
                     c{kOci, "file", "file delivery needs a file:///path"}}) {
    INFO(k.module << " " << k.delivery);
    const error e = wdtest::render_error(spec_of(k.module, kShaLine + "  delivery: " + k.delivery + "\n"));
    check_error(e, "delivery.source-mismatch", "filters[0].delivery", k.phrase, 6);
  }
}

TEST_CASE("EnvoyFilter fetching needs istio-agent support", "[plan][gates][errors]") {
  const error oci = wdtest::render_error(spec_of(kOci, kShaLine + "  delivery: oci\n  resource: EnvoyFilter\n"), "1.11");
  check_error(oci, "version.unsupported-field", "filters[0].delivery", "Istio 1.12 and later", 6, errc::version);
  const error http = wdtest::render_error(spec_of(kHttp, kShaLine + "  resource: EnvoyFilter\n"), "1.8");
  check_error(http, "version.unsupported-field", "filters[0].delivery", "Istio 1.9 and later", 0, errc::version);
  CHECK(contains(http.message(), "the target is Istio 1.8"));
  // oci on 1.11 without moduleSha256: hostpath needs the .wasm hash.
  const error hp = wdtest::render_error(spec_of(kOci, kShaLine), "1.11");
  check_error(hp, "delivery.hostpath-needs-module-sha256", "filters[0].moduleSha256", "moduleSha256", 0, errc::version);
  CHECK(contains(hp.message(), "Istio 1.11 cannot pull"));
}

TEST_CASE("an EnvoyFilter with a remote module needs sha256", "[plan][errors]") {
  const error oci = wdtest::render_error(spec_of(kOci, "  resource: EnvoyFilter\n"));
  check_error(oci, "sha256.required", "filters[0].sha256", "image manifest digest", 3);
  const error http = wdtest::render_error(spec_of(kHttp, "  resource: EnvoyFilter\n"));
  check_error(http, "sha256.required", "filters[0].sha256", "the hash of the .wasm file");
  // The digest in the reference is enough.
  CHECK_NOTHROW(wdtest::render_text(spec_of(kOci + "@sha256:" + wdtest::kSha, "  resource: EnvoyFilter\n")));
  // A WasmPlugin may go unpinned, with a warning.
  auto r = wdtest::render_text(spec_of(kOci));
  CHECK(wdtest::has_diagnostic(r, "sha256.unpinned"));
}

TEST_CASE("a local module whose hash differs from sha256", "[plan][errors]") {
  wdtest::temp_dir tmp("plan-sha");
  write(tmp.str() + "/f.wasm", "not really wasm");
  const error e = wdtest::render_error(spec_of("./f.wasm", kShaLine), "", tmp.str());
  check_error(e, "sha256.mismatch", "filters[0].sha256", "the module file hashes to " + sha256_hex("not really wasm"), 5);
  const error missing = wdtest::render_error(spec_of("./absent.wasm"), "", tmp.str());
  CHECK(missing.category() == errc::io);
  CHECK(contains(missing.message(), "absent.wasm"));
}

TEST_CASE("ConfigMap delivery is limited to 1 MiB", "[plan][errors]") {
  wdtest::temp_dir tmp("plan-configmap");
  write(tmp.str() + "/big.wasm", wdtest::proxy_module(WD_MAX_CONFIGMAP_BYTES + 1));
  write(tmp.str() + "/max.wasm", wdtest::proxy_module(WD_MAX_CONFIGMAP_BYTES));
  const error e = wdtest::render_error(spec_of("./big.wasm"), "", tmp.str());
  check_error(e, "configmap.too-large", "filters[0].module", "oci://", 4);
  CHECK(contains(e.message(), "https://"));
  CHECK(contains(e.message(), std::to_string(WD_MAX_CONFIGMAP_BYTES + 1) + " bytes"));
  auto ok = wdtest::render_text(spec_of("./max.wasm", "", kTW), "", tmp.str());
  CHECK(wdtest::of_kind(ok, "ConfigMap").size() == 1);
}

TEST_CASE("a ConfigMap volume name longer than 63 characters", "[plan][errors]") {
  wdtest::temp_dir tmp("plan-volume-name");
  write(tmp.str() + "/f.wasm", wdtest::proxy_module());
  const std::string name(59, 'f');  // "wasm-" + 59 = 64
  const std::string y = "istio: '1.24'\nfilters:\n- name: " + name + "\n  module: ./f.wasm\ntargets:\n" + kTW;
  const error e = wdtest::render_error(y, "", tmp.str());
  check_error(e, "name.too-long", "filters[0].name", "longer than 63", 3);
  const std::string y58 = "istio: '1.24'\nfilters:\n- name: " + std::string(58, 'f') + "\n  module: ./f.wasm\ntargets:\n" + kTW;
  CHECK_NOTHROW(wdtest::render_text(y58, "", tmp.str()));
}

TEST_CASE("WasmPlugin cannot express other runtimes or string configs", "[plan][errors]") {
  const error rt = wdtest::render_error(spec_of(kOci, "  resource: WasmPlugin\n  runtime: wamr\n"));
  check_error(rt, "wasmplugin.runtime", "filters[0].runtime", "always runs v8", 6);
  const error cfg = wdtest::render_error(spec_of(kOci, "  resource: WasmPlugin\n  config: text\n"));
  check_error(cfg, "wasmplugin.config-string", "filters[0].config", "must be an object", 6);
}

TEST_CASE("EnvoyFilter cannot express WasmPlugin-only fields", "[plan][errors]") {
  const std::string ef = kShaLine + "  resource: EnvoyFilter\n";
  check_error(wdtest::render_error(spec_of(kOci, ef + "  failStrategy: FAIL_RELOAD\n")), "envoyfilter.fail-reload",
              "filters[0].failStrategy", "only for WasmPlugin", 7);
  check_error(wdtest::render_error(spec_of(kOci, ef + "  imagePullSecret: regcred\n")), "envoyfilter.pull-secret",
              "filters[0].imagePullSecret", "cannot reference a pull secret", 7);
  for (const char* phase : {"AUTHZ", "STATS"}) {
    INFO(phase);
    check_error(wdtest::render_error(spec_of(kOci, ef + "  phase: " + phase + "\n")), "envoyfilter.phase",
                "filters[0].phase", "Use WasmPlugin (Istio 1.12 and later)", 7);
  }
  const std::string y = wdtest::yaml_of(wdtest::one(wdtest::render_text(spec_of(kOci, ef + "  phase: AUTHN\n")), "EnvoyFilter"));
  CHECK(contains(y, "operation: INSERT_FIRST"));
  CHECK_FALSE(contains(y, "subFilter"));
  check_error(wdtest::render_error(spec_of(kOci, ef, kT + "  match:\n  - mode: SERVER\n")), "envoyfilter.match",
              "targets[0].match", "WasmPlugin field", 10);
}

TEST_CASE("1.9: FAIL_OPEN for an EnvoyFilter with a local file", "[plan][gates]") {
  const std::string y = spec_of("file:///etc/f.wasm", "  failStrategy: FAIL_OPEN\n");
  check_error(wdtest::render_error(y, "1.8"), "version.unsupported-field", "filters[0].failStrategy",
              "Istio 1.9 and later", 5, errc::version);
  CHECK(contains(wdtest::yaml_of(wdtest::one(wdtest::render_text(y, "1.9"), "EnvoyFilter")), "fail_open: true"));
}

TEST_CASE("1.7: NETWORK EnvoyFilters need typed_config", "[plan][gates]") {
  const std::string y = spec_of("file:///etc/f.wasm", "  type: NETWORK\n");
  check_error(wdtest::render_error(y, "1.6"), "envoyfilter.network-v2", "filters[0].type", "1.7", 5);
  CHECK(contains(wdtest::yaml_of(wdtest::one(wdtest::render_text(y, "1.7"), "EnvoyFilter")), "applyTo: NETWORK_FILTER"));
}

TEST_CASE("naming schemes need what they name by", "[plan][errors]") {
  const error pw = wdtest::render_error(spec_of(kOci, "", kT, "options: {naming: per-workload}\n"));
  check_error(pw, "naming.per-workload-needs-workloads", "targets[0].workloads", "workloads listed", 7);
  const error pt = wdtest::render_error(
      spec_of(kOci, "", "- namespace: ns\n  workloads:\n  - {name: d, labels: {app: d}}\n", "options: {naming: per-target}\n"));
  check_error(pt, "naming.per-target-needs-selector", "targets[0].selector", "needs a selector", 7);
}

TEST_CASE("two resources with one name collide", "[plan][errors]") {
  const error e = wdtest::render_error(spec_of(kOci, "", kT + "- namespace: ns\n  selector: {app: b}\n"));
  check_error(e, "render.name-collision", "targets[1]", "two WasmPlugin resources would be named ns/f", 8);
  // Different namespaces or target names do not collide.
  CHECK_NOTHROW(wdtest::render_text(spec_of(kOci, "", kT + "- namespace: other\n  selector: {app: b}\n")));
  CHECK_NOTHROW(wdtest::render_text(spec_of(kOci, "", kT + "- name: b\n  namespace: ns\n  selector: {app: b}\n")));
}

TEST_CASE("derived resource names must fit 253 characters", "[plan][errors]") {
  const std::string wl = std::string(252, 'w');
  const error e = wdtest::render_error(
      spec_of(kOci, "", "- namespace: ns\n  workloads:\n  - {name: " + wl + ", labels: {app: d}}\n"));
  check_error(e, "name.too-long", "targets[0].workloads[0]", "resource name", 8);
}

TEST_CASE("runtime-config.json is read strictly", "[plan][errors]") {
  wdtest::temp_dir tmp("plan-runtime-config");
  write(tmp.str() + "/ok.json", R"({"type":"envoy_proxy","abiVersions":["v0-x"],"config":{"rootIds":["hello_world","b"]}})");
  write(tmp.str() + "/snake.json", R"({"abi_versions":["v0-x"],"config":{"root_ids":["r"]}})");
  write(tmp.str() + "/extra.json", R"({"type":"envoy_proxy","rootId":"x"})");
  write(tmp.str() + "/extra-config.json", R"({"config":{"rootIds":["a"],"workers":2}})");
  write(tmp.str() + "/broken.json", "{not json");
  write(tmp.str() + "/array.json", "[1]");
  auto ok = plan_of(spec_of(kOci, kShaLine + "  runtimeConfig: ok.json\n"), "1.24", tmp.str());
  CHECK(ok.filters[0].root_id == "hello_world");
  CHECK(ok.filters[0].abi_versions == std::vector<std::string>{"v0-x"});
  // rootId in the spec wins.
  CHECK(plan_of(spec_of(kOci, kShaLine + "  rootId: mine\n  runtimeConfig: ok.json\n"), "1.24", tmp.str())
            .filters[0].root_id == "mine");
  CHECK(plan_of(spec_of(kOci, kShaLine + "  runtimeConfig: snake.json\n"), "1.24", tmp.str()).filters[0].root_id == "r");

  const error extra = wdtest::error_of([&] { plan_of(spec_of(kOci, kShaLine + "  runtimeConfig: extra.json\n"), "1.24", tmp.str()); });
  check_error(extra, "runtime-config.unknown-field", "filters[0].runtimeConfig", "unknown field 'rootId'", 6);
  const error extra_cfg = wdtest::error_of([&] { plan_of(spec_of(kOci, kShaLine + "  runtimeConfig: extra-config.json\n"), "1.24", tmp.str()); });
  check_error(extra_cfg, "runtime-config.unknown-field", "filters[0].runtimeConfig", "config.workers", 6);
  const error broken = wdtest::error_of([&] { plan_of(spec_of(kOci, kShaLine + "  runtimeConfig: broken.json\n"), "1.24", tmp.str()); });
  check_error(broken, "runtime-config.syntax", "filters[0].runtimeConfig", "broken.json", 6, errc::parse);
  const error arr = wdtest::error_of([&] { plan_of(spec_of(kOci, kShaLine + "  runtimeConfig: array.json\n"), "1.24", tmp.str()); });
  check_error(arr, "runtime-config.syntax", "filters[0].runtimeConfig", "JSON object", 6);
}

TEST_CASE("hostpath delivery with no workload to mount it is refused", "[plan]") {
  // A gateway selector with no workloads: the EnvoyFilter would name a file no pod mounts.
  const error e = wdtest::error_of([&] {
    plan_of(spec_of(kOci, kShaLine + "  moduleSha256: " + wdtest::kSha2 + "\n",
                    "- namespace: ns\n  context: gateway\n  selector: {istio: ingressgateway}\n"),
            "1.8");
  });
  CHECK(e.code() == "delivery.unmounted");
  CHECK(e.path() == "targets[0]");
  auto p = plan_of(spec_of(kOci, kShaLine + "  moduleSha256: " + wdtest::kSha2 + "\n",
                           "- namespace: ns\n  workloads: [{name: w, labels: {app: w}}]\n"),
                   "1.8");
  std::set<std::string> codes;
  for (const auto& d : p.diagnostics) codes.insert(d.code);
  CHECK(codes.count("hostpath.pod-security"));
}

TEST_CASE("1.20: WasmPlugin targetRef accepts only Gateway before 1.22 (istio.md 2.1)", "[plan][gates]") {
  // validatePolicyTargetReference: 1.20-1.21 allow only gateway.networking.k8s.io/Gateway;
  // core Service from 1.22, ServiceEntry from 1.24, GatewayClass from 1.25 (the
  // target-ref-kind-* rows).
  const std::string y = "filters:\n- name: f\n  module: oci://ghcr.io/acme/f:v1\n"
                        "targets:\n- namespace: ns\n  targetRefs:\n  - {kind: Service, name: reviews}\n";
  const error e = wdtest::render_error(y, "1.20");
  CHECK(e.code() == "version.unsupported-field");
  CHECK(e.path() == "targets[0].targetRefs[0].kind");
  CHECK(contains(e.message(), "Istio 1.22 and later"));
}

TEST_CASE("strings that are not UTF-8 are refused, not rewritten", "[plan][errors]") {
  // The spec reader refuses them, but CLI flags (--config, --root-id) and specs built in code
  // reach the model directly; the emitters would have to write each bad byte as some other
  // character, so the proxy would get other bytes. Every front end goes through validation.
  const std::string text = "istio: '1.24'\nfilters:\n- name: f\n  module: oci://ghcr.io/a/f:v1\n"
                           "targets:\n- namespace: ns\n  selector: {app: a}\n";
  const std::string latin1("caf\xe9");  // as a shell in a Latin-1 locale might pass it
  const auto refused = [](const spec& s, const std::string& path) {
    const error e = wdtest::error_of([&] { render(s, render_options{}); });
    INFO(format_error(e));
    CHECK(e.code() == "spec.invalid-utf8");
    CHECK(e.path() == path);
    CHECK(e.category() == errc::invalid);
  };
  SECTION("string config on an EnvoyFilter") {
    spec s = parse_spec(text);
    s.filters[0].config = node(latin1);
    s.filters[0].resource = resource_kind::envoy_filter;
    s.filters[0].sha256 = wdtest::kSha;
    refused(s, "filters[0].config");
  }
  SECTION("a nested config value and key") {
    spec s = parse_spec(text);
    node inner = node::mapping();
    inner.add("ok", node(std::string("fine")));
    inner.add("bad", node(latin1));
    node cfg = node::mapping();
    cfg.add("outer", std::move(inner));
    s.filters[0].config = cfg;
    refused(s, "filters[0].config.outer.bad");
    node keyed = node::mapping();
    keyed.add(latin1, node(std::string("v")));
    s.filters[0].config = keyed;
    refused(s, "filters[0].config");
  }
  SECTION("root id, vm id, env, selector, workload annotations, targetRefs") {
    spec s = parse_spec(text);
    s.filters[0].root_id = latin1;
    refused(s, "filters[0].rootId");
    s = parse_spec(text);
    s.filters[0].vm_id = "\xff";
    refused(s, "filters[0].vmId");
    s = parse_spec(text);
    s.filters[0].env.push_back(env_var{"A", "\xc3", env_source::inline_value});  // truncated sequence
    refused(s, "filters[0].env[0].value");
    s = parse_spec(text);
    s.targets[0].selector["app"] = "\xed\xa0\x80";  // a UTF-16 surrogate
    refused(s, "targets[0].selector.app");
    s = parse_spec(text);
    s.targets[0].selector.clear();
    s.targets[0].refs.push_back(target_ref{"", "Gateway", "\xe0\x80\xaf"});  // overlong '/'
    refused(s, "targets[0].targetRefs[0].name");
  }
  SECTION("valid UTF-8 of every width still renders") {
    spec s = parse_spec(text);
    s.filters[0].root_id = "caf\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80";
    CHECK_NOTHROW(render(s, render_options{}));
  }
}

TEST_CASE("1.8: a local module needing ABI 0.2.1 is refused on 1.7 (istio.md 6.4)", "[plan][gates][abi]") {
  // render_options::allow_incompatible_module promises a check of a local module's ABI against
  // the abi-* rows, but nothing reads the module's exports yet: it renders on any version.
  const std::string name = "proxy_abi_version_0_2_1";
  std::string wasm("\0asm\x01\0\0\0", 8);
  wasm += std::string("\x01\x04\x01\x60\x00\x00", 6);  // type: () -> ()
  wasm += std::string("\x03\x02\x01\x00", 4);          // one function of type 0
  wasm += std::string("\x07", 1) + static_cast<char>(name.size() + 4) + "\x01" + static_cast<char>(name.size()) + name +
          std::string("\x00\x00", 2);                   // export it
  wasm += std::string("\x0a\x04\x01\x02\x00\x0b", 6);  // empty body
  wdtest::temp_dir tmp("plan-abi");
  write(tmp.str() + "/abi.wasm", wasm);
  const error e = wdtest::render_error(spec_of("./abi.wasm", "  resource: EnvoyFilter\n"), "1.7", tmp.str());
  CHECK(e.category() == errc::version);
  CHECK(contains(e.message(), "0.2.1"));
}

// Effect: a gateway has no sidecar listeners. Each rule here is backed by an oracle verdict
// (tests/negative/corpus/no_effect.yaml, ctest negative.effect / conformance.effect).
TEST_CASE("a selection only gateways carry gets the GATEWAY patch context", "[plan][effect]") {
  const std::string file = "file:///var/local/wasm/f.wasm";
  const std::string ef = "options: {resource: EnvoyFilter}\n";
  auto context_of = [&](const std::string& targets) {
    const auto r = wdtest::render_text(spec_of(file, "", targets, ef), "1.27");
    return wdtest::yaml_of(wdtest::one(r, "EnvoyFilter"));
  };
  // The issue's one-liner: -n istio-system -l istio=ingressgateway, no context.
  CHECK(contains(context_of("- namespace: istio-system\n  selector: {istio: ingressgateway}\n"), "context: GATEWAY"));
  CHECK(contains(context_of("- namespace: gw\n  selector: {gateway.networking.k8s.io/gateway-name: public}\n"),
                 "context: GATEWAY"));
  CHECK(contains(context_of("- namespace: istio-system\n  workloads: [{name: eg, labels: {istio: egressgateway}}]\n"),
                 "context: GATEWAY"));
  // Anything else may be a sidecar: inbound, as before.
  CHECK(contains(context_of("- namespace: ns\n  selector: {app: details}\n"), "context: SIDECAR_INBOUND"));
  // An explicit context wins.
  CHECK(contains(context_of("- namespace: istio-system\n  selector: {istio: ingressgateway}\n  context: any\n"),
                 "context: ANY"));

  const std::string gw = "- namespace: istio-system\n  selector: {istio: ingressgateway}\n";
  check_error(wdtest::render_error(spec_of(file, "", gw + "  context: inbound\n", ef), "1.27"),
              "no-effect.sidecar-context-on-gateway", "targets[0].context", "label istio=ingressgateway");
  check_error(wdtest::render_error(spec_of(file, "", gw + "  context: outbound\n", ef), "1.27"),
              "no-effect.sidecar-context-on-gateway", "targets[0].context", "sidecar outbound");
  // WasmPlugin: istiod treats gateway listeners as CLIENT, so SERVER never matches; CLIENT does.
  const std::string obj = "  config: {a: b}\n";
  check_error(wdtest::render_error(spec_of(kOci, obj, gw + "  match: [{mode: SERVER}]\n"), "1.24"),
              "no-effect.sidecar-context-on-gateway", "targets[0].match[0].mode", "CLIENT");
  CHECK_NOTHROW(wdtest::render_text(spec_of(kOci, obj, gw + "  match: [{mode: CLIENT}]\n"), "1.24"));
  CHECK_NOTHROW(wdtest::render_text(spec_of(kOci, obj, gw + "  context: outbound\n"), "1.24"));
}

TEST_CASE("an istio-system selection that does not say gateway or sidecar is warned about", "[plan][effect]") {
  auto codes_of = [&](const std::string& targets) {
    std::set<std::string> codes;
    const std::string ef = "options: {resource: EnvoyFilter}\n";
    for (const auto& d : plan_of(spec_of("file:///var/local/wasm/f.wasm", "", targets, ef), "1.27").diagnostics) {
      if (d.code == "no-effect.context-unknown") CHECK(d.path == "targets[0].context");
      codes.insert(d.code);
    }
    return codes;
  };
  CHECK(codes_of("- namespace: istio-system\n  selector: {app: edge}\n").count("no-effect.context-unknown"));
  CHECK_FALSE(codes_of("- namespace: istio-system\n  selector: {app: edge}\n  context: inbound\n")
                  .count("no-effect.context-unknown"));
  CHECK_FALSE(codes_of("- namespace: istio-system\n  selector: {istio: ingressgateway}\n")
                  .count("no-effect.context-unknown"));
  CHECK_FALSE(codes_of("- namespace: ns\n  selector: {app: edge}\n").count("no-effect.context-unknown"));
}
