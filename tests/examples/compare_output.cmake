# cmake -DPROGRAM=... -DARGS="a;b" -DEXPECTED=file -P compare_output.cmake
# Runs PROGRAM and requires its stdout to equal EXPECTED byte for byte.
execute_process(COMMAND "${PROGRAM}" ${ARGS} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} failed: ${rc}")
endif()
file(READ "${EXPECTED}" expected)
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "output differs from ${EXPECTED}; actual output:\n${out}")
endif()
