#include "host/limits_rewrite.hpp"

#include <wasmdeploy/error.hpp>

#include <fmt/format.h>

#include <vector>

#include "wasm/byte_reader.hpp"

namespace wasmdeploy::host {

void append_uleb(std::string& out, std::uint64_t v) {
  do {
    std::uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(static_cast<char>(b));
  } while (v);
}

void append_sleb(std::string& out, std::int64_t v) {
  for (;;) {
    std::uint8_t b = v & 0x7f;
    v >>= 7;  // arithmetic shift
    const bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    if (!done) b |= 0x80;
    out.push_back(static_cast<char>(b));
    if (done) return;
  }
}

namespace {

void put_u(std::string& out, std::uint64_t v) { append_uleb(out, v); }
void put_s(std::string& out, std::int64_t v) { append_sleb(out, v); }

using detail::byte_reader;

void skip_leb(byte_reader& r, unsigned max_bytes, const char* what) {
  for (unsigned i = 0; i < max_bytes; ++i) {
    if (!(r.u8(what) & 0x80)) return;
  }
  r.fail(r.pos(), "wasm.leb128-too-long", fmt::format("{}: LEB128 too long", what));
}

void skip_memarg(byte_reader& r) {
  const std::uint32_t align = r.u32("memarg alignment");
  if (align & 0x40) r.u32("memarg memory index");  // multi-memory
  r.u64("memarg offset");
}

// Skips one instruction's immediates. Returns false for an opcode this rewriter does not know.
bool skip_immediates(byte_reader& r, std::uint8_t op) {
  switch (op) {
    case 0x02: case 0x03: case 0x04: r.skip_s33("block type"); return true;
    case 0x0c: case 0x0d: case 0x10: case 0x12: case 0x20: case 0x21: case 0x22: case 0x23:
    case 0x24: case 0x25: case 0x26: case 0x3f: case 0x40: case 0xd2:
      r.u32("immediate"); return true;
    case 0x0e: {
      const std::uint32_t n = r.u32("br_table size");
      for (std::uint64_t i = 0; i <= n; ++i) r.u32("br_table target");
      return true;
    }
    case 0x11: case 0x13: r.u32("type index"); r.u32("table index"); return true;
    case 0x1c: {
      const std::uint32_t n = r.u32("select types");
      r.bytes(n, "select types");
      return true;
    }
    case 0x41: skip_leb(r, 5, "i32.const"); return true;
    case 0x42: skip_leb(r, 10, "i64.const"); return true;
    case 0x43: r.bytes(4, "f32.const"); return true;
    case 0x44: r.bytes(8, "f64.const"); return true;
    case 0xd0: r.skip_s33("heap type"); return true;
    case 0xfc: {
      const std::uint32_t sub = r.u32("0xfc opcode");
      switch (sub) {
        case 8: case 12: case 14: r.u32("index"); r.u32("index"); return true;
        case 9: case 11: case 13: case 15: case 16: case 17: r.u32("index"); return true;
        case 10: r.u32("memory"); r.u32("memory"); return true;
        default: return sub <= 7;
      }
    }
    case 0xfd: {
      const std::uint32_t sub = r.u32("simd opcode");
      if (sub <= 11 || sub == 92 || sub == 93) skip_memarg(r);
      else if (sub == 12 || sub == 13) r.bytes(16, "v128 immediate");
      else if (sub >= 21 && sub <= 34) r.u8("lane");
      else if (sub >= 84 && sub <= 91) { skip_memarg(r); r.u8("lane"); }
      return true;
    }
    case 0xfe: {
      const std::uint32_t sub = r.u32("atomic opcode");
      if (sub == 3) r.u8("fence");
      else skip_memarg(r);
      return true;
    }
    default:
      if (op >= 0x28 && op <= 0x3e) { skip_memarg(r); return true; }
      return op <= 0x01 || op == 0x05 || op == 0x0b || op == 0x0f || op == 0x1a || op == 0x1b ||
             (op >= 0x45 && op <= 0xc4) || op == 0xd1;
  }
}

// global.get g; i64.const cost; i64.sub; global.set g; global.get g; i64.const 0; i64.lt_s;
// if; unreachable; end
void charge(std::string& out, std::uint32_t global, std::uint64_t cost) {
  out.push_back('\x23'); put_u(out, global);
  out.push_back('\x42'); put_s(out, static_cast<std::int64_t>(cost));
  out.push_back('\x7d');
  out.push_back('\x24'); put_u(out, global);
  out.push_back('\x23'); put_u(out, global);
  out += std::string("\x42\x00\x53\x04\x40\x00\x0b", 7);
}

std::string meter_body(std::string_view all, byte_reader body, std::uint32_t global) {
  const std::size_t start = body.pos();
  const std::uint32_t groups = body.count("locals", 100000, "wasm.too-many-entries", 2);
  for (std::uint32_t i = 0; i < groups; ++i) {
    body.u32("local count");
    body.u8("local type");
  }
  std::string out(all.substr(start, body.pos() - start));
  // Metering points: the function entry and every loop head. Each is charged with the
  // instructions of its own region (nested loops are regions of their own; what follows a
  // loop's `end` belongs to the enclosing region again).
  struct point { std::size_t at; std::uint64_t count; };
  std::vector<point> points{{body.pos(), 0}};
  std::vector<std::size_t> regions{0};  // innermost region last
  std::vector<bool> frames{false};      // open blocks; true for a loop
  while (!body.at_end()) {
    const std::size_t at = body.pos();
    const std::uint8_t op = body.u8("opcode");
    if (!skip_immediates(body, op)) {
      body.fail(at, "host.unknown-instruction",
                fmt::format("opcode 0x{:02x} is not one the host's instruction metering knows", op));
    }
    ++points[regions.back()].count;
    if (op == 0x02 || op == 0x04) frames.push_back(false);
    if (op == 0x03) {
      frames.push_back(true);
      regions.push_back(points.size());
      points.push_back({body.pos(), 0});
    }
    if (op == 0x0b && !frames.empty()) {
      if (frames.back() && regions.size() > 1) regions.pop_back();
      frames.pop_back();
    }
  }
  std::size_t copied = points.front().at;
  for (const auto& p : points) {
    out.append(all.substr(copied, p.at - copied));
    charge(out, global, p.count ? p.count : 1);
    copied = p.at;
  }
  out.append(all.substr(copied, body.pos() - copied));
  return out;
}

struct section {
  std::uint8_t id;
  std::size_t begin, end;  // payload
};

// Where a section id sits in the required order (custom sections excepted).
int order_of(std::uint8_t id) {
  static const int order[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6};  // by id 0..13
  return id < 14 ? order[id] : 100;
}

void put_section(std::string& out, std::uint8_t id, const std::string& payload) {
  out.push_back(static_cast<char>(id));
  put_u(out, payload.size());
  out += payload;
}

}  // namespace

std::string apply_limits(std::string_view m, const rewrite_limits& limits) {
  if (m.size() < 8 || m.substr(0, 4) != std::string_view("\0asm", 4)) {
    throw error(errc::parse, "wasm.bad-magic", "", "not a WebAssembly module (no \\0asm header)");
  }
  byte_reader r(m, 8, m.size(), "module");
  std::vector<section> sections;
  std::uint32_t imported_globals = 0, defined_globals = 0;
  while (!r.at_end()) {
    const std::uint8_t id = r.u8("section id");
    const std::uint32_t size = r.u32("section size");
    const std::size_t begin = r.pos();
    r.bytes(size, "section payload");
    sections.push_back({id, begin, begin + size});
    if (id == 2) {
      byte_reader s(m, begin, begin + size, "import section");
      const std::uint32_t n = s.count("imports", 1000000, "wasm.too-many-imports", 3);
      for (std::uint32_t i = 0; i < n; ++i) {
        s.name("module");
        s.name("field");
        const std::uint8_t kind = s.u8("import kind");
        if (kind == 0) s.u32("type index");
        else if (kind == 1) { s.u8("ref type"); const auto f = s.u8("limits"); s.u32("min"); if (f & 1) s.u32("max"); }
        else if (kind == 2) {
          throw error(errc::parse, "host.memory-import", "imports",
                      "the module imports its memory; proxy-wasm hosts give modules none, so it cannot link");
        } else if (kind == 3) { s.u8("global type"); s.u8("mutability"); ++imported_globals; }
        else s.u32("tag");
      }
    } else if (id == 6) {
      byte_reader s(m, begin, begin + size, "global section");
      defined_globals = s.u32("global count");
    }
  }
  const std::uint32_t budget_index = imported_globals + defined_globals;

  std::string out(m.substr(0, 8));
  bool globals_done = false, exports_done = false;
  auto new_global = [&] {
    std::string g;
    g += "\x7e\x01\x42";  // i64, mutable, i64.const
    put_s(g, static_cast<std::int64_t>(limits.instruction_budget));
    g.push_back('\x0b');
    return g;
  };
  auto budget_export = [&] {
    std::string e;
    put_u(e, std::string_view(kBudgetGlobal).size());
    e += kBudgetGlobal;
    e.push_back('\x03');
    put_u(e, budget_index);
    return e;
  };
  auto single = [](const std::string& entry) {  // a section holding one entry
    std::string p;
    put_u(p, 1);
    return p + entry;
  };
  for (const auto& s : sections) {
    if (s.id != 0) {
      if (!globals_done && s.id != 6 && order_of(s.id) > order_of(6)) {
        put_section(out, 6, single(new_global()));
        globals_done = true;
      }
      if (!exports_done && s.id != 7 && order_of(s.id) > order_of(7)) {
        put_section(out, 7, single(budget_export()));
        exports_done = true;
      }
    }
    byte_reader p(m, s.begin, s.end, "section");
    std::string payload;
    switch (s.id) {
      case 5: {  // memory: cap the maximum
        const std::uint32_t n = p.u32("memory count");
        put_u(payload, n);
        for (std::uint32_t i = 0; i < n; ++i) {
          const std::uint8_t flags = p.u8("memory limits");
          const std::uint64_t min = p.u64("memory minimum");
          std::uint64_t max = (flags & 1) ? p.u64("memory maximum") : limits.max_memory_pages;
          if (min > limits.max_memory_pages) {
            throw error(errc::invalid, "host.memory-cap", "memory",
                        fmt::format("the module asks for {} pages of memory at start, above the host's cap of {} "
                                    "pages ({} MiB)",
                                    min, limits.max_memory_pages, limits.max_memory_pages / 16));
          }
          if (max > limits.max_memory_pages) max = limits.max_memory_pages;
          payload.push_back(static_cast<char>(flags | 1));
          put_u(payload, min);
          put_u(payload, max);
        }
        payload.append(m.substr(p.pos(), s.end - p.pos()));
        break;
      }
      case 6: {
        const std::uint32_t n = p.u32("global count");
        put_u(payload, std::uint64_t{n} + 1);
        payload.append(m.substr(p.pos(), s.end - p.pos()));
        payload += new_global();
        globals_done = true;
        break;
      }
      case 7: {
        const std::uint32_t n = p.u32("export count");
        put_u(payload, std::uint64_t{n} + 1);
        payload.append(m.substr(p.pos(), s.end - p.pos()));
        payload += budget_export();
        exports_done = true;
        break;
      }
      case 10: {
        const std::uint32_t n = p.count("function bodies", 10000000, "wasm.too-many-entries", 2);
        put_u(payload, n);
        for (std::uint32_t i = 0; i < n; ++i) {
          const std::uint32_t size = p.u32("body size");
          byte_reader body = p.sub(size, "function body");
          const std::string metered = meter_body(m, body, budget_index);
          put_u(payload, metered.size());
          payload += metered;
        }
        p.expect_end();
        break;
      }
      default:
        payload.assign(m.substr(s.begin, s.end - s.begin));
    }
    put_section(out, s.id, payload);
  }
  if (!globals_done) put_section(out, 6, single(new_global()));
  if (!exports_done) put_section(out, 7, single(budget_export()));
  return out;
}

}  // namespace wasmdeploy::host
