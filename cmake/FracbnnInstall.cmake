# Installation and packaging of libfracbnn (included from CMakeLists.txt).
#
#   cmake --install build --prefix /opt/fracbnn
#
# installs
#   include/fracbnn/{fracbnn.h,layers.h}
#   lib/libfracbnn.a, lib/libfracbnn.so -> .so.MAJOR -> .so.MAJOR.MINOR.PATCH
#   lib/cmake/fracbnn/fracbnn{Config,ConfigVersion,Targets*}.cmake
#       find_package(fracbnn CONFIG REQUIRED) -> fracbnn::fracbnn (shared),
#                                                fracbnn::fracbnn_static
#   lib/pkgconfig/fracbnn.pc   (pkg-config --cflags --libs fracbnn; --static for the .a)
#   bin/fbnn                   (if FBNN_BUILD_CLI)
include(CMakePackageConfigHelpers)

set(FBNN_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/fracbnn)

install(TARGETS fracbnn fracbnn_shared EXPORT fracbnnTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/fracbnn DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(EXPORT fracbnnTargets NAMESPACE fracbnn:: FILE fracbnnTargets.cmake
        DESTINATION ${FBNN_CMAKE_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/fracbnnConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/fracbnnConfig.cmake
                              INSTALL_DESTINATION ${FBNN_CMAKE_DIR})
# 0.x releases may break the API between minor versions, so a request for
# 0.1 is only satisfied by 0.1.z (SameMinorVersion); from 1.0 on SameMajorVersion.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_fbnn_compat SameMinorVersion)
else()
  set(_fbnn_compat SameMajorVersion)
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/fracbnnConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY ${_fbnn_compat})
install(FILES ${PROJECT_BINARY_DIR}/fracbnnConfig.cmake ${PROJECT_BINARY_DIR}/fracbnnConfigVersion.cmake
        DESTINATION ${FBNN_CMAKE_DIR})

# pkg-config: absolute paths under the prefix actually installed to. The
# prefix is only known at install time (`cmake --install build --prefix P`
# overrides CMAKE_INSTALL_PREFIX then), so the install script writes the .pc
# from cmake/fracbnn.pc.in with the install-time CMAKE_INSTALL_PREFIX:
#   prefix=/opt/fracbnn, libdir=${prefix}/lib, includedir=${prefix}/include
# (`pkg-config --cflags` gives -I/opt/fracbnn/include; `--variable=libdir`
# gives /opt/fracbnn/lib, for -Wl,-rpath). A relative CMAKE_INSTALL_LIBDIR /
# INCLUDEDIR is written as ${prefix}/DIR, an absolute one as is. The build
# tree gets a copy for the configure-time prefix (build/fracbnn.pc).
set(FBNN_PC_LIBS_PRIVATE "-lm")
if(FBNN_THREADS)
  string(APPEND FBNN_PC_LIBS_PRIVATE " -pthread")
endif()
foreach(_d LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_d}}")
    set(FBNN_PC_${_d} "${CMAKE_INSTALL_${_d}}")
  else()
    set(FBNN_PC_${_d} "\${prefix}/${CMAKE_INSTALL_${_d}}")
  endif()
endforeach()
set(FBNN_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/fracbnn.pc.in ${PROJECT_BINARY_DIR}/fracbnn.pc @ONLY)
# (Bracket arguments keep ${prefix} literal in the install script.)
install(CODE "
  set(FBNN_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(FBNN_PC_LIBDIR [=[${FBNN_PC_LIBDIR}]=])
  set(FBNN_PC_INCLUDEDIR [=[${FBNN_PC_INCLUDEDIR}]=])
  set(FBNN_PC_LIBS_PRIVATE [=[${FBNN_PC_LIBS_PRIVATE}]=])
  set(PROJECT_VERSION [=[${PROJECT_VERSION}]=])
  configure_file([=[${PROJECT_SOURCE_DIR}/cmake/fracbnn.pc.in]=] [=[${PROJECT_BINARY_DIR}/pc_install/fracbnn.pc]=] @ONLY)
")
install(FILES ${PROJECT_BINARY_DIR}/pc_install/fracbnn.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
