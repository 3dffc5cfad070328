// The libyaml event layer: aliases replayed from their anchor, documents after "...", bytes that
// are not UTF-8 flagged on the scalar holding them.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "spec/yaml_events.hpp"
#include "unit/helpers.hpp"

using namespace wasmdeploy;
using detail::yaml_event;
using detail::yaml_event_reader;
using wdtest::error_of;

namespace {

// Every event as a short token: +M -M +S -S D/ /D and scalars as their text.
std::vector<std::string> tokens(const std::string& text) {
  yaml_event_reader in(text, "t.yaml", "spec.syntax");
  std::vector<std::string> out;
  for (;;) {
    const yaml_event& e = in.next();
    switch (e.type) {
      case yaml_event::kind::stream_end: return out;
      case yaml_event::kind::document_start: out.emplace_back("D/"); break;
      case yaml_event::kind::document_end: out.emplace_back("/D"); break;
      case yaml_event::kind::mapping_start: out.emplace_back("+M"); break;
      case yaml_event::kind::mapping_end: out.emplace_back("-M"); break;
      case yaml_event::kind::sequence_start: out.emplace_back("+S"); break;
      case yaml_event::kind::sequence_end: out.emplace_back("-S"); break;
      case yaml_event::kind::scalar: out.emplace_back(e.null ? "~" : std::string(e.value)); break;
    }
  }
}

using v = std::vector<std::string>;

}  // namespace

TEST_CASE("aliases replay the events of their anchor, with the anchor's positions", "[spec][yaml]") {
  CHECK(tokens("a: &x [1, {b: 2}]\nc: *x\n") ==
        v{"D/", "+M", "a", "+S", "1", "+M", "b", "2", "-M", "-S", "c", "+S", "1", "+M", "b", "2", "-M", "-S", "-M", "/D"});
  // Nested anchors and an alias inside an anchored node; a later anchor of the same name wins.
  CHECK(tokens("- &i x\n- &o [*i, y]\n- *o\n- &i z\n- *i\n") ==
        v{"D/", "+S", "x", "+S", "x", "y", "-S", "+S", "x", "y", "-S", "z", "z", "-S", "/D"});
  yaml_event_reader in("a: &x hello\nb: *x\n", "t.yaml", "spec.syntax");
  for (int i = 0; i < 5; ++i) in.next();  // D/ +M a hello b
  const yaml_event& replayed = in.next();
  CHECK(replayed.value == "hello");
  CHECK(replayed.line == 1);
  CHECK(replayed.column == 4);
}

TEST_CASE("undefined and self-containing aliases are refused", "[spec][yaml][errors]") {
  const error undefined = error_of([] { tokens("a: *nowhere\n"); });
  CHECK(undefined.code() == "spec.syntax");
  CHECK(undefined.position().line == 1);
  CHECK(undefined.position().column == 4);
  CHECK(error_of([] { tokens("a: &x [*x]\n"); }).code() == "spec.too-deep");
}

TEST_CASE("a document after '...' needs no '---'", "[spec][yaml]") {
  CHECK(tokens("a: 1\n...\nb: 2\n") == v{"D/", "+M", "a", "1", "-M", "/D", "D/", "+M", "b", "2", "-M", "/D"});
  yaml_event_reader in("a: 1\n...\n# c\nb: 2\n", "t.yaml", "spec.syntax");
  for (int i = 0; i < 7; ++i) in.next();  // D/ +M a 1 -M /D D/ +M
  CHECK(in.next().line == 4);
}

TEST_CASE("bytes that are not UTF-8 mark the scalar holding them", "[spec][yaml][utf8]") {
  yaml_event_reader in("a: ok\nb: \"x\xffy\"\n# \xfe\n", "t.yaml", "spec.syntax");
  std::vector<bool> flags;
  for (;;) {
    const yaml_event& e = in.next();
    if (e.type == yaml_event::kind::stream_end) break;
    if (e.type == yaml_event::kind::scalar) flags.push_back(e.invalid_utf8);
  }
  CHECK(flags == std::vector<bool>{false, false, false, true});
  CHECK(in.first_invalid_line() == 2);
  CHECK(in.first_invalid_column() == 6);
}

TEST_CASE("syntax errors carry the reader's code, path and position", "[spec][yaml][errors]") {
  const error e = error_of([] {
    yaml_event_reader in("{a: [1", "", "config.syntax", "--config-json");
    for (;;) {
      if (in.next().type == yaml_event::kind::stream_end) break;
    }
  });
  CHECK(e.code() == "config.syntax");
  CHECK(e.category() == errc::parse);
  CHECK(e.path() == "--config-json");
  CHECK(e.position().known());
}
