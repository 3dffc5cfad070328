# Install rules and the CMake/pkg-config packages.
#
#   find_package(wasmdeploy)                  -> wasmdeploy::c (shared C API) and
#                                                wasmdeploy::wasmdeploy (static C++ core)
#   find_package(wasmdeploy COMPONENTS c)     -> only wasmdeploy::c: needs none of the core's
#                                                -dev packages on the consumer's machine
#   pkg-config wasmdeploy-c                   -> the C API
#
# Wheels (SKBUILD) install only the Python component, never these.
#
# The command line tool (component cli): bin/wasmdeploy, its bash completion (found by
# bash-completion in <prefix>/share/bash-completion/completions) and its manual page
# (<prefix>/share/man/man1, on MANPATH for /usr/local and ~/.local).
include(CMakePackageConfigHelpers)

if(TARGET wasmdeploy_cli)
  install(TARGETS wasmdeploy_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
  install(FILES ${WD_CLI_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions COMPONENT cli)
  install(FILES ${WD_CLI_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT cli)
endif()

set(WD_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/wasmdeploy)

# The C++ core: static, so its private dependencies travel as link-only requirements that the
# package config satisfies with find_dependency().
install(TARGETS wasmdeploy wasmdeploy_proto EXPORT wasmdeploy-cxx-targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT devel)
if(WD_HOST)
  install(FILES ${WD_WASMI_LIB} DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT devel)  # the host's engine
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/wasmdeploy DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  COMPONENT devel FILES_MATCHING PATTERN "*.hpp")
install(EXPORT wasmdeploy-cxx-targets NAMESPACE wasmdeploy:: DESTINATION ${WD_CMAKE_DIR} COMPONENT devel)

if(TARGET wasmdeploy_c)
  install(TARGETS wasmdeploy_c EXPORT wasmdeploy-c-targets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT devel
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
  install(FILES ${WD_C_PUBLIC_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/wasmdeploy COMPONENT devel)
  install(EXPORT wasmdeploy-c-targets NAMESPACE wasmdeploy:: DESTINATION ${WD_CMAKE_DIR} COMPONENT devel)

  # pkg-config: prefix is computed from the .pc file's own location, so the package works
  # wherever `cmake --install --prefix` puts it.
  set(WD_PC_PREFIX "\${pcfiledir}")
  string(REPLACE "/" ";" _wd_libdir_parts "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
  foreach(_part ${_wd_libdir_parts})
    string(APPEND WD_PC_PREFIX "/..")
  endforeach()
  configure_file(${PROJECT_SOURCE_DIR}/cmake/wasmdeploy-c.pc.in ${PROJECT_BINARY_DIR}/wasmdeploy-c.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/wasmdeploy-c.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT devel)
endif()

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/wasmdeployConfig.cmake.in
  ${PROJECT_BINARY_DIR}/wasmdeployConfig.cmake INSTALL_DESTINATION ${WD_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/wasmdeployConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/wasmdeployConfig.cmake ${PROJECT_BINARY_DIR}/wasmdeployConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/FindLibYAML.cmake DESTINATION ${WD_CMAKE_DIR} COMPONENT devel)
