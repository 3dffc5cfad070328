# Every dependency comes from the distribution (see scripts/setup.sh); nothing is downloaded at build time.
find_package(LibYAML REQUIRED)  # cmake/FindLibYAML.cmake
find_package(nlohmann_json 3.10 REQUIRED)
find_package(fmt REQUIRED)
find_package(Protobuf REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
# OCI image layouts: tar through libarchive, gzip through zlib (src/oci/).
find_package(LibArchive REQUIRED)
# The registry client (src/resolve/): Debian libcurl4-openssl-dev.
find_package(CURL REQUIRED)
find_package(ZLIB REQUIRED)
find_package(CLI11 CONFIG QUIET)
if(NOT CLI11_FOUND)
  find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
  target_include_directories(CLI11::CLI11 INTERFACE ${CLI11_INCLUDE_DIR})
endif()
