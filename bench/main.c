/* SPDX-License-Identifier: MIT */
/* iomem-bench: the Google Benchmark suite. Standard --benchmark_* flags apply, e.g.
 *   iomem-bench --benchmark_filter='tree/lookup/rwlock/n:100$' --benchmark_min_time=0.01
 * and ours: --counters LIST, --placement P, --topology DESC (bench_measure.h).
 */
#include "bench_measure.h"
#include "families.h"
#include "gbench.h"
#include "report/build_info.h"

int main(int argc, char **argv)
{
	int rc = bench_measure_init(&argc, argv);

	if (rc)
		return rc;
	iomb_add_context("iomem_git_rev", build_info()->git_revision);
	tree_bench_register();
	tree_rw_bench_register();
	tree_lock_bench_register();
	tree_mem_bench_register();
	pgtable_bench_register();
	lock_bench_register();
	scenario_bench_register();
	machine_bench_register();
	return iomb_main(argc, argv);
}
