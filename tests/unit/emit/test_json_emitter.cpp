// JSON emitters: compact and pretty layout, escapes, numbers.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include <wasmdeploy/node.hpp>

using namespace wasmdeploy;

namespace {

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

}  // namespace

TEST_CASE("compact json keeps insertion order and has no spaces", "[emit][json]") {
  node n = make_mapping({{"z", make_sequence({1, 2.5, "x\"y"})},
                         {"a", node::mapping()},
                         {"c", node::sequence()},
                         {"d", nullptr},
                         {"e", true}});
  CHECK(to_json(n) == R"({"z":[1,2.5,"x\"y"],"a":{},"c":[],"d":null,"e":true})");
}

TEST_CASE("pretty json layout", "[emit][json]") {
  node n = make_mapping({{"a", make_sequence({1, make_mapping({{"b", false}})})}, {"e", node::mapping()}, {"f", node::sequence()}});
  CHECK(to_json_pretty(n) ==
        "{\n"
        "  \"a\": [\n"
        "    1,\n"
        "    {\n"
        "      \"b\": false\n"
        "    }\n"
        "  ],\n"
        "  \"e\": {},\n"
        "  \"f\": []\n"
        "}\n");
  CHECK(to_json_pretty(node::mapping()) == "{}\n");
}

TEST_CASE("json string escapes", "[emit][json]") {
  CHECK(to_json(node("q\"b\\s/")) == R"("q\"b\\s/")");
  CHECK(to_json(node("\b\f\n\r\t")) == R"("\b\f\n\r\t")");
  CHECK(to_json(node(std::string("\x01\x1f\0", 3))) == R"("\u0001\u001f\u0000")");
  CHECK(to_json(node("del\x7f")) == "\"del\x7f\"");
  // Valid UTF-8 passes through, U+2028 included (legal in JSON).
  CHECK(to_json(node("caf\xc3\xa9 \xe2\x80\xa8")) == "\"caf\xc3\xa9 \xe2\x80\xa8\"");
  CHECK(to_json(make_mapping({{"k\"", 1}})) == R"({"k\"":1})");
}

TEST_CASE("json output stays valid UTF-8 for invalid UTF-8 input", "[emit][json]") {
  for (std::string bad : {std::string("a\xff" "b"), std::string("\xc3"), std::string("\xed\xa0\x80")}) {
    const std::string j = to_json(make_mapping({{bad, bad}}));
    INFO(j);
    CHECK(is_valid_utf8(j));
  }
}

TEST_CASE("json numbers", "[emit][json]") {
  CHECK(to_json(node(1.0)) == "1.0");
  CHECK(to_json(node(-0.5)) == "-0.5");
  CHECK(to_json(node(1e20)) == "1.0e+20");
  CHECK(to_json(node(std::numeric_limits<long long>::min())) == "-9223372036854775808");
  // JSON has no NaN or infinity.
  CHECK(to_json(node(std::nan(""))) == "null");
  CHECK(to_json(node(std::numeric_limits<double>::infinity())) == "null");
}
