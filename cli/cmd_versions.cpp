// `wasmdeploy versions`: the capability matrix, one Istio version's capabilities, or the range
// of one capability.
#include <cstdio>

#include <fmt/format.h>

#include <wasmdeploy/capabilities.hpp>
#include <wasmdeploy/error.hpp>
#include <wasmdeploy/node.hpp>

#include "commands.hpp"
#include "spec_flags.hpp"

namespace wasmdeploy::cli {
namespace {

const char* use_name(row_use u) { return u == row_use::decision ? "decision" : "documentation"; }

struct versions_options {
  std::string istio;
  std::string capability;
  std::string output = "text";
};

void print_matrix() {
  const int lo = mesh_version::oldest_supported().minor, hi = mesh_version::newest_supported().minor;
  std::string out = fmt::format("{:<32}", "capability \\ Istio 1.");
  for (int m = lo; m <= hi; ++m) out += fmt::format("{:>3}", m);
  out += "\n";
  // Decision rows first, then the rows that only document a difference wasmdeploy never meets.
  for (const row_use use : {row_use::decision, row_use::documentation}) {
    if (use == row_use::documentation) out += "documentation only (no decision reads these rows):\n";
    for (const auto& row : capability_table()) {
      if (row.use != use) continue;
      out += fmt::format("{:<32}", row.key);
      for (int m = lo; m <= hi; ++m) {
        // A minor line counts as supported when its first patch is; rows that change inside a
        // minor (1.7.1) show '~' there.
        bool at0 = supports(mesh_version(release{1, m, 0}), row.id);
        bool at99 = supports(mesh_version(release{1, m, 99}), row.id);
        out += at0 ? "  +" : at99 ? "  ~" : "  .";
      }
      out += "\n";
    }
  }
  out += "\n+ supported   . not supported   ~ from a later patch of that minor (see `versions --capability`)\n";
  const auto& newest = newest_reviewed_release();
  out += fmt::format("newer minors render with {}'s rules and a version.newer-than-known warning ({})\n",
                     newest.at.str(true), newest.source);
  std::fputs(out.c_str(), stdout);
}

void run(const versions_options& o) {
  if (!o.capability.empty()) {
    auto c = find_capability(o.capability);
    if (!c) {
      throw error(errc::usage, "capability.unknown", "--capability",
                  fmt::format("unknown capability '{}'; `wasmdeploy versions` lists them", shorten(o.capability)));
    }
    const auto& row = info(*c);
    if (o.output != "text") {
      node n = make_mapping({{"key", std::string(row.key)},
                             {"since", row.since.str()},
                             {"until", row.until ? node(row.until->str()) : node()},
                             {"summary", std::string(row.summary)},
                             {"source", std::string(row.source)},
                             {"use", use_name(row.use)}});
      print_data(n, o.output);
    } else {
      std::printf("%s: %s\n  %s\n  source: %s\n", std::string(row.key).c_str(), describe_support(*c).c_str(),
                  std::string(row.summary).c_str(), std::string(row.source).c_str());
      if (row.use == row_use::documentation) {
        std::printf("  documentation only: wasmdeploy never writes what changed, so no decision reads it\n");
      }
    }
    return;
  }
  if (!o.istio.empty()) {
    mesh_version v = istio_flag(o.istio);
    if (v.newer_than_known()) {
      print_diagnostics(std::vector<diagnostic>{{severity::warning, "version.newer-than-known", "--istio",
                          fmt::format("Istio {} is newer than the newest release wasmdeploy knows; these are {}'s "
                                      "capabilities",
                                      v.str(), mesh_version::newest_supported().str(true)),
                          {}}},
                        false);
    }
    node list = node::sequence();
    for (const auto& row : capability_table()) {
      if (o.output != "text") {
        list.push(make_mapping({{"key", std::string(row.key)}, {"supported", supports(v, row.id)}}));
      } else {
        std::printf("%s %-32s %s%s\n", supports(v, row.id) ? "yes" : "no ", std::string(row.key).c_str(),
                    std::string(row.summary).c_str(), row.use == row_use::documentation ? " (documentation only)" : "");
      }
    }
    if (o.output != "text") print_data(list, o.output);
    return;
  }
  if (o.output != "text") {
    node list = node::sequence();
    for (const auto& row : capability_table()) {
      list.push(make_mapping({{"key", std::string(row.key)},
                              {"since", row.since.str()},
                              {"until", row.until ? node(row.until->str()) : node()},
                              {"summary", std::string(row.summary)},
                              {"source", std::string(row.source)},
                              {"use", use_name(row.use)}}));
    }
    print_data(list, o.output);
    return;
  }
  print_matrix();
}

}  // namespace

void add_versions_command(CLI::App& app) {
  auto o = std::make_shared<versions_options>();
  CLI::App* cmd = app.add_subcommand("versions", "Show which Istio releases support what (the capability table)");
  cmd->add_option("--istio", o->istio, "List the capabilities of one Istio version (1.8, 1.8.x, 1.8.1)");
  cmd->add_option("--capability", o->capability, "Show the releases that have one capability");
  cmd->add_option("-o,--output", o->output, "text (default), json or yaml")->check(CLI::IsMember({"text", "json", "yaml"}));
  cmd->callback([o] { run(*o); });
}

}  // namespace wasmdeploy::cli
