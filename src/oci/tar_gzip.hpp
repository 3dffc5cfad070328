// Deterministic tar and gzip, and reading a file back out of a tar.gz.
//
// Reproducible images need reproducible layer bytes: tar headers carry no time, owner or host
// detail, and the gzip header carries no name, time or OS. Both are produced by well-kept
// libraries (libarchive, zlib) configured for that, not by hand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wasmdeploy::oci {

struct tar_entry {
  std::string name;       ///< path inside the archive, e.g. "plugin.wasm"
  std::string_view data;  ///< regular-file contents
};

/// A ustar archive of regular files, in the given order: mode 0644, uid/gid 0, no user or group
/// names, mtime 0, padded to the usual 10240-byte record.
std::string write_tar(const std::vector<tar_entry>& entries);

/// gzip (RFC 1952) at a fixed level with mtime 0, no file name, and OS byte 255 ("unknown", as
/// Go's compress/gzip writes). Output depends only on the input and zlib's deflate.
std::string gzip_compress(std::string_view data);

/// Decompresses a whole gzip stream; throws error{parse, "oci.layer.gzip"} on corrupt input or
/// when the output would exceed max_size.
std::string gzip_decompress(std::string_view data, std::uint64_t max_size);

/// Returns the first regular file in a tar (optionally gzip-compressed) whose basename is
/// `basename` (so "plugin.wasm" and "./plugin.wasm" both match, as in Istio's fetcher).
/// Throws error{parse, "oci.layer.tar"} on a corrupt archive and error{invalid,
/// "oci.module.too-large"} when the file exceeds max_size.
std::optional<std::string> find_in_tar(std::string_view archive, std::string_view basename,
                                       std::uint64_t max_size);

}  // namespace wasmdeploy::oci
