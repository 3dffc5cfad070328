// Usage errors from the argument parser (CLI11) in wasmdeploy's own form, so scripts see one
// shape for every error: `error: [cli.unknown-flag] --namspace: unknown flag for "wasmdeploy
// render"; did you mean --namespace?`, exit 2.
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <wasmdeploy/error.hpp>

#include "commands.hpp"

namespace wasmdeploy::cli {
namespace {

size_t distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

/// The deepest subcommand the parser entered (the one whose flags were being read).
CLI::App* innermost(CLI::App& app) {
  CLI::App* at = &app;
  for (;;) {
    const auto parsed = at->get_subcommands();
    if (parsed.empty()) return at;
    at = parsed.front();
  }
}

std::string command_name(const CLI::App& app, const CLI::App* cmd) {
  return cmd == &app ? "wasmdeploy" : "wasmdeploy " + cmd->get_name();
}

error unknown_argument(CLI::App& app, const std::string& arg) {
  CLI::App* cmd = innermost(app);
  const std::string where = command_name(app, cmd);
  if (arg.empty() || arg[0] != '-' || arg == "-") {
    return error(errc::usage, "cli.unexpected-argument", "",
                 fmt::format("unexpected argument '{}' for \"{}\"; run '{} --help' for its usage", shorten(arg, 60),
                             where, where));
  }
  const std::string flag = arg.substr(0, arg.find('='));
  const std::string bare = flag.substr(flag.find_first_not_of('-') == std::string::npos ? flag.size()
                                                                                          : flag.find_first_not_of('-'));
  std::vector<std::string> close;
  for (const CLI::Option* o : cmd->get_options()) {
    for (const auto& l : o->get_lnames()) {
      if (bare.size() > 1 && is_close(bare, l)) close.push_back("--" + l);
    }
  }
  std::string hint;
  for (const auto& c : close) hint += (hint.empty() ? "; did you mean " : " or ") + c;
  return error(errc::usage, "cli.unknown-flag", shorten(flag, 60),
               fmt::format("unknown flag for \"{}\"{}{}", where, hint, hint.empty() ? "; run '" + where + " --help'" : "?"));
}

}  // namespace

bool is_close(const std::string& typed, const std::string& known) {
  return distance(typed, known) <= std::max<size_t>(1, known.size() / 3) ||
         (typed.size() >= 3 && known.rfind(typed, 0) == 0);
}

void rethrow_as_usage(const error& e, const std::string& flag) {
  throw error(e.code() == "spec.invalid-utf8" ? e.category() : errc::usage, e.code(), flag, e.message());
}

error usage_error(CLI::App& app, const CLI::ParseError& e) {
  const std::string kind = e.get_name();
  if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::ExtrasError)) {
    // CLI11 names the stray arguments only in its message: "... not expected: a b".
    std::vector<std::string> extra;
    const std::string text = e.what();
    const size_t colon = text.find(": ");
    std::string rest = colon == std::string::npos ? "" : text.substr(colon + 2);
    for (size_t at = 0; at < rest.size();) {
      const size_t end = std::min(rest.find(' ', at), rest.size());
      if (end > at) extra.push_back(rest.substr(at, end - at));
      at = end + 1;
    }
    const auto flag = std::find_if(extra.begin(), extra.end(), [](const std::string& a) { return a.size() > 1 && a[0] == '-'; });
    return unknown_argument(app, flag != extra.end() ? *flag : extra.empty() ? std::string() : extra.front());
  }
  std::string code = "cli.invalid-value";  // any other refusal of a value by the parser
  if (kind == "RequiredError") code = "cli.missing-argument";
  if (kind == "ValidationError" || kind == "ConversionError") code = "cli.invalid-value";
  if (kind == "ArgumentMismatch") code = "cli.missing-value";
  if (kind == "ExcludesError" || kind == "RequiresError") code = "flags.conflict";
  const CLI::App* cmd = innermost(app);
  return error(errc::usage, code, "",
               fmt::format("{} (run '{} --help' for the usage)", e.what(), command_name(app, cmd)));
}

std::vector<std::string> split_short_equals(int argc, char** argv) {
  std::vector<std::string> out;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    // Only a single-letter short flag: `-n=bookinfo`. `--namespace=bookinfo` CLI11 reads itself.
    if (i > 0 && a.size() > 3 && a[0] == '-' && a[1] != '-' && a[2] == '=') {
      out.push_back(a.substr(0, 2));
      out.push_back(a.substr(3));
    } else {
      out.push_back(a);
    }
  }
  return out;
}

}  // namespace wasmdeploy::cli
