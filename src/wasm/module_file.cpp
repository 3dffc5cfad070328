#include "wasm/module_file.hpp"

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/limits.hpp>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace wasmdeploy::detail {
namespace {

struct fd_guard {
  int fd;
  ~fd_guard() { ::close(fd); }
};

[[noreturn]] void too_large(const std::string& path, std::uint64_t size) {
  throw error(errc::parse, "wasm.too-large", path,
              fmt::format("at byte 0 (0x0): module is {} bytes; the limit is {}", size,
                          active_limits().wasm_module_bytes));
}

// Reads to EOF with a bound, for inputs that cannot be mapped.
std::string read_all(int fd, const std::string& path) {
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw error(errc::io, "io.read", path, fmt::format("read failed: {}", std::strerror(errno)));
    }
    if (n == 0) return out;
    if (out.size() + static_cast<std::size_t>(n) > active_limits().wasm_module_bytes) {
      too_large(path, out.size() + static_cast<std::size_t>(n));
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace

module_file::module_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw error(errc::io, "io.open", path, fmt::format("cannot open: {}", std::strerror(errno)));
  }
  fd_guard guard{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    throw error(errc::io, "io.read", path, fmt::format("cannot stat: {}", std::strerror(errno)));
  }
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (size > active_limits().wasm_module_bytes) too_large(path, size);
    // MAP_POPULATE maps the page-cache pages in one go instead of one fault per page.
    void* p = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (p != MAP_FAILED) {
      map_ = p;
      map_size_ = static_cast<std::size_t>(size);
      view_ = std::string_view(static_cast<const char*>(p), map_size_);
      return;
    }
  }
  copy_ = read_all(fd, path);
  view_ = copy_;
}

module_file::~module_file() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
}

}  // namespace wasmdeploy::detail
