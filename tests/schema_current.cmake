# Fails when schema/CURRENT.sql is not what the migrations make of a new database: the file is
# the schema a reader looks up, so it must never be a version behind. scripts/schema mends it.
execute_process(COMMAND ${PEERDESK} schema OUTPUT_VARIABLE generated RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "peerdesk schema failed (${result})")
endif()
if(NOT EXISTS ${SRC}/schema/CURRENT.sql)
  message(FATAL_ERROR "schema/CURRENT.sql is missing: run scripts/schema and commit the file")
endif()
file(READ ${SRC}/schema/CURRENT.sql committed)
if(NOT committed STREQUAL generated)
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/CURRENT.sql.generated "${generated}")
  message(FATAL_ERROR "schema/CURRENT.sql is out of step with the migrations in schema/: run scripts/schema "
                      "and commit the file (what the migrations make is in "
                      "${CMAKE_CURRENT_BINARY_DIR}/CURRENT.sql.generated; diff it with the file to see what differs)")
endif()
message(STATUS "schema/CURRENT.sql is what the migrations make")
