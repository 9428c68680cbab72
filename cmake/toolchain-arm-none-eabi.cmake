# Bare-metal Arm Cortex-M build with Debian's gcc-arm-none-eabi + newlib:
#   cmake -S . -B build-m4 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-arm-none-eabi.cmake \
#         -DFBNN_MCU_CPU=cortex-m4 -DFBNN_MCU_FLOAT_ABI=hard -DFBNN_BARE_METAL=ON
# FBNN_MCU_CPU: cortex-m4 (FPv4-SP, DSP extension) or cortex-m55 (FPv5 + Helium/MVE).
# FBNN_MCU_FLOAT_ABI: hard (floats in FPU registers) or softfp (FPU instructions,
#   soft-float calling convention); both use the FPU, results are identical.
# FBNN_BARE_METAL=ON (CMakeLists.txt) builds the library only, with no threads,
# no file I/O and no heap; examples/mcu/ adds the firmware for qemu-system-arm
# (scripts/test_mcu.sh).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_AR arm-none-eabi-ar)
set(CMAKE_RANLIB arm-none-eabi-ranlib)
set(CMAKE_SIZE arm-none-eabi-size)
# No OS to link a test executable against during compiler checks.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)

set(FBNN_MCU_CPU "cortex-m4" CACHE STRING "Cortex-M core: cortex-m4 or cortex-m55")
set(FBNN_MCU_FLOAT_ABI "hard" CACHE STRING "Float ABI: hard or softfp")
set_property(CACHE FBNN_MCU_CPU PROPERTY STRINGS cortex-m4 cortex-m55)
set_property(CACHE FBNN_MCU_FLOAT_ABI PROPERTY STRINGS hard softfp)
if(FBNN_MCU_CPU STREQUAL "cortex-m4")
  set(_fbnn_mcu_flags "-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=${FBNN_MCU_FLOAT_ABI}")
elseif(FBNN_MCU_CPU STREQUAL "cortex-m55")
  # -mcpu=cortex-m55 enables MVE (integer and float) and FPv5 with -mfpu=auto.
  set(_fbnn_mcu_flags "-mcpu=cortex-m55 -mthumb -mfpu=auto -mfloat-abi=${FBNN_MCU_FLOAT_ABI}")
else()
  message(FATAL_ERROR "FBNN_MCU_CPU must be cortex-m4 or cortex-m55, not '${FBNN_MCU_CPU}'")
endif()
set(CMAKE_C_FLAGS_INIT "${_fbnn_mcu_flags} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${_fbnn_mcu_flags}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${_fbnn_mcu_flags} -Wl,--gc-sections")
