# Replays each fuzz target's seed corpus and saved crashes (tests/fuzz/corpus/<target> and
# tests/fuzz/regressions/<target>) through the normally built target; fails on the first one
# that crashes or aborts.
set(total 0)
foreach(target markdown http_input request search_query image)
  execute_process(COMMAND ${BIN}/fuzz_${target} ${SRC}/corpus/${target} ${SRC}/regressions/${target}
                  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(STRIP "${out}" out)
  message(STATUS "fuzz_${target}: ${out}")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "fuzz_${target} failed (${result}) on its corpus or regressions:\n${err}")
  endif()
  # A seed corpus that went missing would otherwise replay nothing and pass.
  if(NOT out MATCHES "replayed ([0-9]+) inputs" OR CMAKE_MATCH_1 LESS 3)
    message(FATAL_ERROR "fuzz_${target} replayed too few inputs (${out}); is tests/fuzz/corpus/${target} there?")
  endif()
  math(EXPR total "${total} + ${CMAKE_MATCH_1}")
endforeach()
message(STATUS "replayed ${total} inputs in all")
