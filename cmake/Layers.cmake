# The layering of framework/ (each folder depends only on the folders below it), enforced
# by the compiler. Sources include headers by folder ("nn/model.h"), and framework/ itself
# is never an include directory: each folder's library publishes its headers through an
# include root of its own in the build tree, <build>/include_roots/<target>/<folder>, a
# symbolic link to framework/<folder>. A file sees the headers of its own folder and of
# the libraries its library links, nothing else: an nn/ file that includes
# "compress/prune/prune_mask.h" stops with "No such file or directory" unless lathe_nn links
# lathe_prune. tests/build/ shows it (ctest -R Layering).
#
# Diagnostics in headers name the link's path (build/.../include_roots/lathe_nn/nn/model.h),
# which is the same file as framework/nn/model.h.

set(LATHE_INCLUDE_ROOTS "${PROJECT_BINARY_DIR}/include_roots")

# lathe_publish_headers(<target> <folder> [FILES <header>...])
#   Adds <target>'s include root, where <folder> (a path below framework/, or a folder of
#   the repository given as an absolute path) is reachable as "<folder>/...". With FILES,
#   only those headers of the folder are published (a folder whose subfolders are libraries
#   of their own, such as compress/).
function(lathe_publish_headers target folder)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "FILES")
  if(IS_ABSOLUTE "${folder}")
    set(source "${folder}")
    get_filename_component(folder "${folder}" NAME)
  else()
    set(source "${PROJECT_SOURCE_DIR}/framework/${folder}")
  endif()
  set(root "${LATHE_INCLUDE_ROOTS}/${target}")
  if(arg_FILES)
    file(MAKE_DIRECTORY "${root}/${folder}")
    foreach(header IN LISTS arg_FILES)
      file(CREATE_LINK "${source}/${header}" "${root}/${folder}/${header}" SYMBOLIC)
    endforeach()
  else()
    get_filename_component(parent "${root}/${folder}" DIRECTORY)
    file(MAKE_DIRECTORY "${parent}")
    file(CREATE_LINK "${source}" "${root}/${folder}" SYMBOLIC)
  endif()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE "$<BUILD_INTERFACE:${root}>")
  else()
    target_include_directories(${target} PUBLIC "$<BUILD_INTERFACE:${root}>")
  endif()
endfunction()

# lathe_folder_library(<target> <folder> [HEADERS <header>...])
#   The library of framework/<folder>: its *.cpp files (not those of subfolders), a static
#   library, or an interface library when the folder has headers only; its headers
#   published as above (HEADERS: as FILES there). Its dependencies are the caller's
#   target_link_libraries: PUBLIC for what its headers include, PRIVATE for its .cpp files.
function(lathe_folder_library target folder)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "HEADERS")
  file(GLOB sources CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/framework/${folder}/*.cpp")
  if(sources)
    add_library(${target} STATIC ${sources})
    target_link_libraries(${target} PRIVATE lathe_warnings)
  else()
    add_library(${target} INTERFACE)
  endif()
  if(arg_HEADERS)
    lathe_publish_headers(${target} "${folder}" FILES ${arg_HEADERS})
  else()
    lathe_publish_headers(${target} "${folder}")
  endif()
endfunction()
