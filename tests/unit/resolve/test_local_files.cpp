// The resolve stage's local files: confined to the spec's directory, regular files only,
// bounded before reading, and the same refusal whether or not a file exists outside.
#include <catch2/catch.hpp>

#include <fstream>

#include <sys/stat.h>

#include <wasmdeploy/resolve.hpp>
#include <wasmdeploy/spec.hpp>

#include "unit/helpers.hpp"

using namespace wasmdeploy;
using wdtest::contains;
using wdtest::error_of;

namespace {

void write(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

spec spec_in(const std::filesystem::path& dir) {
  spec s;
  s.base_dir = dir.string();
  return s;
}

}  // namespace

TEST_CASE("local files are read inside the spec's directory only", "[resolve][files]") {
  wdtest::temp_dir tmp("resolve-confine");
  write(tmp.path() / "spec" / "m.wasm", "inside");
  write(tmp.path() / "outside" / "secret.wasm", "secret");
  const spec s = spec_in(tmp.path() / "spec");
  CHECK(read_spec_file(s, "m.wasm", 100, "f", {}) == "inside");
  CHECK(read_spec_file(s, "./sub/../m.wasm", 100, "f", {}) == "inside");

  const error exists = error_of([&] { read_spec_file(s, "../outside/secret.wasm", 100, "f", {}); });
  const error missing = error_of([&] { read_spec_file(s, "../outside/none.wasm", 100, "f", {}); });
  CHECK(exists.code() == "input.outside-spec-dir");
  CHECK(missing.code() == "input.outside-spec-dir");
  // Nothing in the message tells an existing file from a missing one.
  CHECK(contains(exists.message(), "--allow-path"));
  CHECK(exists.message().find("secret") != std::string::npos);
  std::string a = exists.message(), b = missing.message();
  a.replace(a.find("secret"), 6, "X");
  b.replace(b.find("none"), 4, "X");
  CHECK(a == b);
  CHECK(error_of([&] { read_spec_file(s, (tmp.path() / "outside" / "secret.wasm").string(), 100, "f", {}); }).code() ==
        "input.outside-spec-dir");

  // A symlink inside that leads out is refused too.
  std::filesystem::create_symlink(tmp.path() / "outside" / "secret.wasm", tmp.path() / "spec" / "link.wasm");
  CHECK(error_of([&] { read_spec_file(s, "link.wasm", 100, "f", {}); }).code() == "input.outside-spec-dir");

  input_access allow;
  allow.allowed_paths = {(tmp.path() / "outside").string()};
  CHECK(read_spec_file(s, "../outside/secret.wasm", 100, "f", allow) == "secret");
  CHECK(read_spec_file(s, "link.wasm", 100, "f", allow) == "secret");
  input_access anywhere;
  anywhere.allow_outside_spec_dir = true;
  CHECK(read_spec_file(s, "../outside/secret.wasm", 100, "f", anywhere) == "secret");
}

TEST_CASE("local files: regular files only, bounded before reading", "[resolve][files]") {
  wdtest::temp_dir tmp("resolve-kinds");
  write(tmp.path() / "big.wasm", std::string(1000, 'x'));
  std::filesystem::create_directories(tmp.path() / "dir.wasm");
  REQUIRE(::mkfifo((tmp.path() / "fifo.wasm").c_str(), 0600) == 0);
  const spec s = spec_in(tmp.path());
  const error dir = error_of([&] { read_spec_file(s, "dir.wasm", 100, "filters[0].module", {}); });
  CHECK(dir.code() == "input.is-a-directory");
  CHECK(contains(dir.message(), "is a directory"));
  CHECK(dir.path() == "filters[0].module");
  // A FIFO would block a plain read forever: refused without reading.
  CHECK(error_of([&] { read_spec_file(s, "fifo.wasm", 100, "f", {}); }).code() == "input.not-a-regular-file");
  CHECK(error_of([&] { read_spec_file(s, "big.wasm", 999, "f", {}); }).code() == "file.too-large");
  CHECK(read_spec_file(s, "big.wasm", 1000, "f", {}).size() == 1000);
  input_access anywhere;
  anywhere.allow_outside_spec_dir = true;
  CHECK(error_of([&] { read_spec_file(s, "/dev/zero", 100, "f", anywhere); }).code() == "input.not-a-regular-file");
  CHECK(error_of([&] { read_spec_file(s, "missing.wasm", 100, "f", {}); }).code() == "io.open");
}

TEST_CASE("resolve_inputs reads what the spec names, and no network without asking", "[resolve]") {
  wdtest::temp_dir tmp("resolve-inputs");
  write(tmp.path() / "m.wasm", wdtest::proxy_module());
  write(tmp.path() / "runtime-config.json", R"({"type":"envoy_proxy","config":{"rootIds":["r"]}})");
  spec s = parse_spec(R"(istio: "1.24"
filters:
- {name: a, module: ./m.wasm, runtimeConfig: runtime-config.json}
- {name: b, module: "oci://127.0.0.1:1/never/contacted:v1"}
targets: [{namespace: ns, workloads: [{name: w, labels: {app: w}}]}]
)",
                      "spec.yaml", tmp.str());
  resolved_inputs in = resolve_inputs(s, {});
  REQUIRE(in.filters.size() == 2);
  CHECK(in.filters[0].module == wdtest::proxy_module());
  CHECK(in.filters[0].runtime_config.has_value());
  CHECK_FALSE(in.filters[1].remote.has_value());
  CHECK(in.notes.empty());
  // With network on, the unreachable registry is an error carrying the field and its position.
  resolve_options net;
  net.network = true;
  net.registry.plain_http = true;
  net.registry.retries = 0;
  net.registry.connect_timeout_ms = 2000;
  const error e = error_of([&] { resolve_inputs(s, net); });
  CHECK(e.code() == "registry.unreachable");
  CHECK(e.path() == "filters[1].module");
  CHECK(e.position().line == 4);
}
