#include <wasmdeploy/error.hpp>
#include <wasmdeploy/file_io.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

namespace wasmdeploy {

std::string read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    throw error(errc::io, "io.open", "", fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  }
  std::string out;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw error(errc::io, "io.read", "", fmt::format("cannot read {}", path));
  return out;
}

void write_file_atomic(const std::string& path, std::string_view contents) {
  std::string tmp = fmt::format("{}.tmp-{}", path, static_cast<long>(::getpid()));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw error(errc::io, "io.write", "", fmt::format("cannot create {}: {}", tmp, std::strerror(errno)));
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

}  // namespace wasmdeploy
