// The compact set behind name-collision and one-patch-per-workload checks.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "plan/key_index.hpp"

using wasmdeploy::detail::key_index;
using wasmdeploy::detail::key_ref;

TEST_CASE("key_index finds exactly the keys inserted before", "[plan][key_index]") {
  std::vector<std::string> keys;
  for (int i = 0; i < 20000; ++i) keys.push_back("EnvoyFilter/ns/app-" + std::to_string(i) + "-v1-f");
  key_index index;
  auto key_of = [&](const key_ref& r) -> const std::string& { return keys[r.c]; };
  key_ref found;
  for (std::uint32_t i = 0; i < keys.size(); ++i) {
    CHECK_FALSE(index.find_or_insert(keys[i], key_ref{0, 0, i}, found, key_of));
  }
  CHECK(index.size() == keys.size());
  for (std::uint32_t i = 0; i < keys.size(); i += 997) {
    const std::string again = keys[i];  // an equal string at another address
    REQUIRE(index.find_or_insert(again, key_ref{1, 1, 1}, found, key_of));
    CHECK(found.c == i);
  }
  CHECK(index.size() == keys.size());
  CHECK_FALSE(index.find_or_insert("EnvoyFilter/ns/app-20000-v1-f", key_ref{0, 0, 0}, found, key_of));
}

TEST_CASE("key_index tells apart keys whose hashes match", "[plan][key_index]") {
  // key_of decides equality: with every stored key rebuilt as something else, nothing matches
  // even though the hashes do.
  key_index index;
  key_ref found;
  const std::string other = "not the key";
  auto wrong = [&](const key_ref&) -> const std::string& { return other; };
  CHECK_FALSE(index.find_or_insert("k", key_ref{0, 0, 1}, found, wrong));
  CHECK_FALSE(index.find_or_insert("k", key_ref{0, 0, 2}, found, wrong));
  CHECK(index.size() == 2);
}
