// src/host/abi_functions.cpp: the serialised header-pair format crosses the guest boundary in
// both directions; malformed guest bytes are SerializationFailure, never an over-read.
#include <catch2/catch.hpp>

#include <string>

#include "host/vm.hpp"

using namespace wasmdeploy;

TEST_CASE("header pairs round-trip in the proxy-wasm layout", "[host]") {
  const header_list pairs{{":path", "/"}, {"x-a", ""}, {"k", std::string("v\0w", 3)}};
  const std::string bytes = host::serialize_pairs(pairs);
  // count, then (key len, value len) pairs, then NUL-terminated keys and values
  CHECK(bytes.substr(0, 4) == std::string("\x03\0\0\0", 4));
  CHECK(bytes.substr(4, 8) == std::string("\x05\0\0\0\x01\0\0\0", 8));
  CHECK(host::deserialize_pairs(bytes) == pairs);
  CHECK(host::deserialize_pairs("").empty());
}

TEST_CASE("malformed header pairs are a serialization failure", "[host]") {
  const auto fails = [](const std::string& b) {
    try {
      host::deserialize_pairs(b);
      return false;
    } catch (const host::status_error& e) {
      return e.code == host::status::serialization_failure;
    }
  };
  CHECK(fails(std::string("\x01\0\0", 3)));                              // short count
  CHECK(fails(std::string("\xff\xff\xff\xff", 4)));                      // count beyond the data
  CHECK(fails(std::string("\x01\0\0\0\xff\xff\xff\x7f\0\0\0\0", 12)));  // key length beyond the data
  CHECK(fails(std::string("\x01\0\0\0\x01\0\0\0\x01\0\0\0a\0", 14)));    // value missing
}
