// WASI preview1 as proxy-wasm hosts give it, under wasi_snapshot_preview1 and wasi_unstable:
// stdout/stderr go to the log, clocks, random, environ (the VM's env), no arguments, proc_exit
// as a clean stop; no file system, no sockets. Which names exist comes from inspect's table.
#include <chrono>
#include <random>

#include "host/vm.hpp"
#include "wasm/proxy_host.hpp"

namespace wasmdeploy::host {
namespace {

constexpr std::uint32_t kSuccess = 0, kBadf = 8, kInval = 28, kNosys = 52, kSpipe = 70;

std::uint32_t u32(std::uint64_t v) { return static_cast<std::uint32_t>(v); }

std::uint32_t fd_write(proxy_vm& vm, const std::uint64_t* a) {
  const std::uint32_t fd = u32(a[0]);
  if (fd != 1 && fd != 2) return kBadf;
  std::string text;
  for (std::uint32_t i = 0; i < u32(a[2]); ++i) {
    if ((i & 0xfff) == 0xfff) vm.check_deadline();  // millions of iovecs: stay inside the wall clock
    const std::string_view iov = vm.read(std::uint64_t{u32(a[1])} + 8ull * i, 8);
    std::uint32_t ptr = 0, len = 0;
    for (int b = 0; b < 4; ++b) {
      ptr |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(iov[b])) << (8 * b);
      len |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(iov[4 + b])) << (8 * b);
    }
    text += vm.read(ptr, len);
    if (text.size() > vm.opt.max_log_bytes) break;
  }
  const std::size_t written = text.size();
  while (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty()) vm.log(fd == 1 ? "info" : "error", text);  // cpp-host: stdout info, stderr error
  vm.write_u32(a[3], static_cast<std::uint32_t>(written));
  return kSuccess;
}

std::uint32_t environ_sizes(proxy_vm& vm, const std::uint64_t* a) {
  std::uint64_t bytes = 0;
  for (const auto& [k, v] : vm.opt.env) bytes += k.size() + v.size() + 2;
  vm.write_u32(a[0], static_cast<std::uint32_t>(vm.opt.env.size()));
  vm.write_u32(a[1], static_cast<std::uint32_t>(bytes));
  return kSuccess;
}

std::uint32_t environ_get(proxy_vm& vm, const std::uint64_t* a) {
  std::uint64_t ptrs = u32(a[0]), buf = u32(a[1]);
  for (const auto& [k, v] : vm.opt.env) {
    const std::string entry = k + "=" + v + std::string(1, '\0');
    vm.write_u32(ptrs, static_cast<std::uint32_t>(buf));
    vm.write(buf, entry);
    ptrs += 4;
    buf += entry.size();
  }
  return kSuccess;
}

std::uint32_t clock_time(proxy_vm& vm, const std::uint64_t* a) {
  std::uint64_t ns = 0;
  switch (u32(a[0])) {
    case 0:
      ns = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
      break;
    case 1:
      ns = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
      break;
    default: return kInval;
  }
  vm.write_u64(a[2], ns);
  return kSuccess;
}

std::uint32_t random_get(proxy_vm& vm, const std::uint64_t* a) {
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  const std::uint64_t ptr = u32(a[0]), len = u32(a[1]);
  vm.read(ptr, len);  // bounds first
  std::string bytes(len, '\0');
  for (auto& c : bytes) c = static_cast<char>(gen() & 0xff);
  vm.write(ptr, bytes);
  return kSuccess;
}

std::uint32_t fdstat(proxy_vm& vm, const std::uint64_t* a) {
  if (u32(a[0]) > 2) return kBadf;
  std::string st(24, '\0');
  st[0] = 2;  // character device
  for (int i = 8; i < 16; ++i) st[i] = '\xff';  // rights: everything (only fd_write does anything)
  vm.write(u32(a[1]), st);
  return kSuccess;
}

}  // namespace

host_callback resolve_wasi_function(proxy_vm& vm, const std::string& name, const func_signature& type) {
  if (detail::classify_wasi_import(name) == detail::wasi_support::never) return {};
  using fn = std::uint32_t (*)(proxy_vm&, const std::uint64_t*);
  fn impl = nullptr;
  std::size_t arity = 0;
  if (name == "proc_exit") {
    if (type.params.size() != 1) return {};
    return [](const std::uint64_t* a, std::uint64_t*) { throw guest_exit(u32(a[0])); };
  }
  if (name == "fd_write") impl = fd_write, arity = 4;
  else if (name == "environ_sizes_get") impl = environ_sizes, arity = 2;
  else if (name == "environ_get") impl = environ_get, arity = 2;
  else if (name == "args_sizes_get") impl = [](proxy_vm& v, const std::uint64_t* a) {
    v.write_u32(a[0], 0);
    v.write_u32(a[1], 0);
    return kSuccess;
  }, arity = 2;
  else if (name == "args_get") impl = [](proxy_vm&, const std::uint64_t*) { return kSuccess; }, arity = 2;
  else if (name == "clock_time_get") impl = clock_time, arity = 3;
  else if (name == "random_get") impl = random_get, arity = 2;
  else if (name == "fd_fdstat_get") impl = fdstat, arity = 2;
  else if (name == "fd_seek") impl = [](proxy_vm&, const std::uint64_t*) { return kSpipe; }, arity = 4;
  else if (name == "fd_read" || name == "fd_close" || name == "fd_prestat_get" || name == "fd_prestat_dir_name")
    impl = [](proxy_vm&, const std::uint64_t*) { return kBadf; }, arity = type.params.size();
  else impl = [](proxy_vm&, const std::uint64_t*) { return kNosys; }, arity = type.params.size();
  if (type.params.size() != arity || type.results.size() != 1) return {};
  return [&vm, impl](const std::uint64_t* a, std::uint64_t* r) {
    // WASI functions touch no host state but the log, so they are served even from inside the
    // guest's allocator; they cost one unit plus one per 8 bytes of guest memory touched.
    vm.check_deadline();
    const std::uint64_t outer = vm.touched_bytes;
    vm.touched_bytes = 0;
    try {
      r[0] = impl(vm, a);
    } catch (const status_error&) {
      r[0] = 21;  // EFAULT: a guest pointer outside its memory
    }
    const std::uint64_t touched = vm.touched_bytes;
    vm.touched_bytes = outer + touched;
    vm.charge(1 + touched / 8);
  };
}

}  // namespace wasmdeploy::host
