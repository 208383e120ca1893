/**
 * vos_crash_disk: SIGKILL a process doing 1 MiB, 64 KiB-ish and 4 KiB single-value updates on a
 * real disk, reopen, check that every acknowledged update reads back exactly.
 *
 *   vos_crash_disk [--kills N] [--seed S] [--min-ms A] [--max-ms B] [--dir DIR] [--verbose]
 *
 * Made for the "one flush per update" path (docs/vos.md): values above the log threshold go to
 * the pre-written blob with O_DIRECT and no fdatasync, only their checksum goes in the log
 * record; 4 KiB values travel in the log. The directory must therefore be on a block device
 * (default /tmp; on tmpfs the test still runs but exercises the page-cache paths).
 *
 * Operation i (epoch i + 1) writes key i % NKEYS with a value whose size and bytes are
 * functions of (seed, i); every AGG_EVERY-th operation aggregates everything below the newest
 * epoch instead, freeing old versions, so later values reuse their blob blocks. The worker
 * acknowledges each index once VOS returned (DAOS_WAL_SYNC=every). After each kill, a checker
 * opens the pool and fetches every key: it must hold exactly the newest acknowledged value,
 * or for the key of the one operation in flight, that one's value.
 */
#define D_LOGFAC DD_FAC(vos)

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <uuid/uuid.h>

#include <daos_errno.h>
#include <gurt/common.h>
#include <daos/mem.h>
#include <daos_srv/ult.h>
#include <daos_srv/vos.h>

#include "crash_harness.h"
#include "vos_crash_util.h"

#define NKEYS     24
#define AGG_EVERY 16
#define MAX_OPS   100000
#define VAL_MAX   (1U << 20)

static uint64_t cd_seed;
static const char *cd_base = "/tmp";
static char cd_dir[PATH_MAX - 32], cd_path[PATH_MAX];
static uuid_t cd_pool_uuid, cd_co_uuid;
static const daos_unit_oid_t cd_oid = {.id_pub = {.lo = 0x51, .hi = 0x7}};

/* parent state, inherited by the children */
static uint64_t cd_next;        /* first operation not acknowledged */
static uint64_t cd_last[NKEYS]; /* newest acknowledged op + 1 per key (0: none) */
static uint64_t cd_total, cd_applied;
static int cd_ack_fd;
static int cd_kill;
static pid_t cd_parent;

#define die(...) crash_fail(__FILE__, __LINE__, __VA_ARGS__)

static bool
op_is_agg(uint64_t i)
{
	return i % AGG_EVERY == AGG_EVERY - 1;
}

/* 1 MiB, 4 KiB, or an odd size between 16 and 80 KiB (not block aligned) */
static uint32_t
op_size(uint64_t i)
{
	uint64_t h = (i + 1) * 0x9e3779b97f4a7c15ULL ^ cd_seed;

	switch (i % 3) {
	case 0:
		return VAL_MAX;
	case 1:
		return 4096;
	default:
		return 16384 + (uint32_t)(h % 65536) + 1;
	}
}

static void
op_fill(uint64_t i, char *buf, uint32_t len)
{
	uint64_t x = (i + 1) * 0x2545f4914f6cdd1dULL ^ cd_seed;
	uint32_t k;

	for (k = 0; k + 8 <= len; k += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(buf + k, &x, 8);
	}
	for (; k < len; k++)
		buf[k] = (char)(i + k);
}

static void
key_of(uint64_t key, char *kb, daos_key_t *dkey)
{
	snprintf(kb, 16, "key%02u", (unsigned int)key);
	d_iov_set(dkey, kb, strlen(kb));
}

static int
do_update(daos_handle_t coh, uint64_t i, char *buf)
{
	daos_iod_t iod = {0};
	d_sg_list_t sgl = {0};
	daos_key_t dkey;
	d_iov_t iov;
	char kb[16];
	uint32_t len = op_size(i);

	key_of(i % NKEYS, kb, &dkey);
	d_iov_set(&iod.iod_name, "a", 1);
	iod.iod_type = DAOS_IOD_SINGLE;
	iod.iod_size = len;
	iod.iod_nr = 1;
	op_fill(i, buf, len);
	d_iov_set(&iov, buf, len);
	sgl.sg_nr = 1;
	sgl.sg_iovs = &iov;
	return vos_obj_update(coh, cd_oid, i + 1, 0, 0, &dkey, 1, &iod, NULL, &sgl);
}

/* Fetch key \a key at the newest epoch: 0 and its bytes in \a buf, *len its size (0: none). */
static int
do_fetch(daos_handle_t coh, uint64_t key, uint64_t epoch, char *buf, uint32_t *len)
{
	daos_iod_t iod = {0};
	d_sg_list_t sgl = {0};
	daos_key_t dkey;
	d_iov_t iov;
	char kb[16];
	int rc;

	key_of(key, kb, &dkey);
	d_iov_set(&iod.iod_name, "a", 1);
	iod.iod_type = DAOS_IOD_SINGLE;
	iod.iod_nr = 1;
	d_iov_set(&iov, buf, VAL_MAX);
	sgl.sg_nr = 1;
	sgl.sg_iovs = &iov;
	rc = vos_obj_fetch(coh, cd_oid, epoch, 0, &dkey, 1, &iod, &sgl);
	if (rc == -DER_NONEXIST) {
		*len = 0;
		return 0;
	}
	*len = (uint32_t)iod.iod_size;
	return rc;
}

static void
setup_ult(void *arg)
{
	int *status = arg;
	daos_handle_t poh;
	int rc;

	/* 256 MiB of blob: NKEYS live values of at most 1 MiB plus what aggregation has not freed */
	rc = vos_pool_create(cd_path, cd_pool_uuid, 32ULL << 20, 256ULL << 20, 0, 0, 0, &poh);
	if (rc == 0) {
		rc = vos_cont_create(poh, cd_co_uuid);
		vos_pool_close(poh);
	}
	if (rc != 0)
		fprintf(stderr, "vos_crash_disk: setup: " DF_RC "\n", DP_RC(rc));
	*status = rc ? 1 : 0;
}

static void
worker_ult(void *arg)
{
	int *status = arg;
	daos_handle_t poh, coh;
	char *buf;
	uint64_t i;
	int rc = 0;

	*status = 1;
	D_ALLOC_NZ(buf, VAL_MAX);
	if (buf == NULL ||
	    vt_crash_open("vos_crash_disk", cd_path, cd_pool_uuid, cd_co_uuid, &poh, &coh) != 0)
		return;
	for (i = cd_next; i < cd_next + MAX_OPS; i++) {
		if (op_is_agg(i)) {
			daos_epoch_range_t epr = {.epr_lo = 0, .epr_hi = i};

			rc = vos_aggregate(coh, &epr, NULL, NULL, 0);
		} else {
			rc = do_update(coh, i, buf);
		}
		if (rc != 0) {
			fprintf(stderr, "vos_crash_disk: op %" PRIu64 ": " DF_RC "\n", i,
				DP_RC(rc));
			return;
		}
		if (write(cd_ack_fd, &i, sizeof(i)) != sizeof(i))
			return;
	}
	*status = 0;
}

static void
run_worker(int fd, int round, void *arg)
{
	int status;

	cd_ack_fd = fd;
	vt_crash_run_in_ult(worker_ult, &status);
}

static void
on_ack(const void *ack, void *arg)
{
	uint64_t i;

	memcpy(&i, ack, sizeof(i));
	if (i != cd_next)
		die("acknowledgement %" PRIu64 ", expected %" PRIu64, i, cd_next);
	if (!op_is_agg(i))
		cd_last[i % NKEYS] = i + 1;
	cd_next++;
	cd_total++;
}

/* exit 10: the in-flight update is there; 0: it is not; 1: a mismatch */
static void
checker_ult(void *arg)
{
	int *status = arg;
	daos_handle_t poh, coh;
	char *got, *want;
	bool applied = false;
	uint64_t key;
	uint32_t len;
	int rc;

	*status = 1;
	D_ALLOC_NZ(got, VAL_MAX);
	D_ALLOC_NZ(want, VAL_MAX);
	if (got == NULL || want == NULL ||
	    vt_crash_open("vos_crash_disk", cd_path, cd_pool_uuid, cd_co_uuid, &poh, &coh) != 0)
		return;
	for (key = 0; key < NKEYS; key++) {
		uint64_t last = cd_last[key];
		bool inflight = !op_is_agg(cd_next) && cd_next % NKEYS == key;

		rc = do_fetch(coh, key, cd_next + 1, got, &len);
		if (rc != 0) {
			fprintf(stderr, "vos_crash_disk: fetch key %" PRIu64 ": " DF_RC "\n", key,
				DP_RC(rc));
			return;
		}
		if (inflight && len == op_size(cd_next)) {
			op_fill(cd_next, want, len);
			if (memcmp(got, want, len) == 0) {
				applied = true;
				continue;
			}
		}
		if (last == 0) {
			if (len != 0) {
				fprintf(stderr,
					"vos_crash_disk: kill %d: key %" PRIu64
					" has %u bytes, never written\n",
					cd_kill, key, len);
				return;
			}
			continue;
		}
		if (len != op_size(last - 1)) {
			fprintf(stderr,
				"vos_crash_disk: kill %d: key %" PRIu64 " has %u bytes, op %" PRIu64
				" wrote %u\n",
				cd_kill, key, len, last - 1, op_size(last - 1));
			return;
		}
		op_fill(last - 1, want, len);
		if (memcmp(got, want, len) != 0) {
			fprintf(stderr,
				"vos_crash_disk: kill %d: key %" PRIu64 " (op %" PRIu64
				", %u bytes) reads back different bytes\n",
				cd_kill, key, last - 1, len);
			return;
		}
	}
	vos_cont_close(coh);
	vos_pool_close(poh);
	*status = applied ? 10 : 0;
}

static pid_t
spawn(void (*fn)(void *))
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		die("fork");
	if (pid == 0)
		vt_crash_run_in_ult(fn, &status);
	return pid;
}

static int
wait_child(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		die("waitpid");
	return st;
}

static int
verify_round(int round, int delay_ms, uint64_t nacked, void *arg)
{
	struct crash_opts *o = arg;
	int st;

	cd_kill = round;
	st = wait_child(spawn(checker_ult));
	if (!WIFEXITED(st) || (WEXITSTATUS(st) != 10 && WEXITSTATUS(st) != 0))
		die("kill %d: check failed (status 0x%x); replay: --seed %" PRIu64, round, st,
		    cd_seed);
	if (WEXITSTATUS(st) == 10) {
		cd_last[cd_next % NKEYS] = cd_next + 1;
		cd_applied++;
	}
	if (o->verbose)
		printf("kill %d after %d ms: %" PRIu64 " acknowledged, in-flight op %" PRIu64
		       " %s\n",
		       round, delay_ms, nacked, cd_next,
		       WEXITSTATUS(st) == 10 ? "applied" : "not applied");
	cd_next++;
	return 0;
}

static void
cleanup(void)
{
	if (getpid() == cd_parent && cd_dir[0] != '\0') {
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cd_dir);
		(void)!system(cmd);
	}
}

static int
parse_opt(int opt, const char *arg, void *unused)
{
	if (opt == 'd') {
		cd_base = arg;
		return 0;
	}
	return -1;
}

int
main(int argc, char **argv)
{
	static const struct option extra[] = {{"dir", required_argument, NULL, 'd'},
					      {NULL, 0, NULL, 0}};
	struct crash_opts o = {.kills = 40,
			       .seed = 1,
			       .min_ms = 2,
			       .max_ms = 60,
			       .ack_size = sizeof(uint64_t),
			       .delay_from_first_ack = true,
			       .early_kill_one_in = 8,
			       .allow_exit0 = true};
	int st;

	if (crash_parse(argc, argv, &o, extra, parse_opt, NULL, "[--dir DIR]") != 0)
		return 2;
	cd_seed = o.seed;
	crash_mkdtemp(cd_base, "vos_crash_disk", cd_dir, sizeof(cd_dir));
	snprintf(cd_path, sizeof(cd_path), "%s/vos-0", cd_dir);
	cd_parent = getpid();
	atexit(cleanup);
	setenv("DAOS_WAL_SYNC", "every", 1);
	/* the default threshold (16 KiB): 4 KiB values in the log, the others direct */
	uuid_generate(cd_pool_uuid);
	uuid_generate(cd_co_uuid);
	st = wait_child(spawn(setup_ult));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("setup failed (status 0x%x)", st);
	crash_run(&o, run_worker, on_ack, verify_round, &o);
	printf("vos_crash_disk: %d kills, %" PRIu64 " ops acknowledged, %" PRIu64
	       " in-flight updates found applied\n",
	       o.kills, cd_total, cd_applied);
	return 0;
}
