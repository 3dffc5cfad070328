// Times `inspect_file` (read + parse + sha256) on a generated, valid 64 MiB module against
// `openssl dgst -sha256` on the same file, in the same run. Inspection should cost little more
// than hashing: the target is a ratio of at most 1.2.
//
//   bench_inspect [MiB=64] [runs=5]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <unistd.h>

#include <fmt/format.h>

#include <wasmdeploy/file_io.hpp>
#include <wasmdeploy/inspect.hpp>

namespace {

std::string leb(std::uint64_t v) {
  std::string out;
  do {
    std::uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(static_cast<char>(b));
  } while (v);
  return out;
}

std::string section(std::uint8_t id, const std::string& payload) {
  return std::string(1, static_cast<char>(id)) + leb(payload.size()) + payload;
}

std::string name(const std::string& s) { return leb(s.size()) + s; }

// A small proxy-wasm 0.2.1 module followed by one big custom section of pseudo-random bytes,
// the shape of a real filter carrying a large embedded payload (debug info, data).
std::string make_module(std::size_t total) {
  std::string m("\0asm\x01\0\0\0", 8);
  m += section(1, leb(2) + std::string("\x60\x00\x00\x60\x01\x7f\x01\x7f", 8));
  m += section(3, leb(2) + leb(0) + leb(1));
  m += section(5, leb(1) + std::string("\x00\x02", 2));
  m += section(7, leb(3) + name("proxy_abi_version_0_2_1") + std::string("\x00\x00", 2) + name("malloc") +
                      std::string("\x00\x01", 2) + name("memory") + std::string("\x02\x00", 2));
  m += section(10, leb(2) + leb(2) + std::string("\x00\x0b", 2) + leb(5) +
                       std::string("\x00\x41\x80\x08\x0b", 5));
  const std::string cname = name("bench.payload");
  const std::size_t room = total - m.size() - 1 - 5 - cname.size();
  std::string payload(room, '\0');
  std::uint64_t x = 0x9e3779b97f4a7c15ull;
  for (std::size_t i = 0; i + 8 <= room; i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::memcpy(&payload[i], &x, 8);
  }
  // A fixed 5-byte LEB128 size keeps the total exact.
  const std::uint64_t size = cname.size() + room;
  std::string size5;
  for (int i = 0; i < 5; ++i) size5.push_back(static_cast<char>(((size >> (7 * i)) & 0x7f) | (i < 4 ? 0x80 : 0)));
  m += std::string(1, '\0') + size5 + cname + payload;
  return m;
}

template <typename F>
double best_seconds(int runs, F&& f) {
  double best = 1e9;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    const auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 64;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  char path[] = "/tmp/wd_bench_XXXXXX.wasm";
  const int fd = mkstemps(path, 5);
  if (fd < 0) {
    std::perror("mkstemps");
    return 2;
  }
  close(fd);
  wasmdeploy::write_file_atomic(path, make_module(mib << 20));

  std::string digest;
  const double ours = best_seconds(runs, [&] { digest = wasmdeploy::inspect_file(path).sha256; });
  const std::string cmd = fmt::format("openssl dgst -sha256 '{}' > /dev/null", path);
  int rc = 0;
  const double openssl = best_seconds(runs, [&] { rc = std::system(cmd.c_str()); });
  std::remove(path);
  if (rc != 0) {
    std::fprintf(stderr, "SKIPPED: openssl unavailable (exit %d)\n", rc);
    return 0;
  }
  const double ratio = ours / openssl;
  fmt::print("module:          {} MiB, sha256 {}\n", mib, digest);
  fmt::print("wasmdeploy inspect (read+parse+sha256): {:8.1f} ms\n", ours * 1e3);
  fmt::print("openssl dgst -sha256:                   {:8.1f} ms\n", openssl * 1e3);
  fmt::print("ratio: {:.2f}x (target <= 1.20x) {}\n", ratio, ratio <= 1.2 ? "OK" : "OVER TARGET");
  return 0;
}
