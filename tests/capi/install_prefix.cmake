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
