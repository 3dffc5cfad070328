// Output shared by the commands that render documents: -o yaml|json streams to stdout,
// -o dir=PATH collects and writes one file per document atomically.
#include <cstdio>

#include <fmt/format.h>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/render.hpp>

#include "commands.hpp"

namespace wasmdeploy::cli {
void print_diagnostics(const std::vector<diagnostic>& diagnostics, bool quiet) {
  for (const auto& d : diagnostics) {
    if (quiet && d.level == severity::note) continue;
    std::fprintf(stderr, "%s\n", format_diagnostic(d).c_str());
  }
}

void print_diagnostics(const render_summary& r, bool quiet) { print_diagnostics(r.diagnostics, quiet); }

namespace {

}  // namespace

render_options make_render_options(const spec& s, const std::string& istio, const std::string& target,
                                   const std::string& gateway_version, bool allow_incompatible) {
  render_options ro;
  ro.istio = istio;
  if (!target.empty()) ro.target = parse_platform(target, "--target");
  ro.gateway_version = gateway_version;
  ro.allow_incompatible_module = allow_incompatible || s.options.allow_incompatible_module;
  return ro;
}

void print_files(const std::vector<document>& docs) {
  size_t n = 0;
  for (const auto& d : docs) n += d.what == document::role::file;
  for (const auto& d : docs) {
    if (d.what != document::role::file) continue;
    if (n > 1) std::fprintf(stdout, "# %s\n", d.file_name.c_str());
    std::fputs(d.body.as_string().c_str(), stdout);
  }
}

void write_output(const std::string& output, bool force, bool quiet,
                  const std::function<render_summary(document_sink&)>& produce) {
  if (output.rfind("dir=", 0) == 0) {
    const std::string dir = output.substr(4);
    if (dir.empty()) throw error(errc::usage, "output.syntax", "-o", "write -o dir=PATH");
    std::vector<document> docs;
    document_collector all(docs);
    render_summary r = produce(all);
    write_directory(docs, dir, force);
    print_diagnostics(r, quiet);
    if (!quiet) std::fprintf(stderr, "wrote %zu files to %s\n", docs.size(), dir.c_str());
    return;
  }
  if (output != "yaml" && output != "json") {
    throw error(errc::usage, "output.syntax", "-o", fmt::format("unknown output '{}'; use yaml, json or dir=PATH", output));
  }
  stream_writer out(stdout, output == "json" ? output_format::json : output_format::yaml);
  render_summary r = produce(out);
  out.finish();
  print_diagnostics(r, quiet);
}

}  // namespace wasmdeploy::cli
