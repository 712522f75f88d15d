# Helpers to register tests.  Unit tests use cmocka; each test binary is one
# ctest test whose name says what it proves.
pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)

# lw_unit_test(<name> SOURCES <files...> LIBS <targets...>)
function(lw_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} PkgConfig::CMOCKA)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/core ${PROJECT_SOURCE_DIR}/core/include)
  target_compile_definitions(${name} PRIVATE LW_TEST_FIXTURES="${PROJECT_SOURCE_DIR}/tests/fixtures")
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS unit TIMEOUT 300)
endfunction()
