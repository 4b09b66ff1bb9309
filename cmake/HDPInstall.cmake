# Install layout and the CMake package of hdp:
#
#   <prefix>/include/hdp/...            headers, generated .inc, .td files
#   <prefix>/include/hdp-c/             the C APIs (Dialects.h, Runtime.h)
#   <prefix>/lib/libHDP*.a              the libraries (exported as HDP::<name>)
#   <prefix>/lib/libHDPRuntimeC.so      the runtime C API (HDP::HDPRuntimeC)
#   <prefix>/lib/libHDPCAPI.so          the MLIR C API of hdp (HDP::HDPCAPI)
#   <prefix>/lib/HDP*Plugin.so          mlir-opt plugins (+ libHDPPluginSupport.so)
#   <prefix>/lib/python3/site-packages/hdp/   the Python package (python/)
#   <prefix>/bin/hdp-*                  the tools
#   <prefix>/lib/cmake/hdp/             HDPConfig.cmake, HDPTargets.cmake
#   <prefix>/share/hdp/configs/         accelerator configurations
#   <prefix>/share/hdp/examples/        the C examples (runtime-c/, aot/)
#
# Binaries and shared libraries find hdp's libraries relative to themselves
# ($ORIGIN), so the prefix can be moved, and Debian's libMLIR.so/libLLVM.so
# by absolute path.
#
# Consumers: find_package(HDP CONFIG), then link HDP::HDPInitAll and friends;
# see docs/embedding.md.
include(CMakePackageConfigHelpers)

set(HDP_INSTALL_CMAKE_DIR lib/cmake/hdp)
set(HDP_INSTALL_CONFIGS_DIR share/hdp/configs)
set(HDP_INSTALL_PYTHON_DIR lib/python3/site-packages)

# Every library a consumer may link, in dependency order.
set(HDP_EXPORTED_LIBRARIES
  HDPSemantics HDPReference HDPSupport HDPTooling HDPISA HDPTargetHdpc HDPSim
  HDPDialect HDPTransforms HDPTransformOps HDPPipelines HDPAccelDialect HDPToAccel
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

# The C API libraries: self-contained shared libraries over plain C headers.
set(HDP_C_LIBRARIES HDPRuntimeC HDPCAPI)
foreach(lib ${HDP_C_LIBRARIES})
  target_include_directories(${lib} INTERFACE
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:include>)
endforeach()

install(TARGETS ${HDP_EXPORTED_LIBRARIES} ${HDP_C_LIBRARIES} HDPMLIRUsage
  EXPORT HDPTargets
  ARCHIVE DESTINATION lib
  LIBRARY DESTINATION lib
  INCLUDES DESTINATION include)

set(HDP_INSTALLED_TOOLS
  hdp-opt hdp-run hdp-compile hdp-sim hdp-translate hdp-eval)
set(HDP_INSTALLED_SHARED_LIBRARIES
  ${HDP_C_LIBRARIES} HDPPluginSupport HDPDialectPlugin HDPPassPlugin)
# RUNPATH: hdp's own shared libraries through $ORIGIN; Debian's
# libMLIR.so/libLLVM.so, outside the default library path
# (/usr/lib/llvm-22/lib), through the link path.
set_target_properties(${HDP_INSTALLED_TOOLS} PROPERTIES
  INSTALL_RPATH "$ORIGIN/../lib"
  INSTALL_RPATH_USE_LINK_PATH ON)
set_target_properties(${HDP_INSTALLED_SHARED_LIBRARIES} PROPERTIES
  INSTALL_RPATH "$ORIGIN"
  INSTALL_RPATH_USE_LINK_PATH ON)

install(TARGETS HDPPluginSupport HDPDialectPlugin HDPPassPlugin
  LIBRARY DESTINATION lib)

install(TARGETS ${HDP_INSTALLED_TOOLS}
  RUNTIME DESTINATION bin)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/hdp-c
  DESTINATION include
  FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/configs/
  DESTINATION ${HDP_INSTALL_CONFIGS_DIR}
  FILES_MATCHING PATTERN "*.json")
install(FILES ${PROJECT_SOURCE_DIR}/examples/common/raw_files.h
  DESTINATION share/hdp/examples/common)
install(FILES ${PROJECT_SOURCE_DIR}/examples/runtime-c/main.c
  DESTINATION share/hdp/examples/runtime-c)
install(FILES ${PROJECT_SOURCE_DIR}/examples/aot/main.c
  ${PROJECT_SOURCE_DIR}/examples/aot/runtime_api.c
  DESTINATION share/hdp/examples/aot)

# Headers and the TableGen sources (for `include "hdp/.../HDPOps.td"` in
# other projects' ODS), then the generated .inc files.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/hdp
  DESTINATION include
  FILES_MATCHING PATTERN "*.h" PATTERN "*.def" PATTERN "*.td")
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
