// Text and JSON renderings of a module_report. JSON keys are emitted in a fixed order
// (ordered_json) so output is byte-stable for golden tests and diffs.
#include <wasmdeploy/inspect.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace wasmdeploy {
namespace {

using ojson = nlohmann::ordered_json;

std::string abi_set_text(const std::vector<proxy_abi>& abis) {
  if (abis.empty()) return "";
  if (abis.size() == 1) return proxy_abi_name(abis.front());
  return fmt::format("{}+", proxy_abi_name(abis.front()));
}

std::string abi_line(const module_report& r) {
  switch (r.abi_state) {
    case abi_status::missing: return "missing (no proxy_abi_version_* export)";
    case abi_status::unknown: {
      std::string names;
      for (const auto& m : r.abi_markers) names += (names.empty() ? "" : ", ") + m.export_name;
      return "unknown (" + names + ")";
    }
    case abi_status::declared:
    case abi_status::multiple: {
      std::string names;
      for (const auto& m : r.abi_markers) names += (names.empty() ? "" : ", ") + m.export_name;
      return fmt::format("{} ({}){}", proxy_abi_name(*r.abi), names,
                         r.abi_state == abi_status::multiple ? ", several markers" : "");
    }
  }
  return "";
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

ojson diagnostic_json(const diagnostic& d) {
  return ojson{{"severity", severity_name(d.level)}, {"code", d.code}, {"path", d.path},
               {"message", d.message}};
}

std::vector<std::string> release_strings(const std::vector<release>& rs) {
  std::vector<std::string> out;
  for (const auto& r : rs) out.push_back(r.str(true));
  return out;
}

}  // namespace

std::string format_report_text(const module_report& r, const std::optional<mesh_version>& version) {
  std::string out;
  auto line = [&out](const std::string& s) { out += s + "\n"; };
  line(fmt::format("size:        {} bytes", r.size));
  line(fmt::format("sha256:      {}", r.sha256));
  line(fmt::format("proxy-wasm:  ABI {}", abi_line(r)));
  line(fmt::format("allocator:   {}", allocator_kind_name(r.allocator)));
  line(fmt::format("start-up:    {}", r.startup_exports.empty() ? "none" : join(r.startup_exports, ", ")));
  line(fmt::format("functions:   {} defined, {} imported; memories: {} defined, {} imported",
                   r.binary.defined_functions, r.binary.imported_functions,
                   r.binary.defined_memories, r.binary.imported_memories));
  if (r.binary.module_name) line(fmt::format("module name: {}", *r.binary.module_name));
  for (const auto& f : r.binary.producers) {
    std::vector<std::string> vals;
    for (const auto& p : f.values) vals.push_back(p.version.empty() ? p.name : p.name + " " + p.version);
    line(fmt::format("producers:   {}: {}", f.name, join(vals, ", ")));
  }
  line(fmt::format("imports ({}):", r.binary.imports.size()));
  for (const auto& imp : r.binary.imports) {
    std::string note;
    for (const auto& p : r.proxy_imports) {
      if (imp.module == "env" && p.name == imp.field) {
        note = !p.known ? "  [not a host function]"
               : p.only_in.empty() ? ""
                                   : "  [ABI " + abi_set_text(p.only_in) + "]";
      }
    }
    line(fmt::format("  {} {}.{}{}", wasm_extern_kind_name(imp.kind), imp.module, imp.field, note));
  }
  line(fmt::format("exports ({}):", r.binary.exports.size()));
  for (const auto& ex : r.binary.exports) {
    line(fmt::format("  {} {}", wasm_extern_kind_name(ex.kind), ex.name));
  }
  std::vector<std::string> customs;
  for (const auto& s : r.binary.sections) {
    if (s.id == 0) customs.push_back(fmt::format("{} ({} bytes)", s.name, s.size));
  }
  if (!customs.empty()) line(fmt::format("custom:      {}", join(customs, ", ")));
  line(fmt::format("loads on:    {}", describe_releases(loadable_releases(r))));
  const auto labels = wasme_abi_versions(r);
  line(fmt::format("wasme abiVersions: {}", labels.empty() ? "none" : join(labels, ", ")));
  for (const auto& d : r.findings) line(format_diagnostic(d));
  if (version) {
    const auto v = verdict_for(r, *version);
    line(fmt::format("Istio {}: {}", version->str(), v.loads ? "can load this module" : "cannot load this module"));
    for (const auto& d : v.problems) {
      if (d.level == severity::error) line("  " + format_diagnostic(d));
    }
  }
  return out;
}

std::string format_report_json(const module_report& r, const std::optional<mesh_version>& version) {
  ojson j;
  j["size"] = r.size;
  j["sha256"] = r.sha256;
  ojson markers = ojson::array();
  for (const auto& m : r.abi_markers) {
    markers.push_back(ojson{{"export", m.export_name},
                            {"abi", m.abi ? ojson(proxy_abi_name(*m.abi)) : ojson(nullptr)}});
  }
  j["abi"] = ojson{{"status", abi_status_name(r.abi_state)},
                   {"version", r.abi ? ojson(proxy_abi_name(*r.abi)) : ojson(nullptr)},
                   {"markers", markers}};
  j["allocator"] = allocator_kind_name(r.allocator);
  j["startup_exports"] = r.startup_exports;
  ojson proxy = ojson::array();
  for (const auto& p : r.proxy_imports) {
    proxy.push_back(ojson{{"name", p.name},
                          {"known", p.known},
                          {"abi", p.only_in.empty() ? ojson(nullptr) : ojson(abi_set_text(p.only_in))}});
  }
  j["proxy_imports"] = proxy;
  j["wasi_imports"] = r.wasi_imports;
  ojson imports = ojson::array();
  for (const auto& imp : r.binary.imports) {
    ojson e{{"module", imp.module}, {"field", imp.field}, {"kind", wasm_extern_kind_name(imp.kind)}};
    if (imp.kind == wasm_extern_kind::function) e["type_index"] = imp.type_index;
    imports.push_back(e);
  }
  j["imports"] = imports;
  ojson exports = ojson::array();
  for (const auto& ex : r.binary.exports) {
    exports.push_back(ojson{{"name", ex.name}, {"kind", wasm_extern_kind_name(ex.kind)}, {"index", ex.index}});
  }
  j["exports"] = exports;
  j["counts"] = ojson{{"types", r.binary.type_count},
                      {"defined_functions", r.binary.defined_functions},
                      {"imported_functions", r.binary.imported_functions},
                      {"defined_memories", r.binary.defined_memories},
                      {"imported_memories", r.binary.imported_memories}};
  ojson sections = ojson::array();
  for (const auto& s : r.binary.sections) {
    sections.push_back(ojson{{"id", s.id}, {"name", s.name}, {"offset", s.offset}, {"size", s.size}});
  }
  j["sections"] = sections;
  j["module_name"] = r.binary.module_name ? ojson(*r.binary.module_name) : ojson(nullptr);
  ojson producers = ojson::array();
  for (const auto& f : r.binary.producers) {
    ojson vals = ojson::array();
    for (const auto& p : f.values) vals.push_back(ojson{{"name", p.name}, {"version", p.version}});
    producers.push_back(ojson{{"field", f.name}, {"values", vals}});
  }
  j["producers"] = producers;
  ojson findings = ojson::array();
  for (const auto& d : r.findings) findings.push_back(diagnostic_json(d));
  j["findings"] = findings;
  const auto loadable = loadable_releases(r);
  j["loadable"] = ojson{{"summary", describe_releases(loadable)}, {"releases", release_strings(loadable)}};
  j["wasme_abi_versions"] = wasme_abi_versions(r);
  if (version) {
    const auto v = verdict_for(r, *version);
    ojson problems = ojson::array();
    for (const auto& d : v.problems) problems.push_back(diagnostic_json(d));
    j["verdict"] = ojson{{"istio", version->str()}, {"loads", v.loads}, {"problems", problems}};
  }
  return j.dump(2) + "\n";
}

}  // namespace wasmdeploy
