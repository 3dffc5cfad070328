// Output shared by the commands that render documents: -o yaml|json streams to stdout,
// -o dir=PATH collects and writes one file per document atomically.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/render.hpp>

#include "commands.hpp"

namespace wasmdeploy::cli {
void print_diagnostics(const std::vector<diagnostic>& diagnostics, bool quiet) {
  for (const auto& d : diagnostics) {
    if (quiet && d.level != severity::error) continue;
    std::fprintf(stderr, "%s\n", format_diagnostic(d).c_str());
  }
}

void print_diagnostics(const render_summary& r, bool quiet) { print_diagnostics(r.diagnostics, quiet); }

render_options make_render_options(const spec& s, const std::string& istio, const std::string& target,
                                   const std::string& gateway_version, bool allow_incompatible) {
  render_options ro;
  ro.istio = istio;
  if (!target.empty()) ro.target = parse_platform(target, "--target");
  ro.gateway_version = gateway_version;
  ro.allow_incompatible_module = allow_incompatible || s.options.allow_incompatible_module;
  return ro;
}

void add_allow_flag(CLI::App* cmd, std::vector<std::string>& codes) {
  cmd->add_option("--allow", codes,
                  "Acknowledge a warning CODE (repeatable; spec: options.allow): it is printed as a note, so --strict "
                  "passes, and every rendered object records it in the annotation wasmdeploy.io/allowed")
      ->type_name("CODE")
      ->allow_extra_args(false);
}

void add_limit_flags(CLI::App& app, limits& into) {
  // Commands that read no input an attacker could write take no --limit.
  static const char* const kWithoutInput[] = {"versions", "version", "help", "completion", "man", "crd", "logout"};
  for (CLI::App* cmd : app.get_subcommands([](CLI::App*) { return true; })) {
    if (std::find(std::begin(kWithoutInput), std::end(kWithoutInput), cmd->get_name()) != std::end(kWithoutInput)) continue;
    cmd->add_option_function<std::vector<std::string>>(
           "--limit",
           [&into](const std::vector<std::string>& assignments) {
             for (const auto& a : assignments) set_limit_from_text(into, a);
           },
           "Override a reader limit (repeatable): NAME=VALUE, e.g. json_depth=128; names and defaults: README, "
           "section Limits")
        ->type_name("NAME=VALUE")
        ->allow_extra_args(false);
  }
}

void print_data(const node& n, const std::string& format) {
  std::string text = format == "yaml" ? to_yaml(n) : to_json_pretty(n);
  if (!text.empty() && text.back() != '\n') text += '\n';
  std::fputs(text.c_str(), stdout);
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

void refuse_current_directory(const std::string& dir) {
  // The output directory is swapped into place by rename: the working directory (or `/`) cannot
  // be renamed (EBUSY), and --force would put every file in it, the spec too, aside.
  std::error_code ec;
  const auto target = std::filesystem::weakly_canonical(std::filesystem::absolute(dir, ec), ec);
  const auto cwd = std::filesystem::current_path(ec);
  if (!ec && (target == cwd || target == target.root_path() || cwd.string().rfind(target.string() + "/", 0) == 0)) {
    throw error(errc::usage, "output.dir-is-cwd", "-o",
                fmt::format("dir={} is the working directory (or holds it), which cannot be replaced; name a "
                            "directory of its own, e.g. -o dir=out",
                            shorten(dir)));
  }
}

void write_output(const output_settings& o, const std::function<render_summary(document_sink&)>& produce) {
  const bool to_dir = o.output.rfind("dir=", 0) == 0;
  if (to_dir && o.output.size() == 4) throw error(errc::usage, "output.syntax", "-o", "write -o dir=PATH");
  if (!to_dir && o.output != "yaml" && o.output != "json") {
    throw error(errc::usage, "output.syntax", "-o",
                fmt::format("unknown output '{}'; use yaml, json or dir=PATH", shorten(o.output)));
  }
  if (to_dir) refuse_current_directory(o.output.substr(4));
  const auto report = [&](const render_summary& r) {
    const std::vector<diagnostic> shown = o.rename ? o.rename(r.diagnostics) : r.diagnostics;
    print_diagnostics(shown, o.quiet);
    const auto warnings = std::count_if(shown.begin(), shown.end(), [](const diagnostic& d) {
      return d.level == severity::warning;
    });
    if (o.strict && warnings > 0) {
      throw error(errc::invalid, "render.strict", "--strict",
                  fmt::format("{} warning(s){}; nothing was written", warnings, o.quiet ? " (hidden by -q)" : " above"));
    }
  };
  if (!to_dir && !o.strict) {
    stream_writer out(stdout, o.output == "json" ? output_format::json : output_format::yaml);
    render_summary r = produce(out);
    out.finish();
    report(r);
    return;
  }
  // Directory output, and --strict (which may refuse after the render), collect first.
  std::vector<document> docs;
  document_collector all(docs);
  report(produce(all));
  if (to_dir) {
    write_directory(docs, o.output.substr(4), o.force);
    if (!o.quiet) std::fprintf(stderr, "wrote %zu files to %s\n", docs.size(), o.output.substr(4).c_str());
    return;
  }
  stream_writer out(stdout, o.output == "json" ? output_format::json : output_format::yaml);
  for (const auto& d : docs) out.on_document(d);
  out.finish();
}

void write_output(const std::string& output, bool force, bool quiet,
                  const std::function<render_summary(document_sink&)>& produce) {
  write_output(output_settings{output, force, quiet, false, {}}, produce);
}

}  // namespace wasmdeploy::cli
