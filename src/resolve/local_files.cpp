// Local files a spec names: confined to the spec's directory (and the directories the caller
// allows), regular files only, size checked on the opened descriptor before reading.
//
// A refused path gets the same message whether or not it exists, so a spec cannot be used to
// probe the file system outside the allowed area.
#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/resolve.hpp>
#include <wasmdeploy/spec.hpp>

#include "resolve/local_files.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace wasmdeploy::resolve {
namespace {

fs::path lexical_absolute(const std::string& p) {
  std::error_code ec;
  fs::path a = fs::absolute(fs::path(p), ec);
  if (ec) a = fs::path(p);
  return a.lexically_normal();
}

bool is_within(const fs::path& file, const fs::path& root) {
  const fs::path rel = file.lexically_relative(root);
  if (rel.empty()) return false;
  auto first = rel.begin();
  return first == rel.end() || *first != "..";
}

std::string join(const std::string& base, const std::string& rel) {
  if (!rel.empty() && rel[0] == '/') return rel;
  if (base.empty() || base == ".") return rel;
  return base + "/" + rel;
}

[[noreturn]] void refuse_outside(const std::string& file, const std::string& field, const std::string& base_dir) {
  throw error(errc::invalid, "input.outside-spec-dir", field,
              fmt::format("'{}' is outside the directory of the spec ({}); wasmdeploy reads only files there unless "
                          "allowed: --allow-path DIR or --allow-outside-spec-dir (C: wd_resolve_options_allow_path, "
                          "Python: allow_paths=[...])",
                          shorten(file), base_dir));
}

}  // namespace

std::string confined_path(const std::string& base_dir, const std::string& file, const std::string& field,
                          const input_access& access) {
  const std::string joined = join(base_dir, file);
  if (access.allow_outside_spec_dir) return joined;
  std::vector<fs::path> roots{lexical_absolute(base_dir.empty() ? "." : base_dir)};
  for (const auto& a : access.allowed_paths) roots.push_back(lexical_absolute(a));
  const fs::path lexical = lexical_absolute(joined);
  auto inside = [&](const fs::path& p, bool canonical_roots) {
    for (const auto& r : roots) {
      fs::path root = r;
      if (canonical_roots) {
        std::error_code ec;
        fs::path c = fs::weakly_canonical(r, ec);
        if (!ec) root = c;
      }
      if (p == root || is_within(p, root)) return true;
    }
    return false;
  };
  // First without touching the file system, then with symlinks resolved: a link inside the
  // directory must not lead out of it.
  if (!inside(lexical, false)) refuse_outside(file, field, base_dir);
  std::error_code ec;
  fs::path real = fs::weakly_canonical(lexical, ec);
  if (ec || !inside(real, true)) refuse_outside(file, field, base_dir);
  return real.string();
}

std::string read_regular_file(const std::string& path, std::size_t max_bytes, const std::string& field,
                              const std::string& shown) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int err = errno;
    throw error(errc::io, "io.open", field, fmt::format("cannot open {}: {}", shown, std::strerror(err)));
  }
  struct closer {
    int fd;
    ~closer() { ::close(fd); }
  } guard{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    throw error(errc::io, "io.read", field, fmt::format("cannot read {}: {}", shown, std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) {
    throw error(errc::invalid, "input.is-a-directory", field, fmt::format("{} is a directory, not a file", shown));
  }
  if (!S_ISREG(st.st_mode)) {
    throw error(errc::invalid, "input.not-a-regular-file", field,
                fmt::format("{} is not a regular file (a FIFO, socket or device); give a file", shown));
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    throw error(errc::invalid, "file.too-large", field,
                fmt::format("{} is {} bytes; the limit is {}", shown, st.st_size, max_bytes));
  }
  // The file may grow between fstat and read: read at most one byte past the limit.
  std::string out;
  out.resize(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw error(errc::io, "io.read", field, fmt::format("cannot read {}: {}", shown, std::strerror(errno)));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
    if (got == out.size() && got <= max_bytes) out.resize(std::min<std::size_t>(out.size() * 2, max_bytes + 1));
  }
  if (got > max_bytes) {
    throw error(errc::invalid, "file.too-large", field, fmt::format("{} grew past the limit of {} bytes", shown, max_bytes));
  }
  out.resize(got);
  return out;
}

std::string confined_directory(const std::string& base_dir, const std::string& dir, const std::string& field,
                               const input_access& access) {
  std::string real = confined_path(base_dir, dir, field, access);
  std::error_code ec;
  if (!fs::exists(real, ec)) {
    throw error(errc::not_found, "oci.layout.missing", field, fmt::format("{} does not exist", shorten(dir)));
  }
  if (!fs::is_directory(real, ec)) {
    throw error(errc::invalid, "input.not-a-directory", field,
                fmt::format("{} is not a directory (an OCI image layout is one)", shorten(dir)));
  }
  return real;
}

}  // namespace wasmdeploy::resolve

namespace wasmdeploy {

std::string read_spec_file(const spec& s, const std::string& file, std::size_t max_bytes, const std::string& field,
                           const input_access& access) {
  const std::string real = resolve::confined_path(s.base_dir, file, field, access);
  return resolve::read_regular_file(real, max_bytes, field, shorten(file));
}

}  // namespace wasmdeploy
