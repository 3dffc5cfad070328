# cmake -DBUILD_DIR=... -DPREFIX=... -P install_prefix.cmake
# A fresh install of the build tree into PREFIX: the consumer tests then see only what
# `cmake --install` really ships.
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()
foreach(f include/wasmdeploy/wasmdeploy.h include/wasmdeploy/version.h include/wasmdeploy/render.hpp)
  if(NOT EXISTS "${PREFIX}/${f}")
    message(FATAL_ERROR "missing from the install: ${f}")
  endif()
endforeach()
# The command line tool, with its completion and manual page (issue 24: `cmake --install` gives a
# working wasmdeploy on PATH).
foreach(f bin/wasmdeploy share/bash-completion/completions/wasmdeploy share/man/man1/wasmdeploy.1)
  if(NOT EXISTS "${PREFIX}/${f}")
    message(FATAL_ERROR "missing from the install: ${f}")
  endif()
endforeach()
execute_process(COMMAND "${PREFIX}/bin/wasmdeploy" --version RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^wasmdeploy ")
  message(FATAL_ERROR "the installed wasmdeploy --version failed (${rc}): ${out}")
endif()
