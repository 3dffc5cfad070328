// Pod-template volume annotations: shape, merging existing object/array forms, conflicts.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include <wasmdeploy/capabilities.hpp>
#include <wasmdeploy/undeploy.hpp>

#include "unit/helpers.hpp"

using namespace wasmdeploy;
using wdtest::at;
using wdtest::contains;

namespace {

const std::string kUserVolume = "sidecar.istio.io/userVolume";
const std::string kUserVolumeMount = "sidecar.istio.io/userVolumeMount";

// A ConfigMap-delivered module on workload d; `annotations` is a YAML flow mapping body.
std::string configmap_spec(const std::string& annotations = "", const std::string& kind = "") {
  return "istio: '1.24'\nfilters:\n- name: f\n  module: ./f.wasm\n"
         "targets:\n- namespace: ns\n  workloads:\n  - name: d\n" +
         (kind.empty() ? "" : "    kind: " + kind + "\n") + "    labels: {app: d}\n" +
         (annotations.empty() ? "" : "    annotations:\n" + annotations);
}

struct fixture {
  wdtest::temp_dir tmp{"render-volume"};
  fixture() { std::ofstream(tmp.str() + "/f.wasm", std::ios::binary) << wdtest::proxy_module(); }
  render_result run(const std::string& y) { return wdtest::render_text(y, "", tmp.str()); }
  error fail(const std::string& y) { return wdtest::render_error(y, "", tmp.str()); }
};

std::string annotation(const document& d, const std::string& key) {
  const node* n = at(d.body, {"spec", "template", "metadata", "annotations"});
  REQUIRE(n != nullptr);
  const node* v = n->find(key);
  REQUIRE(v != nullptr);
  REQUIRE(v->is_string());
  return v->as_string();
}

// A YAML single-quoted scalar holding JSON.
std::string sq(const std::string& json) { return "'" + json + "'"; }

}  // namespace

TEST_CASE("volume patch shape for a ConfigMap module", "[render][volume]") {
  fixture fx;
  const auto r = fx.run(configmap_spec());
  const document d = wdtest::one(r, "Deployment");
  CHECK(d.what == document::role::patch);
  CHECK(d.api_version == "apps/v1");
  CHECK(d.name == "d");
  CHECK(d.ns == "ns");
  CHECK(d.file_name == "patch-deployment-ns-d.yaml");
  CHECK(wdtest::keys_of(d.body) == std::vector<std::string>{"apiVersion", "kind", "metadata", "spec"});
  CHECK(*at(d.body, {"metadata"}) == make_mapping({{"name", "d"}, {"namespace", "ns"}}));
  CHECK(annotation(d, kUserVolume) == R"({"wasm-f":{"configMap":{"name":"wasm-f"}}})");
  CHECK(annotation(d, kUserVolumeMount) == R"({"wasm-f":{"mountPath":"/var/local/wasm/f","readOnly":true}})");
}

TEST_CASE("volume patch keeps the workload kind", "[render][volume]") {
  fixture fx;
  const document d = wdtest::one(fx.run(configmap_spec("", "StatefulSet")), "StatefulSet");
  CHECK(d.file_name == "patch-statefulset-ns-d.yaml");
  CHECK(*at(d.body, {"kind"}) == node("StatefulSet"));
}

TEST_CASE("existing object-form annotations are merged in order", "[render][volume]") {
  fixture fx;
  const auto r = fx.run(configmap_spec(
      "      " + kUserVolume + ": " + sq(R"({"data":{"emptyDir":{}}})") + "\n" + "      " + kUserVolumeMount + ": " +
      sq(R"({"data":{"mountPath":"/data"}})") + "\n"));
  const document d = wdtest::one(r, "Deployment");
  CHECK(annotation(d, kUserVolume) == R"({"data":{"emptyDir":{}},"wasm-f":{"configMap":{"name":"wasm-f"}}})");
  CHECK(annotation(d, kUserVolumeMount) ==
        R"({"data":{"mountPath":"/data"},"wasm-f":{"mountPath":"/var/local/wasm/f","readOnly":true}})");
}

TEST_CASE("wasme's array-form annotations become objects keyed by name", "[render][volume]") {
  fixture fx;
  const auto r = fx.run(configmap_spec(
      "      " + kUserVolume + ": " + sq(R"([{"name":"data","emptyDir":{}}])") + "\n" + "      " + kUserVolumeMount +
      ": " + sq(R"([{"mountPath":"/data","name":"data"}])") + "\n"));
  const document d = wdtest::one(r, "Deployment");
  CHECK(annotation(d, kUserVolume) == R"({"data":{"emptyDir":{}},"wasm-f":{"configMap":{"name":"wasm-f"}}})");
  CHECK(annotation(d, kUserVolumeMount) ==
        R"({"data":{"mountPath":"/data"},"wasm-f":{"mountPath":"/var/local/wasm/f","readOnly":true}})");
}

TEST_CASE("an identical existing entry is kept once", "[render][volume]") {
  fixture fx;
  const std::string vol = R"({"wasm-f":{"configMap":{"name":"wasm-f"}}})";
  const auto r = fx.run(configmap_spec("      " + kUserVolume + ": " + sq(vol) + "\n"));
  CHECK(annotation(wdtest::one(r, "Deployment"), kUserVolume) == vol);
}

TEST_CASE("an existing entry that differs only in key order is the same volume", "[render][volume]") {
  fixture fx;
  const auto r = fx.run(configmap_spec("      " + kUserVolumeMount + ": " +
                                       sq(R"({"wasm-f":{"readOnly":true,"mountPath":"/var/local/wasm/f"}})") + "\n"));
  CHECK(wdtest::of_kind(r, "Deployment").size() == 1);
}

TEST_CASE("a conflicting volume of the same name is refused", "[render][volume][errors]") {
  fixture fx;
  const error e = fx.fail(configmap_spec("      " + kUserVolume + ": " + sq(R"({"wasm-f":{"emptyDir":{}}})") + "\n"));
  CHECK(e.code() == "volume.conflict");
  CHECK(e.path() == "targets[0].workloads[0].annotations");
  CHECK(contains(e.message(), "'wasm-f'"));
  CHECK(contains(e.message(), R"({"emptyDir":{}})"));
  CHECK(e.position().line == 10);
}

TEST_CASE("malformed existing annotations are refused", "[render][volume][errors]") {
  fixture fx;
  const error bad = fx.fail(configmap_spec("      " + kUserVolume + ": '{not json'\n"));
  CHECK(bad.code() == "annotation.invalid-json");
  CHECK(bad.path() == "targets[0].workloads[0].annotations");
  const error scalar = fx.fail(configmap_spec("      " + kUserVolume + ": '\"a string\"'\n"));
  CHECK(scalar.code() == "annotation.invalid-json");
  CHECK(contains(scalar.message(), "JSON object keyed by volume name"));
  const error noname = fx.fail(configmap_spec("      " + kUserVolume + ": " + sq(R"([{"emptyDir":{}}])") + "\n"));
  CHECK(noname.code() == "annotation.invalid-entry");
}

TEST_CASE("render refuses before anything reaches the sink", "[render][volume][errors]") {
  // render.hpp: the whole spec is validated and planned before the first document is streamed.
  fixture fx;
  struct counting_sink : document_sink {
    size_t n = 0;
    void on_document(const document&) override { ++n; }
  } sink;
  spec s = parse_spec(configmap_spec("      " + kUserVolume + ": " + sq(R"({"wasm-f":{"emptyDir":{}}})") + "\n"),
                      "test.yaml", fx.tmp.str());
  const error e = wdtest::error_of([&] { render(s, render_options{}, sink); });
  CHECK(e.code() == "volume.conflict");
  CHECK(sink.n == 0);
}

TEST_CASE("hostpath delivery from the wasme cache merges with wasme's own annotations", "[render][volume]") {
  // Exactly what `wasme deploy istio` left on a workload (wasme.md §1): same volume name
  // (cache-dir), same host directory, no hostPath type and no readOnly.
  const std::string y =
      "istio: '1.8.1'\nfilters:\n- name: myfilter\n  module: oci://webassemblyhub.io/tanjunchen20/add-header:v0.1\n"
      "  sha256: " + wdtest::kSha2 + "\n  moduleSha256: " + wdtest::kSha + "\n"
      "targets:\n- namespace: bookinfo\n  workloads:\n  - name: details-v1\n    labels: {app: details}\n"
      "    annotations:\n"
      "      sidecar.istio.io/userVolume: '[{\"name\":\"cache-dir\",\"hostPath\":{\"path\":\"/var/local/lib/wasme-cache\"}}]'\n"
      "      sidecar.istio.io/userVolumeMount: '[{\"mountPath\":\"/var/local/lib/wasme-cache\",\"name\":\"cache-dir\"}]'\n";
  const auto r = wdtest::render_text(y);
  const document d = wdtest::one(r, "Deployment");
  const std::string vol = annotation(d, kUserVolume);
  INFO(vol);
  CHECK(contains(vol, R"("cache-dir":{"hostPath":{"path":"/var/local/lib/wasme-cache")"));
  CHECK(vol.find("cache-dir") == vol.rfind("cache-dir"));  // one volume, not two
}

TEST_CASE("no patch without file delivery", "[render][volume]") {
  const std::string y = "istio: '1.24'\nfilters:\n- name: f\n  module: oci://ghcr.io/a/f:v1\n"
                        "targets:\n- namespace: ns\n  workloads:\n  - {name: d, labels: {app: d}}\n";
  CHECK(wdtest::of_kind(wdtest::render_text(y), "Deployment").empty());
}

TEST_CASE("one workload in two targets gets one patch with every volume", "[render][volume]") {
  // Each patch sets the whole annotation: two patches for one workload would each drop the
  // other's volume when applied.
  wdtest::temp_dir tmp("render-volume-two-targets");
  std::ofstream(tmp.str() + "/a.wasm", std::ios::binary) << wdtest::proxy_module(0, 'a');
  std::ofstream(tmp.str() + "/b.wasm", std::ios::binary) << wdtest::proxy_module(0, 'b');
  const std::string y = "istio: '1.24'\nfilters:\n- {name: a, module: ./a.wasm}\n- {name: b, module: ./b.wasm}\n"
                        "targets:\n- namespace: ns\n  workloads:\n  - {name: d, labels: {app: d}}\n  filters: [a]\n"
                        "- namespace: ns\n  workloads:\n  - {name: d, labels: {app: d}}\n  filters: [b]\n";
  const auto r = wdtest::render_text(y, "", tmp.str());
  const auto patches = wdtest::of_kind(r, "Deployment");
  REQUIRE(patches.size() == 1);
  CHECK(annotation(patches[0], kUserVolume) ==
        R"({"wasm-a":{"configMap":{"name":"wasm-a"}},"wasm-b":{"configMap":{"name":"wasm-b"}}})");
  CHECK(wdtest::of_kind(r, "WasmPlugin").size() == 2);
}

namespace {

// Filter NAME from the wasme node cache on workload d of namespace ns (Istio 1.8); `annotations`
// are d's current pod-template annotations (YAML block lines, 6-space indent).
std::string cached_filter(const std::string& name, const std::string& annotations = "") {
  return "istio: '1.8.1'\nfilters:\n- name: " + name + "\n  module: oci://ghcr.io/acme/" + name +
         ":v1\n  moduleSha256: " + wdtest::kSha + "\n"
         "targets:\n- namespace: ns\n  workloads:\n  - name: d\n    labels: {app: d}\n" +
         (annotations.empty() ? "" : "    annotations:\n" + annotations);
}

std::string line(const std::string& key, const std::string& json) { return "      " + key + ": " + sq(json) + "\n"; }

const node& restored(const render_result& u, const std::string& key) {
  const document* patch = nullptr;
  for (const auto& d : u.documents) {
    if (d.what == document::role::patch) patch = &d;
  }
  REQUIRE(patch != nullptr);
  const node* v = at(patch->body, {"spec", "template", "metadata", "annotations"})->find(key);
  REQUIRE(v != nullptr);
  return *v;
}

const char* const kCacheVolume = R"("cache-dir":{"hostPath":{"path":"/var/local/lib/wasme-cache","type":"Directory"}})";
const char* const kCacheMount = R"("cache-dir":{"mountPath":"/var/local/lib/wasme-cache","readOnly":true})";

}  // namespace

TEST_CASE("a patch records the volumes wasmdeploy adds and the filters that need them", "[render][volume][compose]") {
  const auto r = wdtest::render_text(cached_filter("a"));
  CHECK(annotation(wdtest::one(r, "Deployment"), "wasmdeploy.io/volumes") == R"({"cache-dir":["a"]})");
}

TEST_CASE("filter b rendered after a, from the live annotations, keeps a and the user's volume",
          "[render][volume][compose]") {
  // What the workload carries after the user's own volume and filter a's patch.
  const std::string live = line(kUserVolume, std::string(R"({"mine":{"emptyDir":{}},)") + kCacheVolume + "}") +
                           line(kUserVolumeMount, std::string(R"({"mine":{"mountPath":"/m"},)") + kCacheMount + "}") +
                           line("wasmdeploy.io/volumes", R"({"cache-dir":["a"]})");
  const auto r = wdtest::render_text(cached_filter("b", live));
  const document d = wdtest::one(r, "Deployment");
  CHECK(annotation(d, kUserVolume) == std::string(R"({"mine":{"emptyDir":{}},)") + kCacheVolume + "}");
  CHECK(annotation(d, "wasmdeploy.io/volumes") == R"({"cache-dir":["a","b"]})");
}

TEST_CASE("a volume the workload had before is not recorded, so no undo removes it", "[render][volume][compose]") {
  // wasme's own cache-dir (array form, no type, no readOnly).
  const std::string wasme =
      line(kUserVolume, R"([{"name":"cache-dir","hostPath":{"path":"/var/local/lib/wasme-cache"}}])") +
      line(kUserVolumeMount, R"([{"mountPath":"/var/local/lib/wasme-cache","name":"cache-dir"}])");
  const auto r = wdtest::render_text(cached_filter("a", wasme));
  const document d = wdtest::one(r, "Deployment");
  CHECK(d.body.find("spec")->find("template")->find("metadata")->find("annotations")->find("wasmdeploy.io/volumes") ==
        nullptr);
  render_options o;
  const render_result u = render_undeploy(parse_spec(cached_filter("a", wasme)), o, undeploy_part::restores);
  // Back to wasme's own text, byte for byte.
  CHECK(restored(u, kUserVolume) ==
        node(R"([{"name":"cache-dir","hostPath":{"path":"/var/local/lib/wasme-cache"}}])"));
  CHECK(restored(u, kUserVolumeMount) ==
        node(R"([{"mountPath":"/var/local/lib/wasme-cache","name":"cache-dir"}])"));
}

TEST_CASE("undoing a keeps the volume b still needs, and b", "[render][volume][compose]") {
  const std::string live = line(kUserVolume, std::string(R"({"mine":{"emptyDir":{}},)") + kCacheVolume + "}") +
                           line(kUserVolumeMount, std::string(R"({"mine":{"mountPath":"/m"},)") + kCacheMount + "}") +
                           line("wasmdeploy.io/volumes", R"({"cache-dir":["a","b"]})");
  render_options o;
  const render_result u = render_undeploy(parse_spec(cached_filter("a", live)), o, undeploy_part::restores);
  CHECK(restored(u, kUserVolume) == node(std::string(R"({"mine":{"emptyDir":{}},)") + kCacheVolume + "}"));
  CHECK(restored(u, "wasmdeploy.io/volumes") == node(R"({"cache-dir":["b"]})"));
  // The last one out takes the volume, and the user's text comes back as it was written.
  const std::string only_b = line(kUserVolume, std::string(R"({"mine":{"emptyDir":{}},)") + kCacheVolume + "}") +
                             line(kUserVolumeMount, std::string(R"({"mine":{"mountPath":"/m"},)") + kCacheMount + "}") +
                             line("wasmdeploy.io/volumes", R"({"cache-dir":["b"]})");
  const render_result ub = render_undeploy(parse_spec(cached_filter("b", only_b)), o, undeploy_part::restores);
  CHECK(restored(ub, kUserVolume) == node(R"({"mine":{"emptyDir":{}}})"));
  CHECK(restored(ub, kUserVolumeMount) == node(R"({"mine":{"mountPath":"/m"}})"));
  CHECK(restored(ub, "wasmdeploy.io/volumes").is_null());
}

TEST_CASE("undo from the state before the render gives the user's own text back", "[render][volume][compose]") {
  // Spaces and member order the way a person wrote them: restored verbatim, not re-serialized.
  const std::string mine = line(kUserVolume, R"({"mine": {"emptyDir": {}}})") +
                           line(kUserVolumeMount, R"({"mine": {"mountPath": "/m"}})");
  render_options o;
  const render_result u = render_undeploy(parse_spec(cached_filter("a", mine)), o, undeploy_part::restores);
  CHECK(restored(u, kUserVolume) == node(R"({"mine": {"emptyDir": {}}})"));
  CHECK(restored(u, kUserVolumeMount) == node(R"({"mine": {"mountPath": "/m"}})"));
  CHECK(restored(u, "wasmdeploy.io/volumes").is_null());
}

TEST_CASE("the last undo from the live state gives the user's own text back byte for byte",
          "[render][volume][compose]") {
  // The user's annotations as written (spaces, member order), before any wasmdeploy render.
  const std::string own_volume = R"({"mine": {"emptyDir": {}}})";
  const std::string own_mount = R"({"mine": {"mountPath": "/m"}})";
  const auto deployed = wdtest::render_text(
      cached_filter("a", line(kUserVolume, own_volume) + line(kUserVolumeMount, own_mount)));
  const document patch = wdtest::one(deployed, "Deployment");
  // The merge rewrites the annotations as compact JSON, so their text is kept beside them.
  const std::string saved = annotation(patch, "wasmdeploy.io/user-volumes");
  CHECK(saved == nlohmann::json({{kUserVolume, own_volume}, {kUserVolumeMount, own_mount}}).dump());

  // `kubectl get` after the patch: the merged values, the owners record and the saved text.
  auto live_after = [&](const std::string& owners) {
    return line(kUserVolume, annotation(patch, kUserVolume)) + line(kUserVolumeMount, annotation(patch, kUserVolumeMount)) +
           line("wasmdeploy.io/volumes", owners) + line("wasmdeploy.io/user-volumes", saved);
  };
  render_options o;
  // Undoing a while b still needs the volume keeps the saved text for the last undo.
  const render_result ua =
      render_undeploy(parse_spec(cached_filter("a", live_after(R"({"cache-dir":["a","b"]})"))), o, undeploy_part::restores);
  CHECK(restored(ua, "wasmdeploy.io/user-volumes") == node(saved));
  // The last undo: the user's text as written, and the record gone.
  const render_result ub =
      render_undeploy(parse_spec(cached_filter("b", live_after(R"({"cache-dir":["b"]})"))), o, undeploy_part::restores);
  CHECK(restored(ub, kUserVolume) == node(own_volume));
  CHECK(restored(ub, kUserVolumeMount) == node(own_mount));
  CHECK(restored(ub, "wasmdeploy.io/volumes").is_null());
  CHECK(restored(ub, "wasmdeploy.io/user-volumes").is_null());
  // The user changed their own volume in between: the saved text no longer says what they have,
  // so their entries come back as JSON.
  const std::string changed = line(kUserVolume, R"({"mine":{"emptyDir":{"medium":"Memory"}},)" +
                                                    std::string(kCacheVolume) + "}") +
                              line(kUserVolumeMount, annotation(patch, kUserVolumeMount)) +
                              line("wasmdeploy.io/volumes", R"({"cache-dir":["a"]})") +
                              line("wasmdeploy.io/user-volumes", saved);
  const render_result uc = render_undeploy(parse_spec(cached_filter("a", changed)), o, undeploy_part::restores);
  CHECK(restored(uc, kUserVolume) == node(R"({"mine":{"emptyDir":{"medium":"Memory"}}})"));
  CHECK(restored(uc, kUserVolumeMount) == node(own_mount));
}

TEST_CASE("a saved user-volumes record that is not an object of strings is ignored", "[render][volume][compose]") {
  const std::string live = line(kUserVolume, std::string("{") + kCacheVolume + "}") +
                           line(kUserVolumeMount, std::string("{") + kCacheMount + "}") +
                           line("wasmdeploy.io/volumes", R"({"cache-dir":["a"]})") +
                           line("wasmdeploy.io/user-volumes", R"({"sidecar.istio.io/userVolume": 7})");
  render_options o;
  const render_result u = render_undeploy(parse_spec(cached_filter("a", live)), o, undeploy_part::restores);
  CHECK(restored(u, kUserVolume).is_null());
  CHECK(restored(u, "wasmdeploy.io/user-volumes").is_null());
}

TEST_CASE("a gateway's patch edits its istio-proxy container; injected gateways (1.10+) are named",
          "[render][volume][capabilities]") {
  // The gateway injection template (istio #31004) arrived in 1.10: from then on a gateway's
  // istio-proxy container may be the `image: auto` override the injector completes.
  CHECK(describe_support(capability::gateway_injection_template) == "Istio 1.10 and later");
  CHECK(info(capability::gateway_injection_template).source.find("1cdbb766308") != std::string::npos);
  const std::string y = "filters:\n- name: f\n  module: oci://ghcr.io/acme/f:v1\n  moduleSha256: " +
                        std::string(wdtest::kSha) +
                        "\ntargets:\n- namespace: istio-system\n  workloads:\n"
                        "  - {name: istio-ingressgateway, labels: {istio: ingressgateway}}\n";
  auto note_at = [&](const char* istio) {
    const auto r = wdtest::render_text(y, istio);
    const document d = wdtest::one(r, "Deployment");
    const node* containers = at(d.body, {"spec", "template", "spec", "containers"});
    REQUIRE(containers != nullptr);
    CHECK(*containers->items()[0].find("name") == node("istio-proxy"));
    for (const auto& n : r.summary.diagnostics) {
      if (n.code == "volume.gateway-pod-spec") {
        CHECK(n.level == severity::note);
        CHECK(n.path == "targets[0].workloads[0]");
        return n.message;
      }
    }
    FAIL("no volume.gateway-pod-spec note at " << istio);
    return std::string();
  };
  CHECK(contains(note_at("1.9"), "gateway injection arrived in Istio 1.10"));
  CHECK(contains(note_at("1.10"), "image: auto"));
  CHECK_FALSE(contains(note_at("1.9"), "image: auto"));
}
