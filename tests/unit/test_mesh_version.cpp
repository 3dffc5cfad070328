#include <catch2/catch.hpp>

#include <wasmdeploy/capabilities.hpp>
#include <wasmdeploy/error.hpp>
#include <wasmdeploy/mesh_version.hpp>

using namespace wasmdeploy;

TEST_CASE("mesh_version parses minor, x and patch forms", "[mesh_version]") {
  CHECK(mesh_version::parse("1.8").str() == "1.8");
  CHECK_FALSE(mesh_version::parse("1.8").patch_given());
  CHECK(mesh_version::parse("1.8.x").str() == "1.8");
  CHECK(mesh_version::parse("1.8.1").str() == "1.8.1");
  CHECK(mesh_version::parse("v1.31.0").rel() == release{1, 31, 0});
  CHECK(mesh_version::parse("1.31.4").rel() == release{1, 31, 4});
}

TEST_CASE("mesh_version rejects malformed and out-of-range versions", "[mesh_version]") {
  for (const char* bad : {"", "1", "1.", "one.two", "1.8.1.1", "1.8.y", "1.-1", "1.24.3-", "1.24.3-a b",
                          "1.24.3-$(x)", "-distroless"}) {
    INFO(bad);
    try {
      mesh_version::parse(bad);
      FAIL("accepted");
    } catch (const error& e) {
      CHECK(e.code() == "version.syntax");
      CHECK(e.category() == errc::version);
    }
  }
  for (const char* old : {"1.4", "1.4.9", "2.0", "0.8"}) {
    INFO(old);
    try {
      mesh_version::parse(old);
      FAIL("accepted");
    } catch (const error& e) {
      CHECK(e.code() == "version.unsupported");
      CHECK(std::string(e.what()).find("1.5 to 1.32") != std::string::npos);
    }
  }
}

TEST_CASE("mesh_version reads istiod's image tags as the controller does", "[mesh_version]") {
  // controller/internal/kube/version.go IstioVersionFromImage drops everything after '-'.
  CHECK(mesh_version::parse("1.24.3-distroless").rel() == release{1, 24, 3});
  CHECK(mesh_version::parse("1.24.3-distroless").str() == "1.24.3");
  CHECK(mesh_version::parse("1.29.1-debug").rel() == release{1, 29, 1});
  CHECK(mesh_version::parse("1.30.0-rc.1").rel() == release{1, 30, 0});
  CHECK(mesh_version::parse("v1.31.4-distroless").rel() == release{1, 31, 4});
}

TEST_CASE("mesh_version accepts minors newer than the table", "[mesh_version]") {
  CHECK_FALSE(mesh_version::parse("1.32").newer_than_known());
  const auto v = mesh_version::parse("1.33.2");
  CHECK(v.newer_than_known());
  CHECK(v.rel() == release{1, 33, 2});
  CHECK(v.effective() == release{1, 32, 9999});
  CHECK(mesh_version::parse("1.40-distroless").newer_than_known());
}
