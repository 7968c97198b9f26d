# Fails when a C++ file differs from what .clang-format makes of it, naming the files: the
# whole tree was formatted in one commit, and formatting is kept, not argued over in review.
file(GLOB_RECURSE sources RELATIVE ${SRC}
     ${SRC}/server/*.cpp ${SRC}/server/*.hpp ${SRC}/search/*.cpp ${SRC}/search/*.hpp
     ${SRC}/moderation/*.cpp ${SRC}/moderation/*.hpp ${SRC}/tests/*.cpp ${SRC}/tests/*.hpp
     ${SRC}/bench/*.cpp ${SRC}/bench/*.hpp)
list(FILTER sources EXCLUDE REGEX "node_modules")
set(unformatted "")
foreach(f ${sources})
  execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${f} WORKING_DIRECTORY ${SRC}
                  RESULT_VARIABLE result OUTPUT_QUIET ERROR_QUIET)
  if(NOT result EQUAL 0)
    list(APPEND unformatted ${f})
  endif()
endforeach()
list(LENGTH sources count)
if(unformatted)
  list(JOIN unformatted "\n  " names)
  message(FATAL_ERROR "not formatted (run clang-format -i on them):\n  ${names}")
endif()
message(STATUS "${count} files formatted as .clang-format says")
