// The one reference grammar: distribution's reference grammar for images, RFC 3986 for URLs.
#include <catch2/catch.hpp>

#include <wasmdeploy/reference.hpp>

#include "unit/helpers.hpp"

using namespace wasmdeploy;
using wdtest::contains;
using wdtest::error_of;

namespace {

std::string code_of(const std::string& text) {
  return error_of([&] { parse_oci_url(text, "REFERENCE"); }).code();
}

}  // namespace

TEST_CASE("image references: what the grammar accepts", "[resolve][reference]") {
  auto r = parse_oci_url("oci://127.0.0.1:5000/ceposta/demo-add-header:v0.2", "p");
  CHECK(r.registry == "127.0.0.1:5000");
  CHECK(r.repository == "ceposta/demo-add-header");
  CHECK(r.tag == "v0.2");
  CHECK(r.digest.empty());
  CHECK(r.str() == "127.0.0.1:5000/ceposta/demo-add-header:v0.2");
  const std::string d = "sha256:" + std::string(64, 'a');
  CHECK(r.pinned(d) == "127.0.0.1:5000/ceposta/demo-add-header@" + d);
  for (const char* ok : {"ghcr.io/a/b", "ghcr.io/a__b/c-d/e.f_g:V_1.2-x", "localhost/a:latest", "[::1]:5000/a/b:t",
                         "my-registry.example.com:443/a/b:_x", "ghcr.io/a---b/c:v"}) {
    INFO(ok);
    CHECK_NOTHROW(parse_image_reference(ok, "p"));
  }
  auto both = parse_image_reference("ghcr.io/a/b:v1@" + d, "p");
  CHECK(both.tag == "v1");
  CHECK(both.digest == d);
  CHECK(both.tag_or_digest() == "v1");
  CHECK(parse_image_reference("ghcr.io/a/b", "p").tag_or_digest() == "latest");
  CHECK(parse_image_reference(std::string("ghcr.io/a/b:") + std::string(128, 't'), "p").tag.size() == 128);
}

TEST_CASE("image references: what the grammar refuses, with the reason", "[resolve][reference][errors]") {
  for (const char* bad : {"oci://ghcr.io/acme/filter:v1 ", "oci://ghcr.io/acme/filter:-bad", "oci://ghcr.io/acme/filter:v 1",
                          "oci://ghcr.io/acme/fil\tter:v1", "oci://ghcr.io/acme//filter", "oci://ghcr.io/acme/filter/",
                          "oci://registry.example.com:99999/acme/filter:v1", "oci://registry.example.com:0/a/b",
                          "oci://registry.example.com:/a/b", "oci://registry.example.com:50x/a/b", "oci://-bad.io/a/b",
                          "oci://ghcr.io/a_/b", "oci://ghcr.io/.a/b", "oci://ghcr.io/a/b:", "oci://ghcr..io/a/b",
                          "oci://[zz]:5000/a/b", "oci:///a", "oci://ghcr.io/A/b", "oci://ghcr.io/a/b:v1:v2"}) {
    INFO(bad);
    CHECK(code_of(bad) == "module.bad-reference");
  }
  CHECK(contains(error_of([] { parse_oci_url("oci://r.io:99999/a/b", "p"); }).message(), "out of range 1-65535"));
  CHECK(contains(error_of([] { parse_oci_url("oci://r.io/a//b", "p"); }).message(), "empty path component"));
  CHECK(contains(error_of([] { parse_oci_url("oci://r.io/a/b:-x", "p"); }).message(), "must start with"));
  CHECK(code_of(std::string("oci://ghcr.io/a/b:") + std::string(129, 't')) == "module.bad-reference");
  CHECK(code_of("oci://ghcr.io/" + std::string(260, 'a')) == "module.bad-reference");
  CHECK(code_of("oci://ghcr.io/a/b@sha256:abc") == "module.bad-digest");
  CHECK(code_of("oci://ghcr.io/a/b@sha512:" + std::string(128, 'a')) == "module.bad-digest");
  const error e = error_of([] { parse_oci_url("oci://ghcr.io/a/b:v 1", "filters[0].module"); });
  CHECK(e.path() == "filters[0].module");
  CHECK(e.category() == errc::invalid);
}

TEST_CASE("http(s) URLs follow RFC 3986", "[resolve][reference][url]") {
  for (const char* ok : {"https://example.com/f.wasm", "https://example.com:8443/a/b.wasm?x=1&y=%20#frag",
                         "http://127.0.0.1:8080/f.wasm", "https://[::1]/f.wasm", "https://example.com"}) {
    INFO(ok);
    CHECK_NOTHROW(check_http_url(ok, "p"));
  }
  for (const char* bad : {"https://exa mple.com/f.wasm", "https://example.com/my filter.wasm", "https://",
                          "https:///f.wasm", "https://example.com:99999/f", "https://example.com:/f",
                          "https://example.com/%zz", "https://example.com/%2", "https://user:pw@example.com/f",
                          "https://example.com/a#b#c", "https://example.com/a\"b", "https://ex\tample.com/"}) {
    INFO(bad);
    CHECK(error_of([&] { check_http_url(bad, "p"); }).code() == "module.bad-url");
  }
}

TEST_CASE("a URL with a non-ASCII character is refused with a message that is valid UTF-8", "[resolve][reference][url]") {
  // The message once quoted one byte of the character, which Python could not decode.
  const error e = error_of([&] { check_http_url("https://example.com/1_000 =\xe2\x80\xae", "p"); });
  CHECK(e.code() == "module.bad-url");
  const error e2 = error_of([&] { check_http_url("https://example.com/caf\xc3\xa9.wasm", "p"); });
  CHECK(e2.code() == "module.bad-url");
  CHECK(contains(e2.message(), "non-ASCII"));
  const std::string m = e2.message();
  CHECK(m.find("'\xc3'") == std::string::npos);
}
