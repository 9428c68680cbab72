# The `fracbnn` Python package (python/fracbnn, ctypes over libfracbnn).
#
#   build tree:  BUILD/python/fracbnn/    PYTHONPATH=BUILD/python python3 -c "import fracbnn"
#                (_config.py there holds the absolute path of BUILD/libfracbnn.so.MAJOR)
#   installed:   <prefix>/${FBNN_PYTHON_INSTALL_DIR}/fracbnn/   (default lib/python)
#                (_config.py there finds the library relative to itself, so the
#                installed tree stays relocatable)
option(FBNN_PYTHON "Copy the fracbnn Python package into the build tree and install it" ON)
set(FBNN_PYTHON_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/python" CACHE STRING
    "Install directory of the fracbnn Python package, relative to the prefix")
if(FBNN_PYTHON)
  file(GLOB FBNN_PY_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/python/fracbnn/*.py)
  set(_fbnn_py_out ${PROJECT_BINARY_DIR}/python/fracbnn)
  foreach(f ${FBNN_PY_SOURCES})
    get_filename_component(n ${f} NAME)
    configure_file(${f} ${_fbnn_py_out}/${n} COPYONLY)
  endforeach()
  # Build tree: the absolute path of the built shared library (SONAME file).
  file(GENERATE OUTPUT ${_fbnn_py_out}/_config.py CONTENT
       "# Written by CMake: where the build-tree copy of the package finds libfracbnn.\nLIBRARY = \"$<TARGET_SONAME_FILE:fracbnn_shared>\"\n")
  # Install tree: a path relative to the installed package.
  file(RELATIVE_PATH _fbnn_py_rel /p/${FBNN_PYTHON_INSTALL_DIR}/fracbnn /p/${CMAKE_INSTALL_LIBDIR})
  set(_fbnn_soname libfracbnn${CMAKE_SHARED_LIBRARY_SUFFIX}.${PROJECT_VERSION_MAJOR})
  file(WRITE ${PROJECT_BINARY_DIR}/python_install/_config.py
       "# Written by CMake: the installed package finds libfracbnn relative to itself.\n"
       "import os\n"
       "LIBRARY = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), \"${_fbnn_py_rel}\", \"${_fbnn_soname}\"))\n")
  install(FILES ${FBNN_PY_SOURCES} ${PROJECT_BINARY_DIR}/python_install/_config.py
          DESTINATION ${FBNN_PYTHON_INSTALL_DIR}/fracbnn)
endif()
