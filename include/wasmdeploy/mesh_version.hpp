// Istio release numbers: parsing, comparison and the supported range.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wasmdeploy {

/// A release such as 1.8.1. Used both for user input and for the rows of the capability table.
struct release {
  int major = 1;
  int minor = 0;
  int patch = 0;

  friend bool operator==(const release& a, const release& b) {
    return a.major == b.major && a.minor == b.minor && a.patch == b.patch;
  }
  friend bool operator!=(const release& a, const release& b) { return !(a == b); }
  friend bool operator<(const release& a, const release& b) {
    if (a.major != b.major) return a.major < b.major;
    if (a.minor != b.minor) return a.minor < b.minor;
    return a.patch < b.patch;
  }
  friend bool operator<=(const release& a, const release& b) { return !(b < a); }
  friend bool operator>(const release& a, const release& b) { return b < a; }
  friend bool operator>=(const release& a, const release& b) { return !(a < b); }

  /// "1.8" when patch is 0 and `short_form` is set, else "1.8.1".
  std::string str(bool short_form = false) const;
};

/// The Istio version a render targets.
///
/// Accepts "1.8", "1.8.x" (any patch) and "1.8.1" (optionally with a leading "v"), and istiod's
/// image tags: a '-' suffix ("1.24.3-distroless", "1.30.0-rc.1", "1.29.1-debug") is dropped, as
/// the controller reads istiod's tag. When the patch is not given, rules that change inside a
/// minor line (such as canonical filter-name matching, first in 1.7.1) are decided for the
/// earliest patch, so the output works on every patch of that minor.
///
/// A 1.x minor newer than the capability table knows (newest_supported()) is accepted: its rules
/// are the newest known ones (effective()), and renders carry the `version.newer-than-known`
/// warning, so a pipeline keeps working across an Istio upgrade (`--strict` refuses it).
class mesh_version {
 public:
  mesh_version() = default;
  explicit mesh_version(release r, bool patch_given = true) : release_(r), patch_given_(patch_given) {}

  /// Parses and range-checks. Throws wasmdeploy::error (code `version.syntax` or
  /// `version.unsupported`) naming the supported range. Older than oldest_supported() and
  /// majors other than 1 are unsupported; newer 1.x minors are accepted (newer_than_known()).
  static mesh_version parse(std::string_view text);
  /// Same as parse() but returns nothing instead of throwing on a bad string.
  static std::optional<mesh_version> try_parse(std::string_view text) noexcept;

  const release& rel() const noexcept { return release_; }
  int minor() const noexcept { return release_.minor; }
  bool patch_given() const noexcept { return patch_given_; }
  /// The release rules are evaluated at (patch 0 when none was given); for a minor newer than
  /// the table, the last patch of the newest known minor.
  release effective() const noexcept;
  /// A 1.x minor newer than the capability table's newest reviewed release.
  bool newer_than_known() const noexcept;
  /// "1.8.1", or "1.8" when no patch was given.
  std::string str() const;

  static release oldest_supported() noexcept { return {1, 5, 0}; }
  /// The newest minor whose sources the capability table was checked against
  /// (newest_reviewed_release() in capabilities.hpp).
  static release newest_supported() noexcept;

 private:
  release release_ = newest_supported();
  bool patch_given_ = false;
};

}  // namespace wasmdeploy
