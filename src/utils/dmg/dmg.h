/* dmg internals: the command table, the CaRT client and output helpers. */
#ifndef __DMG_H__
#define __DMG_H__

#include <stdbool.h>
#include <stdio.h>
#include <cart/api.h>
#include "rpc.h"
#include "cli_common.h"

struct dmg {
	char **hosts; /* "host:port" */
	int nr_hosts;
	char *provider;
	bool json;
	bool debug;
	uint32_t timeout_ms;
	crt_context_t ctx;
	/* set by a command: the first error, printed by main */
	int rc;
	char err[512];
};

struct dmg_cmd {
	const char *group;
	const char *name;
	int (*fn)(struct dmg *d, int argc, char **argv);
	const char *help;
};

/* Command tables (dmg_cmds.c; pool commands will add dmg_pool.c's table). */
extern const struct dmg_cmd dmg_cmds[];
extern const struct dmg_cmd dmg_pool_cmds[];

/* RPCs: create one to \a addr; send many at once and wait (progressing the context). */
int dmg_req(struct dmg *d, const char *addr, crt_opcode_t opc, crt_rpc_t **rpc);
int dmg_send_all(struct dmg *d, crt_rpc_t **rpcs, int nr, int *rcs);
/* The access point's address, asked from the hosts of the list. */
int dmg_leader(struct dmg *d, char **leader);

/* Record an error for main to print ("<what>: DER_X(-n): description"). */
int dmg_fail(struct dmg *d, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * JSON output: DAOS's envelope {"response": ..., "error": null, "status": 0}; strings and
 * sizes through cli_common.h.
 */
void json_begin(struct dmg *d);
void json_end(struct dmg *d);

/* "[0-2]" (or "3" for one rank) */
char *dmg_ranks_str(d_rank_t *ranks, int nr);
int dmg_parse_ranks(const char *s, d_rank_list_t **ranks);

#endif
