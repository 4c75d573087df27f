/* SPDX-License-Identifier: MIT */
/* Registration functions of the benchmark families; main.c calls each before iomb_main. */
#ifndef IOMEM_BENCH_FAMILIES_H
#define IOMEM_BENCH_FAMILIES_H

/* tree/<op>/<backend>/n:<N>: lookup, intersects, request_release, insert_remove, walk on
 * flat trees of N = 10^2..10^6 regions. */
void tree_bench_register(void);

/* tree_rw/<backend>/readers:<R>/writer:<W>: time-boxed read throughput and reader
 * latency on the host's tree while a writer churns (or not). */
void tree_rw_bench_register(void);

/* tree_lock/<backend>/<lock>/readers:2/writer:1: tree_rw's measurement under every lock
 * strategy of locks/. */
void tree_lock_bench_register(void);

/* tree_mem/<backend>/n:100000: allocator bytes per resource, next to the kernel's 64. */
void tree_mem_bench_register(void);

/* pgtable/...: ioremap/iounmap by shape, page-table work alone, the VA allocator under
 * each locking policy, lock-free translate, multithreaded mapping churn. */
void pgtable_bench_register(void);

/* lock/<name>/...: every lock strategy uncontended and time-boxed under contention at
 * 1, 2, 4 and 8 threads for read-only, read-mostly and write-heavy mixes. */
void lock_bench_register(void);

/* scenario/<name>/<backend>/ops:<N>: a fixed amount of each `iomem stress` scenario's work,
 * timed, with its figures of merit as counters. */
void scenario_bench_register(void);

/* machine/...: the latency of a cache line passed between two CPUs, and the scaling an
 * op of one churn op's length gets with and without one shared atomic add. */
void machine_bench_register(void);

#endif
