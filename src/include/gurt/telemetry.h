/**
 * gurt telemetry: an in-process registry of named metrics (counters, gauges, durations,
 * timestamps) with DAOS's d_tm_* producer and consumer API, plus a Prometheus text export.
 *
 * Metrics live in a tree named by '/'-separated paths ("io/ops/update/latency/tgt_0").
 * Producers create a metric once with d_tm_add_metric() and keep the node pointer; the
 * update calls (d_tm_inc_counter(), d_tm_set_gauge(), ...) are lock-free, safe from any
 * thread, and do nothing when given a NULL node, so code can run with telemetry off.
 * Creating, finding, iterating and exporting take a registry lock.
 *
 * Unlike DAOS, which keeps metrics in shared memory for an external reader, pdaos keeps
 * them in the process; readers (the server's /metrics endpoint, "dmg telemetry") run in
 * the same process. The ctx argument of the consumer calls is accepted for source
 * compatibility and may be NULL. See docs/metrics.md.
 */
#ifndef __GURT_TELEMETRY_H__
#define __GURT_TELEMETRY_H__

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <gurt/common.h>

#if defined(__cplusplus)
extern "C" {
#endif

#define D_TM_VERSION 1
/** Longest metric path, including the terminating NUL. */
#define D_TM_MAX_NAME_LEN 256
/** Longest description, including the terminating NUL. */
#define D_TM_MAX_DESC_LEN 128
/** Longest unit string, including the terminating NUL. */
#define D_TM_MAX_UNIT_LEN  32
#define D_TM_TIME_BUFF_LEN 26
/** Most buckets a histogram may have. */
#define D_TM_MAX_BUCKETS 64

/** Suggested unit strings for d_tm_add_metric(). */
#define D_TM_HOUR            "h"
#define D_TM_MINUTE          "min"
#define D_TM_SECOND          "s"
#define D_TM_MILLISECOND     "ms"
#define D_TM_MICROSECOND     "us"
#define D_TM_NANOSECOND      "ns"
#define D_TM_BYTE            "B"
#define D_TM_KIBIBYTE        "KiB"
#define D_TM_MEBIBYTE        "MiB"
#define D_TM_GIBIBYTE        "GiB"
#define D_TM_BYTE_PER_SECOND D_TM_BYTE "/s"

/** Metric types (d_tm_metric_types). A duration or timer snapshot may add one clock bit. */
enum d_tm_metric_types {
	D_TM_DIRECTORY = 0x001,
	D_TM_COUNTER = 0x002,
	D_TM_TIMESTAMP = 0x004,
	D_TM_TIMER_SNAPSHOT = 0x008,
	D_TM_DURATION = 0x010,
	D_TM_GAUGE = 0x020,
	D_TM_STATS_GAUGE = 0x040,
	D_TM_CLOCK_REALTIME = 0x080,
	D_TM_CLOCK_PROCESS_CPUTIME = 0x100,
	D_TM_CLOCK_THREAD_CPUTIME = 0x200,
	D_TM_LINK = 0x400,
	D_TM_MEMINFO = 0x800,
	D_TM_ALL_NODES = (D_TM_DIRECTORY | D_TM_COUNTER | D_TM_TIMESTAMP | D_TM_TIMER_SNAPSHOT |
			  D_TM_DURATION | D_TM_GAUGE | D_TM_STATS_GAUGE | D_TM_LINK | D_TM_MEMINFO),
};

/** d_tm_init() flags; accepted for compatibility, all behave alike in-process. */
enum {
	D_TM_SERVER_PROCESS = 0x000,
	D_TM_SERIALIZATION = 0x001,
	D_TM_RETAIN_SHMEM = 0x002,
};

/** d_tm_print_node() formats. */
enum {
	D_TM_STANDARD = 0x001,
	D_TM_CSV = 0x002,
};

/** d_tm_print_node() optional fields. */
enum {
	D_TM_INCLUDE_TIMESTAMP = 0x001,
	D_TM_INCLUDE_METADATA = 0x002,
	D_TM_INCLUDE_TYPE = 0x004,
};

/**
 * Statistics of a duration (in microseconds) or stats gauge. sum_of_squares is the sum of
 * squared deviations from the mean; std_dev is the sample standard deviation.
 */
struct d_tm_stats_t {
	uint64_t dtm_min;
	uint64_t dtm_max;
	uint64_t dtm_sum;
	double std_dev;
	double mean;
	double sum_of_squares;
	uint64_t sample_size;
};

/** One histogram bucket: values in [dtb_min, dtb_max]. */
struct d_tm_bucket_t {
	uint64_t dtb_min;
	uint64_t dtb_max;
	/** DAOS keeps a counter node per bucket; always NULL here, see dtb_count */
	struct d_tm_node_t *dtb_bucket;
	/** pdaos: number of values counted in this bucket */
	uint64_t dtb_count;
};

/** Shape of a histogram (d_tm_get_num_buckets()). */
struct d_tm_histogram_t {
	/** always NULL here; use d_tm_get_bucket_range() */
	struct d_tm_bucket_t *dth_buckets;
	int dth_num_buckets;
	int dth_initial_width;
	int dth_value_multiplier;
};

/** Values and statistics of a metric; private to telemetry.c. */
struct d_tm_metric_t;

/** A node of the metric tree: a directory or a metric. Consumers treat it as read-only. */
struct d_tm_node_t {
	/** last component of the path */
	char *dtn_name;
	/** D_TM_* type, with a clock bit for durations and timer snapshots */
	int dtn_type;
	struct d_tm_node_t *dtn_parent;
	/** first child (directories) */
	struct d_tm_node_t *dtn_child;
	/** next node in the parent directory */
	struct d_tm_node_t *dtn_sibling;
	/** NULL for directories */
	struct d_tm_metric_t *dtn_metric;
};

/** A list of nodes, as returned by d_tm_list(). */
struct d_tm_nodeList_t {
	struct d_tm_node_t *dtnl_node;
	struct d_tm_nodeList_t *dtnl_next;
};

/** A reader's handle on the registry (see d_tm_open()). */
struct d_tm_context;

/* ---------------------------------------------------------------------------------------
 * Producer API
 * ------------------------------------------------------------------------------------- */

/**
 * Create the registry. \a id identifies the process (engine index) and \a mem_size and
 * \a flags are accepted for compatibility. Reference counted: each call needs a matching
 * d_tm_fini().
 */
int d_tm_init(int id, uint64_t mem_size, int flags);

/** d_tm_init() naming the root directory (shown by listings; "" by default). */
int d_tm_init_with_name(int id, uint64_t mem_size, int flags, const char *root_name);

/** Drop one reference; the last frees every metric (held node pointers become invalid). */
void d_tm_fini(void);

/**
 * Find or create the metric at the printf-style path \a fmt. If it exists with the same
 * type, *\a node is set to it and 0 returned, so several threads or modules may "add" the
 * same metric. \a desc and \a units may be NULL.
 *
 * \retval -DER_UNINIT           d_tm_init() has not been called
 * \retval -DER_INVAL            bad type, empty path or component, or a character that
 *                               may not appear in a path (space, quote, backslash, control)
 * \retval -DER_EXCEEDS_PATH_LEN path, description or units too long
 * \retval -DER_OP_NOT_PERMITTED the path already names a node of another type
 * \retval -DER_NOTDIR           a parent component is a metric, not a directory
 * \retval -DER_EXIST            the Prometheus name of the path clashes with another metric
 * \retval -DER_NOSYS            D_TM_LINK or D_TM_MEMINFO (not supported)
 */
int d_tm_add_metric(struct d_tm_node_t **node, int metric_type, char *desc, char *units,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/**
 * Add a histogram to the gauge, stats gauge or duration \a node: \a num_buckets (at most
 * D_TM_MAX_BUCKETS) buckets, the first covering [0, initial_width - 1], each next one
 * \a multiplier times wider (1: equal widths), the last open-ended. Every value the metric
 * records from then on (a gauge's new value; a duration in microseconds) is counted in its
 * bucket. \a path and \a unit are accepted for compatibility (DAOS creates a counter node
 * per bucket under \a path; here the buckets live in the metric).
 *
 * \retval -DER_OP_NOT_PERMITTED \a node is of another type
 * \retval -DER_INVAL            bad bucket parameters
 * \retval -DER_EXIST            \a node already has a histogram
 */
int d_tm_init_histogram(struct d_tm_node_t *node, char *path, int num_buckets, int initial_width,
			int multiplier, const char *unit);

/** Create the directory \a fmt (for per-pool or per-container metrics). */
int d_tm_add_ephemeral_dir(struct d_tm_node_t **node, size_t size_bytes, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * Remove the directory \a fmt and everything under it from the tree. The nodes stay
 * allocated until d_tm_fini(), so a late update through a held pointer is harmless, but
 * it is no longer visible.
 */
int d_tm_del_ephemeral_dir(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void d_tm_set_counter(struct d_tm_node_t *metric, uint64_t value);
void d_tm_inc_counter(struct d_tm_node_t *metric, uint64_t value);
/** Record the current wall-clock time. */
void d_tm_record_timestamp(struct d_tm_node_t *metric);
/** Record the current time of \a clk_id (a D_TM_CLOCK_* bit; 0: the metric's clock). */
void d_tm_take_timer_snapshot(struct d_tm_node_t *metric, int clk_id);
/**
 * Start timing an interval on \a metric. One start/end pair at a time per metric; for
 * concurrent intervals measure the time yourself and call d_tm_record_duration().
 */
void d_tm_mark_duration_start(struct d_tm_node_t *metric, int clk_id);
/** End the interval begun by d_tm_mark_duration_start() and add it to the statistics. */
void d_tm_mark_duration_end(struct d_tm_node_t *metric);
/** pdaos extension: add a measured interval of \a nsec nanoseconds to a duration. */
void d_tm_record_duration(struct d_tm_node_t *metric, uint64_t nsec);
void d_tm_set_gauge(struct d_tm_node_t *metric, uint64_t value);
void d_tm_inc_gauge(struct d_tm_node_t *metric, uint64_t value);
void d_tm_dec_gauge(struct d_tm_node_t *metric, uint64_t value);

/* ---------------------------------------------------------------------------------------
 * Consumer API
 * ------------------------------------------------------------------------------------- */

/** Open a reader's context; NULL if the registry does not exist. */
struct d_tm_context *d_tm_open(int id);
void d_tm_close(struct d_tm_context **ctx);

struct d_tm_node_t *d_tm_get_root(struct d_tm_context *ctx);
/** The node at \a path ("" or "/" is the root), or NULL. */
struct d_tm_node_t *d_tm_find_metric(struct d_tm_context *ctx, char *path);

/*
 * The getters return 0, -DER_METRIC_NOT_FOUND for a NULL node, -DER_INVAL for a NULL
 * output, or -DER_OP_NOT_PERMITTED if the node is of another type.
 */
int d_tm_get_counter(struct d_tm_context *ctx, uint64_t *val, struct d_tm_node_t *node);
int d_tm_get_timestamp(struct d_tm_context *ctx, time_t *val, struct d_tm_node_t *node);
int d_tm_get_timer_snapshot(struct d_tm_context *ctx, struct timespec *tms,
			    struct d_tm_node_t *node);
/** Works on gauges and stats gauges; \a stats (optional) is zeroed for a plain gauge. */
int d_tm_get_gauge(struct d_tm_context *ctx, uint64_t *val, struct d_tm_stats_t *stats,
		   struct d_tm_node_t *node);
/** \a tms gets the last interval; \a stats (optional) covers all, in microseconds. */
int d_tm_get_duration(struct d_tm_context *ctx, struct timespec *tms, struct d_tm_stats_t *stats,
		      struct d_tm_node_t *node);
/** Shape of the histogram of \a node; -DER_OP_NOT_PERMITTED if it has none. */
int d_tm_get_num_buckets(struct d_tm_context *ctx, struct d_tm_histogram_t *histogram,
			 struct d_tm_node_t *node);
/** Range and count of bucket \a bucket_id of the histogram of \a node. */
int d_tm_get_bucket_range(struct d_tm_context *ctx, struct d_tm_bucket_t *bucket, int bucket_id,
			  struct d_tm_node_t *node);
/** Copies of the description and units (either may be NULL); free them with D_FREE. */
int d_tm_get_metadata(struct d_tm_context *ctx, char **desc, char **units,
		      struct d_tm_node_t *node);
char *d_tm_get_name(struct d_tm_context *ctx, struct d_tm_node_t *node);
/** Full path of \a node into \a buf. Returns 0, -DER_INVAL or -DER_TRUNC. */
int d_tm_get_path(struct d_tm_node_t *node, char *buf, size_t len);
/** Name of a metric type ("counter", "duration", ...). */
const char *d_tm_type_str(int type);

/** Number of nodes under \a node (itself included) whose type matches \a filter. */
uint64_t d_tm_count_metrics(struct d_tm_context *ctx, struct d_tm_node_t *node, int filter);

/**
 * Append to *\a head the nodes under \a node (NULL: the root; itself included) whose type
 * is in \a d_tm_type, depth first. Returns 0, -DER_INVAL or -DER_NOMEM (list unchanged).
 */
int d_tm_list(struct d_tm_context *ctx, struct d_tm_nodeList_t **head, struct d_tm_node_t *node,
	      int d_tm_type);
void d_tm_list_free(struct d_tm_nodeList_t *list);
/** D_TM_VERSION. */
int d_tm_get_version(void);

/**
 * Called by d_tm_iterate() for each matching node; \a path is the node's full path. The
 * callback runs under the registry's read lock: it may read metrics and call
 * d_tm_find_metric(), but must not add or delete metrics.
 */
typedef void (*d_tm_iter_cb_t)(struct d_tm_context *ctx, struct d_tm_node_t *node, int level,
			       char *path, int format, int opt_fields, void *cb_arg);

/** Depth-first walk from \a node (NULL: the root), visiting nodes whose type is in \a filter. */
void d_tm_iterate(struct d_tm_context *ctx, struct d_tm_node_t *node, int level, int filter,
		  char *path, int format, int opt_fields, d_tm_iter_cb_t iter_cb, void *cb_arg);

/** Print one node in \a format (D_TM_STANDARD or D_TM_CSV). */
void d_tm_print_node(struct d_tm_context *ctx, struct d_tm_node_t *node, int level, char *path,
		     int format, int opt_fields, FILE *stream);
/** Print \a node and everything under it that matches \a filter. */
void d_tm_print_my_children(struct d_tm_context *ctx, struct d_tm_node_t *node, int level,
			    int filter, char *path, int format, int opt_fields, FILE *stream);
/** Print the CSV header matching d_tm_print_node(..., D_TM_CSV, opt_fields, ...). */
void d_tm_print_field_descriptors(int opt_fields, FILE *stream);

/* ---------------------------------------------------------------------------------------
 * Prometheus export (pdaos)
 * ------------------------------------------------------------------------------------- */

/**
 * Write every metric in the Prometheus text exposition format (version 0.0.4). A metric's
 * name is \a prefix (NULL: "engine"), '_', then its path with '/' and any character
 * outside [A-Za-z0-9_:] turned into '_'. Counters are "counter", everything else "gauge";
 * durations and stats gauges add _min, _max, _mean, _stddev, _sum gauges and a _samples
 * counter; a metric with a histogram adds the histogram <name>_hist (_hist_bucket{le=...},
 * _hist_sum, _hist_count). Returns 0, -DER_UNINIT, -DER_INVAL or -DER_IO.
 */
int d_tm_export_prometheus(FILE *stream, const char *prefix);

/** As d_tm_export_prometheus(), into a new NUL-terminated buffer (free with D_FREE). */
int d_tm_export_prometheus_str(char **buf, size_t *len, const char *prefix);

#if defined(__cplusplus)
}
#endif

#endif /* __GURT_TELEMETRY_H__ */
