// Reading a module file for inspection without copying it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wasmdeploy::detail {

/// A read-only view of a whole file. Regular files are memory-mapped (no copy, no zero-filled
/// buffer to fault in, which is what made a read() into a fresh 64 MiB string cost 2-3x the
/// hash); anything mmap refuses (pipes, /dev/stdin) is read into memory instead.
/// A mapped file truncated by another process during inspection would raise SIGBUS; the CLI
/// reads files the user just handed it, where that trade for speed is acceptable.
/// Refuses files over WD_MAX_WASM_MODULE_BYTES (wasm.too-large) and throws
/// error{errc::io, "io.open" / "io.read"} naming the path.
class module_file {
 public:
  explicit module_file(const std::string& path);
  ~module_file();
  module_file(const module_file&) = delete;
  module_file& operator=(const module_file&) = delete;

  std::string_view bytes() const noexcept { return view_; }

 private:
  void* map_ = nullptr;
  std::size_t map_size_ = 0;
  std::string copy_;
  std::string_view view_;
};

}  // namespace wasmdeploy::detail
