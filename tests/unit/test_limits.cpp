// Every limit in include/wasmdeploy/limits.hpp at its boundary: the largest accepted input where
// building it is cheap, and one more refused with its code. Each test is named after its macro;
// the last test checks that no macro in limits.hpp is left without one.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <string>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/import.hpp>
#include <wasmdeploy/inspect.hpp>
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/render.hpp>
#include <wasmdeploy/run.hpp>
#include <wasmdeploy/spec.hpp>
#include <wasmdeploy/wasm_binary.hpp>

#include "json_depth.hpp"
#include "unit/helpers.hpp"
#include "unit/wasm/wasm_test_support.hpp"

using namespace wasmdeploy;
using namespace std::string_literals;
using wd_test::custom;
using wd_test::header;
using wd_test::leb;
using wd_test::module;
using wd_test::name;
using wd_test::section;
using wdtest::error_of;

namespace {

const std::string kHead = "istio: '1.24'\nfilters:\n- name: f\n  module: oci://ghcr.io/acme/f:v1\n";
const std::string kTargets = "targets:\n- namespace: ns\n  selector: {app: a}\n";

error wasm_error(std::string_view bytes) {
  return error_of([&] { read_wasm_binary(bytes); });
}

std::vector<std::string> warning_codes(std::string_view bytes) {
  std::vector<std::string> out;
  for (const auto& w : read_wasm_binary(bytes).warnings) out.push_back(w.code);
  return out;
}

// A YAML flow sequence holding exactly `total` nodes once aliases are expanded (the sequence
// itself included), built billion-laughs style so the text stays small.
std::string nodes_exactly(std::size_t total) {
  // N(0) = [x x ... x] = 11 nodes; N(k) = [*l(k-1) x10] = 1 + 10 N(k-1).
  std::size_t n[6];
  n[0] = 11;
  for (int k = 1; k < 6; ++k) n[k] = 1 + 10 * n[k - 1];
  std::string out = "[&l0 [x, x, x, x, x, x, x, x, x, x]";
  std::size_t used = 1 + n[0];
  for (int k = 1; k < 6; ++k) {
    out += ", &l" + std::to_string(k) + " [";
    for (int i = 0; i < 10; ++i) out += (i ? ", *l" : "*l") + std::to_string(k - 1);
    out += "]";
    used += n[k];
  }
  REQUIRE(used <= total);
  std::size_t left = total - used;
  for (int k = 5; k >= 0; --k) {
    for (; left >= n[k]; left -= n[k]) out += ", *l" + std::to_string(k);
  }
  for (; left > 0; --left) out += ", x";
  return out + "]";
}

// A sparse file of `size` bytes: only the size check runs, nothing is read.
struct sparse_file {
  std::string path;
  sparse_file(const std::string& dir, std::uint64_t size) : path(dir + "/big.wasm") {
    const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::ftruncate(fd, static_cast<off_t>(size)) == 0);
    ::close(fd);
  }
};

}  // namespace

// ---- WebAssembly -----------------------------------------------------------------------------

TEST_CASE("WD_MAX_WASM_MODULE_BYTES: a module file one byte over is refused before it is read", "[limits][wasm]") {
  wdtest::temp_dir tmp("limits-module");
  sparse_file big(tmp.str(), WD_MAX_WASM_MODULE_BYTES + 1);
  const error e = error_of([&] { inspect_file(big.path); });
  CHECK(e.code() == "wasm.too-large");
  CHECK(wdtest::contains(e.message(), std::to_string(WD_MAX_WASM_MODULE_BYTES + 1)));
  // In memory: a view of the same size (mapped, never touched) is refused by its length alone.
  const int fd = ::open(big.path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  void* p = ::mmap(nullptr, WD_MAX_WASM_MODULE_BYTES + 1, PROT_READ, MAP_PRIVATE | MAP_NORESERVE, fd, 0);
  ::close(fd);
  REQUIRE(p != MAP_FAILED);
  const error m = wasm_error(std::string_view(static_cast<const char*>(p), WD_MAX_WASM_MODULE_BYTES + 1));
  ::munmap(p, WD_MAX_WASM_MODULE_BYTES + 1);
  CHECK(m.code() == "wasm.too-large");
}

TEST_CASE("WD_MAX_WASM_SECTIONS: exactly the limit is read, one more is refused", "[limits][wasm]") {
  std::string m = header();
  for (unsigned i = 0; i < WD_MAX_WASM_SECTIONS; ++i) m += custom("", "");
  CHECK(read_wasm_binary(m).sections.size() == WD_MAX_WASM_SECTIONS);
  m += custom("", "");
  CHECK(wasm_error(m).code() == "wasm.too-many-sections");
}

TEST_CASE("WD_MAX_WASM_IMPORTS: exactly the limit is read, one more is refused", "[limits][wasm]") {
  std::string entries;
  for (unsigned i = 0; i < WD_MAX_WASM_IMPORTS; ++i) entries += name("e") + name("f") + "\x00\x00"s;
  CHECK(read_wasm_binary(module({section(2, leb(WD_MAX_WASM_IMPORTS) + entries)})).imports.size() ==
        WD_MAX_WASM_IMPORTS);
  entries += name("e") + name("f") + "\x00\x00"s;
  CHECK(wasm_error(module({section(2, leb(WD_MAX_WASM_IMPORTS + 1) + entries)})).code() == "wasm.too-many-imports");
}

TEST_CASE("WD_MAX_WASM_EXPORTS: exactly the limit is read, one more is refused", "[limits][wasm]") {
  std::string entries;
  for (unsigned i = 0; i <= WD_MAX_WASM_EXPORTS; ++i) entries += name("e" + std::to_string(i)) + "\x00\x00"s;
  const std::string at_limit = entries.substr(0, entries.rfind(name("e" + std::to_string(WD_MAX_WASM_EXPORTS))));
  CHECK(read_wasm_binary(module({section(7, leb(WD_MAX_WASM_EXPORTS) + at_limit)})).exports.size() ==
        WD_MAX_WASM_EXPORTS);
  CHECK(wasm_error(module({section(7, leb(WD_MAX_WASM_EXPORTS + 1) + entries)})).code() == "wasm.too-many-exports");
}

TEST_CASE("WD_MAX_WASM_FUNCTIONS: type, function, memory, code and name counts at the limit", "[limits][wasm]") {
  const std::string zeros(WD_MAX_WASM_FUNCTIONS, '\0');
  // Types are only counted: the count is read, the entries skipped by the section size.
  CHECK(read_wasm_binary(module({section(1, leb(WD_MAX_WASM_FUNCTIONS) + zeros)})).type_count == WD_MAX_WASM_FUNCTIONS);
  CHECK(wasm_error(module({section(1, leb(WD_MAX_WASM_FUNCTIONS + 1) + zeros + "\0"s)})).code() ==
        "wasm.too-many-entries");
  // Functions: every type index is read; the code section must declare as many bodies.
  const std::string code_at_limit = section(10, leb(WD_MAX_WASM_FUNCTIONS) + zeros);
  const auto info = read_wasm_binary(module({section(3, leb(WD_MAX_WASM_FUNCTIONS) + zeros), code_at_limit}));
  CHECK(info.defined_functions == WD_MAX_WASM_FUNCTIONS);
  CHECK(wasm_error(module({section(3, leb(WD_MAX_WASM_FUNCTIONS + 1) + zeros + "\0"s)})).code() ==
        "wasm.too-many-entries");
  CHECK(wasm_error(module({section(10, leb(WD_MAX_WASM_FUNCTIONS + 1) + zeros + "\0"s)})).code() ==
        "wasm.too-many-entries");
  CHECK(wasm_error(module({section(5, leb(WD_MAX_WASM_FUNCTIONS + 1) + zeros + zeros + "\0\0"s)})).code() ==
        "wasm.too-many-entries");
  // The name section's function-name count.
  // The name section's function-name count (a malformed custom section is a warning, not an error).
  const std::string names_over = "\x01"s + leb(leb(WD_MAX_WASM_FUNCTIONS + 1).size() + 2 * WD_MAX_WASM_FUNCTIONS + 2) +
                                 leb(WD_MAX_WASM_FUNCTIONS + 1) + zeros + zeros + "\0\0"s;
  CHECK(warning_codes(module({custom("name", names_over)})) == std::vector<std::string>{"wasm.too-many-entries"});
}

TEST_CASE("WD_MAX_WASM_NAME_BYTES: a name of exactly the limit is read, one byte more is refused", "[limits][wasm]") {
  const std::string at(WD_MAX_WASM_NAME_BYTES, 'n');
  CHECK(read_wasm_binary(module({custom(at, "")})).sections.at(0).name == at);
  CHECK(wasm_error(module({custom(at + "n", "")})).code() == "wasm.name-too-long");
  CHECK(wasm_error(module({section(7, leb(1) + name(at + "n") + "\x00\x00"s)})).code() == "wasm.name-too-long");
}

TEST_CASE("WD_MAX_WASM_PRODUCERS_ENTRIES: fields and values at the limit are read, one more is refused", "[limits][wasm]") {
  std::string fields;
  for (unsigned i = 0; i < WD_MAX_WASM_PRODUCERS_ENTRIES; ++i) fields += name("f" + std::to_string(i)) + leb(0);
  CHECK(read_wasm_binary(module({custom("producers", leb(WD_MAX_WASM_PRODUCERS_ENTRIES) + fields)})).producers.size() ==
        WD_MAX_WASM_PRODUCERS_ENTRIES);
  // A malformed custom section is reported as a warning and otherwise ignored.
  CHECK(warning_codes(module({custom("producers", leb(WD_MAX_WASM_PRODUCERS_ENTRIES + 1) + fields + name("x") + leb(0))})) ==
        std::vector<std::string>{"wasm.too-many-entries"});
  std::string values;
  for (unsigned i = 0; i < WD_MAX_WASM_PRODUCERS_ENTRIES; ++i) values += name("v") + name("1");
  const auto info =
      read_wasm_binary(module({custom("producers", leb(1) + name("sdk") + leb(WD_MAX_WASM_PRODUCERS_ENTRIES) + values)}));
  CHECK(info.producers.at(0).values.size() == WD_MAX_WASM_PRODUCERS_ENTRIES);
  CHECK(warning_codes(module({custom("producers", leb(1) + name("sdk") + leb(WD_MAX_WASM_PRODUCERS_ENTRIES + 1) + values +
                                                     name("v") + name("1"))})) ==
        std::vector<std::string>{"wasm.too-many-entries"});
}

TEST_CASE("WD_MAX_LEB128_BYTES_U32: a 5-byte LEB128 is read, a 6-byte one is refused", "[limits][wasm]") {
  // The start section's function index, padded to the maximum width (value 0).
  CHECK(read_wasm_binary(module({section(8, "\x80\x80\x80\x80\x00"s)})).start_function == 0u);
  CHECK(wasm_error(module({section(8, "\x80\x80\x80\x80\x80\x00"s)})).code() == "wasm.leb128-too-long");
}

TEST_CASE("WD_MAX_LEB128_BYTES_U64: a 10-byte LEB128 is read, an 11-byte one is refused", "[limits][wasm]") {
  // A memory64 import (limits flag 0x04) carries u64 bounds.
  const std::string ten = "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01"s;  // 2^63
  const std::string eleven = "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00"s;
  CHECK(read_wasm_binary(module({section(2, leb(1) + name("env") + name("m") + "\x02\x04"s + ten)})).imported_memories == 1);
  CHECK(wasm_error(module({section(2, leb(1) + name("env") + name("m") + "\x02\x04"s + eleven)})).code() ==
        "wasm.leb128-too-long");
}

// ---- Spec files --------------------------------------------------------------------------------

TEST_CASE("WD_MAX_SPEC_BYTES: one byte over the limit is refused before parsing", "[limits][spec]") {
  std::string text = kHead + kTargets + "#";
  text.append(WD_MAX_SPEC_BYTES + 1 - text.size(), 'c');
  const error e = error_of([&] { parse_spec(text); });
  CHECK(e.code() == "spec.too-large");
  // Plugin configuration given as text (--config-json, Gloo Gateway files) has the same bound.
  const error c = error_of([&] { parse_config_value(text, "--config-json"); });
  CHECK(c.code() == "spec.too-large");
  CHECK(c.path() == "--config-json");
  // Reading a spec file stops just past the limit instead of loading all of it.
  wdtest::temp_dir tmp("limits-spec-bytes");
  sparse_file big(tmp.str(), std::uint64_t{4} * WD_MAX_SPEC_BYTES);
  CHECK(read_input_prefix(big.path, WD_MAX_SPEC_BYTES).size() == WD_MAX_SPEC_BYTES + 1);
  CHECK(error_of([&] { load_spec(big.path); }).code() == "spec.too-large");
}

// About 10 s: yaml-cpp scans 64 MiB. Hidden from the unit run; ctest runs it as
// property.limits_slow (labels slow, property).
TEST_CASE("WD_MAX_SPEC_BYTES: a spec of exactly the limit is read", "[limits][spec][.slow]") {
  // Padding is a comment, so the scanner walks every byte but builds nothing.
  std::string text = kHead + kTargets + "#";
  text.append(WD_MAX_SPEC_BYTES - text.size() - 1, 'c');
  text += '\n';
  REQUIRE(text.size() == WD_MAX_SPEC_BYTES);
  CHECK(parse_spec(text).filters.size() == 1);
}

TEST_CASE("WD_MAX_SPEC_DEPTH: nesting down to the limit is read, one level more is refused", "[limits][spec]") {
  // In a spec the config value sits at depth 3 (spec 0, filters 1, filters[0] 2), so k nested
  // sequences reach depth 2 + k.
  const int k = WD_MAX_SPEC_DEPTH - 2;
  const auto nested = [](int n) { return std::string(n, '[') + std::string(n, ']'); };
  CHECK_NOTHROW(parse_spec(kHead + "  config: {a: " + nested(k - 1) + "}\n" + kTargets));
  const error e = error_of([&] { parse_spec(kHead + "  config: {a: " + nested(k) + "}\n" + kTargets); });
  CHECK(e.code() == "spec.too-deep");
  // A value parsed on its own starts at depth 0: WD_MAX_SPEC_DEPTH + 1 levels fit.
  CHECK_NOTHROW(parse_config_value(nested(WD_MAX_SPEC_DEPTH + 1), "--config-json"));
  CHECK(error_of([&] { parse_config_value(nested(WD_MAX_SPEC_DEPTH + 2), "--config-json"); }).code() ==
        "spec.too-deep");
}

TEST_CASE("WD_MAX_SPEC_NODES: one node over the limit through aliases is refused", "[limits][spec]") {
  // Billion laughs, sized to the node: one tree of exactly the limit plus one.
  const error e = error_of([&] { parse_config_value(nodes_exactly(WD_MAX_SPEC_NODES + 1), "--config-json"); });
  CHECK(e.code() == "spec.too-large");
  CHECK(wdtest::contains(e.message(), "alias"));
}

TEST_CASE("WD_MAX_SPEC_NODES: alias expansion of exactly the limit is read", "[limits][spec][.slow]") {
  CHECK_NOTHROW(parse_config_value(nodes_exactly(WD_MAX_SPEC_NODES), "--config-json"));
}

TEST_CASE("WD_MAX_STRING_BYTES: a string of exactly the limit is read, one byte more is refused", "[limits][spec]") {
  const std::string at(WD_MAX_STRING_BYTES, 'x');
  const spec s = parse_spec(kHead + "  config: " + at + "\n" + kTargets);
  CHECK(s.filters[0].config.as_string().size() == WD_MAX_STRING_BYTES);
  const error e = error_of([&] { parse_spec(kHead + "  config: " + at + "x\n" + kTargets); });
  CHECK(e.code() == "spec.too-large");
  CHECK(e.path() == "filters[0].config");
  // Keys too, written as explicit keys ("? key"): YAML caps implicit keys at 1024 characters.
  const spec keyed = parse_spec(kHead + "  config:\n    ? " + at + "\n    : 1\n" + kTargets);
  CHECK(keyed.filters[0].config.members().at(0).key.size() == WD_MAX_STRING_BYTES);
  const error k = error_of([&] { parse_spec(kHead + "  config:\n    ? " + at + "x\n    : 1\n" + kTargets); });
  CHECK(k.code() == "spec.too-large");
}

// ---- Kubernetes ---------------------------------------------------------------------------------

TEST_CASE("WD_MAX_CONFIGMAP_BYTES: a module of exactly the limit fits a ConfigMap, one byte more is refused", "[limits][render]") {
  wdtest::temp_dir tmp("limits-configmap");
  write_file_atomic(tmp.str() + "/max.wasm", wdtest::proxy_module(WD_MAX_CONFIGMAP_BYTES));
  write_file_atomic(tmp.str() + "/big.wasm", wdtest::proxy_module(WD_MAX_CONFIGMAP_BYTES + 1));
  const std::string spec_of = "istio: '1.24'\nfilters:\n- name: f\n  module: ./{}\n"
                              "targets:\n- namespace: ns\n  workloads: [{name: a, labels: {app: a}}]\n";
  const auto with = [&](const char* file) {
    std::string t = spec_of;
    t.replace(t.find("{}"), 2, file);
    return t;
  };
  CHECK_NOTHROW(wdtest::render_text(with("max.wasm"), "", tmp.str()));
  const error e = wdtest::render_error(with("big.wasm"), "", tmp.str());
  CHECK(e.code() == "configmap.too-large");
  CHECK(e.path() == "filters[0].module");
}

// ---- Counts in one spec (built in code: no reader limit applies) --------------------------------

namespace {

spec one_filter_spec() { return parse_spec(kHead + kTargets, "limits.yaml"); }

void add_filters(spec& s, std::size_t n) {
  const filter proto = s.filters.at(0);
  for (std::size_t i = s.filters.size(); i < n; ++i) {
    filter f = proto;
    f.name = "f" + std::to_string(i);
    f.path = "filters[" + std::to_string(i) + "]";
    s.filters.push_back(std::move(f));
  }
}

error render_spec_error(const spec& s) {
  return error_of([&] { render(s, render_options{}); });
}

}  // namespace

TEST_CASE("WD_MAX_FILTERS: exactly the limit renders, one filter more is refused", "[limits][counts]") {
  spec s = one_filter_spec();
  add_filters(s, WD_MAX_FILTERS);
  CHECK(render(s, render_options{}).documents.size() >= WD_MAX_FILTERS);
  add_filters(s, WD_MAX_FILTERS + 1);
  const error e = render_spec_error(s);
  CHECK(e.code() == "spec.too-many");
  CHECK(e.path() == "filters");
}

TEST_CASE("WD_MAX_TARGETS: one target over the limit is refused before any is planned", "[limits][counts]") {
  // At the limit this would render 100 000 resources; the check itself is a size comparison.
  spec s = one_filter_spec();
  s.targets.resize(WD_MAX_TARGETS + 1, s.targets.at(0));
  const error e = render_spec_error(s);
  CHECK(e.code() == "spec.too-many");
  CHECK(e.path() == "targets");
}

TEST_CASE("WD_MAX_WORKLOADS: one workload over the limit in a target is refused", "[limits][counts]") {
  spec s = one_filter_spec();
  s.targets[0].selector.clear();
  workload w;
  w.name = "w";
  w.labels = {{"app", "w"}};
  s.targets[0].workloads.resize(WD_MAX_WORKLOADS + 1, w);
  const error e = render_spec_error(s);
  CHECK(e.code() == "spec.too-many");
  CHECK(e.path() == "targets[0].workloads");
}

TEST_CASE("WD_MAX_ENV_ENTRIES: exactly the limit renders, one entry more is refused", "[limits][counts]") {
  spec s = one_filter_spec();
  for (unsigned i = 0; i < WD_MAX_ENV_ENTRIES; ++i) s.filters[0].env.push_back(env_var{"E" + std::to_string(i), "v", env_source::inline_value});
  const auto r = render(s, render_options{});
  const auto plugin = wdtest::one(r, "WasmPlugin");  // one() returns a copy: keep it alive
  const auto* env = wdtest::at(plugin.body, {"spec", "vmConfig", "env"});
  REQUIRE(env != nullptr);
  CHECK(env->items().size() == WD_MAX_ENV_ENTRIES);
  s.filters[0].env.push_back(env_var{"E", "v", env_source::inline_value});
  const error e = render_spec_error(s);
  CHECK(e.code() == "spec.too-many");
  CHECK(e.path() == "filters[0].env");
}

TEST_CASE("WD_MAX_PLACEMENTS: filters x workloads over the limit is refused", "[limits][counts]") {
  // 1001 filters on 1000 workloads: 2001 inputs, 1 001 000 EnvoyFilters.
  spec s = one_filter_spec();
  add_filters(s, 1001);
  s.targets[0].selector.clear();
  for (int i = 0; i < 1000; ++i) {
    workload w;
    w.name = "w" + std::to_string(i);
    w.labels = {{"app", w.name}};
    s.targets[0].workloads.push_back(std::move(w));
  }
  const error e = render_spec_error(s);
  CHECK(e.code() == "spec.too-many");
  CHECK(e.path() == "targets[0]");
  // One filter fewer is exactly 1 000 000 and passes the check (not rendered here: too many).
  REQUIRE(1000u * 1000u == WD_MAX_PLACEMENTS);
}

TEST_CASE("WD_MAX_IMPORT_DOCUMENTS: exactly the limit is read, one document more is refused", "[limits][import]") {
  const std::string plugin =
      "apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: f, namespace: ns}\n"
      "spec:\n  url: oci://ghcr.io/acme/f:v1\n  selector: {matchLabels: {app: a}}\n";
  std::string text = plugin;
  for (unsigned i = 1; i < WD_MAX_IMPORT_DOCUMENTS; ++i) text += "---\n";
  CHECK(import_resources(text, "in.yaml").imported.filters.size() == 1);
  text += "---\n";
  const error e = error_of([&] { import_resources(text, "in.yaml"); });
  CHECK(e.code() == "import.too-many-documents");
  // The stream as a whole is bounded like a spec.
  const error big = error_of([&] { import_resources(std::string(WD_MAX_SPEC_BYTES + 1, '#'), "in.yaml"); });
  CHECK(big.code() == "import.too-large");
}

TEST_CASE("WD_MAX_JSON_DEPTH: JSON text at the limit is read, one level more is refused", "[limits]") {
  const auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  CHECK(detail::json_nesting(nested(WD_MAX_JSON_DEPTH), WD_MAX_JSON_DEPTH) == WD_MAX_JSON_DEPTH);
  CHECK(detail::json_nesting("[\"[[[[\\\"\", {}]", 64) == 2);  // brackets inside strings do not count
  run_options o;
  set_run_option(o, "config_json", nested(WD_MAX_JSON_DEPTH));
  CHECK(o.plugin_config == nested(WD_MAX_JSON_DEPTH));
  const error deep = error_of([&] { set_run_option(o, "config_json", nested(WD_MAX_JSON_DEPTH + 1)); });
  CHECK(deep.code() == "json.too-deep");
  CHECK(deep.category() == errc::usage);
}

// ---- Coverage ----------------------------------------------------------------------------------

TEST_CASE("every limit macro has a test named after it", "[limits]") {
  std::ifstream hdr(std::string(WD_SOURCE_DIR) + "/include/wasmdeploy/limits.hpp");
  REQUIRE(hdr);
  std::stringstream text;
  text << hdr.rdbuf();
  std::set<std::string> macros;
  const std::string body = text.str();
  const std::regex def(R"(#define (WD_MAX_[A-Z0-9_]+))");
  for (std::sregex_iterator it(body.begin(), body.end(), def), end; it != end; ++it) macros.insert((*it)[1]);
  REQUIRE(macros.size() >= 14);
  std::set<std::string> tested;
  for (const auto& tc : Catch::getRegistryHub().getTestCaseRegistry().getAllTests()) {
    const std::string& n = tc.name;
    const auto colon = n.find(':');
    if (n.rfind("WD_MAX_", 0) == 0 && colon != std::string::npos) tested.insert(n.substr(0, colon));
  }
  for (const auto& m : macros) {
    INFO(m);
    CHECK(tested.count(m) == 1);
  }
}

// ---- The limits struct: the values one call uses -------------------------------------------------

TEST_CASE("limits: every field has a name, and set/get go through it", "[limits][struct]") {
  limits l;
  CHECK(limit_names().size() == 20);
  for (const auto& n : limit_names()) {
    INFO(n);
    const std::uint64_t before = get_limit(l, n);
    CHECK(before > 1);
    set_limit(l, n, before - 1);
    CHECK(get_limit(l, n) == before - 1);
  }
  CHECK(error_of([&] { set_limit(l, "json_dept", 3); }).code() == "limits.unknown");
  CHECK(error_of([&] { set_limit(l, "json_dept", 3); }).message().find("did you mean json_depth") != std::string::npos);
  CHECK(error_of([&] { set_limit(l, "json_depth", 0); }).code() == "limits.bad-value");
  set_limit_from_text(l, "json-depth=7");
  CHECK(l.json_depth == 7);
  for (const char* bad : {"json_depth", "json_depth=", "json_depth=-1", "json_depth=1x", "json_depth=0",
                          "json_depth=99999999999999999999"}) {
    INFO(bad);
    const error e = error_of([&] { set_limit_from_text(l, bad); });
    CHECK(e.code() == "limits.bad-value");
    CHECK(e.category() == errc::usage);
    CHECK(e.path() == "--limit");
  }
}

TEST_CASE("limits: a scope is in force on its thread only, and scopes nest", "[limits][struct]") {
  CHECK(active_limits().json_depth == WD_MAX_JSON_DEPTH);
  limits outer;
  outer.json_depth = 5;
  {
    const limits_scope a(outer);
    CHECK(active_limits().json_depth == 5);
    std::uint64_t seen_elsewhere = 0;
    std::thread([&] { seen_elsewhere = active_limits().json_depth; }).join();
    CHECK(seen_elsewhere == WD_MAX_JSON_DEPTH);
    limits inner;
    inner.json_depth = 9;
    {
      const limits_scope b(inner);
      CHECK(active_limits().json_depth == 9);
    }
    CHECK(active_limits().json_depth == 5);
  }
  CHECK(active_limits().json_depth == WD_MAX_JSON_DEPTH);
}

TEST_CASE("limits: parse, inspect, render and run take them through their options", "[limits][struct]") {
  limits low;
  low.spec_depth = 2;
  const std::string deep = kHead + "  config: {a: {b: {c: 1}}}\n" + kTargets;
  CHECK_NOTHROW(parse_spec(deep));
  CHECK(error_of([&] { parse_spec(deep, "<input>", ".", low); }).code() == "spec.too-deep");

  limits few_exports;
  few_exports.wasm_exports = 1;
  const std::string two_exports = module({section(7, leb(2) + name("a") + "\x02\x00"s + name("b") + "\x02\x00"s)});
  CHECK(inspect_module(two_exports).binary.exports.size() == 2);
  CHECK(error_of([&] { inspect_module(two_exports, few_exports); }).code() == "wasm.too-many-exports");

  limits one_workload;
  one_workload.workloads = 1;
  const spec s = parse_spec(kHead + "targets:\n- namespace: ns\n  workloads:\n  - {name: a, labels: {app: a}}\n"
                                    "  - {name: b, labels: {app: b}}\n");
  render_options o;
  CHECK_NOTHROW(render(s, o));
  o.limits = one_workload;
  CHECK(error_of([&] { render(s, o); }).code() == "spec.too-many");

  limits shallow;
  shallow.json_depth = 2;
  run_options r;
  r.limits = shallow;
  CHECK(error_of([&] { set_run_option(r, "config_json", "[[[1]]]"); }).code() == "json.too-deep");
}
