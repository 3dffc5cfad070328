#include <catch2/catch.hpp>

#include <wasmdeploy/digest.hpp>

#include "oci/tar_gzip.hpp"
#include "unit/oci/oci_test_support.hpp"

using namespace wasmdeploy;

namespace {

std::string field(const std::string& tar, std::size_t off, std::size_t len) {
  std::string f = tar.substr(off, len);
  return f.substr(0, f.find('\0'));
}

}  // namespace

TEST_CASE("write_tar is deterministic and carries no host detail", "[oci][tar]") {
  std::string module = oci_test::tiny_module();
  std::string a = oci::write_tar({{"plugin.wasm", module}, {"runtime-config.json", "{}"}});
  std::string b = oci::write_tar({{"plugin.wasm", module}, {"runtime-config.json", "{}"}});
  REQUIRE(a == b);
  REQUIRE(a.size() % 10240 == 0);

  // ustar header of the first member (POSIX.1-1988 offsets).
  CHECK(field(a, 0, 100) == "plugin.wasm");
  CHECK(field(a, 100, 8) == "000644 ");
  CHECK(field(a, 108, 8) == "000000 ");        // uid
  CHECK(field(a, 116, 8) == "000000 ");        // gid
  CHECK(field(a, 136, 12) == "00000000000 ");  // mtime
  CHECK(a[156] == '0');                        // regular file
  CHECK(field(a, 257, 6) == "ustar");
  CHECK(field(a, 265, 32).empty());  // uname
  CHECK(field(a, 297, 32).empty());  // gname
  CHECK(a.substr(512, module.size()) == module);
  // The second member follows the padded first one; no pax headers in between.
  CHECK(field(a, 1024, 100) == "runtime-config.json");
}

TEST_CASE("gzip_compress writes a fixed header and round-trips", "[oci][gzip]") {
  std::string data = oci::write_tar({{"plugin.wasm", oci_test::tiny_module()}});
  std::string gz = oci::gzip_compress(data);
  REQUIRE(gz == oci::gzip_compress(data));
  REQUIRE(gz.size() > 18);
  CHECK(static_cast<unsigned char>(gz[0]) == 0x1f);
  CHECK(static_cast<unsigned char>(gz[1]) == 0x8b);
  CHECK(gz[2] == 8);                                // deflate
  CHECK(gz[3] == 0);                                // no FNAME/FCOMMENT/FEXTRA/FHCRC
  CHECK(gz.substr(4, 4) == std::string(4, '\0'));   // mtime 0
  CHECK(static_cast<unsigned char>(gz[8]) == 2);    // XFL: maximum compression
  CHECK(static_cast<unsigned char>(gz[9]) == 255);  // OS unknown
  CHECK(oci::gzip_decompress(gz, 1 << 20) == data);
  CHECK(oci_test::error_code_of([&] { oci::gzip_decompress(gz, 10); }) == "oci.layer.gzip");
  CHECK(oci_test::error_code_of([&] {
          oci::gzip_decompress(gz.substr(0, gz.size() / 2), 1 << 20);
        }) == "oci.layer.gzip");
}

TEST_CASE("gzip output is pinned (detects a deflate that would change image digests)",
          "[oci][gzip]") {
  // If this fails, zlib's deflate output changed: images built on this machine no longer match
  // images built elsewhere. Investigate before updating the value.
  std::string gz = oci::gzip_compress(oci::write_tar({{"plugin.wasm", oci_test::tiny_module()}}));
  CHECK(sha256_hex(gz) == "4b56feaa24dc7fc6a433f5bc744de252d2fcb086c450b3bbbbaa731a9f5bd610");
}

TEST_CASE("find_in_tar matches by basename, in plain and gzip archives", "[oci][tar]") {
  std::string module = oci_test::tiny_module();
  std::string tar = oci::write_tar({{"README", "x"}, {"./plugin.wasm", module}});
  CHECK(oci::find_in_tar(tar, "plugin.wasm", 1 << 20) == module);
  CHECK(oci::find_in_tar(oci::gzip_compress(tar), "plugin.wasm", 1 << 20) == module);
  CHECK_FALSE(oci::find_in_tar(tar, "filter.wasm", 1 << 20).has_value());
  CHECK(oci_test::error_code_of([&] { oci::find_in_tar(tar, "plugin.wasm", 4); }) ==
        "oci.module.too-large");
  CHECK(oci_test::error_code_of([&] {
          oci::find_in_tar("not a tar at all, really not", "plugin.wasm", 100);
        }) == "oci.layer.tar");
}
