/* SPDX-License-Identifier: MIT */
/* A thread's simulated CPU, the raw_smp_processor_id() the sharded allocator picks its
 * node by (kernel model §2.8).
 *
 * In the kernel, tasks that run at the same time run on different CPUs. Here a thread
 * takes the lowest number no live thread holds, on its first allocation, and gives it back
 * when it exits: threads that run together get different numbers, so with at least as many
 * nodes as threads they use different nodes, and a single thread is always CPU 0. (Numbers
 * handed out by a counter that only grows would put every other short-lived thread, a
 * benchmark run's for instance, on the node of one that stays.)
 */
#ifndef IOMEM_MMU_VMAP_CPU_H
#define IOMEM_MMU_VMAP_CPU_H

unsigned vmap_this_cpu(void);

#endif
