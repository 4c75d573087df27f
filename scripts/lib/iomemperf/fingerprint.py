# SPDX-License-Identifier: MIT
"""The machine fingerprint results are filed under (as asv's machine.json): what makes
timings comparable. Two results compare only when their fingerprints match.

The topology (hwloc's summary, `iomem placement --summary`) joined the hashed keys after
results had been filed without it. A context without "topology" keeps the fingerprint it
was filed under (the hash of the other keys, its legacy fingerprint), so existing
results/<fingerprint>/ directories stay valid as they are, and same_machine() matches a
result without a topology with one that has it on the keys both have."""
import glob
import hashlib
import os
import platform
import re
import subprocess
from typing import Any

LEGACY_FINGERPRINT_KEYS = ("cpu_model", "num_cores", "kernel", "compiler", "allocator",
                           "liburcu_version")
FINGERPRINT_KEYS = (*LEGACY_FINGERPRINT_KEYS, "topology")


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


def topology(build_dir: str) -> str | None:
    """This machine's topology summary from the build's iomem (hwloc), whatever
    IOMEM_TOPOLOGY says; None without a working iomem."""
    env = {k: v for k, v in os.environ.items() if k != "IOMEM_TOPOLOGY"}
    try:
        r = subprocess.run([os.path.join(build_dir, "iomem"), "placement", "--summary"],
                           capture_output=True, text=True, timeout=60, env=env)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (r.stdout.strip() or None) if r.returncode == 0 else None


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
    topo = topology(build_dir)
    if topo:
        info["topology"] = topo
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


def keys_of(info: dict[str, Any]) -> tuple[str, ...]:
    """The keys info's fingerprint hashes: all of them, or the legacy ones when it has no
    topology (a result filed before the topology was recorded)."""
    return FINGERPRINT_KEYS if "topology" in info else LEGACY_FINGERPRINT_KEYS


def _fingerprint(info: dict[str, Any], keys: tuple[str, ...]) -> str:
    h = hashlib.sha256("\n".join(f"{k}={info.get(k)}" for k in keys).encode()).hexdigest()[:10]
    return f"{info.get('arch', platform.machine())}-{info.get('num_cores')}c-{h}"


def fingerprint_id(info: dict[str, Any]) -> str:
    """'x86_64-2c-<10 hex>': readable prefix, hash of every fingerprint key info has."""
    return _fingerprint(info, keys_of(info))


def legacy_fingerprint_id(info: dict[str, Any]) -> str:
    """The fingerprint without the topology: what the same machine's results were filed
    under before the topology was recorded."""
    return _fingerprint(info, LEGACY_FINGERPRINT_KEYS)


def same_machine(ca: dict[str, Any], cb: dict[str, Any]) -> bool:
    """Whether two contexts' fingerprints match: their ids, or, when one of them has no
    topology, their legacy ids."""
    fa, fb = ca.get("machine_fingerprint"), cb.get("machine_fingerprint")
    if fa == fb:
        return True
    if "topology" in ca and "topology" in cb:
        return False
    return all(k in ca and k in cb for k in LEGACY_FINGERPRINT_KEYS) and \
        legacy_fingerprint_id(ca) == legacy_fingerprint_id(cb)


def describe_difference(ca: dict[str, Any], cb: dict[str, Any]) -> str:
    """Which fingerprint keys differ between two contexts, as text (the topology only when
    both have one)."""
    out = []
    for k in FINGERPRINT_KEYS:
        if k == "topology" and not ("topology" in ca and "topology" in cb):
            continue
        if ca.get(k) != cb.get(k):
            out.append(f"{k}: {ca.get(k)!r} vs {cb.get(k)!r}")
    return "; ".join(out)
