#include "config_json.hpp"

#include <nlohmann/json.hpp>

#include <wasmdeploy/error.hpp>

namespace wasmdeploy::capi {
namespace {

using json = nlohmann::ordered_json;

node convert(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return node();
    case json::value_t::boolean: return node(j.get<bool>());
    case json::value_t::number_integer: return node(static_cast<long long>(j.get<std::int64_t>()));
    case json::value_t::number_unsigned: {
      auto u = j.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(INT64_MAX)) return node(static_cast<double>(u));
      return node(static_cast<long long>(u));
    }
    case json::value_t::number_float: return node(j.get<double>());
    case json::value_t::string: return node(j.get<std::string>());
    case json::value_t::array: {
      node seq = node::sequence();
      for (const auto& item : j) seq.push(convert(item));
      return seq;
    }
    case json::value_t::object: {
      node map = node::mapping();
      for (const auto& [k, v] : j.items()) map.add(k, convert(v));
      return map;
    }
    default: return node();
  }
}

}  // namespace

node node_from_json(std::string_view text, const std::string& path) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    throw error(errc::parse, "config.json-syntax", path, "config is not valid JSON");
  return convert(j);
}

}  // namespace wasmdeploy::capi
