#include <wasmdeploy/capabilities.hpp>
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

// istiod's image tags carry a variant or pre-release after '-': 1.24.3-distroless, 1.29.1-debug,
// 1.30.0-rc.1, 1.31.0-alpha.0 (istio/istio tools/istio-docker.mk VARIANT; release tags). Like
// controller/internal/kube/version.go IstioVersionFromImage, the rules are those of the release
// before the '-'.
bool tag_suffix(std::string_view suffix) {
  if (suffix.empty() || suffix.size() > 64) return false;
  for (char c : suffix) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

parse_status parse_impl(std::string_view text, mesh_version& out) {
  std::string_view s = text;
  if (!s.empty() && (s.front() == 'v' || s.front() == 'V')) s.remove_prefix(1);
  if (auto dash = s.find('-'); dash != std::string_view::npos) {
    if (!tag_suffix(s.substr(dash + 1))) return parse_status::syntax;
    s = s.substr(0, dash);
  }
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
  // Newer 1.x minors are accepted (newer_than_known); another major is a different product.
  if (floor < mesh_version::oldest_supported() || r.major != mesh_version::oldest_supported().major) {
    return parse_status::range;
  }
  return parse_status::ok;
}

}  // namespace

std::string release::str(bool short_form) const {
  if (short_form && patch == 0) return fmt::format("{}.{}", major, minor);
  return fmt::format("{}.{}.{}", major, minor, patch);
}

release mesh_version::newest_supported() noexcept { return newest_reviewed_release().at; }

bool mesh_version::newer_than_known() const noexcept {
  const release newest = newest_supported();
  return release_.major == newest.major && release_.minor > newest.minor;
}

release mesh_version::effective() const noexcept {
  if (!newer_than_known()) return release_;
  // Every patch of the newest known minor: a rule first in a later patch of it applies too.
  release newest = newest_supported();
  newest.patch = 9999;
  return newest;
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
                  fmt::format("'{}' is not an Istio version; write 1.N, 1.N.x, 1.N.P or istiod's image tag "
                              "(e.g. 1.8.1, 1.24.3-distroless)",
                              shorten(text)));
    case parse_status::range:
      break;
  }
  throw error(errc::version, "version.unsupported", "istio",
              fmt::format("Istio {} is outside the supported range {} to {} (newer 1.x minors render with "
                          "{}'s rules)",
                          shorten(text), oldest_supported().str(true), newest_supported().str(true),
                          newest_supported().str(true)));
}

std::optional<mesh_version> mesh_version::try_parse(std::string_view text) noexcept {
  mesh_version v;
  if (parse_impl(text, v) != parse_status::ok) return std::nullopt;
  return v;
}

}  // namespace wasmdeploy
