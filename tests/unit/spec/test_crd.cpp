// The WasmDeployment CRD schema against the reader it mirrors: every spec field is in it, and
// each enum pattern accepts exactly the strings the model's parser accepts.
#include <catch2/catch.hpp>

#include <regex>

#include <wasmdeploy/choices.hpp>
#include <wasmdeploy/crd.hpp>
#include <wasmdeploy/model.hpp>

using namespace wasmdeploy;

namespace {

const node& at(const node& n, std::initializer_list<const char*> keys) {
  const node* cur = &n;
  for (const char* k : keys) {
    cur = cur->find(k);
    REQUIRE(cur != nullptr);
  }
  return *cur;
}

bool parser_accepts(const std::string& what, const std::string& s) {
  try {
    if (what == "failStrategy") parse_fail_strategy(s, "p");
    else if (what == "context") parse_traffic_context(s, "p");
    else if (what == "kind") parse_workload_kind(s, "p");
    else if (what == "naming") parse_naming_scheme(s, "p");
    else FAIL("no parser for " << what);
    return true;
  } catch (const error&) {
    return false;
  }
}

}  // namespace

TEST_CASE("crd: the schema has the reader's fields and types", "[crd]") {
  const node crd = wasmdeployment_crd();
  const node& schema = at(crd, {"spec", "versions"}).items()[0];
  const node& root = at(schema, {"schema", "openAPIV3Schema", "properties"});
  for (const char* k : {"apiVersion", "kind", "metadata", "istio", "options", "filters", "targets", "status"}) {
    CHECK(root.find(k) != nullptr);
  }
  const node& filter = at(root, {"filters", "items", "properties"});
  CHECK(at(filter, {"rootId", "type"}).as_string() == "string");
  CHECK(at(filter, {"priority", "type"}).as_string() == "integer");
  CHECK(at(filter, {"config", "x-kubernetes-preserve-unknown-fields"}).as_bool());
  CHECK(at(filter, {"failStrategy", "pattern"}).is_string());
  const node& target = at(root, {"targets", "items", "properties"});
  CHECK(at(target, {"selector", "additionalProperties", "type"}).as_string() == "string");
  CHECK(at(target, {"match", "items", "properties", "ports", "items", "maximum"}).as_int() == 4294967295LL);
  CHECK(at(target, {"allWorkloads", "type"}).as_string() == "boolean");
}

TEST_CASE("crd: enum patterns accept exactly what the parsers accept", "[crd]") {
  const node crd = wasmdeployment_crd();
  const node& root = at(crd.find("spec")->find("versions")->items()[0], {"schema", "openAPIV3Schema", "properties"});
  const std::pair<const char*, const node*> fields[] = {
      {"failStrategy", &at(root, {"filters", "items", "properties", "failStrategy"})},
      {"context", &at(root, {"targets", "items", "properties", "context"})},
      {"kind", &at(root, {"targets", "items", "properties", "workloads", "items", "properties", "kind"})},
      {"naming", &at(root, {"options", "properties", "naming"})},
  };
  for (const auto& [what, field] : fields) {
    const std::regex re(at(*field, {"pattern"}).as_string(), std::regex::ECMAScript);
    std::vector<std::string> probes = {"", "_", "-", "x", "__", " "};
    for (std::string_view n : choices_of(what)) {
      std::string name(n), lower, upper, mangled = "_";
      for (char c : name) {
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        mangled += c;
        mangled += '-';
      }
      probes.insert(probes.end(), {name, lower, upper, mangled, name + "x", "x" + name, name + " ", name.substr(1)});
    }
    for (const auto& p : probes) {
      INFO(what << " '" << p << "'");
      // "" is an unset field for the reader, which never calls the parser on it.
      CHECK(std::regex_search(p, re) == (p.empty() || parser_accepts(what, p)));
    }
  }
}

TEST_CASE("crd: operator manifests need an image and grant no wildcard", "[crd]") {
  CHECK_THROWS_AS(operator_manifests({}), error);
  operator_options o;
  o.image = "registry.example.com/c:v1";
  const auto docs = operator_manifests(o);
  bool role = false;
  for (const auto& d : docs) {
    if (d.find("kind")->as_string() != "ClusterRole") continue;
    role = true;
    for (const auto& r : d.find("rules")->items()) {
      for (const auto& v : r.find("verbs")->items()) CHECK(v.as_string() != "*");
      for (const auto& x : r.find("resources")->items()) CHECK(x.as_string() != "*");
    }
  }
  CHECK(role);
}

TEST_CASE("crd: ClusterWasmDeployment is the WasmDeployment spec, cluster-scoped", "[crd]") {
  const node c = clusterwasmdeployment_crd();
  CHECK(c.find("spec")->find("scope")->as_string() == "Cluster");
  CHECK(c.find("spec")->find("names")->find("kind")->as_string() == "ClusterWasmDeployment");
  CHECK(wasmdeployment_crd().find("spec")->find("scope")->as_string() == "Namespaced");
  CHECK(to_yaml(*c.find("spec")->find("versions")) != "");
}

TEST_CASE("crd: the controller may never delete or change a Namespace", "[crd]") {
  operator_options o;
  o.image = "registry.example.com/c:v1";
  for (const auto& d : operator_manifests(o)) {
    if (d.find("kind")->as_string() != "ClusterRole") continue;
    for (const auto& r : d.find("rules")->items()) {
      for (const auto& x : r.find("resources")->items()) {
        if (x.as_string() != "namespaces") continue;
        for (const auto& v : r.find("verbs")->items()) CHECK((v.as_string() == "get" || v.as_string() == "create"));
      }
    }
  }
}

TEST_CASE("crd: the controller image is pinned by digest and runs as a numeric non-root user", "[crd]") {
  const std::string hex(64, 'a');
  CHECK(image_pinned("registry.example.com/c@sha256:" + hex));
  CHECK(image_pinned("registry.example.com/c:v1@sha256:" + hex));
  CHECK_FALSE(image_pinned("registry.example.com/c:v1"));
  CHECK_FALSE(image_pinned("registry.example.com/c@sha256:" + hex.substr(1)));
  CHECK_FALSE(image_pinned("registry.example.com/c@sha256:" + std::string(64, 'A')));
  operator_options o;
  o.image = "registry.example.com/c@sha256:abc";
  CHECK_THROWS_AS(operator_manifests(o), error);
  o.image = "registry.example.com/c@sha256:" + hex;
  bool seen = false;
  for (const auto& d : operator_manifests(o)) {
    if (d.find("kind")->as_string() != "Deployment") continue;
    seen = true;
    const node& pod = *d.find("spec")->find("template")->find("spec");
    const node& container = pod.find("containers")->items().at(0);
    CHECK(container.find("image")->as_string() == o.image);
    for (const node* sc : {pod.find("securityContext"), container.find("securityContext")}) {
      REQUIRE(sc != nullptr);
      CHECK(sc->find("runAsNonRoot")->as_bool());
      CHECK(sc->find("runAsUser")->as_int() == kControllerUser);
      CHECK(sc->find("runAsGroup")->as_int() == kControllerUser);
      CHECK(sc->find("seccompProfile")->find("type")->as_string() == "RuntimeDefault");
    }
  }
  CHECK(seen);
}

TEST_CASE("crd: controller flags and the registry CA ConfigMap reach the Deployment", "[crd]") {
  operator_options o;
  o.image = "registry.example.com/c@sha256:" + std::string(64, 'a');
  auto pod_of = [](const std::vector<node>& docs) {
    for (const auto& d : docs) {
      if (d.find("kind")->as_string() == "Deployment") return *d.find("spec")->find("template")->find("spec");
    }
    FAIL("no Deployment");
    return node();
  };
  auto args_of = [](const node& pod) {
    std::vector<std::string> out;
    for (const auto& a : pod.find("containers")->items().at(0).find("args")->items()) out.push_back(a.as_string());
    return out;
  };
  // Without them: no volume, and the args are the fixed ones.
  node plain = pod_of(operator_manifests(o));
  CHECK(plain.find("volumes") == nullptr);
  CHECK(args_of(plain).size() == 3);

  o.controller_flags = {"registry-hosts=ghcr.io,quay.io", "workers=32"};
  o.registry_ca_configmap = "corp-ca:bundle.pem";
  node pod = pod_of(operator_manifests(o));
  const auto args = args_of(pod);
  CHECK(std::find(args.begin(), args.end(), "--registry-ca-file=/etc/wasmdeploy/registry-ca/bundle.pem") != args.end());
  CHECK(args.at(args.size() - 2) == "--registry-hosts=ghcr.io,quay.io");
  CHECK(args.back() == "--workers=32");
  const node& volume = pod.find("volumes")->items().at(0);
  CHECK(volume.find("configMap")->find("name")->as_string() == "corp-ca");
  CHECK(volume.find("configMap")->find("items")->items().at(0).find("key")->as_string() == "bundle.pem");
  const node& mount = pod.find("containers")->items().at(0).find("volumeMounts")->items().at(0);
  CHECK(mount.find("mountPath")->as_string() == "/etc/wasmdeploy/registry-ca");
  CHECK(mount.find("readOnly")->as_bool());
  o.registry_ca_configmap = "corp-ca";
  CHECK(args_of(pod_of(operator_manifests(o))).at(3) == "--registry-ca-file=/etc/wasmdeploy/registry-ca/ca.crt");

  // Refused, as usage errors naming the flag: unknown or fixed names, no value, twice, control
  // characters; a ConfigMap reference that is not NAME[:KEY].
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"kubeconfig=/etc/x"}, {"leader-elect=false"}, {"workers"}, {"workers="},
        {"workers=1", "workers=2"}, {"registry-hosts=a\nb"}, {"--workers=3"}}) {
    operator_options b = o;
    b.registry_ca_configmap.clear();
    b.controller_flags = bad;
    try {
      operator_manifests(b);
      FAIL("accepted " << bad.front());
    } catch (const error& e) {
      CHECK(e.code() == "operator.controller-flag");
      CHECK(e.path() == "--controller-flag");
    }
  }
  for (const char* bad : {"Corp", "a b", "ca:", ":ca.crt", "ca:..", "ca:a/b"}) {
    operator_options b = o;
    b.controller_flags.clear();
    b.registry_ca_configmap = bad;
    CHECK_THROWS_AS(operator_manifests(b), error);
  }
}
