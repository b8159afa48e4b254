# CMake toolchain file: Debian's riscv64-unknown-elf GCC targeting rv32imafdc/ilp32d with picolibc, no
# operating system. The Makefile passes the architecture and picolibc flags in CMAKE_C_FLAGS and
# CMAKE_ASM_FLAGS, the same ones the rest of the image is compiled with.
set (CMAKE_SYSTEM_NAME Generic)
set (CMAKE_SYSTEM_PROCESSOR riscv32)

if (NOT DEFINED EDGECL_CROSS)
  set (EDGECL_CROSS riscv64-unknown-elf-)
endif ()
set (CMAKE_C_COMPILER ${EDGECL_CROSS}gcc)
set (CMAKE_ASM_COMPILER ${EDGECL_CROSS}gcc)
set (CMAKE_AR ${EDGECL_CROSS}ar)
set (CMAKE_RANLIB ${EDGECL_CROSS}ranlib)

# Nothing links on its own without the image's linker script: compiler checks build a library.
set (CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
