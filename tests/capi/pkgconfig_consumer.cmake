# cmake -DPREFIX=... -DSOURCE=main.c -DOUT=... -DCC=... -P pkgconfig_consumer.cmake
# Compiles and runs a C program with nothing but `pkg-config --cflags --libs wasmdeploy-c`.
file(GLOB_RECURSE pc_files "${PREFIX}/*/wasmdeploy-c.pc")
list(LENGTH pc_files n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one wasmdeploy-c.pc under ${PREFIX}, found: ${pc_files}")
endif()
get_filename_component(pc_dir "${pc_files}" DIRECTORY)
set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
execute_process(COMMAND pkg-config --cflags --libs wasmdeploy-c OUTPUT_VARIABLE flags
  RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pkg-config failed")
endif()
message(STATUS "pkg-config --cflags --libs wasmdeploy-c: ${flags}")
separate_arguments(flags UNIX_COMMAND "${flags}")
execute_process(COMMAND "${CC}" -std=c11 -Wall -Wextra -pedantic -Werror "${SOURCE}" ${flags} -o "${OUT}"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "compiling against the pkg-config flags failed")
endif()
# The .pc deliberately sets no rpath (distribution packages don't); point the loader at libdir.
execute_process(COMMAND pkg-config --variable=libdir wasmdeploy-c OUTPUT_VARIABLE libdir OUTPUT_STRIP_TRAILING_WHITESPACE)
set(ENV{LD_LIBRARY_PATH} "${libdir}")
execute_process(COMMAND "${OUT}" RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "demo")
  message(FATAL_ERROR "the pkg-config consumer failed (${rc}):\n${out}")
endif()
