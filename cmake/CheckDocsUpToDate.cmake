# Fails when docs/generated/ differs from the pages TableGen generates now.
foreach(page Dialects/HDPDialect.md Dialects/HDPInterfaces.md
             Dialects/HDPTransformOps.md HDPPasses.md
             Dialects/HDPAccelDialect.md
             HDPAccelPasses.md)
  get_filename_component(name ${page} NAME)
  if(NOT EXISTS ${GENERATED}/${page})
    message(FATAL_ERROR "${GENERATED}/${page} was not generated; build `mlir-doc`")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files
    ${GENERATED}/${page} ${COMMITTED}/${name} RESULT_VARIABLE differs)
  if(differs)
    message(FATAL_ERROR "docs/generated/${name} is out of date: run `ninja -C build hdp-docs` and commit")
  endif()
endforeach()
