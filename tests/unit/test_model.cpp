// Module references, enum names and label lists.
#include <catch2/catch.hpp>

#include <wasmdeploy/model.hpp>

#include "unit/helpers.hpp"

using namespace wasmdeploy;
using wdtest::contains;
using wdtest::error_of;

namespace {

error module_error(const std::string& text) {
  return error_of([&] { parse_module_source(text, "filters[0].module"); });
}

}  // namespace

TEST_CASE("oci references: registry, repository, tag, digest", "[model][module]") {
  auto m = parse_module_source("oci://webassemblyhub.io/tanjunchen20/add-header:v0.1", "p");
  CHECK(m.kind == module_source::scheme::oci);
  CHECK(m.is_remote());
  CHECK(m.registry == "webassemblyhub.io");
  CHECK(m.repository == "tanjunchen20/add-header");
  CHECK(m.tag == "v0.1");
  CHECK(m.digest.empty());
  CHECK(m.url == "oci://webassemblyhub.io/tanjunchen20/add-header:v0.1");
  CHECK(m.text == m.url);

  auto port = parse_module_source("oci://localhost:5000/repo/x:1.0@sha256:" + wdtest::kSha, "p");
  CHECK(port.registry == "localhost:5000");
  CHECK(port.repository == "repo/x");
  CHECK(port.tag == "1.0");
  CHECK(port.digest == wdtest::kSha);

  auto digest_only = parse_module_source("oci://ghcr.io/acme/f@sha256:" + wdtest::kSha, "p");
  CHECK(digest_only.tag.empty());
  CHECK(digest_only.repository == "acme/f");
  CHECK(digest_only.digest == wdtest::kSha);

  auto no_tag = parse_module_source("oci://localhost:5000/repo", "p");
  CHECK(no_tag.registry == "localhost:5000");
  CHECK(no_tag.repository == "repo");
  CHECK(no_tag.tag.empty());
}

TEST_CASE("http(s), file:// and local paths", "[model][module]") {
  auto h = parse_module_source("https://example.com/f.wasm", "p");
  CHECK(h.kind == module_source::scheme::https);
  CHECK(h.url == "https://example.com/f.wasm");
  CHECK(parse_module_source("http://10.0.0.1:8080/f.wasm", "p").kind == module_source::scheme::http);

  auto f = parse_module_source("file:///etc/istio/f.wasm", "p");
  CHECK(f.kind == module_source::scheme::file);
  CHECK(f.in_proxy());
  CHECK_FALSE(f.is_remote());
  CHECK(f.url == "/etc/istio/f.wasm");

  for (const char* local : {"./x.wasm", "/abs/x.wasm", "../up/x.wasm", "x.wasm", "dir/x.wasm"}) {
    INFO(local);
    auto l = parse_module_source(local, "p");
    CHECK(l.kind == module_source::scheme::local);
    CHECK(l.is_local());
    CHECK(l.url == local);
  }
}

TEST_CASE("module references that are refused", "[model][module][errors]") {
  const error nos = module_error("localhost:5000/repo");
  CHECK(nos.code() == "module.no-scheme");
  CHECK(nos.category() == errc::invalid);
  CHECK(nos.path() == "filters[0].module");
  CHECK(contains(nos.message(), "oci://localhost:5000/repo"));
  CHECK(contains(nos.message(), "'localhost' as the URL scheme"));

  const error hub = module_error("webassemblyhub.io/x/y:v1");
  CHECK(hub.code() == "module.no-scheme");
  CHECK(contains(hub.message(), "oci://webassemblyhub.io/x/y:v1"));

  const error ftp = module_error("ftp://example.com/x.wasm");
  CHECK(ftp.code() == "module.unsupported-scheme");
  CHECK(contains(ftp.message(), "scheme 'ftp'"));
  CHECK(module_error("OCI://ghcr.io/a/b:v1").code() == "module.unsupported-scheme");

  const error upper = module_error("oci://ghcr.io/Acme/Filter:v1");
  CHECK(upper.code() == "module.bad-reference");
  CHECK(contains(upper.message(), "Acme/Filter"));

  for (const std::string& bad_digest : std::vector<std::string>{"oci://ghcr.io/a/b@sha256:abc", "oci://ghcr.io/a/b@sha512:" + wdtest::kSha,
        "oci://ghcr.io/a/b@sha256:" + std::string(64, 'A'), "oci://ghcr.io/a/b:v1@"}) {
    INFO(bad_digest);
    CHECK(module_error(bad_digest).code() == "module.bad-digest");
  }
  CHECK(module_error("oci://repo-without-registry").code() == "module.bad-reference");
  CHECK(module_error("oci:///x").code() == "module.bad-reference");
  CHECK(module_error("oci://ghcr.io/a/b:").code() == "module.bad-reference");
  CHECK(module_error("oci://ghcr.io/a/b:" + std::string(129, 't')).code() == "module.bad-reference");
  CHECK(module_error("https://").code() == "module.bad-url");
  CHECK(module_error("https:///f.wasm").code() == "module.bad-url");
  CHECK(module_error("file://relative/f.wasm").code() == "module.bad-url");
  CHECK(module_error("").code() == "module.missing");
}

TEST_CASE("enum names parse case-insensitively and print canonically", "[model][enums]") {
  CHECK(parse_fail_strategy("fail_open", "p") == fail_strategy::fail_open);
  CHECK(parse_fail_strategy("FAIL-RELOAD", "p") == fail_strategy::fail_reload);
  CHECK(parse_workload_kind("deployment", "p") == workload_kind::deployment);
  CHECK(parse_workload_kind("daemonset", "p") == workload_kind::daemon_set);
  CHECK(parse_pull_policy("ifnotpresent", "p") == pull_policy::if_not_present);
  CHECK(parse_resource_kind("wasmplugin", "p") == resource_kind::wasm_plugin);
  CHECK(parse_resource_kind("envoy-filter", "p") == resource_kind::envoy_filter);
  CHECK(parse_delivery("ConfigMap", "p") == delivery::configmap);
  CHECK(parse_naming_scheme("PerWorkload", "p") == naming_scheme::per_workload);
  CHECK(parse_match_mode("client_and_server", "p") == match_mode::client_and_server);
  CHECK(parse_env_source("host", "p") == env_source::host);
  CHECK(parse_traffic_context("GATEWAY", "p") == traffic_context::gateway);
  CHECK(parse_filter_type("network", "p") == filter_type::network);
  CHECK(parse_plugin_phase("authz", "p") == plugin_phase::authz);

  CHECK(to_string(fail_strategy::fail_open) == "FAIL_OPEN");
  CHECK(to_string(fail_strategy::unset).empty());
  CHECK(to_string(workload_kind::stateful_set) == "StatefulSet");
  CHECK(to_string(pull_policy::if_not_present) == "IfNotPresent");
  CHECK(to_string(resource_kind::automatic) == "auto");
  CHECK(to_string(naming_scheme::per_target) == "per-target");
  CHECK(to_string(match_mode::client_and_server) == "CLIENT_AND_SERVER");
  // Round trip of every name.
  for (auto v : {delivery::automatic, delivery::oci, delivery::http, delivery::configmap, delivery::hostpath, delivery::file}) {
    CHECK(parse_delivery(to_string(v), "p") == v);
  }
}

TEST_CASE("unknown enum names list the choices", "[model][enums][errors]") {
  const error e = error_of([] { parse_workload_kind("Pod", "--workload"); });
  CHECK(e.code() == "kind.unknown-value");
  CHECK(e.category() == errc::invalid);
  CHECK(e.path() == "--workload");
  CHECK(contains(e.message(), "'Pod' is not a valid kind; expected one of: Deployment, DaemonSet, StatefulSet"));
  const error d = error_of([] { parse_delivery("s3", "filters[0].delivery"); });
  CHECK(d.code() == "delivery.unknown-value");
  CHECK(contains(d.message(), "auto, oci, http, configmap, hostpath, file"));
  CHECK(error_of([] { parse_plugin_phase("", "p"); }).code() == "phase.unknown-value");
}

TEST_CASE("parse_labels", "[model][labels]") {
  CHECK(parse_labels("app=details", "p") == std::map<std::string, std::string>{{"app", "details"}});
  CHECK(parse_labels("app=details,version=v1", "p") ==
        std::map<std::string, std::string>{{"app", "details"}, {"version", "v1"}});
  CHECK(parse_labels("a=,b=x", "p") == std::map<std::string, std::string>{{"a", ""}, {"b", "x"}});
  CHECK(parse_labels(",app=x,", "p") == std::map<std::string, std::string>{{"app", "x"}});
  CHECK(parse_labels("", "p").empty());
  CHECK(parse_labels("k=v=w", "p").at("k") == "v=w");
  CHECK(parse_labels("app=x,app=x", "p").at("app") == "x");  // the same pair twice says one thing
  const error twice = error_of([&] { parse_labels("app=x,app=y", "--labels"); });
  CHECK(twice.code() == "labels.duplicate");
  CHECK(contains(twice.message(), "app=x and app=y"));
  for (const char* bad : {"app", "=x", "a=b,c"}) {
    INFO(bad);
    const error e = error_of([&] { parse_labels(bad, "--labels"); });
    CHECK(e.code() == "labels.syntax");
    CHECK(e.path() == "--labels");
    CHECK(contains(e.message(), "key=value"));
  }
}
