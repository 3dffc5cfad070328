// Handle definitions and the exception boundary shared by every C API source file.
//
// Each opaque C type wraps the C++ value it stands for (leveldb's `rep` idiom). The structs are
// declared in the public header but defined only here, so their layout is never part of the ABI.
#pragma once

#include <new>
#include <string>
#include <vector>

#include <wasmdeploy/error.hpp>
#include <wasmdeploy/limits.hpp>
#include <wasmdeploy/render.hpp>
#include <wasmdeploy/resolve.hpp>
#include <wasmdeploy/spec.hpp>
#include <wasmdeploy/wasmdeploy.h>

struct wd_spec {
  wasmdeploy::spec impl;
};

struct wd_render_options {
  wasmdeploy::render_options impl;
  /// The resolve stage's settings (wd_render_options_set_resolve); defaults: no network.
  wasmdeploy::resolve_options inputs;
};

struct wd_limits {
  wasmdeploy::limits impl;
};

struct wd_render_result {
  wasmdeploy::render_result impl;
  std::string istio;
  // C views of impl; their strings point into impl, which is never modified after construction.
  std::vector<std::string> diagnostic_text;
  std::vector<wd_diagnostic> diagnostics;
  std::vector<wd_document> documents;
};

namespace wasmdeploy::capi {

/// Records `e` as the calling thread's last error.
void set_last_error(const error& e) noexcept;
/// Records a failure that did not come from wasmdeploy::error.
void set_last_error(errc category, const char* id, const char* message) noexcept;

/// Throws error{usage} when a required pointer argument is NULL.
void require(const void* p, const char* argument);

/// Copies `text` into a library-owned wd_buf (releasing what it held before).
void fill_buf(wd_buf* out, const std::string& text);

/// Runs `body` and turns every exception into a status code plus a thread-local last error,
/// so no exception ever crosses the C boundary.
template <typename F>
int guard(F&& body) noexcept {
  try {
    return body();
  } catch (const error& e) {
    set_last_error(e);
    return static_cast<int>(e.category());
  } catch (const std::bad_alloc&) {
    set_last_error(errc::no_memory, "capi.no-memory", "out of memory");
    return static_cast<int>(errc::no_memory);
  } catch (const std::exception& e) {
    set_last_error(errc::generic, "capi.internal", e.what());
    return static_cast<int>(errc::generic);
  } catch (...) {
    set_last_error(errc::generic, "capi.internal", "unknown internal error");
    return static_cast<int>(errc::generic);
  }
}

}  // namespace wasmdeploy::capi
