// Directory output (atomic replace), YAML streams and JSON Lists.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "unit/helpers.hpp"

using namespace wasmdeploy;
namespace fs = std::filesystem;

namespace {

const std::string kSpec = "istio: '1.24'\nfilters:\n- name: f\n  module: oci://ghcr.io/a/f:v1\n  rootId: r\n"
                          "targets:\n- namespace: ns\n  workloads:\n  - {name: d, labels: {app: d}}\n"
                          "  - {name: e, labels: {app: e}}\n";

std::vector<document> docs() { return wdtest::render_text(kSpec).documents; }

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("write_directory writes one file per document with stable names", "[emit][output]") {
  wdtest::temp_dir tmp("output-write");
  const std::string out = tmp.str() + "/out";
  write_directory(docs(), out, false);
  // Only Kubernetes objects at the top, where `kubectl apply -f DIR` reads; files under files/.
  CHECK(listing(out) == std::vector<std::string>{"files", "wasmplugin-ns-d-f.yaml", "wasmplugin-ns-e-f.yaml"});
  CHECK(listing(fs::path(out) / "files") == std::vector<std::string>{"runtime-config-f.json"});
  const std::string wp = slurp(fs::path(out) / "wasmplugin-ns-d-f.yaml");
  CHECK(wp.rfind("apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\n", 0) == 0);
  CHECK(wp.find("---") == std::string::npos);
  CHECK(slurp(fs::path(out) / "files" / "runtime-config-f.json") == R"({"type":"envoy_proxy","abiVersions":[],"config":{"rootIds":["r"]}})");
  // Nothing else next to it.
  CHECK(listing(tmp.path()) == std::vector<std::string>{"out"});
}

TEST_CASE("write_directory accepts a path with a trailing slash", "[emit][output]") {
  wdtest::temp_dir tmp("output-slash");
  const std::string out = tmp.str() + "/out/";
  write_directory(docs(), out, false);
  CHECK(listing(tmp.str() + "/out").size() == 3);
  write_directory(docs(), out, true);
  CHECK(listing(tmp.str() + "/out").size() == 3);
  CHECK(listing(tmp.path()) == std::vector<std::string>{"out"});
}

TEST_CASE("write_directory refuses a non-empty directory without force and leaves it untouched", "[emit][output][errors]") {
  wdtest::temp_dir tmp("output-exists");
  const fs::path out = tmp.path() / "out";
  fs::create_directories(out);
  std::ofstream(out / "keep.txt") << "mine";
  const error e = wdtest::error_of([&] { write_directory(docs(), out.string(), false); });
  CHECK(e.code() == "output.exists");
  CHECK(e.category() == errc::io);
  CHECK(wdtest::contains(e.message(), "--force"));
  CHECK(listing(out) == std::vector<std::string>{"keep.txt"});
  CHECK(slurp(out / "keep.txt") == "mine");
  CHECK(listing(tmp.path()) == std::vector<std::string>{"out"});

  // An empty existing directory is used without force.
  fs::remove(out / "keep.txt");
  write_directory(docs(), out.string(), false);
  CHECK(listing(out).size() == 3);

  std::ofstream(tmp.path() / "file") << "x";
  CHECK(wdtest::error_of([&] { write_directory(docs(), (tmp.path() / "file").string(), true); }).code() ==
        "output.not-a-directory");
}

TEST_CASE("write_directory with force replaces the contents", "[emit][output]") {
  wdtest::temp_dir tmp("output-force");
  const fs::path out = tmp.path() / "out";
  fs::create_directories(out);
  std::ofstream(out / "stale.yaml") << "old";
  write_directory(docs(), out.string(), true);
  CHECK(listing(out) == std::vector<std::string>{"files", "wasmplugin-ns-d-f.yaml", "wasmplugin-ns-e-f.yaml"});
  CHECK(listing(tmp.path()) == std::vector<std::string>{"out"});
}

TEST_CASE("a failure half-way leaves the previous directory intact and no staging behind", "[emit][output][errors]") {
  wdtest::temp_dir tmp("output-failure");
  const fs::path out = tmp.path() / "out";
  fs::create_directories(out);
  std::ofstream(out / "previous.yaml") << "previous";
  auto d = docs();
  d.push_back(d.front());  // two documents, one file name
  const error e = wdtest::error_of([&] { write_directory(d, out.string(), true); });
  CHECK(e.code() == "output.duplicate-file");
  CHECK(wdtest::contains(e.message(), d.front().file_name));
  CHECK(listing(out) == std::vector<std::string>{"previous.yaml"});
  CHECK(slurp(out / "previous.yaml") == "previous");
  CHECK(listing(tmp.path()) == std::vector<std::string>{"out"});
  // And when the directory did not exist, it still does not.
  const error e2 = wdtest::error_of([&] { write_directory(d, (tmp.path() / "fresh").string(), false); });
  CHECK(e2.code() == "output.duplicate-file");
  CHECK_FALSE(fs::exists(tmp.path() / "fresh"));
  CHECK(listing(tmp.path()) == std::vector<std::string>{"out"});
}

TEST_CASE("to_text YAML stream", "[emit][output]") {
  const auto d = docs();
  const std::string y = to_text(d, output_format::yaml);
  CHECK(y.rfind("---\napiVersion: extensions.istio.io/v1alpha1\n", 0) == 0);
  size_t n = 0;
  for (size_t p = y.find("---\n"); p != std::string::npos; p = y.find("---\n", p + 1)) ++n;
  CHECK(n == 2);  // the RuntimeConfig file is not a manifest
  CHECK(to_text({}, output_format::yaml).empty());
}

TEST_CASE("stream_writer JSON List is valid and equals to_text", "[emit][output]") {
  const auto d = docs();
  for (auto format : {output_format::json, output_format::yaml}) {
    std::FILE* f = std::tmpfile();
    REQUIRE(f != nullptr);
    {
      stream_writer w(f, format);
      for (const auto& doc : d) w.on_document(doc);
      w.finish();
    }
    std::rewind(f);
    std::string got;
    char buf[4096];
    for (size_t k; (k = std::fread(buf, 1, sizeof buf, f)) > 0;) got.append(buf, k);
    std::fclose(f);
    CHECK(got == to_text(d, format));
    if (format == output_format::json) {
      const auto j = nlohmann::json::parse(got);
      CHECK(j["apiVersion"] == "v1");
      CHECK(j["kind"] == "List");
      REQUIRE(j["items"].size() == 2);
      CHECK(j["items"][0]["kind"] == "WasmPlugin");
      CHECK(j["items"][1]["metadata"]["name"] == "e-f");
    }
  }
  const auto empty = nlohmann::json::parse(to_text({}, output_format::json));
  CHECK(empty["items"].empty());
}

TEST_CASE("stream_writer writes nothing when rendering fails", "[emit][output][errors]") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  try {
    stream_writer w(f, output_format::json);
    throw error(errc::invalid, "test.failure", "", "rendering failed");
  } catch (const error&) {
  }
  std::fflush(f);
  CHECK(std::ftell(f) == 0);
  std::fclose(f);
}
