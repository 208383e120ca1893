/*
 * Text output of the telemetry registry: the "dmg telemetry"-style listing (standard and
 * CSV) and the Prometheus text exposition format.
 */
#define D_LOGFAC DD_FAC(telem)

#include <gurt/common.h>
#include <gurt/telemetry.h>

#include "telemetry_internal.h"

/* ------------------------------------------------------------------------------------
 * Text output: listing and Prometheus
 * ---------------------------------------------------------------------------------- */

/* A value of \a ns nanoseconds printed as seconds with a 9-digit fraction. */
static void
tm_print_ns_as_sec(FILE *s, uint64_t ns)
{
	fprintf(s, DF_U64 ".%09" PRIu64, (uint64_t)(ns / NSEC_PER_SEC),
		(uint64_t)(ns % NSEC_PER_SEC));
}

/* Print a CSV field quoted, doubling any quote inside. */
static void
tm_print_csv_str(FILE *s, const char *str)
{
	fputc('"', s);
	for (; str != NULL && *str != '\0'; str++) {
		if (*str == '"')
			fputc('"', s);
		fputc(*str, s);
	}
	fputc('"', s);
}

void
d_tm_print_field_descriptors(int opt_fields, FILE *stream)
{
	if (stream == NULL)
		return;
	fprintf(stream, "path,type,value,min,max,mean,stddev,sum,samples,units%s\n",
		(opt_fields & D_TM_INCLUDE_METADATA) ? ",description" : "");
}

static void
tm_print_csv(struct d_tm_node_t *node, struct d_tm_metric_t *m, int opt_fields, FILE *s)
{
	struct d_tm_stats_t st = {0};
	int base = tm_base_type(node);
	uint64_t value = __atomic_load_n(&m->tm_value, __ATOMIC_RELAXED);

	tm_print_csv_str(s, tm_node(node)->tn_path);
	fprintf(s, ",%s,", d_tm_type_str(node->dtn_type));
	switch (base) {
	case D_TM_GAUGE:
	case D_TM_STATS_GAUGE:
		fprintf(s, "%" PRId64, (int64_t)value);
		break;
	case D_TM_DURATION:
		fprintf(s, "%.3f", (double)value / NSEC_PER_USEC);
		break;
	case D_TM_TIMESTAMP:
	case D_TM_TIMER_SNAPSHOT:
		tm_print_ns_as_sec(s, value);
		break;
	default:
		fprintf(s, DF_U64, value);
		break;
	}
	if (base & TM_STATS) {
		tm_stats_read(m, &st);
		fprintf(s, "," DF_U64 "," DF_U64 ",%.6f,%.6f," DF_U64 "," DF_U64 ",", st.dtm_min,
			st.dtm_max, st.mean, st.std_dev, st.dtm_sum, st.sample_size);
	} else {
		fprintf(s, ",,,,,,,");
	}
	tm_print_csv_str(s, base == D_TM_DURATION ? D_TM_MICROSECOND : m->tm_units);
	if (opt_fields & D_TM_INCLUDE_METADATA) {
		fputc(',', s);
		tm_print_csv_str(s, m->tm_desc);
	}
	fputc('\n', s);
}

void
d_tm_print_node(struct d_tm_context *ctx, struct d_tm_node_t *node, int level, char *path,
		int format, int opt_fields, FILE *stream)
{
	struct d_tm_metric_t *m;
	struct d_tm_stats_t st;
	const char *units;
	uint64_t value;
	int base;

	if (node == NULL || stream == NULL)
		return;
	m = node->dtn_metric;
	base = tm_base_type(node);
	if (format == D_TM_CSV) {
		if (m != NULL)
			tm_print_csv(node, m, opt_fields, stream);
		return;
	}

	fprintf(stream, "%*s", level * 4, "");
	if (opt_fields & D_TM_INCLUDE_TYPE)
		fprintf(stream, "%s: ", d_tm_type_str(node->dtn_type));
	if (m == NULL) {
		fprintf(stream, "%s\n",
			node->dtn_parent == NULL && node->dtn_name[0] == '\0' ? "/"
									      : node->dtn_name);
		return;
	}

	value = __atomic_load_n(&m->tm_value, __ATOMIC_RELAXED);
	units = base == D_TM_DURATION ? D_TM_MICROSECOND : m->tm_units;
	fprintf(stream, "%s: ", node->dtn_name);
	switch (base) {
	case D_TM_COUNTER:
		fprintf(stream, DF_U64, value);
		break;
	case D_TM_GAUGE:
	case D_TM_STATS_GAUGE:
		fprintf(stream, "%" PRId64, (int64_t)value);
		break;
	case D_TM_DURATION:
		fprintf(stream, "%.3f", (double)value / NSEC_PER_USEC);
		break;
	case D_TM_TIMESTAMP: {
		time_t sec = (time_t)(value / NSEC_PER_SEC);
		struct tm tm;
		char buf[D_TM_TIME_BUFF_LEN + 8];

		if (value != 0 && gmtime_r(&sec, &tm) != NULL &&
		    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
			fputs(buf, stream);
		else
			fputs("never", stream);
		units = NULL;
		break;
	}
	case D_TM_TIMER_SNAPSHOT:
		tm_print_ns_as_sec(stream, value);
		units = D_TM_SECOND;
		break;
	}
	if (units != NULL)
		fprintf(stream, " %s", units);
	if (base & TM_STATS) {
		tm_stats_read(m, &st);
		fprintf(stream,
			" [min: " DF_U64 ", max: " DF_U64 ", mean: %.3f, stddev: %.3f, sum: " DF_U64
			", samples: " DF_U64 "]",
			st.dtm_min, st.dtm_max, st.mean, st.std_dev, st.dtm_sum, st.sample_size);
	}
	if ((opt_fields & D_TM_INCLUDE_METADATA) && m->tm_desc != NULL)
		fprintf(stream, " # %s", m->tm_desc);
	fputc('\n', stream);
}

static void
tm_print_cb(struct d_tm_context *ctx, struct d_tm_node_t *node, int level, char *path, int format,
	    int opt_fields, void *arg)
{
	d_tm_print_node(ctx, node, level, path, format, opt_fields, (FILE *)arg);
}

void
d_tm_print_my_children(struct d_tm_context *ctx, struct d_tm_node_t *node, int level, int filter,
		       char *path, int format, int opt_fields, FILE *stream)
{
	if (stream != NULL)
		d_tm_iterate(ctx, node, level, filter, path, format, opt_fields, tm_print_cb,
			     stream);
}

struct tm_prom_arg {
	FILE *pa_stream;
	const char *pa_prefix;
};

/* HELP text: backslash and newline must be escaped. */
static void
tm_prom_help(FILE *s, const char *text)
{
	for (; *text != '\0'; text++) {
		if (*text == '\\')
			fputs("\\\\", s);
		else if (*text == '\n')
			fputs("\\n", s);
		else
			fputc(*text, s);
	}
}

static void
tm_prom_name(FILE *s, const char *prefix, const char *flat, const char *suffix)
{
	if (prefix[0] != '\0')
		fprintf(s, "%s_%s%s", prefix, flat, suffix);
	else
		fprintf(s, "%s%s%s", (flat[0] >= '0' && flat[0] <= '9') ? "_" : "", flat, suffix);
}

static void
tm_prom_type(FILE *s, const char *prefix, const char *flat, const char *suffix, const char *type)
{
	fputs("# TYPE ", s);
	tm_prom_name(s, prefix, flat, suffix);
	fprintf(s, " %s\n", type);
	tm_prom_name(s, prefix, flat, suffix);
	fputc(' ', s);
}

/* A metric's histogram as the Prometheus histogram family <name>_hist. */
static void
tm_prom_hist(FILE *s, const char *prefix, const char *flat, struct d_tm_metric_t *m)
{
	struct tm_hist *h = __atomic_load_n(&m->tm_hist, __ATOMIC_ACQUIRE);
	uint64_t total = 0;
	int i;

	if (h == NULL)
		return;
	fputs("# TYPE ", s);
	tm_prom_name(s, prefix, flat, "_hist");
	fputs(" histogram\n", s);
	/* Prometheus buckets are cumulative: each counts every value up to its bound. */
	for (i = 0; i < h->th_nr; i++) {
		total += __atomic_load_n(&h->th_count[i], __ATOMIC_RELAXED);
		tm_prom_name(s, prefix, flat, "_hist_bucket");
		if (h->th_max[i] == UINT64_MAX)
			fprintf(s, "{le=\"+Inf\"} " DF_U64 "\n", total);
		else
			fprintf(s, "{le=\"" DF_U64 "\"} " DF_U64 "\n", h->th_max[i], total);
	}
	tm_prom_name(s, prefix, flat, "_hist_sum");
	fprintf(s, " " DF_U64 "\n", __atomic_load_n(&h->th_sum, __ATOMIC_RELAXED));
	tm_prom_name(s, prefix, flat, "_hist_count");
	fprintf(s, " " DF_U64 "\n", total);
}

static void
tm_prom_cb(struct d_tm_context *ctx, struct d_tm_node_t *node, int level, char *path, int format,
	   int opt_fields, void *arg)
{
	struct tm_prom_arg *pa = arg;
	FILE *s = pa->pa_stream;
	struct d_tm_metric_t *m = node->dtn_metric;
	const char *flat = tm_node(node)->tn_flat;
	const char *units;
	struct d_tm_stats_t st;
	uint64_t value;
	int base = tm_base_type(node);

	if (m == NULL || flat == NULL)
		return;
	units = base == D_TM_DURATION ? D_TM_MICROSECOND : m->tm_units;
	fputs("# HELP ", s);
	tm_prom_name(s, pa->pa_prefix, flat, "");
	fputc(' ', s);
	tm_prom_help(s, m->tm_desc != NULL ? m->tm_desc : path);
	if (units != NULL) {
		fputs(" (", s);
		tm_prom_help(s, units);
		fputc(')', s);
	}
	fputc('\n', s);

	value = __atomic_load_n(&m->tm_value, __ATOMIC_RELAXED);
	switch (base) {
	case D_TM_COUNTER:
		tm_prom_type(s, pa->pa_prefix, flat, "", "counter");
		fprintf(s, DF_U64 "\n", value);
		return;
	case D_TM_TIMESTAMP:
	case D_TM_TIMER_SNAPSHOT:
		tm_prom_type(s, pa->pa_prefix, flat, "", "gauge");
		tm_print_ns_as_sec(s, value);
		fputc('\n', s);
		return;
	case D_TM_DURATION:
		tm_prom_type(s, pa->pa_prefix, flat, "", "gauge");
		fprintf(s, "%.3f\n", (double)value / NSEC_PER_USEC);
		break;
	default:
		tm_prom_type(s, pa->pa_prefix, flat, "", "gauge");
		fprintf(s, "%" PRId64 "\n", (int64_t)value);
		break;
	}
	if (base & TM_STATS) {
		tm_stats_read(m, &st);
		tm_prom_type(s, pa->pa_prefix, flat, "_min", "gauge");
		fprintf(s, DF_U64 "\n", st.dtm_min);
		tm_prom_type(s, pa->pa_prefix, flat, "_max", "gauge");
		fprintf(s, DF_U64 "\n", st.dtm_max);
		tm_prom_type(s, pa->pa_prefix, flat, "_mean", "gauge");
		fprintf(s, "%.6f\n", st.mean);
		tm_prom_type(s, pa->pa_prefix, flat, "_stddev", "gauge");
		fprintf(s, "%.6f\n", st.std_dev);
		tm_prom_type(s, pa->pa_prefix, flat, "_sum", "gauge");
		fprintf(s, DF_U64 "\n", st.dtm_sum);
		tm_prom_type(s, pa->pa_prefix, flat, "_samples", "counter");
		fprintf(s, DF_U64 "\n", st.sample_size);
	}
	tm_prom_hist(s, pa->pa_prefix, flat, m);
}

static bool
tm_prom_prefix_ok(const char *prefix)
{
	size_t i;

	for (i = 0; prefix[i] != '\0'; i++) {
		unsigned char c = prefix[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
		      (i > 0 && c >= '0' && c <= '9')))
			return false;
	}
	return i < 64;
}

int
d_tm_export_prometheus(FILE *stream, const char *prefix)
{
	struct tm_prom_arg pa;
	int rc;

	if (stream == NULL)
		return -DER_INVAL;
	if (prefix == NULL)
		prefix = "engine";
	if (!tm_prom_prefix_ok(prefix)) {
		D_ERROR("bad Prometheus metric prefix '%s'", prefix);
		return -DER_INVAL;
	}
	pa.pa_stream = stream;
	pa.pa_prefix = prefix;

	rc = tm_walk_all(D_TM_ALL_NODES & ~D_TM_DIRECTORY, tm_prom_cb, &pa);
	if (rc != 0)
		return rc;
	if (fflush(stream) != 0 || ferror(stream))
		return -DER_IO;
	return 0;
}

int
d_tm_export_prometheus_str(char **buf, size_t *len, const char *prefix)
{
	FILE *s;
	char *out = NULL;
	size_t size = 0;
	int rc;

	if (buf == NULL)
		return -DER_INVAL;
	*buf = NULL;
	s = open_memstream(&out, &size);
	if (s == NULL)
		return -DER_NOMEM;
	rc = d_tm_export_prometheus(s, prefix);
	if (fclose(s) != 0 && rc == 0)
		rc = -DER_NOMEM;
	if (rc != 0) {
		free(out);
		return rc;
	}
	*buf = out;
	if (len != NULL)
		*len = size;
	return 0;
}
