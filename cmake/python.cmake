# The Python extension module csfs._csfs (included from CMakeLists.txt when
# CSFS_PYTHON is on).
#
# Under pip (scikit-build-core) the interpreter is the one pip builds for; in
# a plain CMake build it is CSFS_VENV's, so that the Python tests import an
# extension built for their own interpreter and NumPy.
if(NOT SKBUILD AND NOT DEFINED Python_EXECUTABLE AND EXISTS "${CSFS_VENV}/bin/python")
  set(Python_EXECUTABLE "${CSFS_VENV}/bin/python")
endif()
if(CSFS_PYTHON STREQUAL "AUTO")
  find_package(Python 3.9 COMPONENTS Interpreter Development.Module NumPy)
  if(NOT Python_FOUND)
    message(STATUS "csfs: Python extension not built (no Python headers or NumPy found; "
                   "-DCSFS_PYTHON=OFF silences this, ON makes it an error)")
    return()
  endif()
else()
  find_package(Python 3.9 REQUIRED COMPONENTS Interpreter Development.Module NumPy)
endif()

# Every C file of the package: _csfs.c and the _py_*.c binding files.
file(GLOB CSFS_PY_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/python/csfs/*.c)
python_add_library(csfs_python MODULE WITH_SOABI ${CSFS_PY_SOURCES})
set_target_properties(csfs_python PROPERTIES OUTPUT_NAME _csfs
  C_VISIBILITY_PRESET hidden
  LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/python/csfs)
# src/ only until every binding goes through include/ (issue 12's public API).
target_include_directories(csfs_python PRIVATE ${PROJECT_SOURCE_DIR}/python/csfs
                           ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(csfs_python PRIVATE _POSIX_C_SOURCE=200809L
                           NPY_NO_DEPRECATED_API=NPY_1_7_API_VERSION)
# The library's objects are linked in whole and kept private to the module:
# it exports PyInit__csfs only.
target_link_libraries(csfs_python PRIVATE csfs_static Python::NumPy)
target_link_options(csfs_python PRIVATE LINKER:--exclude-libs,ALL)

# The package's Python files beside the module in the build tree, so that
# PYTHONPATH=BUILD/python imports exactly what a wheel holds.
file(GLOB CSFS_PY_FILES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/python/csfs/*.py
     ${PROJECT_SOURCE_DIR}/python/csfs/*.pyi ${PROJECT_SOURCE_DIR}/python/csfs/py.typed)
set(CSFS_PY_COPIES "")
foreach(f ${CSFS_PY_FILES})
  get_filename_component(name ${f} NAME)
  set(copy ${PROJECT_BINARY_DIR}/python/csfs/${name})
  add_custom_command(OUTPUT ${copy} COMMAND ${CMAKE_COMMAND} -E copy ${f} ${copy}
                     DEPENDS ${f} VERBATIM)
  list(APPEND CSFS_PY_COPIES ${copy})
endforeach()
add_custom_target(csfs_python_files ALL DEPENDS ${CSFS_PY_COPIES})
add_dependencies(csfs_python csfs_python_files)

if(SKBUILD)
  install(TARGETS csfs_python LIBRARY DESTINATION csfs COMPONENT python)
  install(FILES ${CSFS_PY_FILES} DESTINATION csfs COMPONENT python)
endif()
