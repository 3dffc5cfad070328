// build_image(): writes an assembled image as an OCI image layout, all or nothing.
#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/oci_image.hpp>

#include "oci/image_builder.hpp"
#include "oci/media_types.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace wasmdeploy {
namespace {

[[noreturn]] void throw_fs(const char* what, const fs::path& p, const std::error_code& ec) {
  throw error(errc::io, "io.write", "", fmt::format("{} {}: {}", what, p.string(), ec.message()));
}

/// A fresh directory beside `target` (same file system, so the final rename is atomic).
fs::path make_temp_dir_beside(const fs::path& target, const char* tag) {
  fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::string templ =
      (parent / fmt::format(".{}.{}-XXXXXX", target.filename().string(), tag)).string();
  if (::mkdtemp(templ.data()) == nullptr) {
    throw error(errc::io, "io.write", "",
                fmt::format("cannot create a temporary directory in {}: {}", parent.string(),
                            std::strerror(errno)));
  }
  std::error_code ec;
  fs::permissions(templ,
                  fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                      fs::perms::others_read | fs::perms::others_exec,
                  ec);
  return templ;
}

void write_layout_files(const fs::path& dir, const std::vector<oci::blob>& blob_list, const std::string& index_json) {
  write_file_atomic((dir / "oci-layout").string(),
                    fmt::format("{{\"imageLayoutVersion\":\"{}\"}}", oci::kImageLayoutVersion));
  fs::path blobs = dir / "blobs" / "sha256";
  std::error_code ec;
  fs::create_directories(blobs, ec);
  if (ec) throw_fs("cannot create", blobs, ec);
  for (const auto& b : blob_list) {
    write_file_atomic((blobs / b.info.digest.substr(7)).string(), b.bytes);
  }
  // index.json last: a reader that finds it can rely on every blob being there.
  write_file_atomic((dir / "index.json").string(), index_json);
}

/// Checks what is at `target` now. Returns true when a layout will be replaced (force).
bool check_target(const fs::path& target, bool force) {
  std::error_code ec;
  auto st = fs::symlink_status(target, ec);
  if (ec || st.type() == fs::file_type::not_found) return false;
  if (st.type() != fs::file_type::directory) {
    throw error(errc::invalid, "oci.layout.exists", "output_dir",
                fmt::format("{} exists and is not a directory", target.string()));
  }
  if (fs::is_empty(target, ec)) return false;
  if (!force) {
    throw error(errc::invalid, "oci.layout.exists", "output_dir",
                fmt::format("{} exists and is not empty (use --force to replace an OCI layout)",
                            target.string()));
  }
  // force only ever replaces a layout, never an arbitrary directory such as $HOME.
  if (!fs::is_regular_file(target / "oci-layout", ec)) {
    throw error(
        errc::invalid, "oci.layout.not-a-layout", "output_dir",
        fmt::format("{} is not an OCI image layout (no oci-layout file); refusing to replace it",
                    target.string()));
  }
  return true;
}

}  // namespace

std::string build_result::wasm_plugin_sha256() const {
  return manifest.digest.rfind("sha256:", 0) == 0 ? manifest.digest.substr(7) : manifest.digest;
}

namespace oci {

std::string write_image_layout(const std::string& output_dir, const std::vector<blob>& blobs,
                               const std::string& index_json, bool force) {
  fs::path target = fs::path(output_dir).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();  // "out/" -> "out"
  if (target.empty() || target.filename() == "." || target.filename() == "..") {
    throw error(errc::usage, "oci.build.output", "output_dir",
                fmt::format("'{}' cannot be replaced atomically; name a new directory", output_dir));
  }
  check_target(target, force);

  std::error_code ec;
  if (!target.parent_path().empty()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw_fs("cannot create", target.parent_path(), ec);
  }
  fs::path tmp = make_temp_dir_beside(target, "tmp");
  try {
    write_layout_files(tmp, blobs, index_json);
    // One step (an exchange when a layout is replaced): a kill at any moment leaves the old
    // layout or the new one at `target`.
    replace_directory(tmp.string(), target.string());
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  return target.string();
}

}  // namespace oci

build_result build_image(std::string_view module_bytes, const build_options& options) {
  if (options.output_dir.empty()) {
    throw error(errc::usage, "oci.build.output", "output_dir", "no output directory given");
  }
  oci::assembled_image img = oci::assemble_image(module_bytes, options);
  const std::string written = oci::write_image_layout(options.output_dir, img.blobs, img.index_json, options.force);
  build_result r = std::move(img.result);
  r.output_dir = written;
  return r;
}

}  // namespace wasmdeploy
