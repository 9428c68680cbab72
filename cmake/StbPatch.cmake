# stb_image.h v2.27 (Debian 12's libstb-dev) can shift by a negative-derived
# count on a corrupt JPEG: when a scan runs out of bits at a marker, the
# fast-AC path and stbi__extend_receive subtract more bits than are left,
# code_bits goes negative, and the next stbi__grow_buffer_unsafe computes
# `b << (24 - code_bits)` with a shift >= 32 (undefined behaviour; found by
# our image fuzzer, tests/fuzz/fuzz_image_load). Valid streams never get
# there. We compile a copy of the system header with one line added that
# clamps code_bits at 0 before that shift, so corrupt data gives a defined
# (garbage, then rejected or harmless) result. If the line is not found
# (another stb version), the system header is used unchanged, with a warning.
#
# In: STB_INCLUDE_DIR (directory of the system stb_image.h).
# Out: STB_PATCHED_INCLUDE_DIR (use it before STB_INCLUDE_DIR).
set(_stb_in "${STB_INCLUDE_DIR}/stb_image.h")
set(STB_PATCHED_INCLUDE_DIR "${CMAKE_BINARY_DIR}/stb_patched")
file(READ "${_stb_in}" _stb_text)
set(_stb_line "      j->code_buffer |= b << (24 - j->code_bits);")
string(FIND "${_stb_text}" "${_stb_line}" _stb_at)
if(_stb_at EQUAL -1)
  message(WARNING "stb_image.h: the grow-buffer line to patch was not found; using ${_stb_in} unchanged")
  set(STB_PATCHED_INCLUDE_DIR "${STB_INCLUDE_DIR}")
else()
  string(REPLACE "${_stb_line}"
         "      if (j->code_bits < 0) j->code_bits = 0; /* libfracbnn (cmake/StbPatch.cmake): corrupt scan */\n${_stb_line}"
         _stb_text "${_stb_text}")
  # Rewritten only when it changes, so a reconfigure does not rebuild the decoder.
  file(WRITE "${STB_PATCHED_INCLUDE_DIR}/stb_image.h.tmp" "${_stb_text}")
  file(COPY_FILE "${STB_PATCHED_INCLUDE_DIR}/stb_image.h.tmp" "${STB_PATCHED_INCLUDE_DIR}/stb_image.h" ONLY_IF_DIFFERENT)
endif()
