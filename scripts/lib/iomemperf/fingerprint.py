# SPDX-License-Identifier: MIT
"""The machine fingerprint results are filed under (as asv's machine.json): what makes
timings comparable. Two results compare only when their fingerprints match."""
import glob
import hashlib
import os
import platform
import re
import subprocess
from typing import Any

FINGERPRINT_KEYS = ("cpu_model", "num_cores", "kernel", "compiler", "allocator",
                    "liburcu_version")


def _cmake_cache(build_dir: str) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt"), encoding="utf-8") as f:
            for line in f:
                m = re.match(r"^([A-Za-z_0-9]+):[A-Z]+=(.*)$", line.rstrip("\n"))
                if m:
                    out[m.group(1)] = m.group(2)
    except OSError:
        pass
    return out


def _run(cmd: list[str]) -> str | None:
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout.strip() if r.returncode == 0 else None


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k.strip() in ("model name", "Model", "cpu model"):
                    return " ".join(v.split())
    except OSError:
        pass
    return platform.processor() or platform.machine()


def compiler(cache: dict[str, str]) -> str:
    """'GNU 12.2.0' from the build's CMake files, else `cc --version`."""
    cid = ver = None
    for path in glob.glob(os.path.join(cache.get("_dir", ""), "CMakeFiles", "*",
                                       "CMakeCCompiler.cmake")):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        m1 = re.search(r'set\(CMAKE_C_COMPILER_ID "([^"]*)"\)', text)
        m2 = re.search(r'set\(CMAKE_C_COMPILER_VERSION "([^"]*)"\)', text)
        if m1 and m2:
            cid, ver = m1.group(1), m2.group(1)
            break
    if cid:
        return f"{cid} {ver}"
    first = (_run([cache.get("CMAKE_C_COMPILER", "cc"), "--version"]) or "").splitlines()
    return first[0] if first else "unknown"


def collect(build_dir: str) -> dict[str, Any]:
    """Machine and build facts (the fingerprint keys plus informational ones)."""
    cache = _cmake_cache(build_dir)
    cache["_dir"] = build_dir
    if cache.get("IOMEM_JEMALLOC", "ON").upper() in ("ON", "1", "TRUE", "YES"):
        v = cache.get("JEMALLOC_VERSION") or _run(["pkg-config", "--modversion", "jemalloc"])
        alloc = f"jemalloc {v or 'unknown'}"
    else:
        libc = platform.libc_ver()
        alloc = f"{libc[0] or 'libc'} {libc[1]} malloc".strip()
    urcu = cache.get("URCU_VERSION") or _run(["pkg-config", "--modversion", "liburcu-memb"])
    info: dict[str, Any] = {
        "cpu_model": cpu_model(),
        "num_cores": os.cpu_count() or 0,
        "kernel": platform.release(),
        "compiler": compiler(cache),
        "allocator": alloc,
        "liburcu_version": urcu or "unknown",
        # Informational, not part of the fingerprint:
        "arch": platform.machine(),
        "os": _os_release(),
        "build_type": cache.get("CMAKE_BUILD_TYPE", "unknown"),
    }
    info["machine_fingerprint"] = fingerprint_id(info)
    return info


def _os_release() -> str:
    try:
        with open("/etc/os-release", encoding="utf-8") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()


def fingerprint_id(info: dict[str, Any]) -> str:
    """'x86_64-2c-<10 hex>': readable prefix, hash of every fingerprint key."""
    h = hashlib.sha256("\n".join(f"{k}={info.get(k)}" for k in FINGERPRINT_KEYS)
                       .encode()).hexdigest()[:10]
    return f"{info.get('arch', platform.machine())}-{info.get('num_cores')}c-{h}"


def describe_difference(ca: dict[str, Any], cb: dict[str, Any]) -> str:
    """Which fingerprint keys differ between two contexts, as text."""
    out = []
    for k in FINGERPRINT_KEYS:
        if ca.get(k) != cb.get(k):
            out.append(f"{k}: {ca.get(k)!r} vs {cb.get(k)!r}")
    return "; ".join(out)
