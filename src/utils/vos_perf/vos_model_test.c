/**
 * vos_model_test: random sequences of VOS operations checked against the reference model.
 *
 *   vos_model_test [--seed S] [--seqs N] [--ops N] [--dir DIR] [--verbose]
 *
 * Each sequence runs in a new container of one pool: --ops random updates (single values and
 * arrays, several akeys per dkey, conditional flags), punches (object, dkey, akeys, extents),
 * snapshots, aggregation and GC steps, each at a new epoch. After every operation VOS's rc must
 * be the one the model predicts; every few operations, and at the end of each sequence, fetch,
 * enumeration (with anchors) and query_key are compared with the model at the newest epoch,
 * at every snapshot and at random older epochs that aggregation has not merged. Some sequences
 * close and reopen the pool halfway (WAL replay). Containers are destroyed after their
 * sequence; at the end GC must empty the bins and give the heap space back.
 *
 * Exit status 0 when every check passed. Runs in a ULT on one xstream, as VOS does in the
 * engine. Failures print the seed, the sequence and the operation to replay them.
 */
#define D_LOGFAC DD_FAC(vos)

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include <daos_errno.h>
#include <gurt/common.h>
#include <daos/mem.h>
#include <daos_srv/ult.h>

#include "vos_check.h"

static uint64_t mt_seed = 1;
static uint32_t mt_seqs = 1500;
static uint32_t mt_ops = 40;
static const char *mt_base;
static bool mt_verbose;
static int mt_rc;
static char mt_dir[PATH_MAX - 32], mt_path[PATH_MAX];
static uint64_t mt_nops, mt_nchecks, mt_nfail_expected;

static struct vos_pool_attr mt_attr = {.vpa_sync_ms = 1000, .vpa_no_blob_flush = 1};
static uuid_t mt_uuid;

static int
pool_used(daos_handle_t poh, uint64_t *heap, uint64_t *blob, uint64_t *pending)
{
	vos_pool_info_t pi;
	int rc;

	memset(&pi, 0, sizeof(pi));
	rc = vos_pool_query(poh, &pi);
	if (rc != 0)
		return rc;
	*heap = SCM_TOTAL(&pi.pif_space) - SCM_FREE(&pi.pif_space);
	*blob = NVME_TOTAL(&pi.pif_space) - NVME_FREE(&pi.pif_space);
	*pending = pi.pif_gc_pending;
	return 0;
}

/* a checkable epoch: newest, a snapshot, or a random one aggregation has not merged */
static uint64_t
pick_epoch(struct vt_rng *r, struct vos_model *m, uint64_t last)
{
	uint32_t k;

	for (k = 0; k < 8; k++) {
		uint64_t e = 1 + vt_rand(r) % last;

		if (vm_epoch_checkable(m, e))
			return e;
	}
	if (m->snaps.nr > 0 && vt_rand(r) % 2)
		return m->snaps.e[vt_rand(r) % m->snaps.nr];
	return last;
}

/*
 * Right after a plain update: send it again at the same epoch, identical (a replay: succeeds,
 * changes nothing) or with one value's bytes changed (a conflict: -DER_TX_RESTART, changes
 * nothing, not even the other akeys). Updates that punch extents are left alone.
 */
static int
replay_or_conflict(daos_handle_t poh, daos_handle_t coh, struct vt_rng *r, const struct vt_op *op,
		   const char *tag)
{
	struct vt_op again = *op;
	uint32_t dice = vt_rand(r) % 100, i;
	int rc, exp = 0;

	if (op->kind != VT_UPDATE || op->flags != 0 || dice >= 16)
		return 0;
	for (i = 0; i < op->nr; i++)
		if (op->iods[i].len == 0)
			return 0;
	if (dice >= 8) {
		vt_iod_change(&again.iods[dice % op->nr]);
		exp = -DER_TX_RESTART;
	}
	rc = vt_vos_apply(poh, coh, &again);
	mt_nops++;
	if (rc != exp) {
		char desc[512];

		vt_op_print(&again, desc, sizeof(desc));
		fprintf(stderr, "%s: %s of %s returned " DF_RC ", expected %d\n", tag,
			exp ? "conflicting update" : "replay", desc, DP_RC(rc), exp);
		return -1;
	}
	return 0;
}

static int
run_seq(daos_handle_t *poh, uint32_t seq)
{
	struct vt_gen_opts go = {
		.cond = true, .snaps = true, .snap_del = true, .agg = true, .blob_pct = 10};
	struct vt_gen_state gs;
	struct vos_model m;
	struct vt_rng r;
	struct vt_op op;
	daos_handle_t coh;
	uuid_t co;
	uint64_t epoch = 0, e;
	uint32_t i, k;
	char tag[128], desc[512];
	bool reopen;
	int rc, exp;

	memset(&gs, 0, sizeof(gs));
	vm_init(&m);
	vt_rng_seed(&r, mt_seed * 1000003 + seq);
	reopen = vt_rand(&r) % 10 == 0;
	uuid_generate(co);
	rc = vos_cont_create(*poh, co);
	if (rc == 0)
		rc = vos_cont_open(*poh, co, &coh);
	if (rc != 0) {
		fprintf(stderr, "seq %u: container create/open: " DF_RC "\n", seq, DP_RC(rc));
		goto out;
	}
	for (i = 0; i < mt_ops; i++) {
		snprintf(tag, sizeof(tag), "seed %" PRIu64 " seq %u op %u", mt_seed, seq, i);
		vt_gen(&r, &go, &gs, ++epoch, &op);
		exp = vt_expect(&m, &op);
		rc = vt_vos_apply(*poh, coh, &op);
		vt_op_print(&op, desc, sizeof(desc));
		if (mt_verbose)
			printf("%s: %s -> %d\n", tag, desc, rc);
		if (rc != exp) {
			fprintf(stderr, "%s: %s returned " DF_RC ", model expects %d\n", tag, desc,
				DP_RC(rc), exp);
			rc = -1;
			goto close;
		}
		mt_nops++;
		if (exp != 0) {
			mt_nfail_expected++;
			continue;
		}
		rc = vt_model_apply(&m, &op);
		if (rc != 0)
			goto close;
		rc = replay_or_conflict(*poh, coh, &r, &op, tag);
		if (rc != 0)
			goto close;

		if (reopen && i == mt_ops / 2) {
			/* the WAL of the last second was never synced: replay must restore it */
			vos_cont_close(coh);
			rc = vos_pool_close(*poh);
			if (rc == 0)
				rc = vos_pool_open_ex(mt_path, mt_uuid, 0, &mt_attr, poh);
			if (rc == 0)
				rc = vos_cont_open(*poh, co, &coh);
			if (rc != 0) {
				fprintf(stderr, "%s: reopen: " DF_RC "\n", tag, DP_RC(rc));
				goto out;
			}
			rc = vt_check(coh, &m, epoch, VT_CHECK_ALL, tag);
			mt_nchecks++;
			if (rc != 0)
				goto close;
		}
		if (vt_rand(&r) % 8 == 0) {
			e = pick_epoch(&r, &m, epoch);
			rc = vt_check(coh, &m, e, vt_rand(&r) % 2 ? VT_CHECK_ALL : VT_CHECK_FETCH,
				      tag);
			mt_nchecks++;
			if (rc != 0) {
				fprintf(stderr, "%s: after %s (checked at epoch %" PRIu64 ")\n",
					tag, desc, e);
				goto close;
			}
		}
	}
	/* end of sequence: newest epoch, every snapshot, a few older epochs */
	snprintf(tag, sizeof(tag), "seed %" PRIu64 " seq %u end", mt_seed, seq);
	rc = vt_check(coh, &m, epoch, VT_CHECK_ALL, tag);
	for (k = 0; rc == 0 && k < m.snaps.nr; k++)
		rc = vt_check(coh, &m, m.snaps.e[k], VT_CHECK_ALL, tag);
	for (k = 0; rc == 0 && k < 2; k++) {
		e = pick_epoch(&r, &m, epoch);
		rc = vt_check(coh, &m, e, VT_CHECK_ALL, tag);
	}
	mt_nchecks += 3 + m.snaps.nr;
	if (rc == 0) {
		/* aggregate everything up to the newest epoch: what it sees must not change */
		daos_epoch_range_t epr = {0, epoch};

		rc = vos_aggregate(coh, &epr, NULL, NULL, 0);
		if (rc != 0)
			fprintf(stderr, "%s: aggregate: " DF_RC "\n", tag, DP_RC(rc));
		else
			vm_aggregated(&m, epoch);
		if (rc == 0) {
			while ((rc = vos_gc_pool(*poh, 16, NULL, NULL)) == 1)
				;
			if (rc != 0)
				fprintf(stderr, "%s: gc: " DF_RC "\n", tag, DP_RC(rc));
		}
		if (rc == 0)
			rc = vt_check(coh, &m, epoch, VT_CHECK_ALL, tag);
		for (k = 0; rc == 0 && k < m.snaps.nr; k++)
			rc = vt_check(coh, &m, m.snaps.e[k], VT_CHECK_ALL, tag);
		if (rc != 0)
			fprintf(stderr, "%s: after the final aggregation + GC\n", tag);
	}
close:
	vos_cont_close(coh);
	if (rc == 0) {
		rc = vos_cont_destroy(*poh, co);
		if (rc != 0)
			fprintf(stderr, "seq %u: container destroy: " DF_RC "\n", seq, DP_RC(rc));
	}
out:
	vm_fini(&m);
	return rc;
}

static void
main_ult(void *arg)
{
	daos_handle_t poh;
	uint64_t heap0 = 0, blob0 = 0, heap = 0, blob = 0, pending = 0, t0;
	uint32_t seq;
	int rc;

	uuid_generate(mt_uuid);
	rc = vos_pool_create_ex(mt_path, mt_uuid, 32ULL << 20, 64ULL << 20, 0, 0, 0, &mt_attr,
				&poh);
	if (rc != 0) {
		fprintf(stderr, "pool create %s: " DF_RC "\n", mt_path, DP_RC(rc));
		mt_rc = rc;
		return;
	}
	rc = pool_used(poh, &heap0, &blob0, &pending);
	t0 = (uint64_t)time(NULL);
	for (seq = 0; rc == 0 && seq < mt_seqs; seq++)
		rc = run_seq(&poh, seq);
	if (rc == 0) {
		/* destroyed containers: GC must empty the bins and give the space back */
		while ((rc = vos_gc_pool(poh, 64, NULL, NULL)) == 1)
			;
		if (rc == 0)
			rc = pool_used(poh, &heap, &blob, &pending);
		if (rc == 0 && (!vos_gc_pool_idle(poh) || pending != 0)) {
			fprintf(stderr, "GC left work: idle %d, %" PRIu64 " pending\n",
				vos_gc_pool_idle(poh), pending);
			rc = -1;
		}
		printf("vos_model_test: seed %" PRIu64 ", %u sequences x %u ops: %" PRIu64
		       " ops (%" PRIu64 " rejected as the model predicted), %" PRIu64
		       " checks, %" PRIu64 " s; heap used %" PRIu64 " -> %" PRIu64
		       " B, blob used %" PRIu64 " -> %" PRIu64 " B after GC\n",
		       mt_seed, mt_seqs, mt_ops, mt_nops, mt_nfail_expected, mt_nchecks,
		       (uint64_t)time(NULL) - t0, heap0, heap, blob0, blob);
		if (rc == 0 && (blob > blob0 || heap > heap0 + (1ULL << 20))) {
			fprintf(stderr,
				"space not given back after all containers were destroyed\n");
			rc = -1;
		}
	}
	vos_pool_close(poh);
	vos_pool_destroy(mt_path, mt_uuid);
	mt_rc = rc;
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {{"seed", required_argument, NULL, 's'},
					      {"seqs", required_argument, NULL, 'n'},
					      {"ops", required_argument, NULL, 'o'},
					      {"dir", required_argument, NULL, 'd'},
					      {"verbose", no_argument, NULL, 'v'},
					      {"no-query", no_argument, NULL, 'Q'},
					      {NULL, 0, NULL, 0}};
	struct ult_init_attr ua = {.uia_nr_xs = 1};
	struct ult *ult;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "s:n:o:d:vQ", lopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			mt_seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			mt_seqs = strtoul(optarg, NULL, 0);
			break;
		case 'o':
			mt_ops = strtoul(optarg, NULL, 0);
			break;
		case 'd':
			mt_base = optarg;
			break;
		case 'v':
			mt_verbose = true;
			break;
		case 'Q':
			vt_check_mask &= ~VT_CHECK_QUERY;
			break;
		default:
			fprintf(stderr, "usage: vos_model_test [--seed S] [--seqs N] [--ops N] "
					"[--dir DIR] [--verbose] [--no-query]\n");
			return 2;
		}
	}
	/* durability is not what this test checks: tmpfs keeps it fast */
	if (mt_base == NULL)
		mt_base = access("/dev/shm", W_OK) == 0 ? "/dev/shm"
			  : getenv("TMPDIR")            ? getenv("TMPDIR")
							: "/tmp";
	snprintf(mt_dir, sizeof(mt_dir), "%s/vos_model_test.XXXXXX", mt_base);
	if (mkdtemp(mt_dir) == NULL) {
		fprintf(stderr, "mkdtemp %s: %s\n", mt_dir, strerror(errno));
		return 1;
	}
	snprintf(mt_path, sizeof(mt_path), "%s/vos-0", mt_dir);

	rc = ult_init(&ua);
	if (rc == 0) {
		umem_set_wait_ops(ult_umem_wait_ops());
		rc = ult_create(0, main_ult, NULL, 0, &ult);
		if (rc == 0)
			rc = ult_join(ult);
		umem_set_wait_ops(NULL);
		ult_fini();
	}
	if (rc == 0)
		rc = mt_rc;
	vt_rm_rf(mt_dir);
	if (rc != 0)
		fprintf(stderr, "vos_model_test: FAILED (seed %" PRIu64 ")\n", mt_seed);
	return rc == 0 ? 0 : 1;
}
