# SPDX-License-Identifier: MIT
# Cross build for arm64 (aarch64) with Debian's cross compiler, against Debian's arm64
# packages of every dependency unpacked into a sysroot (scripts/cross-arm64 makes it), and
# tests run under qemu-user. The libraries come from IOMEM_ARM64_SYSROOT; the C library
# from the cross toolchain's own (/usr/aarch64-linux-gnu), which is also what qemu loads.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# try_compile projects include this file again without the cache: they find the sysroot
# in the environment.
if(NOT IOMEM_ARM64_SYSROOT)
  set(IOMEM_ARM64_SYSROOT "$ENV{IOMEM_ARM64_SYSROOT}")
endif()
if(NOT EXISTS "${IOMEM_ARM64_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig/liburcu-memb.pc")
  message(FATAL_ERROR "IOMEM_ARM64_SYSROOT ('${IOMEM_ARM64_SYSROOT}') holds no arm64 libraries: "
                      "make it with scripts/cross-arm64")
endif()
set(IOMEM_ARM64_SYSROOT "${IOMEM_ARM64_SYSROOT}" CACHE PATH "the unpacked arm64 packages")
set(ENV{IOMEM_ARM64_SYSROOT} "${IOMEM_ARM64_SYSROOT}")
set(IOMEM_ARM64_LIBDIR "${IOMEM_ARM64_SYSROOT}/usr/lib/aarch64-linux-gnu")

# pkg-config reads the arm64 .pc files and prefixes their -I and -L with the sysroot.
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${IOMEM_ARM64_SYSROOT}")
set(ENV{PKG_CONFIG_LIBDIR}
    "${IOMEM_ARM64_LIBDIR}/pkgconfig:${IOMEM_ARM64_SYSROOT}/usr/share/pkgconfig")

# Headers a package puts in the multiarch directory (hwloc's generated config.h) are
# found there after the ordinary include path, as the native compiler finds the host's.
set(CMAKE_C_FLAGS_INIT "-idirafter ${IOMEM_ARM64_SYSROOT}/usr/include/aarch64-linux-gnu")
set(CMAKE_CXX_FLAGS_INIT "-idirafter ${IOMEM_ARM64_SYSROOT}/usr/include/aarch64-linux-gnu")

# The sysroot's libraries need each other (liburcu-memb needs liburcu-common) at link
# time, and are found at run time through the build's rpath.
# The rpath is written as DT_RPATH (--disable-new-dtags), which the loader also searches
# for libraries' own dependencies (hwloc's libudev), where DT_RUNPATH serves only the
# program's direct ones.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,-rpath-link,${IOMEM_ARM64_LIBDIR} -Wl,--disable-new-dtags")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-Wl,-rpath-link,${IOMEM_ARM64_LIBDIR}")
set(CMAKE_BUILD_RPATH "${IOMEM_ARM64_LIBDIR}")

# ctest runs every test program through qemu; tests driven by a shell script get wrappers
# (tests/CMakeLists.txt, iomem_test_program).
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)

set(CMAKE_FIND_ROOT_PATH "${IOMEM_ARM64_SYSROOT}" /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
