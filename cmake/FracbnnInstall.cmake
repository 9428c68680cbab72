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

# pkg-config: the prefix is found relative to the .pc file itself
# (${pcfiledir}), so `cmake --install --prefix ANYWHERE` gives a working file.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(FBNN_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _fbnn_rel "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
  string(REGEX REPLACE "/$" "" _fbnn_rel "${_fbnn_rel}")
  set(FBNN_PC_PREFIX "\${pcfiledir}/${_fbnn_rel}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(FBNN_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  set(FBNN_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(FBNN_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(FBNN_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
set(FBNN_PC_LIBS_PRIVATE "-lm")
if(FBNN_THREADS)
  string(APPEND FBNN_PC_LIBS_PRIVATE " -pthread")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/fracbnn.pc.in ${PROJECT_BINARY_DIR}/fracbnn.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/fracbnn.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
