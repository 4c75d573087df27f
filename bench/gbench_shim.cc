/* SPDX-License-Identifier: MIT */
// The C API of gbench.h over Google Benchmark. Every entry point catches whatever the
// library might throw (in practice std::bad_alloc) and aborts, so no exception reaches C.
#include "gbench.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <utility>
#include <vector>

namespace {

benchmark::State *S(iomb_state *st) { return reinterpret_cast<benchmark::State *>(st); }
const benchmark::State *S(const iomb_state *st)
{
	return reinterpret_cast<const benchmark::State *>(st);
}
benchmark::internal::Benchmark *B(iomb_bench *b)
{
	return reinterpret_cast<benchmark::internal::Benchmark *>(b);
}

[[noreturn]] void die(const char *where)
{
	std::fprintf(stderr, "iomem-bench: %s: unexpected C++ exception\n", where);
	std::abort();
}

template <class F> auto guard(const char *where, F &&f) noexcept -> decltype(f())
{
	try {
		return f();
	} catch (...) {
		die(where);
	}
}

std::vector<std::pair<void (*)(void *), void *>> &exit_hooks()
{
	static std::vector<std::pair<void (*)(void *), void *>> hooks;
	return hooks;
}

}  // namespace

extern "C" {

iomb_bench *iomb_register(const char *name, iomb_fn fn, void *arg)
{
	return guard("iomb_register", [&] {
		benchmark::internal::Benchmark *b = benchmark::RegisterBenchmark(
			name, [fn, arg](benchmark::State &st) {
				fn(reinterpret_cast<iomb_state *>(&st), arg);
			});
		return reinterpret_cast<iomb_bench *>(b);
	});
}

iomb_bench *iomb_bench_unit(iomb_bench *b, enum iomb_unit unit)
{
	static const benchmark::TimeUnit units[] = {benchmark::kNanosecond,
						    benchmark::kMicrosecond,
						    benchmark::kMillisecond, benchmark::kSecond};
	return guard("iomb_bench_unit", [&] {
		B(b)->Unit(units[unit]);
		return b;
	});
}

iomb_bench *iomb_bench_min_time(iomb_bench *b, double seconds)
{
	return guard("iomb_bench_min_time", [&] {
		B(b)->MinTime(seconds);
		return b;
	});
}

iomb_bench *iomb_bench_iterations(iomb_bench *b, uint64_t iterations)
{
	return guard("iomb_bench_iterations", [&] {
		B(b)->Iterations(static_cast<benchmark::IterationCount>(iterations));
		return b;
	});
}

iomb_bench *iomb_bench_repetitions(iomb_bench *b, int n)
{
	return guard("iomb_bench_repetitions", [&] {
		B(b)->Repetitions(n);
		return b;
	});
}

iomb_bench *iomb_bench_real_time(iomb_bench *b)
{
	return guard("iomb_bench_real_time", [&] {
		B(b)->UseRealTime();
		return b;
	});
}

iomb_bench *iomb_bench_manual_time(iomb_bench *b)
{
	return guard("iomb_bench_manual_time", [&] {
		B(b)->UseManualTime();
		return b;
	});
}

iomb_bench *iomb_bench_threads(iomb_bench *b, int threads)
{
	return guard("iomb_bench_threads", [&] {
		B(b)->Threads(threads);
		return b;
	});
}

void iomb_add_context(const char *key, const char *value)
{
	guard("iomb_add_context", [&] { benchmark::AddCustomContext(key, value); });
}

void iomb_on_exit(void (*fn)(void *arg), void *arg)
{
	guard("iomb_on_exit", [&] { exit_hooks().emplace_back(fn, arg); });
}

bool iomb_keep_running(iomb_state *st)
{
	return guard("iomb_keep_running", [&] { return S(st)->KeepRunning(); });
}

bool iomb_keep_running_batch(iomb_state *st, uint64_t n)
{
	return guard("iomb_keep_running_batch", [&] {
		return S(st)->KeepRunningBatch(static_cast<benchmark::IterationCount>(n));
	});
}

void iomb_set_iteration_time(iomb_state *st, double seconds)
{
	guard("iomb_set_iteration_time", [&] { S(st)->SetIterationTime(seconds); });
}

void iomb_pause_timing(iomb_state *st)
{
	guard("iomb_pause_timing", [&] { S(st)->PauseTiming(); });
}

void iomb_resume_timing(iomb_state *st)
{
	guard("iomb_resume_timing", [&] { S(st)->ResumeTiming(); });
}

void iomb_skip_with_error(iomb_state *st, const char *msg)
{
	guard("iomb_skip_with_error", [&] { S(st)->SkipWithError(msg); });
}

bool iomb_error_occurred(const iomb_state *st)
{
	return S(st)->error_occurred();
}

void iomb_set_counter(iomb_state *st, const char *name, double value,
		      enum iomb_counter_kind kind)
{
	benchmark::Counter::Flags flags = benchmark::Counter::kDefaults;
	switch (kind) {
	case IOMB_COUNTER_PLAIN: flags = benchmark::Counter::kDefaults; break;
	case IOMB_COUNTER_RATE: flags = benchmark::Counter::kIsRate; break;
	case IOMB_COUNTER_AVG_ITERATIONS: flags = benchmark::Counter::kAvgIterations; break;
	case IOMB_COUNTER_AVG_THREADS: flags = benchmark::Counter::kAvgThreads; break;
	}
	guard("iomb_set_counter",
	      [&] { S(st)->counters[name] = benchmark::Counter(value, flags); });
}

void iomb_set_items_processed(iomb_state *st, int64_t items)
{
	guard("iomb_set_items_processed", [&] { S(st)->SetItemsProcessed(items); });
}

void iomb_set_bytes_processed(iomb_state *st, int64_t bytes)
{
	guard("iomb_set_bytes_processed", [&] { S(st)->SetBytesProcessed(bytes); });
}

void iomb_set_label(iomb_state *st, const char *label)
{
	guard("iomb_set_label", [&] { S(st)->SetLabel(label); });
}

uint64_t iomb_iterations(const iomb_state *st)
{
	return static_cast<uint64_t>(S(st)->iterations());
}

int iomb_thread_index(const iomb_state *st)
{
	return S(st)->thread_index();
}

int iomb_threads(const iomb_state *st)
{
	return S(st)->threads();
}

int iomb_main(int argc, char **argv)
{
	return guard("iomb_main", [&] {
		benchmark::Initialize(&argc, argv);
		if (benchmark::ReportUnrecognizedArguments(argc, argv))
			return 1;
		benchmark::RunSpecifiedBenchmarks();
		benchmark::Shutdown();
		std::vector<std::pair<void (*)(void *), void *>> &hooks = exit_hooks();
		while (!hooks.empty()) {
			std::pair<void (*)(void *), void *> h = hooks.back();
			hooks.pop_back();
			h.first(h.second);
		}
		return 0;
	});
}

}  // extern "C"
