/**
 * rdb: database storage and replicas.
 *
 * A database is one umem heap (file PATH plus its log PATH.wal) whose root object is the
 * superblock (struct rdb_sb): identity, Raft state (term, vote, replicas), the applied
 * position and the root KVS. The heap commits with WAL sync policy "every", so an entry is
 * durable when its commit returns.
 *
 * Replication: this build has one voter. rdb_start() makes it leader of a new term (persisted
 * before dc_step_up is called); rdb_resign()/rdb_stop() step it down. Everything that Raft
 * will own lives here (terms, votes, membership) or in rdb_log.c (append, apply).
 */
#define D_LOGFAC DD_FAC(rdb)

#include <errno.h>
#include <unistd.h>

#include "rdb_internal.h"

/* How long rdb_stop() waits for open TXs before going on regardless. */
#define RDB_STOP_WAIT_US (10ULL * 1000 * 1000)

static uint64_t
rdb_wal_size(size_t size)
{
	return min(max((uint64_t)size / 4, 4ULL << 20), 64ULL << 20);
}

static void
rdb_free(struct rdb *db)
{
	if (db->d_cv != NULL)
		ult_cond_free(&db->d_cv);
	if (db->d_mutex != NULL)
		ult_mutex_free(&db->d_mutex);
	if (db->d_apply_mutex != NULL)
		ult_mutex_free(&db->d_apply_mutex);
	D_FREE(db->d_path);
	D_FREE(db);
}

static int
rdb_alloc(const char *path, const uuid_t uuid, struct rdb_cbs *cbs, void *arg, struct rdb **dbp)
{
	struct rdb *db;
	int rc;

	D_ALLOC_PTR(db);
	if (db == NULL)
		return -DER_NOMEM;
	db->d_path = strdup(path);
	if (db->d_path == NULL) {
		rc = -DER_NOMEM;
		goto err;
	}
	uuid_copy(db->d_uuid, uuid);
	db->d_cbs = cbs;
	db->d_arg = arg;
	rc = ult_mutex_create(&db->d_apply_mutex);
	if (rc == 0)
		rc = ult_mutex_create(&db->d_mutex);
	if (rc == 0)
		rc = ult_cond_create(&db->d_cv);
	if (rc != 0)
		goto err;
	*dbp = db;
	return 0;
err:
	rdb_free(db);
	return rc;
}

/* Attach \a db to its open heap and load the volatile state from the superblock. */
static int
rdb_attach(struct rdb *db, struct umem_pool *pool, bool create)
{
	umem_off_t off;
	int rc;

	db->d_pool = pool;
	db->d_uma.uma_id = UMEM_CLASS_BMEM;
	db->d_uma.uma_pool = pool;
	rc = umem_class_init(&db->d_uma, &db->d_umm);
	if (rc != 0)
		return rc;
	rc = umem_pool_root(pool, sizeof(struct rdb_sb), &off);
	if (rc != 0)
		return rc;
	db->d_sb = umem_off2ptr(&db->d_umm, off);
	if (create)
		return 0;
	if (db->d_sb->rs_magic != RDB_SB_MAGIC || db->d_sb->rs_version != RDB_SB_VERSION) {
		D_ERROR("%s: not an rdb database (magic " DF_X64 ")\n", db->d_path,
			db->d_sb->rs_magic);
		return -DER_DF_INVAL;
	}
	if (uuid_compare(db->d_sb->rs_uuid, db->d_uuid) != 0) {
		D_ERROR("%s: database " DF_UUID " is not " DF_UUID "\n", db->d_path,
			DP_UUID(db->d_sb->rs_uuid), DP_UUID(db->d_uuid));
		return -DER_MISMATCH;
	}
	db->d_term = db->d_sb->rs_term;
	db->d_last_index = db->d_sb->rs_applied_index;
	db->d_applied = db->d_last_index;
	db->d_durable = db->d_last_index;
	return 0;
}

static int
rdb_check_caller_term(struct rdb *db, uint64_t caller_term)
{
	struct rdb_sb *sb = db->d_sb;
	int rc;

	if (caller_term == RDB_NIL_TERM || caller_term == sb->rs_caller_term)
		return 0;
	if (caller_term < sb->rs_caller_term) {
		D_ERROR(DF_DB ": stale caller term " DF_U64 " < " DF_U64 "\n", DP_DB(db),
			caller_term, sb->rs_caller_term);
		return -DER_STALE;
	}
	rc = umem_tx_begin(&db->d_umm, NULL);
	if (rc != 0)
		return rc;
	rc = umem_tx_add_ptr(&db->d_umm, &sb->rs_caller_term, sizeof(sb->rs_caller_term));
	if (rc == 0)
		sb->rs_caller_term = caller_term;
	return umem_tx_end(&db->d_umm, rc);
}

int
rdb_create(const char *path, const uuid_t uuid, uint64_t caller_term,
	   struct rdb_create_params *params, struct rdb_cbs *cbs, void *arg,
	   struct rdb_storage **storagep)
{
	struct umem_pool_attr attr = {0};
	struct umem_pool *pool = NULL;
	struct rdb *db = NULL;
	struct rdb_sb *sb;
	size_t size;
	int i, rc;

	if (path == NULL || uuid == NULL || params == NULL || storagep == NULL)
		return -DER_INVAL;
	if (params->rcp_replicas_len < 0 || params->rcp_replicas_len > RDB_REPLICAS_MAX ||
	    (params->rcp_replicas_len > 0 && params->rcp_replicas == NULL))
		return -DER_INVAL;
	if (params->rcp_replicas_len > 1) {
		/* needs Raft: refuse rather than run several independent "leaders" */
		D_ERROR("%s: %d replicas requested; this rdb runs one replica\n", path,
			params->rcp_replicas_len);
		return -DER_NOTSUPPORTED;
	}
	if (params->rcp_replicas_len == 1 &&
	    rdb_replica_id_compare(params->rcp_replicas[0], params->rcp_id) != 0)
		return -DER_INVAL;
	size = params->rcp_size == 0 ? RDB_SIZE_DEFAULT : params->rcp_size;
	if (size < RDB_SIZE_MIN)
		return -DER_INVAL;

	rc = rdb_alloc(path, uuid, cbs, arg, &db);
	if (rc != 0)
		return rc;
	attr.upa_sync_ms = 0; /* durable before a commit returns */
	attr.upa_wal_size = rdb_wal_size(size);
	rc = umem_pool_create(path, size, 0600, &attr, &pool);
	if (rc != 0) {
		D_ERROR("%s: cannot create heap: " DF_RC "\n", path, DP_RC(rc));
		rdb_free(db);
		return rc;
	}
	rc = rdb_attach(db, pool, true);
	if (rc != 0)
		goto err;

	sb = db->d_sb;
	rc = umem_tx_begin(&db->d_umm, NULL);
	if (rc != 0)
		goto err;
	rc = umem_tx_add_ptr(&db->d_umm, sb, sizeof(*sb));
	if (rc == 0) {
		memset(sb, 0, sizeof(*sb));
		sb->rs_magic = RDB_SB_MAGIC;
		sb->rs_version = RDB_SB_VERSION;
		sb->rs_layout_version = params->rcp_layout_version ?: 1;
		uuid_copy(sb->rs_uuid, uuid);
		sb->rs_size = size;
		sb->rs_vote = -1;
		sb->rs_caller_term = caller_term == RDB_NIL_TERM ? 0 : caller_term;
		sb->rs_self = params->rcp_id;
		sb->rs_replica_gen_next = params->rcp_id.rri_gen + 1;
		sb->rs_nreplicas = params->rcp_replicas_len;
		for (i = 0; i < params->rcp_replicas_len; i++)
			sb->rs_replicas[i] = params->rcp_replicas[i];
	}
	rc = umem_tx_end(&db->d_umm, rc);
	if (rc != 0)
		goto err;
	D_INFO(DF_DB ": created %s (" DF_U64 " bytes)\n", DP_DB(db), path, (uint64_t)size);
	*storagep = rdb_to_storage(db);
	return 0;
err:
	umem_pool_close(pool);
	umem_pool_destroy(path);
	rdb_free(db);
	return rc;
}

int
rdb_open(const char *path, const uuid_t uuid, uint64_t caller_term, struct rdb_cbs *cbs, void *arg,
	 struct rdb_storage **storagep)
{
	struct umem_pool_attr attr = {0};
	struct umem_pool *pool = NULL;
	struct rdb *db = NULL;
	int rc;

	if (path == NULL || uuid == NULL || storagep == NULL)
		return -DER_INVAL;
	rc = rdb_alloc(path, uuid, cbs, arg, &db);
	if (rc != 0)
		return rc;
	attr.upa_sync_ms = 0;
	rc = umem_pool_open(path, &attr, &pool);
	if (rc != 0) {
		if (rc != -DER_NONEXIST)
			D_ERROR("%s: cannot open heap: " DF_RC "\n", path, DP_RC(rc));
		rdb_free(db);
		return rc;
	}
	rc = rdb_attach(db, pool, false);
	if (rc == 0)
		rc = rdb_check_caller_term(db, caller_term);
	if (rc != 0) {
		umem_pool_close(pool);
		rdb_free(db);
		return rc;
	}
	D_DEBUG(DB_MD, DF_DB ": opened %s at index " DF_U64 " term " DF_U64 "\n", DP_DB(db), path,
		db->d_last_index, db->d_term);
	*storagep = rdb_to_storage(db);
	return 0;
}

void
rdb_close(struct rdb_storage *storage)
{
	struct rdb *db = rdb_from_storage(storage);
	int rc;

	if (db == NULL)
		return;
	D_ASSERTF(!db->d_started, "rdb_close on a started database\n");
	rc = umem_pool_close(db->d_pool);
	if (rc != 0)
		D_ERROR(DF_DB ": closing heap: " DF_RC "\n", DP_DB(db), DP_RC(rc));
	rdb_free(db);
}

int
rdb_destroy(const char *path, const uuid_t uuid)
{
	int rc;

	if (path == NULL)
		return -DER_INVAL;
	rc = umem_pool_destroy(path);
	if (rc == -DER_NONEXIST)
		rc = 0;
	return rc;
}

int
rdb_glance(struct rdb_storage *storage, struct rdb_clue *clue)
{
	struct rdb *db = rdb_from_storage(storage);
	struct rdb_sb *sb;
	uint32_t i;

	if (db == NULL || clue == NULL)
		return -DER_INVAL;
	sb = db->d_sb;
	memset(clue, 0, sizeof(*clue));
	clue->bcl_replicas = d_rank_list_alloc(sb->rs_nreplicas);
	if (clue->bcl_replicas == NULL)
		return -DER_NOMEM;
	for (i = 0; i < sb->rs_nreplicas; i++)
		clue->bcl_replicas->rl_ranks[i] = sb->rs_replicas[i].rri_rank;
	clue->bcl_term = sb->rs_term;
	clue->bcl_vote = (int)sb->rs_vote;
	clue->bcl_self = sb->rs_self.rri_rank;
	clue->bcl_last_index = sb->rs_applied_index;
	clue->bcl_last_term = sb->rs_applied_term;
	clue->bcl_base_index = sb->rs_applied_index;
	clue->bcl_base_term = sb->rs_applied_term;
	clue->bcl_oid_next = sb->rs_nkvs_created + 1;
	return 0;
}

/* Persist a new membership of one voter: this replica. */
int
rdb_dictate(struct rdb_storage *storage)
{
	struct rdb *db = rdb_from_storage(storage);
	struct rdb_sb *sb;
	int rc;

	if (db == NULL)
		return -DER_INVAL;
	sb = db->d_sb;
	rc = umem_tx_begin(&db->d_umm, NULL);
	if (rc != 0)
		return rc;
	rc = umem_tx_add_ptr(&db->d_umm, &sb->rs_nreplicas,
			     sizeof(sb->rs_nreplicas) + sizeof(sb->rs_replicas));
	if (rc == 0) {
		sb->rs_nreplicas = 1;
		sb->rs_replicas[0] = sb->rs_self;
	}
	return umem_tx_end(&db->d_umm, rc);
}

static bool
rdb_is_voter(struct rdb *db)
{
	uint32_t i;

	for (i = 0; i < db->d_sb->rs_nreplicas; i++)
		if (rdb_replica_id_compare(db->d_sb->rs_replicas[i], db->d_sb->rs_self) == 0)
			return true;
	return false;
}

/* Persist a new term in which this replica voted for itself. */
static int
rdb_new_term(struct rdb *db, uint64_t *termp)
{
	struct rdb_sb *sb = db->d_sb;
	int rc;

	rc = umem_tx_begin(&db->d_umm, NULL);
	if (rc != 0)
		return rc;
	rc = umem_tx_add_ptr(&db->d_umm, &sb->rs_term, sizeof(sb->rs_term) + sizeof(sb->rs_vote));
	if (rc == 0) {
		sb->rs_term++;
		sb->rs_vote = sb->rs_self.rri_rank;
	}
	rc = umem_tx_end(&db->d_umm, rc);
	if (rc == 0)
		*termp = sb->rs_term;
	return rc;
}

int
rdb_campaign(struct rdb *db)
{
	uint64_t term;
	int rc;

	if (db == NULL || !db->d_started || db->d_stopping)
		return -DER_INVAL;
	if (db->d_leader)
		return 0;
	if (!rdb_is_voter(db))
		return -DER_NOTREPLICA;
	rc = rdb_new_term(db, &term);
	if (rc != 0)
		return rc;
	/* the single voter wins at once; it has every committed entry already applied */
	db->d_term = term;
	db->d_leader = true;
	D_INFO(DF_DB ": leader of term " DF_U64 "\n", DP_DB(db), term);
	if (db->d_cbs != NULL && db->d_cbs->dc_step_up != NULL) {
		rc = db->d_cbs->dc_step_up(db, term, db->d_arg);
		if (rc != 0) {
			D_ERROR(DF_DB ": step up in term " DF_U64 ": " DF_RC "\n", DP_DB(db), term,
				DP_RC(rc));
			db->d_leader = false;
			if (rc == -DER_SHUTDOWN && db->d_cbs->dc_stop != NULL)
				db->d_cbs->dc_stop(db, rc, db->d_arg);
		}
	}
	return rc;
}

int
rdb_start(struct rdb_storage *storage, struct rdb **dbp)
{
	struct rdb *db = rdb_from_storage(storage);

	if (db == NULL || dbp == NULL)
		return -DER_INVAL;
	if (db->d_started)
		return -DER_ALREADY;
	db->d_started = true;
	/* callbacks may use the caller's copy of the handle */
	*dbp = db;
	if (rdb_is_voter(db))
		rdb_campaign(db);
	return 0;
}

static void
rdb_step_down(struct rdb *db)
{
	if (!db->d_leader)
		return;
	db->d_leader = false;
	D_INFO(DF_DB ": stepping down from term " DF_U64 "\n", DP_DB(db), db->d_term);
	if (db->d_cbs != NULL && db->d_cbs->dc_step_down != NULL)
		db->d_cbs->dc_step_down(db, db->d_term, db->d_arg);
}

void
rdb_resign(struct rdb *db, uint64_t term)
{
	if (db == NULL || term != db->d_term)
		return;
	rdb_step_down(db);
}

void
rdb_stop(struct rdb *db, struct rdb_storage **storagep)
{
	int rc = 0;

	if (db == NULL)
		return;
	db->d_stopping = true;
	rdb_step_down(db);
	ult_mutex_lock(db->d_mutex);
	while (db->d_ntx > 0 && rc == 0)
		rc = ult_cond_timedwait(db->d_cv, db->d_mutex, RDB_STOP_WAIT_US);
	if (db->d_ntx > 0)
		D_WARN(DF_DB ": stopping with %d TXs still open\n", DP_DB(db), db->d_ntx);
	ult_mutex_unlock(db->d_mutex);
	/* applies in flight hold d_apply_mutex until published; wait for them too */
	ult_mutex_lock(db->d_apply_mutex);
	ult_mutex_unlock(db->d_apply_mutex);
	rdb_wait_durable(db);
	db->d_started = false;
	db->d_stopping = false;
	if (storagep != NULL)
		*storagep = rdb_to_storage(db);
}

void
rdb_stop_and_close(struct rdb *db)
{
	struct rdb_storage *storage = NULL;

	if (db == NULL)
		return;
	rdb_stop(db, &storage);
	rdb_close(storage);
}

bool
rdb_is_leader(struct rdb *db, uint64_t *term)
{
	if (db == NULL || !db->d_leader || db->d_failed)
		return false;
	if (term != NULL)
		*term = db->d_term;
	return true;
}

int
rdb_get_leader(struct rdb *db, uint64_t *term, d_rank_t *rank)
{
	if (db == NULL)
		return -DER_INVAL;
	if (!db->d_leader)
		return -DER_NONEXIST;
	if (term != NULL)
		*term = db->d_term;
	if (rank != NULL)
		*rank = db->d_sb->rs_self.rri_rank;
	return 0;
}

rdb_replica_id_t
rdb_get_replica_id(struct rdb *db)
{
	return db->d_sb->rs_self;
}

int
rdb_get_replicas(struct rdb *db, rdb_replica_id_t **replicas, int *replicas_len)
{
	rdb_replica_id_t *r;
	uint32_t n;

	if (db == NULL || replicas == NULL || replicas_len == NULL)
		return -DER_INVAL;
	n = db->d_sb->rs_nreplicas;
	D_ALLOC_ARRAY(r, max(n, 1U));
	if (r == NULL)
		return -DER_NOMEM;
	memcpy(r, db->d_sb->rs_replicas, n * sizeof(*r));
	*replicas = r;
	*replicas_len = n;
	return 0;
}

int
rdb_get_ranks(struct rdb *db, d_rank_list_t **ranksp)
{
	d_rank_list_t *ranks;
	uint32_t i;

	if (db == NULL || ranksp == NULL)
		return -DER_INVAL;
	ranks = d_rank_list_alloc(db->d_sb->rs_nreplicas);
	if (ranks == NULL)
		return -DER_NOMEM;
	for (i = 0; i < db->d_sb->rs_nreplicas; i++)
		ranks->rl_ranks[i] = db->d_sb->rs_replicas[i].rri_rank;
	*ranksp = ranks;
	return 0;
}

int
rdb_get_size(struct rdb *db, size_t *sizep)
{
	if (db == NULL || sizep == NULL)
		return -DER_INVAL;
	*sizep = db->d_sb->rs_size;
	return 0;
}

uint32_t
rdb_get_version(struct rdb *db)
{
	return db->d_sb->rs_layout_version;
}

int
rdb_alloc_replica_gen(struct rdb *db, uint64_t term, uint32_t *gen_out)
{
	struct rdb_sb *sb;
	uint32_t gen;
	int rc;

	if (db == NULL || gen_out == NULL)
		return -DER_INVAL;
	rc = rdb_leader_check(db, term);
	if (rc != 0)
		return rc;
	sb = db->d_sb;
	ult_mutex_lock(db->d_apply_mutex);
	rc = umem_tx_begin(&db->d_umm, NULL);
	if (rc == 0) {
		rc = umem_tx_add_ptr(&db->d_umm, &sb->rs_replica_gen_next,
				     sizeof(sb->rs_replica_gen_next));
		gen = sb->rs_replica_gen_next;
		if (rc == 0)
			sb->rs_replica_gen_next++;
		rc = umem_tx_end(&db->d_umm, rc);
	}
	ult_mutex_unlock(db->d_apply_mutex);
	if (rc == 0)
		*gen_out = gen;
	return rc;
}

int
rdb_modify_replicas(struct rdb *db, enum rdb_replica_op op, rdb_replica_id_t *replicas,
		    int *replica_len)
{
	/* membership changes need Raft */
	return -DER_NOTSUPPORTED;
}

int
rdb_ping(struct rdb *db, uint64_t caller_term)
{
	if (db == NULL)
		return -DER_INVAL;
	if (caller_term != RDB_NIL_TERM && caller_term < db->d_sb->rs_caller_term)
		return -DER_STALE;
	return 0;
}

int
rdb_upgrade_vos_pool(struct rdb *db, uint32_t df_version)
{
	return 0;
}

int
rdb_wait_durable(struct rdb *db)
{
	int rc;

	ult_mutex_lock(db->d_mutex);
	while (db->d_durable < db->d_applied && db->d_failed == 0)
		ult_cond_wait(db->d_cv, db->d_mutex);
	rc = db->d_failed;
	ult_mutex_unlock(db->d_mutex);
	return rc;
}
