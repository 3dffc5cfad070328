#include "oci/tar_gzip.hpp"

#include <wasmdeploy/error.hpp>

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include <limits>
#include <memory>

#include <fmt/format.h>

namespace wasmdeploy::oci {
namespace {

// Level 9: layers are built once and pulled by every proxy, so the smallest output wins.
constexpr int kGzipLevel = 9;
// RFC 1952 OS byte 255 = unknown; the default (OS_CODE) differs between zlib builds.
constexpr int kGzipOsUnknown = 255;

struct archive_write_deleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct archive_read_deleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct entry_deleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

la_ssize_t append_to_string(archive*, void* client, const void* buf, size_t len) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(buf), len);
  return static_cast<la_ssize_t>(len);
}

[[noreturn]] void throw_archive(archive* a, const char* what) {
  const char* msg = archive_error_string(a);
  throw error(errc::io, "oci.layer.tar", "",
              fmt::format("{}: {}", what, msg ? msg : "libarchive error"));
}

std::string_view basename_of(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string write_tar(const std::vector<tar_entry>& entries) {
  std::string out;
  std::unique_ptr<archive, archive_write_deleter> a(archive_write_new());
  // Plain ustar: no pax extended headers, so no atime/ctime records can sneak in.
  if (archive_write_set_format_ustar(a.get()) != ARCHIVE_OK ||
      archive_write_add_filter_none(a.get()) != ARCHIVE_OK ||
      archive_write_open(a.get(), &out, nullptr, append_to_string, nullptr) != ARCHIVE_OK) {
    throw_archive(a.get(), "cannot start tar");
  }
  for (const auto& e : entries) {
    std::unique_ptr<archive_entry, entry_deleter> entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), e.name.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(e.data.size()));
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    archive_entry_set_mtime(entry.get(), 0, 0);
    if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK) {
      throw_archive(a.get(), "cannot write tar header");
    }
    if (!e.data.empty() && archive_write_data(a.get(), e.data.data(), e.data.size()) !=
                               static_cast<la_ssize_t>(e.data.size())) {
      throw_archive(a.get(), "cannot write tar data");
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) throw_archive(a.get(), "cannot finish tar");
  return out;
}

std::string gzip_compress(std::string_view data) {
  z_stream zs{};
  // windowBits 15 + 16 selects the gzip wrapper; memLevel 8 and the default strategy are zlib's
  // defaults, pinned here because they change the output.
  if (deflateInit2(&zs, kGzipLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw error(errc::no_memory, "oci.layer.gzip", "", "deflateInit2 failed");
  }
  gz_header header{};  // text 0, time 0, no extra/name/comment, no header CRC
  header.os = kGzipOsUnknown;
  deflateSetHeader(&zs, &header);

  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 64);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  std::size_t produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    throw error(errc::generic, "oci.layer.gzip", "", fmt::format("deflate failed ({})", rc));
  }
  out.resize(produced);
  return out;
}

std::string gzip_decompress(std::string_view data, std::uint64_t max_size) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) {
    throw error(errc::no_memory, "oci.layer.gzip", "", "inflateInit2 failed");
  }
  std::string out;
  char buf[1 << 16];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buf, sizeof buf - zs.avail_out);
    if (out.size() > max_size) break;
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) break;  // truncated input
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || out.size() > max_size) {
    throw error(errc::parse, "oci.layer.gzip", "", "corrupt, truncated or oversized gzip stream");
  }
  return out;
}

std::optional<std::string> find_in_tar(std::string_view archive_bytes, std::string_view basename,
                                       std::uint64_t max_size) {
  std::unique_ptr<archive, archive_read_deleter> a(archive_read_new());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_memory(a.get(), archive_bytes.data(), archive_bytes.size()) != ARCHIVE_OK) {
    const char* msg = archive_error_string(a.get());
    throw error(errc::parse, "oci.layer.tar", "",
                fmt::format("not a tar archive: {}", msg ? msg : "?"));
  }
  archive_entry* entry = nullptr;
  int rc;
  while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
    const char* path = archive_entry_pathname(entry);
    if (path == nullptr || archive_entry_filetype(entry) != AE_IFREG ||
        basename_of(path) != basename) {
      continue;
    }
    if (archive_entry_size_is_set(entry) &&
        static_cast<std::uint64_t>(archive_entry_size(entry)) > max_size) {
      throw error(errc::invalid, "oci.module.too-large", "",
                  fmt::format("{} is {} bytes; the limit is {}", path, archive_entry_size(entry),
                              max_size));
    }
    std::string out;
    char buf[1 << 16];
    la_ssize_t n;
    while ((n = archive_read_data(a.get(), buf, sizeof buf)) > 0) {
      out.append(buf, static_cast<std::size_t>(n));
      if (out.size() > max_size) {
        throw error(errc::invalid, "oci.module.too-large", "",
                    fmt::format("{} exceeds {} bytes", path, max_size));
      }
    }
    if (n < 0) throw_archive(a.get(), "cannot read tar member");
    return out;
  }
  if (rc != ARCHIVE_EOF) {
    const char* msg = archive_error_string(a.get());
    throw error(errc::parse, "oci.layer.tar", "",
                fmt::format("corrupt tar archive: {}", msg ? msg : "?"));
  }
  return std::nullopt;
}

}  // namespace wasmdeploy::oci
