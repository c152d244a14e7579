# One helper per kind of target.

# ntmis_library(NAME SRCS ... DEPS ...)
function(ntmis_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SRCS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# ntmis_binary(NAME SRCS ... DEPS ...)
function(ntmis_binary name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
endfunction()

# ntmis_test(NAME SRCS ... DEPS ...): a Catch2 binary whose cases CTest discovers.
function(ntmis_test name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} ntmis_test_main)
  catch_discover_tests(${name} WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
                       PROPERTIES TIMEOUT 300
                       ENVIRONMENT "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/lsan.supp")
endfunction()

# ntmis_web_assets(OUT_VAR NAMESPACE FUNCTION DIR FILES...): compiles a
# console's files (paths relative to DIR) into a source file defining
# `const ntmis::web::WebAsset* NAMESPACE::FUNCTION(absl::string_view path)`
# (common/web/web_assets.h); index.html is served at /index.html, the rest
# under /assets/. CMake re-runs when one changes. OUT_VAR names the file.
function(ntmis_web_assets out_var namespace function dir)
  set(ASSET_ARRAYS "")
  set(ASSET_ENTRIES "")
  set(index 0)
  foreach(asset ${ARGN})
    set(file ${dir}/${asset})
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
    file(READ ${file} hex HEX)
    string(LENGTH "${hex}" size)
    math(EXPR size "${size} / 2")
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
    if(asset MATCHES "\\.html$")
      set(type "text/html; charset=utf-8")
      set(path "/${asset}")
    elseif(asset MATCHES "\\.js$")
      set(type "text/javascript; charset=utf-8")
      set(path "/assets/${asset}")
    else()
      set(type "text/css; charset=utf-8")
      set(path "/assets/${asset}")
    endif()
    string(APPEND ASSET_ARRAYS "const unsigned char kAsset${index}[] = {${bytes}0};\n")
    string(APPEND ASSET_ENTRIES
      "          {\"${path}\", {reinterpret_cast<const char*>(kAsset${index}), ${size}, \"${type}\"}},\n")
    math(EXPR index "${index} + 1")
  endforeach()
  set(ASSET_DIR ${dir})
  set(ASSET_NAMESPACE ${namespace})
  set(ASSET_FUNCTION ${function})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${function}_data.cc)
  configure_file(${PROJECT_SOURCE_DIR}/common/web/web_assets_data.cc.in ${out} @ONLY)
  set(${out_var} ${out} PARENT_SCOPE)
endfunction()
