# Install layout and the CMake package of hdp:
#
#   <prefix>/include/hdp/...            headers, generated .inc, .td files
#   <prefix>/lib/libHDP*.a              the libraries (exported as HDP::<name>)
#   <prefix>/lib/HDP*Plugin.so          mlir-opt plugins (+ libHDPPluginSupport.so)
#   <prefix>/bin/hdp-*                  the tools
#   <prefix>/lib/cmake/hdp/             HDPConfig.cmake, HDPTargets.cmake
#
# Consumers: find_package(HDP CONFIG), then link HDP::HDPInitAll and friends;
# see docs/embedding.md.
include(CMakePackageConfigHelpers)

set(HDP_INSTALL_CMAKE_DIR lib/cmake/hdp)

# Every library a consumer may link, in dependency order.
set(HDP_EXPORTED_LIBRARIES
  HDPSemantics HDPReference HDPSupport HDPTooling HDPAccel HDPSim
  HDPDialect HDPTransforms HDPTransformOps HDPPipelines HDPAccelDialect HDPAccelTransforms
  HDPInitAll HDPRuntime HDPModel)

# Debian's imported MLIR and LLVM targets carry no include directories and
# no definitions; this interface target carries them for hdp's users.
# HDPConfig.cmake fills it in from the MLIR it finds (in the build tree the
# global include_directories already cover it).
add_library(HDPMLIRUsage INTERFACE)
target_compile_features(HDPMLIRUsage INTERFACE cxx_std_17)

foreach(lib ${HDP_EXPORTED_LIBRARIES})
  target_include_directories(${lib} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:include>)
  target_link_libraries(${lib} PUBLIC HDPMLIRUsage)
endforeach()

install(TARGETS ${HDP_EXPORTED_LIBRARIES} HDPMLIRUsage
  EXPORT HDPTargets
  ARCHIVE DESTINATION lib
  LIBRARY DESTINATION lib
  INCLUDES DESTINATION include)

set(HDP_INSTALLED_BINARIES
  hdp-opt hdp-run hdp-compile hdp-sim hdp-translate hdp-eval HDPPluginSupport)
# Installed binaries keep finding Debian's libMLIR.so/libLLVM.so, which live
# outside the default library path (/usr/lib/llvm-22/lib).
set_target_properties(${HDP_INSTALLED_BINARIES} PROPERTIES
  INSTALL_RPATH_USE_LINK_PATH ON)

install(TARGETS HDPPluginSupport HDPDialectPlugin HDPPassPlugin
  LIBRARY DESTINATION lib)

install(TARGETS hdp-opt hdp-run hdp-compile hdp-sim hdp-translate hdp-eval
  RUNTIME DESTINATION bin)

# Headers and the TableGen sources (for `include "hdp/.../HDPOps.td"` in
# other projects' ODS), then the generated .inc files.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/hdp
  DESTINATION include
  FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
install(DIRECTORY ${PROJECT_BINARY_DIR}/include/hdp
  DESTINATION include
  FILES_MATCHING PATTERN "*.inc"
  PATTERN "CMakeFiles" EXCLUDE)

install(EXPORT HDPTargets
  NAMESPACE HDP::
  DESTINATION ${HDP_INSTALL_CMAKE_DIR})

configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/HDPConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/HDPConfig.cmake
  INSTALL_DESTINATION ${HDP_INSTALL_CMAKE_DIR})
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/cmake/HDPConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/cmake/HDPConfig.cmake
  ${PROJECT_BINARY_DIR}/cmake/HDPConfigVersion.cmake
  DESTINATION ${HDP_INSTALL_CMAKE_DIR})
