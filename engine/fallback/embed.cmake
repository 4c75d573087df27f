# SPDX-License-Identifier: MIT
# Run at build time (cmake -P): writes OUT, a C file defining iomem_fallback_dump[] as the
# text of IN, the one copy of the built-in dump.
#   cmake -DIN=x86-laptop-iomem.txt -DOUT=fallback_dump.c -P embed.cmake
file(READ ${IN} text)
string(REPLACE "\\" "\\\\" text "${text}")
string(REPLACE "\"" "\\\"" text "${text}")
string(REPLACE "\n" "\\n\"\n\t\"" text "${text}")
file(WRITE ${OUT}.tmp "/* Generated from ${IN} by engine/fallback/embed.cmake. */\n"
     "const char iomem_fallback_dump[] =\n\t\"${text}\";\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)
