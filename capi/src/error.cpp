// The thread-local last error and wd_buf: the two pieces of state every C API call may touch.
#include <cstdlib>
#include <cstring>

#include "handles.hpp"

namespace wasmdeploy::capi {
namespace {

// Strings live beside the wd_error that points at them, so wd_error_last() stays valid until
// the next failure on the same thread.
struct last_error {
  std::string message = "no error";
  std::string id;
  std::string path;
  std::string file;
  wd_error view{WD_OK, nullptr, nullptr, nullptr, nullptr, 0, 0};

  void publish(int code, int line, int column) noexcept {
    view = wd_error{code, message.c_str(), id.c_str(), path.c_str(), file.c_str(), line, column};
  }
};

last_error& current() noexcept {
  thread_local last_error e = [] {
    last_error init;
    init.publish(WD_OK, 0, 0);
    return init;
  }();
  return e;
}

// If storing the strings itself runs out of memory, fall back to a static message.
void publish_oom() noexcept {
  static const wd_error oom{WD_ENOMEM, "out of memory", "capi.no-memory", "", "", 0, 0};
  current().view = oom;
}

}  // namespace

void set_last_error(const error& e) noexcept {
  last_error& le = current();
  try {
    le.message = format_error(e);
    le.id = e.code();
    le.path = e.path();
    le.file = e.position().file;
    le.publish(static_cast<int>(e.category()), e.position().line, e.position().column);
  } catch (...) {
    publish_oom();
  }
}

void set_last_error(errc category, const char* id, const char* message) noexcept {
  last_error& le = current();
  try {
    le.message = std::string("[") + id + "] " + message;
    le.id = id;
    le.path.clear();
    le.file.clear();
    le.publish(static_cast<int>(category), 0, 0);
  } catch (...) {
    publish_oom();
  }
}

void require(const void* p, const char* argument) {
  if (p == nullptr)
    throw error(errc::usage, "capi.null-argument", "", std::string("argument '") + argument + "' is NULL");
}

void fill_buf(wd_buf* out, const std::string& text) {
  char* p = static_cast<char*>(std::malloc(text.size() + 1));
  if (p == nullptr) throw std::bad_alloc();
  std::memcpy(p, text.data(), text.size());
  p[text.size()] = '\0';
  wd_buf_dispose(out);
  out->ptr = p;
  out->reserved = text.size() + 1;
  out->size = text.size();
}

}  // namespace wasmdeploy::capi

extern "C" {

const wd_error* wd_error_last(void) { return &wasmdeploy::capi::current().view; }
const char* wd_error_last_message(void) { return wd_error_last()->message; }
int wd_error_last_code(void) { return wd_error_last()->code; }
const char* wd_error_last_id(void) { return wd_error_last()->id; }
const char* wd_error_last_path(void) { return wd_error_last()->path; }

void wd_error_clear(void) {
  auto& le = wasmdeploy::capi::current();
  le.message = "no error";
  le.id.clear();
  le.path.clear();
  le.file.clear();
  le.publish(WD_OK, 0, 0);
}

void wd_buf_dispose(wd_buf* buf) {
  if (buf == nullptr) return;
  std::free(buf->ptr);
  buf->ptr = nullptr;
  buf->reserved = 0;
  buf->size = 0;
}

}  // extern "C"
