#include <wasmdeploy/error.hpp>
#include <wasmdeploy/mesh_version.hpp>

#include <charconv>

#include <fmt/format.h>

namespace wasmdeploy {
namespace {

bool parse_int(std::string_view s, int& out) {
  if (s.empty() || s.size() > 4) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

enum class parse_status { ok, syntax, range };

parse_status parse_impl(std::string_view text, mesh_version& out) {
  std::string_view s = text;
  if (!s.empty() && (s.front() == 'v' || s.front() == 'V')) s.remove_prefix(1);
  std::string_view parts[3];
  int n = 0;
  while (n < 3) {
    auto dot = s.find('.');
    parts[n++] = s.substr(0, dot);
    if (dot == std::string_view::npos) {
      s = {};
      break;
    }
    s.remove_prefix(dot + 1);
    if (n == 3) return parse_status::syntax;  // a fourth component
  }
  if (n < 2) return parse_status::syntax;
  release r;
  if (!parse_int(parts[0], r.major) || !parse_int(parts[1], r.minor)) return parse_status::syntax;
  bool patch_given = false;
  if (n == 3) {
    if (parts[2] == "x" || parts[2] == "X" || parts[2] == "*") {
      patch_given = false;
    } else if (parse_int(parts[2], r.patch)) {
      patch_given = true;
    } else {
      return parse_status::syntax;
    }
  }
  out = mesh_version(r, patch_given);
  release floor = r;
  floor.patch = 0;
  if (floor < mesh_version::oldest_supported() || floor > mesh_version::newest_supported()) {
    return parse_status::range;
  }
  return parse_status::ok;
}

}  // namespace

std::string release::str(bool short_form) const {
  if (short_form && patch == 0) return fmt::format("{}.{}", major, minor);
  return fmt::format("{}.{}.{}", major, minor, patch);
}

std::string mesh_version::str() const {
  return patch_given_ ? release_.str() : fmt::format("{}.{}", release_.major, release_.minor);
}

mesh_version mesh_version::parse(std::string_view text) {
  mesh_version v;
  switch (parse_impl(text, v)) {
    case parse_status::ok:
      return v;
    case parse_status::syntax:
      throw error(errc::version, "version.syntax", "istio",
                  fmt::format("'{}' is not an Istio version; write 1.N, 1.N.x or 1.N.P (e.g. 1.8.1)", shorten(text)));
    case parse_status::range:
      break;
  }
  throw error(errc::version, "version.unsupported", "istio",
              fmt::format("Istio {} is outside the supported range {} to {}", shorten(text),
                          oldest_supported().str(true), newest_supported().str(true)));
}

std::optional<mesh_version> mesh_version::try_parse(std::string_view text) noexcept {
  mesh_version v;
  if (parse_impl(text, v) != parse_status::ok) return std::nullopt;
  return v;
}

}  // namespace wasmdeploy
