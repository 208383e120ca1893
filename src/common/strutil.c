/**
 * Size parsing/printing and UUID-or-label identifiers (daos/strutil.h).
 */
#define D_LOGFAC DD_FAC(common)

#include <ctype.h>
#include <strings.h>
#include <daos/common.h>
#include <daos/strutil.h>
#include <daos_prop.h>
#include <daos_cont.h>

struct size_unit {
	const char *name;
	uint64_t mult;
};

#define KB_D 1000ULL
#define KB_B 1024ULL

static const struct size_unit size_units[] = {
	{"", 1},
	{"b", 1},
	{"k", KB_D},
	{"kb", KB_D},
	{"ki", KB_B},
	{"kib", KB_B},
	{"m", KB_D *KB_D},
	{"mb", KB_D *KB_D},
	{"mi", KB_B *KB_B},
	{"mib", KB_B *KB_B},
	{"g", KB_D *KB_D *KB_D},
	{"gb", KB_D *KB_D *KB_D},
	{"gi", KB_B *KB_B *KB_B},
	{"gib", KB_B *KB_B *KB_B},
	{"t", KB_D *KB_D *KB_D *KB_D},
	{"tb", KB_D *KB_D *KB_D *KB_D},
	{"ti", KB_B *KB_B *KB_B *KB_B},
	{"tib", KB_B *KB_B *KB_B *KB_B},
	{"p", KB_D *KB_D *KB_D *KB_D *KB_D},
	{"pb", KB_D *KB_D *KB_D *KB_D *KB_D},
	{"pi", KB_B *KB_B *KB_B *KB_B *KB_B},
	{"pib", KB_B *KB_B *KB_B *KB_B *KB_B},
	{"e", KB_D *KB_D *KB_D *KB_D *KB_D *KB_D},
	{"eb", KB_D *KB_D *KB_D *KB_D *KB_D *KB_D},
	{"ei", KB_B *KB_B *KB_B *KB_B *KB_B *KB_B},
	{"eib", KB_B *KB_B *KB_B *KB_B *KB_B *KB_B},
};

int
daos_str2size(const char *str, uint64_t *size)
{
	char num[64];
	char unit[8];
	const char *p;
	size_t n = 0;
	size_t u = 0;
	bool digit = false;
	char *end;
	long double val;
	long double res;
	size_t i;

	if (str == NULL || size == NULL)
		return -DER_INVAL;
	p = str;
	while (isspace((unsigned char)*p))
		p++;
	for (; isdigit((unsigned char)*p) || *p == '.' || *p == ','; p++) {
		if (*p == ',')
			continue;
		if (isdigit((unsigned char)*p))
			digit = true;
		if (n + 1 >= sizeof(num))
			return -DER_INVAL;
		num[n++] = *p;
	}
	num[n] = '\0';
	if (!digit)
		return -DER_INVAL;
	while (isspace((unsigned char)*p))
		p++;
	for (; *p != '\0' && !isspace((unsigned char)*p); p++) {
		if (u + 1 >= sizeof(unit))
			return -DER_INVAL;
		unit[u++] = (char)tolower((unsigned char)*p);
	}
	unit[u] = '\0';
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\0')
		return -DER_INVAL;

	errno = 0;
	val = strtold(num, &end);
	if (errno != 0 || *end != '\0')
		return -DER_INVAL;

	for (i = 0; i < ARRAY_SIZE(size_units); i++) {
		if (strcmp(unit, size_units[i].name) == 0)
			break;
	}
	if (i == ARRAY_SIZE(size_units))
		return -DER_INVAL;

	res = val * (long double)size_units[i].mult;
	if (res >= 18446744073709551616.0L)
		return -DER_OVERFLOW;
	*size = (uint64_t)res;
	return 0;
}

int
daos_str2size_or_pct(const char *str, uint64_t *size, uint32_t *percent)
{
	char *end;
	unsigned long pct;
	size_t len;

	if (str == NULL || size == NULL || percent == NULL)
		return -DER_INVAL;
	len = strlen(str);
	while (len > 0 && isspace((unsigned char)str[len - 1]))
		len--;
	if (len > 0 && str[len - 1] == '%') {
		while (isspace((unsigned char)*str))
			str++;
		if (!isdigit((unsigned char)*str))
			return -DER_INVAL;
		errno = 0;
		pct = strtoul(str, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if (errno != 0 || *end != '%' || pct == 0 || pct > 100)
			return -DER_INVAL;
		*percent = pct;
		*size = 0;
		return 0;
	}
	*percent = 0;
	return daos_str2size(str, size);
}

int
daos_size2str(uint64_t size, bool binary, char *buf, size_t buf_len)
{
	static const char *dec_units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
	static const char *bin_units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	const char **units = binary ? bin_units : dec_units;
	long double base = binary ? 1024.0L : 1000.0L;
	long double val = (long double)size;
	int e = 0;
	int n;

	if (buf == NULL || buf_len == 0)
		return -DER_INVAL;
	if (size < 10) {
		n = snprintf(buf, buf_len, "%" PRIu64 " B", size);
	} else {
		while (val >= base && e < 6) {
			val /= base;
			e++;
		}
		/* Round to one decimal first: 9.96 GiB prints as "10 GiB", as the Go tools do. */
		val = (long double)(uint64_t)(val * 10.0L + 0.5L) / 10.0L;
		if (val < 10.0L)
			n = snprintf(buf, buf_len, "%.1Lf %s", val, units[e]);
		else
			n = snprintf(buf, buf_len, "%.0Lf %s", val, units[e]);
	}
	if (n < 0)
		return -DER_INVAL;
	if ((size_t)n >= buf_len)
		return -DER_TRUNC;
	return 0;
}

int
daos_parse_id(const char *str, uuid_t uuid)
{
	if (str == NULL || uuid == NULL)
		return -DER_INVAL;
	uuid_clear(uuid);
	if (daos_is_valid_uuid_string(str)) {
		if (uuid_parse(str, uuid) != 0)
			return -DER_INVAL;
		return DAOS_ID_UUID;
	}
	if (daos_label_is_valid(str))
		return DAOS_ID_LABEL;
	return -DER_INVAL;
}

d_rank_list_t *
daos_rank_list_parse(const char *str, const char *sep)
{
	d_rank_list_t *ranks = NULL;

	if (str == NULL || sep == NULL || d_rank_list_parse(str, sep, &ranks) != 0)
		return NULL;
	return ranks;
}

int
daos_table_fprint(FILE *out, int ncols, const char *const *titles, const char *const *cells,
		  int nrows)
{
	size_t *width;
	const char *cell;
	int r;
	int c;
	int rc = 0;

	if (out == NULL || ncols <= 0 || titles == NULL || nrows < 0 ||
	    (nrows > 0 && cells == NULL))
		return -DER_INVAL;
	D_ALLOC_ARRAY(width, ncols);
	if (width == NULL)
		return -DER_NOMEM;
	for (c = 0; c < ncols; c++) {
		width[c] = strlen(titles[c]);
		for (r = 0; r < nrows; r++) {
			cell = cells[(size_t)r * ncols + c];
			width[c] = max(width[c], strlen(cell != NULL ? cell : "None"));
		}
	}
	for (c = 0; c < ncols && rc == 0; c++) {
		if (fprintf(out, "%-*s ", (int)width[c], titles[c]) < 0)
			rc = -DER_IO;
	}
	if (rc == 0 && fputc('\n', out) == EOF)
		rc = -DER_IO;
	for (c = 0; c < ncols && rc == 0; c++) {
		size_t i;

		for (i = 0; i < strlen(titles[c]) && rc == 0; i++)
			rc = fputc('-', out) == EOF ? -DER_IO : 0;
		if (rc == 0 && fprintf(out, "%*s", (int)(width[c] - strlen(titles[c]) + 1), "") < 0)
			rc = -DER_IO;
	}
	if (rc == 0 && fputc('\n', out) == EOF)
		rc = -DER_IO;
	for (r = 0; r < nrows && rc == 0; r++) {
		for (c = 0; c < ncols && rc == 0; c++) {
			cell = cells[(size_t)r * ncols + c];
			if (fprintf(out, "%-*s ", (int)width[c], cell != NULL ? cell : "None") < 0)
				rc = -DER_IO;
		}
		if (rc == 0 && fputc('\n', out) == EOF)
			rc = -DER_IO;
	}
	D_FREE(width);
	return rc;
}
