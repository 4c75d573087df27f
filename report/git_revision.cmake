# SPDX-License-Identifier: MIT
# Run at every build (cmake -P): writes OUT with the source tree's git revision (10 hex
# digits, "-dirty" when tracked files differ from it), touching OUT only when that changed,
# so that only then something is rebuilt.
#   cmake -DSOURCE_DIR=... -DOUT=... -P git_revision.cmake
execute_process(COMMAND git rev-parse --short=10 HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE rev OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE rc ERROR_QUIET)
if(NOT rc EQUAL 0)
  set(rev "")
else()
  execute_process(COMMAND git diff-index --quiet HEAD -- WORKING_DIRECTORY ${SOURCE_DIR}
                  RESULT_VARIABLE dirty ERROR_QUIET)
  if(NOT dirty EQUAL 0)
    string(APPEND rev "-dirty")
  endif()
endif()
set(content "/* Generated at build time by report/git_revision.cmake. */\nconst char report_git_revision[] = \"${rev}\";\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${content}")
  file(WRITE ${OUT} "${content}")
endif()
