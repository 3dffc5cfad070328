// The reference grammar of include/wasmdeploy/reference.hpp, written as small hand-rolled
// scanners (no regex: std::regex is slow and its backtracking can be driven exponential by a
// hostile input). Facts from distribution/reference v2.8.2 (reference.go, regexp.go) and
// RFC 3986 §3.
#include <wasmdeploy/digest.hpp>
#include <wasmdeploy/error.hpp>
#include <wasmdeploy/reference.hpp>

#include <fmt/format.h>

namespace wasmdeploy {
namespace {

constexpr std::size_t kMaxNameBytes = 255;  // distribution's NameTotalLengthMax
constexpr std::size_t kMaxTagBytes = 128;

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool is_word(char c) { return is_alnum(c) || c == '_'; }
bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

[[noreturn]] void bad_reference(const std::string& path, std::string_view text, const std::string& why) {
  throw error(errc::invalid, "module.bad-reference", path, fmt::format("'{}' is not an image reference: {}", shorten(text), why));
}
[[noreturn]] void bad_url(const std::string& path, std::string_view text, const std::string& why) {
  throw error(errc::invalid, "module.bad-url", path, fmt::format("'{}' is not a valid URL: {}", shorten(text), why));
}

// path-component := [a-z0-9]+ ( separator [a-z0-9]+ )*, separator := [_.] | "__" | "-"+
bool valid_path_component(std::string_view s) {
  std::size_t i = 0;
  auto run = [&] {
    std::size_t start = i;
    while (i < s.size() && is_lower_alnum(s[i])) ++i;
    return i > start;
  };
  if (!run()) return false;
  while (i < s.size()) {
    if (s[i] == '.') {
      ++i;
    } else if (s[i] == '_') {
      ++i;
      if (i < s.size() && s[i] == '_') ++i;
    } else if (s[i] == '-') {
      while (i < s.size() && s[i] == '-') ++i;
    } else {
      return false;
    }
    if (!run()) return false;
  }
  return true;
}

// domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool valid_domain_name(std::string_view s) {
  if (s.empty()) return false;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t dot = s.find('.', start);
    std::string_view c = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (c.empty() || !is_alnum(c.front()) || !is_alnum(c.back())) return false;
    for (char ch : c) {
      if (!is_alnum(ch) && ch != '-') return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

bool valid_ipv6_literal(std::string_view s) {  // the text between [ and ]
  if (s.empty() || s.size() > 45) return false;
  for (char c : s) {
    if (!is_hex(c) && c != ':' && c != '.') return false;
  }
  return s.find(':') != std::string_view::npos;
}

// Empty when valid, else why not.
std::string check_port(std::string_view port) {
  if (port.empty()) return "the port after ':' is empty";
  if (port.size() > 5) return fmt::format("port {} is out of range 1-65535", shorten(port, 20));
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return fmt::format("port '{}' is not a number", shorten(port, 20));
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value < 1 || value > 65535) return fmt::format("port {} is out of range 1-65535", port);
  return {};
}

// host [":" port], host a DNS name, IPv4 address or [IPv6]. Empty when valid, else why not.
std::string check_host_port(std::string_view hostport, bool allow_reg_name_chars) {
  std::string_view host = hostport, port;
  bool has_port = false;
  if (!hostport.empty() && hostport[0] == '[') {
    std::size_t close = hostport.find(']');
    if (close == std::string_view::npos) return "an IPv6 address needs a closing ']'";
    if (!valid_ipv6_literal(hostport.substr(1, close - 1))) return "the IPv6 address is malformed";
    host = hostport.substr(0, close + 1);
    std::string_view rest = hostport.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return "only ':port' may follow an IPv6 address";
      has_port = true;
      port = rest.substr(1);
    }
  } else if (std::size_t colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
    has_port = true;
  }
  if (host.empty()) return "the host is empty";
  if (host[0] != '[') {
    bool ok = valid_domain_name(host);
    if (!ok && allow_reg_name_chars) {
      // RFC 3986 reg-name: unreserved / pct-encoded / sub-delims; a DNS name is still expected.
      ok = true;
      for (std::size_t i = 0; i < host.size(); ++i) {
        char c = host[i];
        if (c == '%') {
          if (i + 2 >= host.size() || !is_hex(host[i + 1]) || !is_hex(host[i + 2])) ok = false;
          i += 2;
        } else if (!(is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~')) {
          ok = false;
        }
      }
    }
    if (!ok) return fmt::format("'{}' is not a valid host name", shorten(host, 60));
  }
  if (has_port) return check_port(port);
  return {};
}

void parse_digest(std::string_view text, std::string_view digest, const std::string& path, image_reference& out) {
  if (digest.substr(0, 7) != "sha256:" || !is_sha256_hex(digest.substr(7))) {
    throw error(errc::invalid, "module.bad-digest", path,
                fmt::format("'{}' must be followed by sha256:<64 lowercase hex> after '@' (the only digest "
                            "algorithm Istio and registries agree on)",
                            shorten(text)));
  }
  out.digest = std::string(digest);
}

}  // namespace

std::string image_reference::str() const {
  std::string s = registry + "/" + repository;
  if (!tag.empty()) s += ":" + tag;
  if (!digest.empty()) s += "@" + digest;
  return s;
}

std::string image_reference::pinned(const std::string& manifest_digest) const {
  return registry + "/" + repository + "@" + (manifest_digest.empty() ? digest : manifest_digest);
}

std::string image_reference::tag_or_digest() const {
  if (!tag.empty()) return tag;
  if (!digest.empty()) return digest;
  return "latest";
}

image_reference parse_image_reference(std::string_view text, const std::string& path) {
  image_reference out;
  std::string_view rest = text;
  if (std::size_t at = rest.find('@'); at != std::string_view::npos) {
    parse_digest(text, rest.substr(at + 1), path, out);
    rest = rest.substr(0, at);
  }
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    bad_reference(path, text, "it needs a registry and a repository (registry/repo:tag)");
  }
  std::string_view name = rest;
  if (std::size_t colon = rest.rfind(':'); colon != std::string_view::npos && colon > slash) {
    std::string_view tag = rest.substr(colon + 1);
    name = rest.substr(0, colon);
    if (tag.empty()) bad_reference(path, text, "the tag after ':' is empty");
    if (tag.size() > kMaxTagBytes) bad_reference(path, text, "the tag is longer than 128 characters");
    if (!is_word(tag[0])) bad_reference(path, text, fmt::format("tag '{}' must start with a letter, digit or '_'", shorten(tag, 40)));
    for (char c : tag) {
      if (!is_word(c) && c != '.' && c != '-') {
        bad_reference(path, text, fmt::format("tag '{}' may hold only letters, digits, '_', '.' and '-'", shorten(tag, 40)));
      }
    }
    out.tag = std::string(tag);
  }
  if (name.size() > kMaxNameBytes) bad_reference(path, text, "the name is longer than 255 characters");
  const std::string_view registry = name.substr(0, slash);
  if (std::string why = check_host_port(registry, false); !why.empty()) {
    bad_reference(path, text, fmt::format("registry '{}': {}", shorten(registry, 60), why));
  }
  std::string_view repo = name.substr(slash + 1);
  if (repo.empty()) bad_reference(path, text, "the repository is empty");
  std::size_t start = 0;
  while (true) {
    std::size_t next = repo.find('/', start);
    std::string_view component = repo.substr(start, next == std::string_view::npos ? std::string_view::npos : next - start);
    if (!valid_path_component(component)) {
      bad_reference(path, text,
                    component.empty()
                        ? std::string("the repository has an empty path component ('//' or a trailing '/')")
                        : fmt::format("repository '{}' must be lowercase letters and digits, separated by '.', '_', "
                                      "'__' or '-' within a component and '/' between components",
                                      shorten(repo, 60)));
    }
    if (next == std::string_view::npos) break;
    start = next + 1;
  }
  out.registry = std::string(registry);
  out.repository = std::string(repo);
  return out;
}

image_reference parse_oci_url(std::string_view text, const std::string& path) {
  if (text.substr(0, 6) == "oci://") text.remove_prefix(6);
  return parse_image_reference(text, path);
}

void check_http_url(std::string_view url, const std::string& path) {
  std::size_t sep = url.find("://");
  if (sep == std::string_view::npos) bad_url(path, url, "it has no scheme");
  std::string_view rest = url.substr(sep + 3);
  std::size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  if (authority.empty()) bad_url(path, url, "it has no host");
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    bad_url(path, url, "credentials in the URL would be written into the manifests; use a pull secret instead");
  }
  if (std::string why = check_host_port(authority, true); !why.empty()) bad_url(path, url, why);
  // path-abempty, query, fragment: pchar / "/" / "?" (fragment and query), pct-encoded checked.
  bool in_fragment = false;
  for (std::size_t i = 0; i < tail.size(); ++i) {
    const char c = tail[i];
    if (c == '%') {
      if (i + 2 >= tail.size() || !is_hex(tail[i + 1]) || !is_hex(tail[i + 2])) {
        bad_url(path, url, "'%' must start a percent-encoded byte (%XX)");
      }
      i += 2;
      continue;
    }
    if (c == '#') {
      if (in_fragment) bad_url(path, url, "a second '#' is not allowed");
      in_fragment = true;
      continue;
    }
    static constexpr std::string_view kAllowed = "-._~!$&'()*+,;=:@/?";
    if (!is_alnum(c) && kAllowed.find(c) == std::string_view::npos) {
      const auto byte = static_cast<unsigned char>(c);
      // A byte of a multi-byte character is not printable alone (and would make the message
      // invalid UTF-8): name the rule instead.
      bad_url(path, url,
              byte <= 0x20   ? std::string("it contains a space or control character; percent-encode it")
              : byte >= 0x7f ? std::string("it contains a non-ASCII character; percent-encode its UTF-8 bytes (%XX)")
                             : fmt::format("character '{}' must be percent-encoded", c));
    }
  }
}

}  // namespace wasmdeploy
