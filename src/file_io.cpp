#include <wasmdeploy/error.hpp>
#include <wasmdeploy/file_io.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

namespace wasmdeploy {

std::string read_input_prefix(const std::string& path, std::size_t max_bytes) {
  const bool in = path == "-";
  std::FILE* f = in ? stdin : std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    throw error(errc::io, "io.open", "", fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  }
  std::string out;
  char buf[1 << 16];
  size_t n;
  while (out.size() <= max_bytes && (n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  bool failed = std::ferror(f) != 0;
  const int read_errno = errno;
  if (!in) std::fclose(f);
  if (failed && read_errno == EISDIR) {
    // fopen() opens a directory; only reading it fails. Say what was given.
    throw error(errc::io, "io.read", "",
                fmt::format("{} is a directory, not a file (an OCI image layout directory is read by `inspect` "
                            "and `render --image-layout`)", path));
  }
  if (failed) throw error(errc::io, "io.read", "", fmt::format("cannot read {}: {}", path, std::strerror(read_errno)));
  if (!out.empty() && out.size() - 1 > max_bytes) out.resize(max_bytes + 1);  // no overflow at SIZE_MAX
  return out;
}

std::string read_file(const std::string& path, std::size_t max_bytes) {
  std::string out = read_input_prefix(path == "-" ? "./-" : path, max_bytes);
  if (out.size() > max_bytes) {
    throw error(errc::invalid, "file.too-large", "", fmt::format("{} is larger than {} bytes", path, max_bytes));
  }
  return out;
}

void write_file_atomic(const std::string& path, std::string_view contents) {
  // The temporary name is predictable, so someone else may have put a file or a symlink there
  // first: create it exclusively (never open through a link), trying further names if taken.
  std::string tmp;
  int fd = -1;
  for (unsigned attempt = 0; fd < 0; ++attempt) {
    // A name near the file system's 255-byte limit leaves no room for the suffix: shorten it.
    const std::size_t slash = path.rfind('/');
    const std::size_t base = slash == std::string::npos ? 0 : slash + 1;
    tmp = fmt::format("{}.tmp-{}-{}", path.substr(0, base + std::min<std::size_t>(path.size() - base, 200)),
                      static_cast<long>(::getpid()), attempt);
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && (errno != EEXIST || attempt >= 100)) {
      throw error(errc::io, "io.write", "", fmt::format("cannot create {}: {}", tmp, std::strerror(errno)));
    }
  }
  const char* p = contents.data();
  size_t left = contents.size();
  while (left > 0) {
    ssize_t w = ::write(fd, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw error(errc::io, "io.write", "", fmt::format("cannot write {}: {}", tmp, std::strerror(saved)));
    }
    p += w;
    left -= static_cast<size_t>(w);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw error(errc::io, "io.write", "", fmt::format("cannot flush {}", tmp));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int saved = errno;
    ::unlink(tmp.c_str());
    throw error(errc::io, "io.write", "", fmt::format("cannot rename to {}: {}", path, std::strerror(saved)));
  }
}

void replace_directory(const std::string& staging, const std::string& target) {
  if (::rename(staging.c_str(), target.c_str()) == 0) return;  // no target, or an empty one
  const int first = errno;
  if (first != ENOTEMPTY && first != EEXIST) {
    throw error(errc::io, "io.write", "", fmt::format("cannot rename {} to {}: {}", staging, target, std::strerror(first)));
  }
  if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0) {
    const int err = errno;
    if (err != EINVAL && err != ENOSYS) {
      throw error(errc::io, "io.write", "", fmt::format("cannot replace {} atomically: {}", target, std::strerror(err)));
    }
    // A file system without the exchange: move the old directory aside first. A kill between
    // the two renames leaves it at `aside`, complete.
    const std::string aside = staging + ".old";
    if (::rename(target.c_str(), aside.c_str()) != 0) {
      throw error(errc::io, "io.write", "", fmt::format("cannot move {} aside: {}", target, std::strerror(errno)));
    }
    if (::rename(staging.c_str(), target.c_str()) != 0) {
      const int saved = errno;
      ::rename(aside.c_str(), target.c_str());
      throw error(errc::io, "io.write", "", fmt::format("cannot rename {} to {}: {}", staging, target, std::strerror(saved)));
    }
    std::error_code ec;
    std::filesystem::remove_all(aside, ec);
    return;
  }
  // `staging` now holds the previous contents.
  std::error_code ec;
  std::filesystem::remove_all(staging, ec);
}

}  // namespace wasmdeploy
