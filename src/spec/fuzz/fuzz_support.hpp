// Shared by the spec and import fuzz entry points: a sink that runs the emitters and keeps
// nothing, and deterministic choices derived from the input's bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <wasmdeploy/render.hpp>

namespace wasmdeploy::fuzz {

// Serialises each document and drops it: the emitters run, nothing is kept.
class discarding_sink : public document_sink {
 public:
  void on_document(const document& d) override {
    if (d.what == document::role::file) return;
    (void)to_yaml(d.body);
    (void)to_json(d.body);
  }
};

// Choices (version, platform, ...) drawn from an FNV-1a hash of the input, so every input
// replays the same way while any seed can reach every option.
class input_choices {
 public:
  explicit input_choices(std::string_view input) {
    for (unsigned char c : input) state_ = (state_ ^ c) * 1099511628211ull;
  }

  /// A value in [0, n).
  std::size_t take(std::uint64_t n) {
    const std::uint64_t v = state_ % n;
    state_ /= n;
    return static_cast<std::size_t>(v);
  }

 private:
  std::uint64_t state_ = 1469598103934665603ull;
};

// What an input reached (an error code, a trap), one line per call, appended to the file named by
// WD_FUZZ_REACHED when it is set: tests/fuzz/check_reached.py replays the seed corpora with it and
// checks that the harness gets where it is meant to (allocator re-entry, invalid modules, deep
// annotations, ...). Unset (libFuzzer runs), it costs one getenv.
inline void note_reached(std::string_view what) {
  static const char* const path = std::getenv("WD_FUZZ_REACHED");
  if (path == nullptr) return;
  if (std::FILE* f = std::fopen(path, "a")) {
    std::fprintf(f, "%.*s\n", static_cast<int>(what.size() > 200 ? 200 : what.size()), what.data());
    std::fclose(f);
  }
}

}  // namespace wasmdeploy::fuzz
