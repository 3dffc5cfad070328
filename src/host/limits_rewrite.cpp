#include "host/limits_rewrite.hpp"

#include <wasmdeploy/error.hpp>

#include <fmt/format.h>

#include <optional>
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

// What a table element is counted as against the memory cap (an engine keeps a pointer-sized
// reference or more per element).
constexpr std::uint64_t kTableEntryBytes = 16;
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

void skip_reftype(byte_reader& r) {
  const std::uint8_t t = r.u8("reference type");
  if (t == 0x63 || t == 0x64) r.skip_s33("heap type");  // (ref null? ht)
  else if (t == 0x40) r.fail(r.pos() - 1, "host.unsupported-module", "tables with an initialiser are not supported");
}

void skip_valtype(byte_reader& r) {
  const std::uint8_t t = r.u8("value type");
  if (t == 0x63 || t == 0x64) r.skip_s33("heap type");
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

// Before a bulk instruction whose count operand (i32) is on the stack: keep it in the scratch
// local and charge count >> shift (shift < 0: count << -shift). Stack effect: none.
//   local.tee s; global.get g; local.get s; i64.extend_i32_u; i64.const k; i64.shr_u|i64.shl;
//   i64.sub; global.set g; global.get g; i64.const 0; i64.lt_s; if; unreachable; end
void charge_count(std::string& out, std::uint32_t global, std::uint32_t scratch, int shift) {
  out.push_back('\x22'); put_u(out, scratch);
  out.push_back('\x23'); put_u(out, global);
  out.push_back('\x20'); put_u(out, scratch);
  out.push_back('\xad');
  out.push_back('\x42'); put_s(out, shift < 0 ? -shift : shift);
  out.push_back(shift < 0 ? '\x86' : '\x88');
  out.push_back('\x7d');
  out.push_back('\x24'); put_u(out, global);
  out.push_back('\x23'); put_u(out, global);
  out += std::string("\x42\x00\x53\x04\x40\x00\x0b", 7);
}

// How a bulk instruction is charged by its count operand: bytes (one unit per 8), table
// elements (one unit each), pages (one unit per 8 bytes they zero); nullopt for the others.
std::optional<int> bulk_shift(std::uint8_t op, std::uint32_t sub) {
  if (op == 0x40) return -13;  // memory.grow: pages * 65536 / 8
  if (op != 0xfc) return std::nullopt;
  switch (sub) {
    case 8: case 10: case 11: return 3;           // memory.init, memory.copy, memory.fill
    case 12: case 14: case 15: case 17: return 0;  // table.init, table.copy, table.grow, table.fill
    default: return std::nullopt;
  }
}

std::string meter_body(std::string_view all, byte_reader body, std::uint32_t global, std::uint64_t params) {
  const std::size_t start = body.pos();
  const std::uint32_t groups = body.count("locals", 100000, "wasm.too-many-entries", 2);
  std::uint64_t locals = params;
  for (std::uint32_t i = 0; i < groups; ++i) {
    locals += body.u32("local count");
    body.u8("local type");
  }
  // One more i32 local, the scratch of bulk-instruction charges.
  const auto scratch = static_cast<std::uint32_t>(locals);
  std::string out;
  put_u(out, std::uint64_t{groups} + 1);
  byte_reader header(all, start, body.pos(), "locals");
  header.u32("locals");
  out.append(all.substr(header.pos(), body.pos() - header.pos()));
  out += "\x01\x7f";
  // Metering points: the function entry and every loop head. Each is charged with the
  // instructions of its own region (nested loops are regions of their own; what follows a
  // loop's `end` belongs to the enclosing region again). Bulk instructions are points too,
  // charged with their count operand at run time.
  struct point { std::size_t at; std::uint64_t count; std::optional<int> bulk_shift; };
  std::vector<point> points{{body.pos(), 0, std::nullopt}};
  std::vector<std::size_t> regions{0};  // innermost region last
  std::vector<bool> frames{false};      // open blocks; true for a loop
  while (!body.at_end()) {
    const std::size_t at = body.pos();
    const std::uint8_t op = body.u8("opcode");
    std::uint32_t sub = 0;
    if (op == 0xfc) {
      byte_reader peek(all, body.pos(), body.end(), "0xfc opcode");
      sub = peek.u32("0xfc opcode");
    }
    if (!skip_immediates(body, op)) {
      body.fail(at, "host.unknown-instruction",
                fmt::format("opcode 0x{:02x} is not one the host's instruction metering knows", op));
    }
    ++points[regions.back()].count;
    if (const auto shift = bulk_shift(op, sub)) points.push_back({at, 0, shift});
    if (op == 0x02 || op == 0x04) frames.push_back(false);
    if (op == 0x03) {
      frames.push_back(true);
      regions.push_back(points.size());
      points.push_back({body.pos(), 0, std::nullopt});
    }
    if (op == 0x0b && !frames.empty()) {
      if (frames.back() && regions.size() > 1) regions.pop_back();
      frames.pop_back();
    }
  }
  std::size_t copied = points.front().at;
  for (const auto& p : points) {
    out.append(all.substr(copied, p.at - copied));
    if (p.bulk_shift) charge_count(out, global, scratch, *p.bulk_shift);
    else charge(out, global, p.count ? p.count : 1);
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
  std::vector<std::uint64_t> type_params;      // parameter count of each type
  std::vector<std::uint32_t> function_types;   // type of each defined function
  std::uint64_t other_memory_pages = 0;        // minimum pages of the memories after the first
  std::uint64_t table_bytes = 0;               // what the tables' initial elements take
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
    } else if (id == 1) {
      byte_reader s(m, begin, begin + size, "type section");
      const std::uint32_t n = s.count("types", 1000000, "wasm.too-many-entries", 3);
      for (std::uint32_t i = 0; i < n; ++i) {
        if (s.u8("type form") != 0x60) {
          s.fail(s.pos() - 1, "host.unsupported-module", "only function types (0x60) are supported by the host");
        }
        const std::uint32_t params = s.u32("parameter count");
        for (std::uint32_t k = 0; k < params; ++k) skip_valtype(s);
        const std::uint32_t results = s.u32("result count");
        for (std::uint32_t k = 0; k < results; ++k) skip_valtype(s);
        type_params.push_back(params);
      }
    } else if (id == 3) {
      byte_reader s(m, begin, begin + size, "function section");
      const std::uint32_t n = s.count("functions", 10000000, "wasm.too-many-entries", 1);
      for (std::uint32_t i = 0; i < n; ++i) function_types.push_back(s.u32("type index"));
    } else if (id == 4) {
      // Tables do not grow (their maximum becomes their minimum, below); their initial
      // elements count against the memory cap (kTableEntryBytes each).
      byte_reader s(m, begin, begin + size, "table section");
      const std::uint32_t n = s.count("tables", 100000, "wasm.too-many-entries", 3);
      for (std::uint32_t i = 0; i < n; ++i) {
        skip_reftype(s);
        const std::uint8_t flags = s.u8("table limits");
        if (flags & 4) s.fail(s.pos() - 1, "host.unsupported-module", "64-bit tables are not supported by proxies");
        table_bytes += s.u64("table minimum") * kTableEntryBytes;
        if (flags & 1) s.u64("table maximum");
      }
    } else if (id == 5) {
      byte_reader s(m, begin, begin + size, "memory section");
      const std::uint32_t n = s.u32("memory count");
      for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint8_t flags = s.u8("memory limits");
        if (flags & 4) s.fail(s.pos() - 1, "host.unsupported-module", "64-bit memories are not supported by proxies");
        const std::uint64_t min = s.u64("memory minimum");
        if (i > 0) other_memory_pages += min;
        if (flags & 1) s.u64("memory maximum");
      }
    }
  }
  const std::uint32_t budget_index = imported_globals + defined_globals;
  // One cap for all memories and tables: the first memory may grow into what the initial size
  // of the others and the tables leave; the other memories and the tables cannot grow.
  const std::uint64_t reserved_pages = other_memory_pages + (table_bytes + 65535) / 65536;
  if (reserved_pages > limits.max_memory_pages) {
    throw error(errc::invalid, "host.memory-cap", "memory",
                fmt::format("the module's tables and second and later memories take {} pages at start, above the "
                            "host's cap of {} pages ({} MiB)",
                            reserved_pages, limits.max_memory_pages, limits.max_memory_pages / 16));
  }
  const std::uint64_t first_memory_cap = limits.max_memory_pages - reserved_pages;
  auto params_of = [&](std::uint32_t defined) -> std::uint64_t {
    if (defined >= function_types.size() || function_types[defined] >= type_params.size()) {
      throw error(errc::parse, "host.unsupported-module", "code", "a function body has no valid type");
    }
    return type_params[function_types[defined]];
  };

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
          const std::uint64_t cap = i == 0 ? first_memory_cap : min;
          std::uint64_t max = (flags & 1) ? p.u64("memory maximum") : cap;
          if (min > cap) {
            throw error(errc::invalid, "host.memory-cap", "memory",
                        fmt::format("the module asks for {} pages of memory at start, above the host's cap of {} "
                                    "pages ({} MiB)",
                                    min, limits.max_memory_pages, limits.max_memory_pages / 16));
          }
          if (max > cap) max = cap;
          payload.push_back(static_cast<char>(flags | 1));
          put_u(payload, min);
          put_u(payload, max);
        }
        payload.append(m.substr(p.pos(), s.end - p.pos()));
        break;
      }
      case 4: {  // tables: the maximum is the minimum
        const std::uint32_t n = p.u32("table count");
        put_u(payload, n);
        for (std::uint32_t i = 0; i < n; ++i) {
          const std::size_t type_at = p.pos();
          skip_reftype(p);
          payload.append(m.substr(type_at, p.pos() - type_at));
          const std::uint8_t flags = p.u8("table limits");
          const std::uint64_t min = p.u64("table minimum");
          if (flags & 1) p.u64("table maximum");
          payload.push_back(static_cast<char>(flags | 1));
          put_u(payload, min);
          put_u(payload, min);
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
          const std::string metered = meter_body(m, body, budget_index, params_of(i));
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
