# `cmake --install`: the tool, both libraries, the public headers, csfs.pc,
# the CMake package (find_package(csfs): csfs::csfs, csfs::csfs_static) and
# the man page.
include(CMakePackageConfigHelpers)

install(TARGETS csfs_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS csfs_shared csfs_static EXPORT csfsTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/csfs.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
file(GLOB CSFS_PUBLIC_HEADERS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/csfs/*.h)
install(FILES ${CSFS_PUBLIC_HEADERS} ${PROJECT_BINARY_DIR}/include/csfs/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/csfs)
install(FILES ${PROJECT_SOURCE_DIR}/man/csfs.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# pkg-config: relocatable (the prefix is found from the .pc file's own place,
# so `cmake --install --prefix DIR` works), unless the dirs were given absolute.
file(RELATIVE_PATH CSFS_PC_UP /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(CSFS_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  set(CSFS_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(CSFS_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(CSFS_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/csfs.pc.in ${PROJECT_BINARY_DIR}/csfs.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/csfs.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

set(CSFS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/csfs)
install(EXPORT csfsTargets NAMESPACE csfs:: DESTINATION ${CSFS_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/csfsConfig.cmake.in
  ${PROJECT_BINARY_DIR}/csfsConfig.cmake INSTALL_DESTINATION ${CSFS_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/csfsConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/csfsConfig.cmake ${PROJECT_BINARY_DIR}/csfsConfigVersion.cmake
        DESTINATION ${CSFS_CMAKE_DIR})
