# WAMR's "platform" for the edgecl firmware: bare metal, one thread, picolibc. runtime_lib.cmake
# includes this file through SHARED_PLATFORM_CONFIG (set in ../CMakeLists.txt) in place of one of
# WAMR's own core/shared/platform/<name>/shared_platform.cmake.

set (PLATFORM_SHARED_DIR ${CMAKE_CURRENT_LIST_DIR})

add_definitions (-DBH_PLATFORM_EDGECL)

include_directories (${PLATFORM_SHARED_DIR})
include_directories (${SHARED_DIR}/platform/include)

set (PLATFORM_SHARED_SOURCE ${PLATFORM_SHARED_DIR}/edgecl_platform.c)
