/* daos (the user tool) internals: argument parsing, command tables, output helpers. */
#ifndef __DAOS_CLI_H__
#define __DAOS_CLI_H__

#include <stdbool.h>
#include <stdio.h>
#include <daos.h>
#include "cli_common.h"

/* Options a command may take (bit numbers of struct dcmd.c_opts). */
enum dopt {
	O_POOL,
	O_CONT,
	O_LABEL,
	O_TYPE,
	O_OCLASS,
	O_DIR_OCLASS,
	O_FILE_OCLASS,
	O_CHUNK,
	O_PROPS,
	O_HINTS,
	O_MODE,
	O_ACL_FILE,
	O_USER,
	O_GROUP,
	O_ATTRS,
	O_ATTR,
	O_VALUE,
	O_VERBOSE,
	O_FORCE,
	O_SNAP,
	O_EPC,
	O_EPCRANGE,
	O_ENTRY,
	O_PRINCIPAL,
	O_OUTFILE,
	O_SHOW_ENABLED,
	O_HEALTH_ONLY,
	O_JSON,
	O_NR
};

#define OPT(o)        (1ULL << (o))

#define DARGS_POS_MAX 16

/* A command line split into options and positional words. */
struct dargs {
	const char *pos[DARGS_POS_MAX];
	int npos;
	/* value of each option given ("" for flags), NULL when absent */
	const char *opt[O_NR];
};

/*
 * Split argv (the words after the command name) into options allowed by
 * \a allowed (OPT() bits) and positional words. Long options take their value
 * as "--name=value" or the next word, short ones as "-xVALUE" or the next word;
 * "--" ends the options. Unknown or disallowed options, a missing value and
 * too many positionals are -DER_INVAL with a message in \a err.
 */
int dargs_parse(int argc, char **argv, uint64_t allowed, struct dargs *a, char *err, size_t errlen);

/* Name of an option for messages ("--oclass"). */
const char *dargs_opt_name(enum dopt o);

/* One "key:value" attribute. */
struct dattr {
	char *name;
	char *value;
};

/*
 * Parse "key:value[,key:value...]" (the key ends at the first ':'; a value
 * may contain ':' but not ','). Empty keys, missing ':' and duplicate keys
 * are -DER_INVAL. Free with dattr_free().
 */
int dattr_parse(const char *str, struct dattr **attrs, int *nr);
void dattr_free(struct dattr *attrs, int nr);

/* "key[,key...]" into an array of names (free with dattr_free, values NULL). */
int dattr_parse_names(const char *str, struct dattr **attrs, int *nr);

/* "A-B" epoch range (A <= B) or one epoch "E". */
int depc_range_parse(const char *str, daos_epoch_range_t *epr);

/* Layout type name ("POSIX", "HDF5", ...; case-insensitive). -DER_INVAL if unknown. */
int dtype_parse(const char *str, uint16_t *type);

/* Global state of one run. */
struct dcli {
	bool json;
	bool verbose;
	bool debug;
	int rc;
	char err[1024];
	/* set once a JSON response has been opened */
	bool json_open;
};

struct dcmd {
	const char *group;
	const char *name;
	/* other accepted names, "|"-separated ("list-conts|list-cont") */
	const char *aliases;
	uint64_t opts;
	int (*fn)(struct dcli *d, struct dargs *a);
	const char *usage;
};

extern const struct dcmd dcmd_pool[];
extern const struct dcmd dcmd_cont[];

/* Record an error for main ("<what>: DER_X(-n): 'description'"); returns rc. */
int dfail(struct dcli *d, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* JSON output: strings through cli_json_str(); the envelope is printed by main. */
void djson_begin(struct dcli *d);
/* Close the envelope: "error" and "status" from d->rc (a null response if none was opened). */
void djson_end(struct dcli *d);

/* "  key<pad>: value" rows, keys padded to the widest one plus one (DAOS's entity layout). */
struct dentity_row {
	const char *key;
	char value[256];
};
void dentity_print(FILE *f, struct dentity_row *rows, int nr);
/* The JSON array of get-prop (pool and container): value, name, description per property. */
void dprop_json(daos_prop_t *prop);

/* Connect to the pool named by the first positional or --pool (RO or RW). */
int dpool_connect(struct dcli *d, struct dargs *a, unsigned int flags, daos_handle_t *poh,
		  daos_pool_info_t *info, const char **pool_id);
/* The pool's id from the first positional or --pool; NULL (and an error) if missing. */
const char *dpool_id(struct dcli *d, struct dargs *a);

/* Attribute commands shared by pool and container: which object they work on. */
struct dattr_ops {
	int (*list)(daos_handle_t h, char *buf, size_t *size, daos_event_t *ev);
	int (*get)(daos_handle_t h, int n, char const *const names[], void *const bufs[],
		   size_t sizes[], daos_event_t *ev);
	int (*set)(daos_handle_t h, int n, char const *const names[], void const *const values[],
		   size_t const sizes[], daos_event_t *ev);
	int (*del)(daos_handle_t h, int n, char const *const names[], daos_event_t *ev);
	const char *what; /* "pool" or "container" */
};
extern const struct dattr_ops dattr_pool_ops;
extern const struct dattr_ops dattr_cont_ops;

/* set-attr/get-attr/list-attrs/del-attr on an open handle; \a args are the positionals left. */
int dattr_cmd_set(struct dcli *d, const struct dattr_ops *ops, daos_handle_t h, const char *id,
		  struct dargs *a, int first);
int dattr_cmd_get(struct dcli *d, const struct dattr_ops *ops, daos_handle_t h, const char *id,
		  struct dargs *a, int first);
int dattr_cmd_list(struct dcli *d, const struct dattr_ops *ops, daos_handle_t h, const char *id,
		   struct dargs *a);
int dattr_cmd_del(struct dcli *d, const struct dattr_ops *ops, daos_handle_t h, const char *id,
		  struct dargs *a, int first);
/* One of the above by \a which: 's'et, 'g'et, 'l'ist or 'd'el (set and del need RW handles). */
int dattr_cmd(struct dcli *d, const struct dattr_ops *ops, daos_handle_t h, const char *id,
	      struct dargs *a, int first, int which);

#endif
