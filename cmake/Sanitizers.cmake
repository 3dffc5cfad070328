# WD_SANITIZE=address,undefined | thread : applied to every target in the tree.
if(WD_SANITIZE)
  add_compile_options(-fsanitize=${WD_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${WD_SANITIZE})
endif()

# WD_FUZZ (the `fuzz` preset, clang only): every target also gets libFuzzer's coverage
# instrumentation, so the fuzzers in tests/fuzz steer by the library's branches, and the same
# ASan + UBSan build runs the unit tests (scripts/test.sh). Ordinary programs link fine: the
# sanitizer runtime supplies the coverage callbacks.
option(WD_FUZZ "Build libFuzzer targets and their bounded ctest runs (clang only)" OFF)
if(WD_FUZZ AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
