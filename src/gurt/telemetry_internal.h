/*
 * Internals shared by telemetry.c (registry) and telemetry_export.c (text output).
 */
#ifndef __GURT_TELEMETRY_INTERNAL_H__
#define __GURT_TELEMETRY_INTERNAL_H__

#include <gurt/telemetry.h>

#define TM_CLOCKS (D_TM_CLOCK_REALTIME | D_TM_CLOCK_PROCESS_CPUTIME | D_TM_CLOCK_THREAD_CPUTIME)
#define TM_STATS  (D_TM_DURATION | D_TM_STATS_GAUGE)
/* Types that may carry a histogram. */
#define TM_HIST (D_TM_DURATION | D_TM_GAUGE | D_TM_STATS_GAUGE)

/* Bucket i counts values in [th_min[i], th_max[i]]; the last bucket ends at UINT64_MAX. */
struct tm_hist {
	int th_nr;
	int th_initial_width;
	int th_multiplier;
	uint64_t *th_min;
	uint64_t *th_max;
	uint64_t *th_count;
	/* sum of the recorded values, for the exported _sum */
	uint64_t th_sum;
};

struct d_tm_metric_t {
	/*
	 * counter, gauge: the value; timestamp: Unix ns; timer snapshot: clock ns;
	 * duration: the last interval in ns.
	 */
	uint64_t tm_value;
	/* duration start in ns plus one (0: not started), and the clock it was read from */
	uint64_t tm_start;
	int tm_start_clock;
	/* statistics: durations in us, stats gauges in their own unit */
	uint64_t tm_count;
	uint64_t tm_sum;
	uint64_t tm_min;
	uint64_t tm_max;
	/*
	 * Variance from sums of (x - shift) and (x - shift)^2 as doubles: shifting by an
	 * early sample keeps the terms small, so the subtraction at read time does not
	 * cancel away the precision the way sum(x^2) - sum(x)^2/n does for large x.
	 */
	uint64_t tm_shift;
	uint64_t tm_ssum_bits;
	uint64_t tm_ssq_bits;
	char *tm_desc;
	char *tm_units;
	/* set once by d_tm_init_histogram() (release), read by producers (acquire) */
	struct tm_hist *tm_hist;
};

struct tm_node {
	struct d_tm_node_t tn_pub;
	struct tm_node *tn_last_child;
	/* full path ("" for the root) */
	char *tn_path;
	/* the path as it appears in an exported name; leaves only */
	char *tn_flat;
	struct tm_node *tn_next_path;
	struct tm_node *tn_next_flat;
	struct tm_node *tn_next_grave;
};

static inline struct tm_node *
tm_node(struct d_tm_node_t *pub)
{
	return container_of(pub, struct tm_node, tn_pub);
}

static inline int
tm_base_type(const struct d_tm_node_t *node)
{
	return node->dtn_type & ~TM_CLOCKS;
}

/* Read the statistics of a duration or stats gauge. */
void tm_stats_read(struct d_tm_metric_t *m, struct d_tm_stats_t *st)
	__attribute__((visibility("hidden")));

/* Walk the whole tree under the read lock. Returns 0 or -DER_UNINIT. */
int tm_walk_all(int filter, d_tm_iter_cb_t cb, void *arg) __attribute__((visibility("hidden")));

#endif /* __GURT_TELEMETRY_INTERNAL_H__ */
