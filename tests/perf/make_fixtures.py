#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Turns real result files into the compact fixtures of tests/perf/fixtures/ (gzipped
Google Benchmark JSON: the same entries, floats to 6 significant digits, the run order
list dropped). How the stored fixtures were made, on the 2-CPU development VM while other
builds ran beside them (the noise the gate has to live with):

  for i in 1 2 3 4 5; do scripts/sweep quick --seed $i --out /tmp/f/sweep-$i.json; done
  for i in 1 2 3; do scripts/ab --build-a build --build-b build AA1 AA2 --suite quick \\
      --seed 1$i --out /tmp/f/ab-$i; done        # A/A: the same build on both sides
  tests/perf/make_fixtures.py --sweep /tmp/f/sweep-*.json --ab /tmp/f/ab-*

usage: make_fixtures.py [--sweep FILE...] [--ab DIR...] [--out DIR]
"""
import argparse
import gzip
import json
import os
import sys

KEEP_CTX = ("machine_fingerprint", "cpu_model", "num_cores", "kernel", "compiler",
            "allocator", "liburcu_version", "arch", "os", "build_type", "host_name",
            "num_cpus", "mhz_per_cpu", "suite", "repetitions", "sweep_seed", "git_revision",
            "git_dirty", "iomem_backends", "iomem_locks", "started", "date", "duration_s",
            "load_avg_start", "load_avg_end", "foreign_cpus_mean", "ab_side", "ab_rev",
            "ab_commit", "ab_run_id", "skipped", "failures", "library_build_type")


def rnd(v):
    if isinstance(v, float):
        return float(f"{v:.6g}")
    if isinstance(v, list):
        return [rnd(x) for x in v]
    if isinstance(v, dict):
        return {k: rnd(x) for k, x in v.items()}
    return v


def compact(doc):
    ctx = {k: rnd(doc["context"][k]) for k in KEEP_CTX if k in doc.get("context", {})}
    ents = []
    for e in doc["benchmarks"]:
        e = {k: rnd(v) for k, v in e.items() if k not in ("family_index",
                                                           "per_family_instance_index")}
        ents.append(e)
    return {"context": ctx, "benchmarks": ents}


def save(doc, path):
    with gzip.open(path, "wt", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"))
    print(f"{path}: {os.path.getsize(path)} bytes")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sweep", nargs="*", default=[])
    p.add_argument("--ab", nargs="*", default=[])
    p.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                 "fixtures"))
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for i, f in enumerate(a.sweep, 1):
        with open(f) as fh:
            save(compact(json.load(fh)), os.path.join(a.out, f"sweep-quick-{i}.json.gz"))
    for i, d in enumerate(a.ab, 1):
        for side in ("A", "B"):
            with open(os.path.join(d, f"{side}.json")) as fh:
                save(compact(json.load(fh)), os.path.join(a.out, f"ab-aa-{i}-{side}.json.gz"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
