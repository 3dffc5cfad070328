# Runs the thread test in parse-only and then mixed mode (ctest --build-and-test takes one
# --test-command). -DPROGRAM=path/to/test_capi_threads
foreach(mode parse-only mixed)
  execute_process(COMMAND ${PROGRAM} 8 10 ${mode} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "test_capi_threads 8 10 ${mode} failed (${rc})")
  endif()
endforeach()
