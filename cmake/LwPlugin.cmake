# lw_plugin(<name> [NOINSTALL] [OUTPUT_DIR <dir>] SOURCES <files...> [LIBS <targets...>])
#
# Builds plugin <name> as the module lw-<name>.so.  Plugins see only the
# public header (core/include); they reach the host through its function
# table and never link the core.
function(lw_plugin name)
  cmake_parse_arguments(P "NOINSTALL" "OUTPUT_DIR" "SOURCES;LIBS" ${ARGN})
  set(target lw-${name})
  add_library(${target} MODULE ${P_SOURCES})
  set_target_properties(${target} PROPERTIES PREFIX "" OUTPUT_NAME lw-${name}
    C_VISIBILITY_PRESET hidden)
  if(P_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIR})
  else()
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${LW_PLUGIN_BUILD_DIR})
  endif()
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/core/include)
  target_link_libraries(${target} PRIVATE PkgConfig::UV ${P_LIBS})
  # Catch a plugin that calls into the core directly (it must go through the
  # host table).  clang's sanitizer runtimes are not linked into shared
  # objects, so the check cannot hold in the libFuzzer build.
  if(NOT LW_FUZZ)
    target_link_options(${target} PRIVATE -Wl,--no-undefined)
  endif()
  if(NOT P_NOINSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION ${LW_PLUGIN_RELDIR})
  endif()
endfunction()
