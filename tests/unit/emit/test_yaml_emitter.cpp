// YAML emitter: exact layout, scalar quoting, and a PyYAML round trip of every tricky string.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include <wasmdeploy/node.hpp>

#include "emit/emitters.hpp"
#include "emit/scalar.hpp"
#include "unit/helpers.hpp"

using namespace wasmdeploy;

namespace {

std::string yaml_string(const std::string& s) {
  std::string out;
  detail::append_yaml_string(out, s);
  return out;
}

bool is_valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("yaml layout: indentless sequences, nested mappings, empty collections", "[emit][yaml]") {
  node n = make_mapping({{"a", 1},
                         {"b", make_sequence({"x", make_mapping({{"k", "v"}, {"k2", "v2"}})})},
                         {"c", make_mapping({{"d", node::mapping()}, {"e", node::sequence()}, {"f", nullptr}})},
                         {"spec", make_mapping({{"list", make_sequence({make_mapping(
                                                             {{"a", 1}, {"b", make_mapping({{"c", 2}})}})})}})},
                         {"nested", make_sequence({make_sequence({1, 2}), 3})}});
  CHECK(to_yaml(n) ==
        "a: 1\n"
        "b:\n"
        "- x\n"
        "- k: v\n"
        "  k2: v2\n"
        "c:\n"
        "  d: {}\n"
        "  e: []\n"
        "  f: null\n"
        "spec:\n"
        "  list:\n"
        "  - a: 1\n"
        "    b:\n"
        "      c: 2\n"
        "nested:\n"
        "- - 1\n"
        "  - 2\n"
        "- 3\n");
}

TEST_CASE("yaml top-level scalars and empty documents", "[emit][yaml]") {
  CHECK(to_yaml(node()) == "null\n");
  CHECK(to_yaml(node("x")) == "x\n");
  CHECK(to_yaml(node::mapping()) == "{}\n");
  CHECK(to_yaml(node::sequence()) == "[]\n");
  CHECK(to_yaml(node(true)) == "true\n");
  CHECK(to_yaml(node(false)) == "false\n");
  CHECK(to_yaml(node(std::numeric_limits<long long>::min())) == "-9223372036854775808\n");
}

TEST_CASE("yaml floats always read back as floats", "[emit][yaml]") {
  CHECK(to_yaml(node(1.0)) == "1.0\n");
  CHECK(to_yaml(node(-2.0)) == "-2.0\n");
  CHECK(to_yaml(node(0.1)) == "0.1\n");
  CHECK(to_yaml(node(2.5)) == "2.5\n");
  // YAML 1.1 (PyYAML) floats need a '.' before the exponent.
  CHECK(to_yaml(node(1e20)) == "1.0e+20\n");
  CHECK(to_yaml(node(1e-7)) == "1.0e-07\n");
  CHECK(to_yaml(node(std::numeric_limits<double>::infinity())) == ".inf\n");
  CHECK(to_yaml(node(-std::numeric_limits<double>::infinity())) == "-.inf\n");
  CHECK(to_yaml(node(std::nan(""))) == ".nan\n");
}

TEST_CASE("yaml strings: plain only when nothing else could be read", "[emit][yaml]") {
  CHECK(yaml_string("plain") == "plain");
  CHECK(yaml_string("app.kubernetes.io/managed-by") == "app.kubernetes.io/managed-by");
  CHECK(yaml_string("/var/local/wasm") == "/var/local/wasm");
  CHECK(yaml_string("Hello from wasmdeploy") == "Hello from wasmdeploy");
  for (const char* s : {"yes", "No", "on", "OFF", "y", "N", "true", "False", "null", "NULL"}) {
    INFO(s);
    CHECK(yaml_string(s) == std::string("'") + s + "'");
  }
  CHECK(yaml_string("~") == "'~'");
  CHECK(yaml_string("1.10") == "'1.10'");
  CHECK(yaml_string("0x1f") == "'0x1f'");
  CHECK(yaml_string("2001-12-14") == "'2001-12-14'");
  CHECK(yaml_string(".inf") == "'.inf'");
  CHECK(yaml_string("@type") == "'@type'");
  CHECK(yaml_string("") == "''");
  CHECK(yaml_string("a: b") == "'a: b'");
  CHECK(yaml_string("x #y") == "'x #y'");
  CHECK(yaml_string("x:") == "'x:'");
  CHECK(yaml_string("trail ") == "'trail '");
  CHECK(yaml_string("it's") == "'it''s'");
  CHECK(yaml_string("line\nbreak") == "\"line\\nbreak\"");
  CHECK(yaml_string("tab\there") == "\"tab\\there\"");
  CHECK(yaml_string("q\"\\") == "'q\"\\'");
  CHECK(yaml_string("q\"\\\n") == "\"q\\\"\\\\\\n\"");
  CHECK(yaml_string("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
  CHECK(yaml_string("ls\xe2\x80\xa8x") == "\"ls\\Lx\"");
  CHECK(yaml_string("ps\xe2\x80\xa9x") == "\"ps\\Px\"");
  CHECK(yaml_string("nel\xc2\x85x") == "\"nel\\Nx\"");
  CHECK(yaml_string("bom\xef\xbb\xbfx") == "\"bom\\ufeffx\"");
  CHECK(yaml_string(std::string("nul\0x", 5)) == "\"nul\\0x\"");
  CHECK(yaml_string("esc\x1bx") == "\"esc\\x1bx\"");
  CHECK(yaml_string("del\x7fx") == "\"del\\x7fx\"");
}

TEST_CASE("yaml output stays valid UTF-8 for invalid UTF-8 input", "[emit][yaml]") {
  // YAML text is Unicode, so bytes that are not UTF-8 cannot round-trip; they must at least
  // not corrupt the stream.
  for (std::string bad : {std::string("a\xff" "b"), std::string("\xc3"), std::string("\xed\xa0\x80"),
                          std::string("\xe0\x80\x80"), std::string("\xf4\x90\x80\x80")}) {
    const std::string y = to_yaml(make_mapping({{bad, bad}}));
    INFO(y);
    CHECK(is_valid_utf8(y));
    CHECK(y.front() == '"');
  }
}

TEST_CASE("yaml and json round-trip every tricky scalar through PyYAML and json", "[emit][yaml][json][roundtrip]") {
  const std::string dir = std::string(WD_SOURCE_DIR) + "/tests/unit/emit";
  const auto cases = nlohmann::json::parse(slurp(dir + "/roundtrip_cases.json"));
  node strings = node::sequence();
  node keys = node::mapping();
  long i = 0;
  for (const auto& s : cases["strings"]) {
    strings.push(s.get<std::string>());
    keys.add(s.get<std::string>(), i++);
  }
  node floats = node::sequence();
  for (const auto& f : cases["floats"]) floats.push(f.get<double>());
  node ints = node::sequence();
  for (const auto& v : cases["ints"]) ints.push(static_cast<long long>(v.get<std::int64_t>()));
  node doc = make_mapping({{"strings", strings}, {"keys", keys}, {"floats", floats}, {"ints", ints}});

  wdtest::temp_dir tmp("emit-roundtrip");
  const std::string yaml_path = tmp.str() + "/out.yaml";
  std::ofstream(yaml_path, std::ios::binary) << to_yaml(doc);
  for (bool pretty : {false, true}) {
    const std::string json_path = tmp.str() + (pretty ? "/pretty.json" : "/compact.json");
    std::ofstream(json_path, std::ios::binary) << (pretty ? to_json_pretty(doc) : to_json(doc));
    const std::string log = tmp.str() + "/check.log";
    const std::string cmd = std::string(WD_PYTHON3) + " " + dir + "/roundtrip_check.py " + dir +
                            "/roundtrip_cases.json " + yaml_path + " " + json_path + " > " + log + " 2>&1";
    const int rc = std::system(cmd.c_str());
    INFO((pretty ? "pretty JSON" : "compact JSON") << "\n" << slurp(log));
    CHECK(rc == 0);
  }
}
