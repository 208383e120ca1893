/**
 * vos_crash: SIGKILL a process doing random VOS operations, reopen, check against the model.
 *
 *   vos_crash [--kills N] [--seed S] [--min-ms A] [--max-ms B] [--dir DIR] [--verbose]
 *
 * Operation i is a function of (seed, i) (vos_check.h: updates of 1-3 akeys, extent punches,
 * object/dkey/akey punches, conditional variants, snapshots, aggregation and GC steps) at
 * epoch i + 1, with DAOS_WAL_SYNC=every. A worker process applies operations from index
 * `next` on and writes each index to a pipe once VOS returned. The parent applies every
 * acknowledged operation to its model, SIGKILLs the worker at a random moment (sometimes
 * while it is still opening the pool, i.e. replaying the WAL), then forks a checker that
 * opens the pool and compares it with the model at the newest epoch, at every snapshot and at
 * older epochs aggregation has not merged. The one operation in flight may be there or not,
 * but entirely (a multi-akey update is all or nothing): the checker accepts the model without
 * it or with it and reports which. The checker then aggregates up to an epoch chosen by the
 * parent, runs GC until the bins are empty and checks again. Children are forked from a parent
 * that never starts threads or VOS itself.
 */
#define D_LOGFAC DD_FAC(vos)

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <uuid/uuid.h>

#include <daos_errno.h>
#include <gurt/common.h>
#include <daos/mem.h>
#include <daos_srv/ult.h>

#include "vos_check.h"
#include "crash_harness.h"
#include "vos_crash_util.h"

#define EXIT_APPLIED   10 /* checker: the in-flight op is in the pool */
#define EXIT_MISSING   0  /* checker: it is not */
#define WORKER_MAX_OPS 200000

static const struct vt_gen_opts cr_opts = {
	.cond = true, .snaps = true, .snap_del = false, .agg = true, .blob_pct = 10};

static uint64_t cr_seed;
static const char *cr_base;
static const char *cr_sync = "every";
static char cr_dir[PATH_MAX - 32], cr_path[PATH_MAX];
static uuid_t cr_pool_uuid, cr_co_uuid;

/* Parent state, inherited by each child through fork */
static struct vos_model cr_model;
static uint64_t cr_next;   /* first op index not acknowledged */
static uint64_t cr_agg_hi; /* checker's aggregation bound */
static uint32_t cr_kill;
static int cr_ack_fd;
static struct vt_rng cr_rng; /* the checker's aggregation bounds */
static uint64_t cr_total_acked, cr_applied, cr_early;

struct ack {
	uint64_t idx;
	int32_t rc; /* 0, or the unexpected rc that stopped the worker */
	uint32_t pad;
};

static pid_t cr_parent;

/* the parent removes the pool files however it exits (die() included); children _exit */
static void
cleanup(void)
{
	if (getpid() == cr_parent && cr_dir[0] != '\0')
		vt_rm_rf(cr_dir);
}

static void
gen_op(uint64_t idx, struct vt_op *op)
{
	struct vt_gen_state gs;
	struct vt_rng r;

	memset(&gs, 0, sizeof(gs));
	vt_rng_seed(&r, cr_seed * 0x100000001B3ULL + idx);
	vt_gen(&r, &cr_opts, &gs, idx + 1, op);
}

#define die(...) crash_fail(__FILE__, __LINE__, __VA_ARGS__)

static void
setup_ult(void *arg)
{
	int *status = arg;
	daos_handle_t poh;
	int rc;

	rc = vos_pool_create(cr_path, cr_pool_uuid, 16ULL << 20, 32ULL << 20, 0, 0, 0, &poh);
	if (rc == 0) {
		rc = vos_cont_create(poh, cr_co_uuid);
		vos_pool_close(poh);
	}
	if (rc != 0)
		fprintf(stderr, "vos_crash: setup: " DF_RC "\n", DP_RC(rc));
	*status = rc ? 1 : 0;
}

static void
worker_ult(void *arg)
{
	int *status = arg;
	daos_handle_t poh, coh;
	struct vt_op op;
	struct ack a = {0};
	uint64_t i;
	int rc, exp;

	*status = 1;
	if (vt_crash_open("vos_crash", cr_path, cr_pool_uuid, cr_co_uuid, &poh, &coh) != 0)
		return;
	for (i = cr_next; i < cr_next + WORKER_MAX_OPS; i++) {
		gen_op(i, &op);
		exp = vt_expect(&cr_model, &op);
		rc = vt_vos_apply(poh, coh, &op);
		if (rc != exp) {
			char desc[512];

			vt_op_print(&op, desc, sizeof(desc));
			fprintf(stderr,
				"vos_crash: worker: op %" PRIu64 " %s returned " DF_RC
				", model expects %d\n",
				i, desc, DP_RC(rc), exp);
			a.idx = i;
			a.rc = rc ? rc : -DER_MISC;
			(void)!write(cr_ack_fd, &a, sizeof(a));
			return;
		}
		if (exp == 0 && vt_model_apply(&cr_model, &op) != 0)
			return;
		a.idx = i;
		if (write(cr_ack_fd, &a, sizeof(a)) != sizeof(a))
			return;
	}
	vos_cont_close(coh);
	vos_pool_close(poh);
	*status = 0;
}

/* Newest epoch, the newest snapshots, two older checkable epochs. */
static int
check_all(daos_handle_t coh, struct vos_model *m, uint64_t newest, const char *what)
{
	struct vt_rng r;
	char tag[96];
	uint32_t k;
	int rc;

	snprintf(tag, sizeof(tag), "kill %u %s", cr_kill, what);
	rc = vt_check(coh, m, newest, VT_CHECK_ALL, tag);
	/* the three newest snapshots (snapshots are never deleted here: the list grows) */
	for (k = m->snaps.nr > 3 ? m->snaps.nr - 3 : 0; rc == 0 && k < m->snaps.nr; k++)
		rc = vt_check(coh, m, m->snaps.e[k], VT_CHECK_ALL, tag);
	vt_rng_seed(&r, cr_seed + cr_kill);
	for (k = 0; rc == 0 && k < 2; k++) {
		uint64_t e = 1 + vt_rand(&r) % newest;

		if (vm_epoch_checkable(m, e))
			rc = vt_check(coh, m, e, VT_CHECK_ALL, tag);
	}
	return rc;
}

static void
checker_ult(void *arg)
{
	int *status = arg;
	daos_handle_t poh, coh;
	struct vt_op op;
	daos_epoch_t *snaps = NULL;
	uint32_t nsnaps, k;
	uint64_t newest = cr_next + 1; /* the in-flight op's epoch */
	daos_epoch_range_t epr;
	bool applied = false;
	int rc, exp;

	*status = 1;
	if (vt_crash_open("vos_crash", cr_path, cr_pool_uuid, cr_co_uuid, &poh, &coh) != 0)
		return;
	gen_op(cr_next, &op);
	exp = vt_expect(&cr_model, &op);
	if (op.kind == VT_SNAP_ADD) {
		/* invisible to reads: ask VOS whether it was recorded */
		nsnaps = 0;
		rc = vos_cont_snap_list(coh, NULL, &nsnaps);
		if (rc == 0) {
			D_ALLOC_ARRAY(snaps, nsnaps + 1);
			if (snaps == NULL)
				rc = -DER_NOMEM;
		}
		if (rc == 0)
			rc = vos_cont_snap_list(coh, snaps, &nsnaps);
		if (rc != 0) {
			fprintf(stderr, "vos_crash: snap_list: " DF_RC "\n", DP_RC(rc));
			return;
		}
		for (k = 0; k < nsnaps; k++)
			if (snaps[k] == op.epoch)
				applied = true;
		D_FREE(snaps);
		if (applied)
			vm_snap_add(&cr_model, op.epoch);
		if (nsnaps != cr_model.snaps.nr) {
			fprintf(stderr, "vos_crash: kill %u: %u snapshots in VOS, model %u\n",
				cr_kill, nsnaps, cr_model.snaps.nr);
			return;
		}
		rc = check_all(coh, &cr_model, newest, "");
	} else {
		vt_quiet = true;
		rc = check_all(coh, &cr_model, newest, "without the in-flight op");
		vt_quiet = false;
		if (rc != 0 && exp == 0) {
			struct vos_model *m = &cr_model;

			/* the in-flight op must then be there, entirely */
			if (vt_model_apply(m, &op) == 0) {
				vt_quiet = true;
				rc = check_all(coh, m, newest, "with the in-flight op");
				vt_quiet = false;
				applied = rc == 0;
			}
			if (rc != 0) {
				char desc[512];

				vt_op_print(&op, desc, sizeof(desc));
				fprintf(stderr,
					"vos_crash: kill %u: pool matches neither the model "
					"without nor with in-flight op %" PRIu64 " (%s):\n",
					cr_kill, cr_next, desc);
				check_all(coh, m, newest, "with the in-flight op");
				return;
			}
		} else if (rc != 0) {
			check_all(coh, &cr_model, newest, "(in-flight op had no effect)");
			return;
		}
	}
	if (rc != 0)
		return;

	/* aggregation and GC go on from where the killed worker left them */
	epr.epr_lo = 0;
	epr.epr_hi = cr_agg_hi;
	rc = vos_aggregate(coh, &epr, NULL, NULL, 0);
	if (rc != 0) {
		fprintf(stderr, "vos_crash: kill %u: aggregate: " DF_RC "\n", cr_kill, DP_RC(rc));
		return;
	}
	vm_aggregated(&cr_model, cr_agg_hi);
	while ((rc = vos_gc_pool(poh, 32, NULL, NULL)) == 1)
		;
	if (rc != 0 || !vos_gc_pool_idle(poh)) {
		fprintf(stderr, "vos_crash: kill %u: gc: " DF_RC ", idle %d\n", cr_kill, DP_RC(rc),
			vos_gc_pool_idle(poh));
		return;
	}
	if (check_all(coh, &cr_model, newest, "after aggregation + GC") != 0)
		return;
	vos_cont_close(coh);
	rc = vos_pool_close(poh);
	if (rc != 0) {
		fprintf(stderr, "vos_crash: pool close: " DF_RC "\n", DP_RC(rc));
		return;
	}
	*status = applied ? EXIT_APPLIED : EXIT_MISSING;
}

static int
wait_child(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	return st;
}

static pid_t
spawn(void (*fn)(void *), int ack_fd)
{
	pid_t pid;
	int status = 1;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		cr_ack_fd = ack_fd;
		vt_crash_run_in_ult(fn, &status);
	}
	return pid;
}

static void
run_worker(int fd, int round, void *arg)
{
	int status = 1;

	cr_kill = round;
	cr_ack_fd = fd;
	vt_crash_run_in_ult(worker_ult, &status);
}

/* Apply an acknowledged op to the model. */
static void
on_ack(const void *ack, void *arg)
{
	const struct ack *a = ack;
	struct vt_op op;

	if (a->rc != 0)
		die("worker stopped at op %" PRIu64 " with " DF_RC, a->idx, DP_RC(a->rc));
	if (a->idx != cr_next)
		die("ack %" PRIu64 ", expected %" PRIu64, a->idx, cr_next);
	gen_op(cr_next, &op);
	if (vt_expect(&cr_model, &op) == 0 && vt_model_apply(&cr_model, &op) != 0)
		die("model: out of memory");
	cr_next++;
}

static int
verify_round(int round, int delay_ms, uint64_t nacked, void *arg)
{
	const struct crash_opts *o = arg;
	uint64_t back;
	struct vt_op op;
	pid_t pid;
	int st;

	cr_kill = round;
	if (nacked == 0)
		cr_early++;
	cr_total_acked += nacked;

	/* an aggregation in flight may have done part of its work */
	gen_op(cr_next, &op);
	if (op.kind == VT_AGGREGATE)
		vm_aggregated(&cr_model, op.epoch);
	/* the checker's own aggregation: up to a recent epoch, sometimes everything */
	back = (vt_rand(&cr_rng) % 4) * 25; /* min() evaluates twice */
	cr_agg_hi = cr_next + 1 - min(cr_next, back);
	cr_agg_hi = max(cr_agg_hi, cr_model.agg_hi);
	pid = spawn(checker_ult, -1);
	st = wait_child(pid);
	if (!WIFEXITED(st) || (WEXITSTATUS(st) != EXIT_APPLIED && WEXITSTATUS(st) != EXIT_MISSING))
		die("kill %u: check failed (status 0x%x); replay: --seed %" PRIu64, cr_kill, st,
		    cr_seed);
	if (WEXITSTATUS(st) == EXIT_APPLIED) {
		if (op.kind == VT_SNAP_ADD)
			vm_snap_add(&cr_model, op.epoch);
		else if (vt_expect(&cr_model, &op) == 0 && vt_model_apply(&cr_model, &op) != 0)
			die("model: out of memory");
		cr_applied++;
	}
	vm_aggregated(&cr_model, cr_agg_hi);
	if (o->verbose)
		printf("kill %u: %" PRIu64 " ops acknowledged, in-flight op %" PRIu64 " %s\n",
		       cr_kill, nacked, cr_next,
		       WEXITSTATUS(st) == EXIT_APPLIED ? "applied" : "not applied");
	cr_next++; /* the in-flight op's index is used up either way */
	return 0;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static int
parse_opt(int opt, const char *arg, void *unused)
{
	switch (opt) {
	case 'd':
		cr_base = arg;
		return 0;
	case 'Q':
		vt_check_mask &= ~VT_CHECK_QUERY;
		return 0;
	case 'S':
		cr_sync = arg;
		return 0;
	}
	return -1;
}

int
main(int argc, char **argv)
{
	static const struct option extra[] = {{"dir", required_argument, NULL, 'd'},
					      {"no-query", no_argument, NULL, 'Q'},
					      {"sync", required_argument, NULL, 'S'},
					      {NULL, 0, NULL, 0}};
	/* mostly kill while ops run, the delay starting at the first ack; one in 8 during open */
	struct crash_opts o = {.kills = 100,
			       .seed = 1,
			       .min_ms = 2,
			       .max_ms = 40,
			       .ack_size = sizeof(struct ack),
			       .delay_from_first_ack = true,
			       .early_kill_one_in = 8,
			       .allow_exit0 = true};
	uint64_t t_start = now_ms();
	int st;
	pid_t pid;

	if (crash_parse(argc, argv, &o, extra, parse_opt, NULL,
			"[--dir DIR] [--no-query] [--sync every|MS]") != 0)
		return 2;
	cr_seed = o.seed;
	/* a SIGKILL keeps the page cache: tmpfs tests the same thing as a disk, faster */
	if (cr_base == NULL)
		cr_base = access("/dev/shm", W_OK) == 0 ? "/dev/shm"
			  : getenv("TMPDIR")            ? getenv("TMPDIR")
							: "/tmp";
	crash_mkdtemp(cr_base, "vos_crash", cr_dir, sizeof(cr_dir));
	snprintf(cr_path, sizeof(cr_path), "%s/vos-0", cr_dir);
	cr_parent = getpid();
	atexit(cleanup);
	/* acknowledged must mean durable; --sync N shows the test failing when it is not */
	setenv("DAOS_WAL_SYNC", cr_sync, 1);
	/*
	 * Blob values up to 4352 bytes travel in the heap log, larger ones are synced before the
	 * commit: both paths and their interplay when blocks are reused (VOS turns logging off on
	 * tmpfs unless told).
	 */
	setenv("VOS_WAL_DATA_MAX", "4352", 0);
	uuid_generate(cr_pool_uuid);
	uuid_generate(cr_co_uuid);
	vm_init(&cr_model);
	vt_rng_seed(&cr_rng, cr_seed);

	pid = spawn(setup_ult, -1);
	st = wait_child(pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("setup failed (status 0x%x)", st);

	crash_run(&o, run_worker, on_ack, verify_round, &o);
	printf("vos_crash: %d kills, %" PRIu64 " ops acknowledged, %" PRIu64
	       " in-flight ops found applied, %" PRIu64 " kills before the first ack, %.1f s\n",
	       o.kills, cr_total_acked, cr_applied, cr_early, (now_ms() - t_start) / 1e3);
	vm_fini(&cr_model);
	return 0;
}
