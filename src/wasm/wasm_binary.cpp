#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/wasm_binary.hpp>

#include <unordered_set>

#include <fmt/format.h>

#include "wasm/byte_reader.hpp"

namespace wasmdeploy {
namespace {

using detail::byte_reader;

constexpr std::uint8_t kCustom = 0, kType = 1, kImport = 2, kFunction = 3, kMemory = 5,
                       kExport = 7, kStart = 8, kCode = 10, kTag = 13;

const char* section_name(std::uint8_t id) {
  static const char* const kNames[] = {"custom", "type",   "import", "function", "table",
                                       "memory", "global", "export", "start",    "element",
                                       "code",   "data",   "datacount", "tag"};
  return id <= kTag ? kNames[id] : "unknown";
}

// Position of each standard section in the order the spec requires. The tag section (13,
// exception handling) sits between memory and global, and datacount (12) before code.
int section_rank(std::uint8_t id) {
  static const int kRank[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6};
  return kRank[id];
}

// Reference types: funcref/externref and the abbreviated GC / exception-handling ones
// (0x69..0x74), or the long form 0x63/0x64 followed by a heap type.
void read_type_byte(byte_reader& r, const char* what, bool allow_numeric) {
  const std::size_t at = r.pos();
  const std::uint8_t b = r.u8(what);
  if (b == 0x63 || b == 0x64) {
    r.skip_s33(what);
    return;
  }
  const bool ref = b >= 0x69 && b <= 0x74;
  const bool numeric = b >= 0x7b && b <= 0x7f;  // v128 f64 f32 i64 i32
  if (!(ref || (allow_numeric && numeric))) {
    r.fail(at, "wasm.bad-value-type", fmt::format("{}: unknown type 0x{:02x}", what, b));
  }
}

void read_limits(byte_reader& r, const char* what) {
  const std::size_t at = r.pos();
  const std::uint8_t flags = r.u8(what);
  // bit 0: has maximum, bit 1: shared (threads), bit 2: 64-bit indices (memory64).
  if (flags & ~0x07u) r.fail(at, "wasm.bad-limits", fmt::format("{}: unknown limits flags 0x{:02x}", what, flags));
  const bool wide = (flags & 0x04) != 0;
  if (wide) {
    r.u64(what);
    if (flags & 0x01) r.u64(what);
  } else {
    r.u32(what);
    if (flags & 0x01) r.u32(what);
  }
}

wasm_extern_kind read_kind(byte_reader& r, const char* code, const char* what) {
  const std::size_t at = r.pos();
  const std::uint8_t k = r.u8(what);
  if (k > 4) r.fail(at, code, fmt::format("{}: unknown kind 0x{:02x}", what, k));
  return static_cast<wasm_extern_kind>(k);
}

void read_imports(byte_reader& r, wasm_binary_info& out) {
  // The shortest entry is 4 bytes: two empty names, the kind and a one-byte index.
  const std::uint32_t n = r.count("import count", active_limits().wasm_imports, "wasm.too-many-imports", 4);
  out.imports.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    wasm_import imp;
    imp.offset = r.pos();
    imp.module = std::string(r.name("import module name"));
    imp.field = std::string(r.name("import field name"));
    imp.kind = read_kind(r, "wasm.bad-import-kind", "import kind");
    switch (imp.kind) {
      case wasm_extern_kind::function:
        imp.type_index = r.u32("import type index");
        ++out.imported_functions;
        break;
      case wasm_extern_kind::table:
        read_type_byte(r, "imported table type", false);
        read_limits(r, "imported table limits");
        break;
      case wasm_extern_kind::memory:
        read_limits(r, "imported memory limits");
        ++out.imported_memories;
        break;
      case wasm_extern_kind::global: {
        read_type_byte(r, "imported global type", true);
        const std::size_t at = r.pos();
        if (r.u8("imported global mutability") > 1) {
          r.fail(at, "wasm.bad-mutability", "imported global mutability must be 0 or 1");
        }
        break;
      }
      case wasm_extern_kind::tag: {
        const std::size_t at = r.pos();
        if (r.u8("imported tag attribute") != 0) r.fail(at, "wasm.bad-tag", "tag attribute must be 0");
        imp.type_index = r.u32("imported tag type index");
        break;
      }
    }
    out.imports.push_back(std::move(imp));
  }
}

void read_exports(byte_reader& r, wasm_binary_info& out) {
  const std::uint32_t n = r.count("export count", active_limits().wasm_exports, "wasm.too-many-exports", 3);
  out.exports.reserve(n);
  // Views into the input: no copies, and the input outlives this function.
  std::unordered_set<std::string_view> seen;
  seen.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    wasm_export ex;
    ex.offset = r.pos();
    const std::string_view name = r.name("export name");
    if (!seen.insert(name).second) {
      r.fail(ex.offset, "wasm.duplicate-export", fmt::format("export name '{}' appears twice", name));
    }
    ex.name = std::string(name);
    ex.kind = read_kind(r, "wasm.bad-export-kind", "export kind");
    ex.index = r.u32("export index");
    out.exports.push_back(std::move(ex));
  }
}

// The `name` section (tool conventions): subsection 0 = module name, 1 = function names.
void read_name_section(byte_reader& r, wasm_binary_info& out) {
  while (!r.at_end()) {
    const std::uint8_t id = r.u8("name subsection id");
    const std::uint32_t size = r.u32("name subsection size");
    byte_reader sub = r.sub(size, "name subsection");
    if (id == 0) {
      out.module_name = std::string(sub.name("module name"));
      sub.expect_end();
    } else if (id == 1) {
      // Only the count: listing every function name of a large module is not worth the memory.
      out.function_names = sub.count("function name count", active_limits().wasm_entries,
                                     "wasm.too-many-entries", 2);
    }
  }
}

// The `producers` section (tool conventions): fields "language", "processed-by", "sdk".
void read_producers_section(byte_reader& r, wasm_binary_info& out) {
  const std::uint32_t fields = r.count("producers field count", active_limits().wasm_producers_entries,
                                       "wasm.too-many-entries", 2);
  for (std::uint32_t i = 0; i < fields; ++i) {
    wasm_producers_field f;
    f.name = std::string(r.name("producers field name"));
    const std::uint32_t values = r.count("producers value count", active_limits().wasm_producers_entries,
                                         "wasm.too-many-entries", 2);
    for (std::uint32_t k = 0; k < values; ++k) {
      wasm_producer p;
      p.name = std::string(r.name("producer name"));
      p.version = std::string(r.name("producer version"));
      f.values.push_back(std::move(p));
    }
    out.producers.push_back(std::move(f));
  }
  r.expect_end();
}

void read_custom(byte_reader& r, wasm_section& sec, wasm_binary_info& out) {
  sec.name = std::string(r.name("custom section name"));
  if (sec.name != "name" && sec.name != "producers") return;
  // Engines ignore malformed custom sections, so the module still loads: keep what was read
  // before the fault and record a warning instead of failing the whole inspection.
  try {
    if (sec.name == "name") {
      read_name_section(r, out);
    } else {
      read_producers_section(r, out);
    }
  } catch (const error& e) {
    out.warnings.push_back(diagnostic{severity::warning, e.code(), "",
                                      fmt::format("ignored malformed '{}' section: {}", sec.name, e.message()),
                                      {}});
  }
}

void read_header(std::string_view bytes) {
  byte_reader r(bytes, 0, bytes.size(), "module header");
  const std::string_view magic = r.bytes(4, "the magic number");
  if (magic != std::string_view("\0asm", 4)) {
    std::string hint;
    const auto first = bytes.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && (bytes[first] == '(' || bytes[first] == ';')) {
      hint = "; it looks like WebAssembly text, compile it with wat2wasm first";
    }
    r.fail(0, "wasm.bad-magic", "not a WebAssembly binary (missing \\0asm magic)" + hint);
  }
  const std::string_view v = r.bytes(4, "the version");
  const std::uint32_t version = static_cast<std::uint8_t>(v[0]) | static_cast<std::uint8_t>(v[1]) << 8 |
                                static_cast<std::uint32_t>(static_cast<std::uint8_t>(v[2])) << 16 |
                                static_cast<std::uint32_t>(static_cast<std::uint8_t>(v[3])) << 24;
  if (version != 1) {
    // Components share the magic and use version 0x0d with layer 1 in the upper half.
    const bool component = static_cast<std::uint8_t>(v[2]) == 1 && static_cast<std::uint8_t>(v[3]) == 0;
    r.fail(4, "wasm.unsupported-version",
           component ? std::string("this is a WebAssembly component, not a core module; proxy-wasm hosts load core modules only")
                     : fmt::format("binary format version {} is not supported (only 1)", version));
  }
}

}  // namespace

const char* wasm_extern_kind_name(wasm_extern_kind k) noexcept {
  switch (k) {
    case wasm_extern_kind::function: return "func";
    case wasm_extern_kind::table: return "table";
    case wasm_extern_kind::memory: return "memory";
    case wasm_extern_kind::global: return "global";
    case wasm_extern_kind::tag: return "tag";
  }
  return "unknown";
}

wasm_binary_info read_wasm_binary(std::string_view bytes) {
  if (bytes.size() > active_limits().wasm_module_bytes) {
    throw error(errc::parse, "wasm.too-large", "",
                detail::at_offset(0) + fmt::format("module is {} bytes; the limit is {}", bytes.size(),
                                                   active_limits().wasm_module_bytes));
  }
  read_header(bytes);
  wasm_binary_info out;
  out.version = 1;
  byte_reader r(bytes, 8, bytes.size(), "module");
  int last_rank = 0;
  std::uint8_t last_id = 0;
  bool saw_function = false, saw_code = false;
  std::size_t function_section_at = 0;
  while (!r.at_end()) {
    wasm_section sec;
    sec.offset = r.pos();
    if (out.sections.size() >= active_limits().wasm_sections) {
      r.fail(sec.offset, "wasm.too-many-sections",
             fmt::format("more than {} sections", active_limits().wasm_sections));
    }
    sec.id = r.u8("section id");
    if (sec.id > kTag) {
      r.fail(sec.offset, "wasm.unknown-section", fmt::format("unknown section id {}", sec.id));
    }
    const std::size_t size_at = r.pos();
    const std::uint32_t size = r.u32("section size");
    if (size > r.remaining()) {
      r.fail(size_at, "wasm.section-overflow",
             fmt::format("{} section declares {} bytes but only {} remain in the file",
                         section_name(sec.id), size, r.remaining()));
    }
    sec.payload_offset = r.pos();
    sec.size = size;
    if (sec.id != kCustom) {
      sec.name = section_name(sec.id);
      const int rank = section_rank(sec.id);
      if (rank <= last_rank) {
        r.fail(sec.offset, sec.id == last_id ? "wasm.duplicate-section" : "wasm.section-order",
               sec.id == last_id ? fmt::format("a second {} section", sec.name)
                                 : fmt::format("{} section after the {} section", sec.name,
                                               section_name(last_id)));
      }
      last_rank = rank;
      last_id = sec.id;
    }
    byte_reader body = r.sub(size, fmt::format("{} section", section_name(sec.id)));
    switch (sec.id) {
      case kCustom:
        read_custom(body, sec, out);
        break;
      case kType:
        // Only counted: signatures are not needed to classify imports and exports.
        out.type_count = body.count("type count", active_limits().wasm_entries, "wasm.too-many-entries", 1);
        break;
      case kImport:
        read_imports(body, out);
        body.expect_end();
        break;
      case kFunction:
        saw_function = true;
        function_section_at = sec.offset;
        out.defined_functions = body.count("function count", active_limits().wasm_entries, "wasm.too-many-entries", 1);
        for (std::uint32_t i = 0; i < out.defined_functions; ++i) body.u32("function type index");
        body.expect_end();
        break;
      case kMemory:
        out.defined_memories = body.count("memory count", active_limits().wasm_entries, "wasm.too-many-entries", 2);
        for (std::uint32_t i = 0; i < out.defined_memories; ++i) read_limits(body, "memory limits");
        body.expect_end();
        break;
      case kExport:
        read_exports(body, out);
        body.expect_end();
        break;
      case kStart:
        out.start_function = body.u32("start function index");
        body.expect_end();
        break;
      case kCode: {
        // The body count only; the bodies themselves are skipped by size.
        saw_code = true;
        const std::size_t at = body.pos();
        const std::uint32_t bodies = body.count("code body count", active_limits().wasm_entries, "wasm.too-many-entries", 1);
        if (bodies != out.defined_functions) {
          body.fail(at, "wasm.function-code-mismatch",
                    fmt::format("code section has {} bodies but the function section declares {}",
                                bodies, out.defined_functions));
        }
        break;
      }
      default:
        break;  // table, global, element, data, datacount, tag: skipped by size
    }
    out.sections.push_back(std::move(sec));
  }
  if (saw_function && out.defined_functions > 0 && !saw_code) {
    throw error(errc::parse, "wasm.function-code-mismatch", "",
                detail::at_offset(function_section_at) +
                    fmt::format("function section declares {} functions but there is no code section",
                                out.defined_functions));
  }
  return out;
}

}  // namespace wasmdeploy
