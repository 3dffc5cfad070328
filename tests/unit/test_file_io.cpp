// Bounded reads of files named by inputs (src/file_io.cpp).
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/file_io.hpp>

#include "unit/helpers.hpp"

using namespace wasmdeploy;
namespace fs = std::filesystem;

TEST_CASE("read_file reads a file of exactly the bound and refuses one byte more", "[file_io]") {
  const fs::path dir = fs::temp_directory_path() / "wd-file-io-test";
  fs::create_directories(dir);
  const std::string path = (dir / "f.bin").string();
  std::ofstream(path, std::ios::binary) << std::string(1000, 'x');
  CHECK(read_file(path, 1000).size() == 1000);
  const error e = wdtest::error_of([&] { read_file(path, 999); });
  CHECK(e.code() == "file.too-large");
  CHECK(e.category() == errc::invalid);
  fs::remove_all(dir);
}

TEST_CASE("read_file stops at the bound on an endless device", "[file_io]") {
  // /dev/zero never ends: without the bound this would read until memory runs out.
  const error e = wdtest::error_of([] { read_file("/dev/zero", 1 << 20); });
  CHECK(e.code() == "file.too-large");
}

TEST_CASE("read_file names the path it cannot open", "[file_io]") {
  const error e = wdtest::error_of([] { read_file("/nonexistent/wd-file", 10); });
  CHECK(e.code() == "io.open");
  CHECK(e.message().find("/nonexistent/wd-file") != std::string::npos);
}

TEST_CASE("read_file and read_input_prefix with no practical bound read everything", "[file_io]") {
  // SIZE_MAX must not overflow the "one byte past the bound" arithmetic.
  const fs::path dir = fs::temp_directory_path() / "wd-file-io-test-unbounded";
  fs::create_directories(dir);
  const std::string path = (dir / "f.bin").string();
  std::ofstream(path, std::ios::binary) << std::string(70000, 'y');
  CHECK(read_file(path, SIZE_MAX).size() == 70000);
  CHECK(read_input_prefix(path, SIZE_MAX).size() == 70000);
  CHECK(read_input_prefix(path, 100).size() == 101);
  fs::remove_all(dir);
}
