/**
 * Groups: the primary group (this process's system) with its rank -> URI
 * table, groups attached from an attach-info file, and the URI of a
 * (rank, tag) endpoint. A rank's table entry is the URI of its context 0;
 * the URIs of its other contexts are asked from that context (URI lookup
 * RPC, crt_iproto.c) and cached here.
 */
#define D_LOGFAC DD_FAC(grp)

#include <unistd.h>
#include <sys/stat.h>

#include "crt_internal.h"

struct crt_grp_member {
	d_rank_t gm_rank;
	/* URI of context 0 */
	char *gm_uri;
	/* URIs of other contexts, learnt by URI lookup RPCs */
	char **gm_tag_uris;
	uint32_t gm_ntags;
};

static void
crt_grp_member_clear_tags(struct crt_grp_member *m)
{
	uint32_t i;

	for (i = 0; i < m->gm_ntags; i++)
		free(m->gm_tag_uris[i]);
	D_FREE(m->gm_tag_uris);
	m->gm_ntags = 0;
}

struct crt_grp_priv {
	crt_group_t gp_pub;
	d_list_t gp_link;
	char gp_name[CRT_GROUP_ID_MAX_LEN];
	bool gp_primary;
	uint32_t gp_version;
	struct crt_grp_member *gp_members;
	uint32_t gp_nr;
	uint32_t gp_cap;
};

static struct {
	pthread_rwlock_t lock;
	struct crt_grp_priv *primary;
	d_list_t attached;
	d_rank_t self;
	char path[256];
	crt_event_cb event_cb;
	void *event_arg;
} crt_grp = {
	.lock = PTHREAD_RWLOCK_INITIALIZER,
	.attached = D_LIST_HEAD_INIT(crt_grp.attached),
	.self = CRT_NO_RANK,
};

#define GRP_PRIV(g) container_of(g, struct crt_grp_priv, gp_pub)

static bool
crt_grp_name_valid(const char *name)
{
	size_t i, n = strnlen(name, CRT_GROUP_ID_MAX_LEN);

	if (n == 0 || n >= CRT_GROUP_ID_MAX_LEN)
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (c < 0x21 || c > 0x7e || c == '"' || c == '\'' || c == '`' || c == '\\' ||
		    c == ';' || c == '/')
			return false;
	}
	return true;
}

static struct crt_grp_priv *
crt_grp_alloc(const char *name, bool primary)
{
	struct crt_grp_priv *gp;

	D_ALLOC_PTR(gp);
	if (gp == NULL)
		return NULL;
	snprintf(gp->gp_name, sizeof(gp->gp_name), "%s", name);
	gp->gp_pub.cg_grpid = gp->gp_name;
	gp->gp_primary = primary;
	D_INIT_LIST_HEAD(&gp->gp_link);
	return gp;
}

static void
crt_grp_free(struct crt_grp_priv *gp)
{
	uint32_t i;

	for (i = 0; i < gp->gp_nr; i++) {
		D_FREE(gp->gp_members[i].gm_uri);
		crt_grp_member_clear_tags(&gp->gp_members[i]);
	}
	D_FREE(gp->gp_members);
	D_FREE(gp);
}

int
crt_grp_init(crt_group_id_t grpid)
{
	const char *name = grpid != NULL ? grpid : CRT_DEFAULT_GRPID;
	const char *env;

	if (!crt_grp_name_valid(name)) {
		D_ERROR("invalid group name\n");
		return -DER_INVAL;
	}
	pthread_rwlock_wrlock(&crt_grp.lock);
	crt_grp.primary = crt_grp_alloc(name, true);
	crt_grp.self = CRT_NO_RANK;
	if (crt_grp.path[0] == '\0') {
		env = getenv("CRT_ATTACH_INFO_PATH");
		snprintf(crt_grp.path, sizeof(crt_grp.path), "%s", env ? env : "/tmp");
	}
	pthread_rwlock_unlock(&crt_grp.lock);
	return crt_grp.primary == NULL ? -DER_NOMEM : 0;
}

void
crt_grp_fini(void)
{
	struct crt_grp_priv *gp;

	pthread_rwlock_wrlock(&crt_grp.lock);
	if (crt_grp.primary != NULL)
		crt_grp_free(crt_grp.primary);
	crt_grp.primary = NULL;
	while ((gp = d_list_pop_entry(&crt_grp.attached, struct crt_grp_priv, gp_link)) != NULL)
		crt_grp_free(gp);
	crt_grp.event_cb = NULL;
	crt_grp.path[0] = '\0';
	pthread_rwlock_unlock(&crt_grp.lock);
}

d_rank_t
crt_grp_self_rank(void)
{
	return crt_grp.self;
}

/* Lock held. NULL means the primary group. */
static struct crt_grp_priv *
crt_grp_get(crt_group_t *grp)
{
	return grp == NULL ? crt_grp.primary : GRP_PRIV(grp);
}

static struct crt_grp_member *
crt_grp_member_find(struct crt_grp_priv *gp, d_rank_t rank)
{
	uint32_t i;

	for (i = 0; i < gp->gp_nr; i++)
		if (gp->gp_members[i].gm_rank == rank)
			return &gp->gp_members[i];
	return NULL;
}

static int
crt_grp_member_set(struct crt_grp_priv *gp, d_rank_t rank, const char *uri)
{
	struct crt_grp_member *m = crt_grp_member_find(gp, rank);
	char *dup;

	if (rank == CRT_NO_RANK || uri == NULL || strstr(uri, "://") == NULL ||
	    strlen(uri) >= CRT_ADDR_STR_MAX_LEN)
		return -DER_INVAL;
	dup = strdup(uri);
	if (dup == NULL)
		return -DER_NOMEM;
	if (m != NULL) {
		if (strcmp(m->gm_uri, dup) != 0)
			crt_grp_member_clear_tags(m);
		free(m->gm_uri);
		m->gm_uri = dup;
		return 0;
	}
	if (D_ARRAY_GROW(gp->gp_members, gp->gp_nr, gp->gp_cap, 8) != 0) {
		free(dup);
		return -DER_NOMEM;
	}
	memset(&gp->gp_members[gp->gp_nr], 0, sizeof(gp->gp_members[0]));
	gp->gp_members[gp->gp_nr].gm_rank = rank;
	gp->gp_members[gp->gp_nr].gm_uri = dup;
	gp->gp_nr++;
	return 0;
}

int
crt_grp_uri_lookup(crt_group_t *grp, d_rank_t rank, uint32_t tag, char **uri)
{
	struct crt_grp_priv *gp;
	struct crt_grp_member *m;
	int rc = 0;

	pthread_rwlock_rdlock(&crt_grp.lock);
	gp = crt_grp_get(grp);
	if (gp == NULL) {
		pthread_rwlock_unlock(&crt_grp.lock);
		return -DER_UNINIT;
	}
	if (gp->gp_primary && rank == crt_grp.self && tag < CRT_CTX_MAX &&
	    crt_gdata.cg_ctx[tag] != NULL) {
		*uri = strdup(crt_gdata.cg_ctx[tag]->cc_uri);
		pthread_rwlock_unlock(&crt_grp.lock);
		return *uri == NULL ? -DER_NOMEM : 0;
	}
	m = crt_grp_member_find(gp, rank);
	if (m == NULL) {
		pthread_rwlock_unlock(&crt_grp.lock);
		return -DER_OOG;
	}
	if (tag == 0)
		*uri = strdup(m->gm_uri);
	else if (tag < m->gm_ntags && m->gm_tag_uris[tag] != NULL)
		*uri = strdup(m->gm_tag_uris[tag]);
	else
		rc = -DER_NONEXIST; /* to be looked up */
	if (rc == 0 && *uri == NULL)
		rc = -DER_NOMEM;
	pthread_rwlock_unlock(&crt_grp.lock);
	return rc;
}

int
crt_grp_tag_uri_set(crt_group_t *grp, d_rank_t rank, uint32_t tag, const char *uri)
{
	struct crt_grp_priv *gp;
	struct crt_grp_member *m;
	int rc = 0;

	if (tag == 0 || tag >= CRT_CTX_MAX || uri == NULL || strstr(uri, "://") == NULL ||
	    strlen(uri) >= CRT_ADDR_STR_MAX_LEN)
		return -DER_INVAL;
	pthread_rwlock_wrlock(&crt_grp.lock);
	gp = crt_grp_get(grp);
	m = gp != NULL ? crt_grp_member_find(gp, rank) : NULL;
	if (m == NULL) {
		rc = -DER_OOG;
		goto out;
	}
	if (tag >= m->gm_ntags) {
		char **n = realloc(m->gm_tag_uris, (tag + 1) * sizeof(*n));

		if (n == NULL) {
			rc = -DER_NOMEM;
			goto out;
		}
		memset(n + m->gm_ntags, 0, (tag + 1 - m->gm_ntags) * sizeof(*n));
		m->gm_tag_uris = n;
		m->gm_ntags = tag + 1;
	}
	free(m->gm_tag_uris[tag]);
	m->gm_tag_uris[tag] = strdup(uri);
	if (m->gm_tag_uris[tag] == NULL)
		rc = -DER_NOMEM;
out:
	pthread_rwlock_unlock(&crt_grp.lock);
	return rc;
}

int
crt_rank_uri_get(crt_group_t *group, d_rank_t rank, int tag, char **uri)
{
	if (uri == NULL || tag < 0)
		return -DER_INVAL;
	return crt_grp_uri_lookup(group, rank, (uint32_t)tag, uri);
}

crt_group_t *
crt_group_lookup(crt_group_id_t grp_id)
{
	struct crt_grp_priv *gp = NULL;
	d_list_t *pos;

	pthread_rwlock_rdlock(&crt_grp.lock);
	if (crt_grp.primary == NULL)
		goto out;
	if (grp_id == NULL || strcmp(grp_id, crt_grp.primary->gp_name) == 0) {
		gp = crt_grp.primary;
		goto out;
	}
	d_list_for_each(pos, &crt_grp.attached)
	{
		struct crt_grp_priv *g = d_list_entry(pos, struct crt_grp_priv, gp_link);

		if (strcmp(g->gp_name, grp_id) == 0) {
			gp = g;
			break;
		}
	}
out:
	pthread_rwlock_unlock(&crt_grp.lock);
	return gp ? &gp->gp_pub : NULL;
}

int
crt_group_rank(crt_group_t *grp, d_rank_t *rank)
{
	struct crt_grp_priv *gp;

	if (rank == NULL)
		return -DER_INVAL;
	pthread_rwlock_rdlock(&crt_grp.lock);
	gp = crt_grp_get(grp);
	*rank = gp != NULL && gp->gp_primary ? crt_grp.self : CRT_NO_RANK;
	pthread_rwlock_unlock(&crt_grp.lock);
	return gp == NULL ? -DER_UNINIT : 0;
}

int
crt_group_size(crt_group_t *grp, uint32_t *size)
{
	struct crt_grp_priv *gp;

	if (size == NULL)
		return -DER_INVAL;
	pthread_rwlock_rdlock(&crt_grp.lock);
	gp = crt_grp_get(grp);
	if (gp != NULL)
		*size = gp->gp_nr;
	pthread_rwlock_unlock(&crt_grp.lock);
	return gp == NULL ? -DER_UNINIT : 0;
}

int
crt_group_ranks_get(crt_group_t *group, d_rank_list_t **list)
{
	struct crt_grp_priv *gp;
	d_rank_list_t *rl;
	uint32_t i;
	int rc = 0;

	if (list == NULL)
		return -DER_INVAL;
	D_ALLOC_PTR(rl);
	if (rl == NULL)
		return -DER_NOMEM;
	pthread_rwlock_rdlock(&crt_grp.lock);
	gp = crt_grp_get(group);
	if (gp == NULL)
		D_GOTO(out, rc = -DER_UNINIT);
	if (gp->gp_nr > 0) {
		D_ALLOC_ARRAY(rl->rl_ranks, gp->gp_nr);
		if (rl->rl_ranks == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
	}
	for (i = 0; i < gp->gp_nr; i++)
		rl->rl_ranks[i] = gp->gp_members[i].gm_rank;
	rl->rl_nr = gp->gp_nr;
out:
	pthread_rwlock_unlock(&crt_grp.lock);
	if (rc != 0)
		D_FREE(rl);
	*list = rl;
	return rc;
}

int
crt_rank_self_set(d_rank_t rank, uint32_t group_version_min)
{
	struct crt_context *ctx0 = crt_gdata.cg_ctx[0];
	int rc = 0;

	if (rank == CRT_NO_RANK)
		return -DER_INVAL;
	pthread_rwlock_wrlock(&crt_grp.lock);
	if (crt_grp.primary == NULL) {
		pthread_rwlock_unlock(&crt_grp.lock);
		return -DER_UNINIT;
	}
	crt_grp.self = rank;
	crt_grp.primary->gp_version = group_version_min;
	if (ctx0 != NULL && crt_grp_member_find(crt_grp.primary, rank) == NULL)
		rc = crt_grp_member_set(crt_grp.primary, rank, ctx0->cc_uri);
	pthread_rwlock_unlock(&crt_grp.lock);
	return rc;
}

int
crt_group_primary_rank_add(crt_context_t ctx, crt_group_t *grp, d_rank_t rank, char *uri)
{
	struct crt_grp_priv *gp;
	int rc;

	pthread_rwlock_wrlock(&crt_grp.lock);
	gp = crt_grp_get(grp);
	if (gp == NULL)
		rc = -DER_UNINIT;
	else if (!gp->gp_primary)
		rc = -DER_OOG;
	else
		rc = crt_grp_member_set(gp, rank, uri);
	pthread_rwlock_unlock(&crt_grp.lock);
	return rc;
}

int
crt_group_rank_remove(crt_group_t *group, d_rank_t rank)
{
	struct crt_grp_priv *gp;
	struct crt_grp_member *m;
	int rc = 0;

	pthread_rwlock_wrlock(&crt_grp.lock);
	gp = crt_grp_get(group);
	m = gp ? crt_grp_member_find(gp, rank) : NULL;
	if (m == NULL) {
		rc = -DER_OOG;
	} else {
		D_FREE(m->gm_uri);
		crt_grp_member_clear_tags(m);
		*m = gp->gp_members[--gp->gp_nr];
	}
	pthread_rwlock_unlock(&crt_grp.lock);
	if (rc == 0 && crt_grp.event_cb != NULL)
		crt_grp.event_cb(rank, 0, CRT_EVS_GRPMOD, CRT_EVT_DEAD, crt_grp.event_arg);
	return rc;
}

static bool
crt_rl_has(d_rank_list_t *rl, d_rank_t r)
{
	uint32_t i;

	for (i = 0; i < rl->rl_nr; i++)
		if (rl->rl_ranks[i] == r)
			return true;
	return false;
}

int
crt_group_primary_modify(crt_group_t *grp, crt_context_t *ctxs, int num_ctxs, d_rank_list_t *ranks,
			 uint64_t *incarnations, char **uris, crt_group_mod_op_t op,
			 uint32_t version)
{
	struct crt_grp_priv *gp;
	d_rank_t *gone = NULL, *added = NULL;
	uint32_t ngone = 0, nadded = 0, i;
	crt_event_cb cb;
	void *cb_arg;
	int rc = 0;

	if (ranks == NULL || num_ctxs != 1 || op >= CRT_GROUP_MOD_OP_COUNT ||
	    (op != CRT_GROUP_MOD_OP_REMOVE && uris == NULL))
		return -DER_INVAL;
	for (i = 0; op != CRT_GROUP_MOD_OP_REMOVE && i < ranks->rl_nr; i++)
		if (uris[i] == NULL || strstr(uris[i], "://") == NULL)
			return -DER_INVAL;
	pthread_rwlock_wrlock(&crt_grp.lock);
	gp = crt_grp_get(grp);
	if (gp == NULL || !gp->gp_primary) {
		rc = gp == NULL ? -DER_UNINIT : -DER_OOG;
		goto out;
	}
	gone = calloc(gp->gp_nr + 1, sizeof(*gone));
	added = calloc(ranks->rl_nr + 1, sizeof(*added));
	if (gone == NULL || added == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	for (i = 0; i < gp->gp_nr;) {
		struct crt_grp_member *m = &gp->gp_members[i];
		bool listed = crt_rl_has(ranks, m->gm_rank);
		bool drop = op == CRT_GROUP_MOD_OP_REMOVE    ? listed
			    : op == CRT_GROUP_MOD_OP_REPLACE ? !listed
							     : false;

		if (!drop) {
			i++;
			continue;
		}
		gone[ngone++] = m->gm_rank;
		D_FREE(m->gm_uri);
		crt_grp_member_clear_tags(m);
		*m = gp->gp_members[--gp->gp_nr];
	}
	for (i = 0; op != CRT_GROUP_MOD_OP_REMOVE && i < ranks->rl_nr; i++) {
		bool known = crt_grp_member_find(gp, ranks->rl_ranks[i]) != NULL;

		rc = crt_grp_member_set(gp, ranks->rl_ranks[i], uris[i]);
		if (rc != 0)
			break;
		if (!known)
			added[nadded++] = ranks->rl_ranks[i];
	}
	gp->gp_version = version;
out:
	cb = crt_grp.event_cb;
	cb_arg = crt_grp.event_arg;
	pthread_rwlock_unlock(&crt_grp.lock);
	for (i = 0; cb != NULL && i < ngone; i++)
		cb(gone[i], 0, CRT_EVS_GRPMOD, CRT_EVT_DEAD, cb_arg);
	for (i = 0; cb != NULL && i < nadded; i++)
		cb(added[i], 0, CRT_EVS_GRPMOD, CRT_EVT_ALIVE, cb_arg);
	free(gone);
	free(added);
	return rc;
}

int
crt_group_version(crt_group_t *grp, uint32_t *version)
{
	struct crt_grp_priv *gp;

	if (version == NULL)
		return -DER_INVAL;
	pthread_rwlock_rdlock(&crt_grp.lock);
	gp = crt_grp_get(grp);
	if (gp != NULL)
		*version = gp->gp_version;
	pthread_rwlock_unlock(&crt_grp.lock);
	return gp == NULL ? -DER_UNINIT : 0;
}

int
crt_group_version_set(crt_group_t *grp, uint32_t version)
{
	struct crt_grp_priv *gp;

	pthread_rwlock_wrlock(&crt_grp.lock);
	gp = crt_grp_get(grp);
	if (gp != NULL)
		gp->gp_version = version;
	pthread_rwlock_unlock(&crt_grp.lock);
	return gp == NULL ? -DER_UNINIT : 0;
}

/* ---- attach-info files ---- */

int
crt_group_config_path_set(const char *path)
{
	struct stat st;

	if (path == NULL || strlen(path) >= sizeof(crt_grp.path))
		return -DER_INVAL;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		D_ERROR("%s is not a directory\n", path);
		return -DER_BADPATH;
	}
	pthread_rwlock_wrlock(&crt_grp.lock);
	snprintf(crt_grp.path, sizeof(crt_grp.path), "%s", path);
	pthread_rwlock_unlock(&crt_grp.lock);
	return 0;
}

static char *
crt_attach_file(const char *name, const char *suffix)
{
	char *file = NULL;

	D_ASPRINTF(file, "%s/%s.attach_info_tmp%s", crt_grp.path, name, suffix);
	return file;
}

int
crt_group_config_save(crt_group_t *grp, bool forall)
{
	struct crt_grp_priv *gp;
	char *file = NULL, *tmp = NULL;
	FILE *f;
	uint32_t i, n = 0;
	int rc = 0;

	pthread_rwlock_rdlock(&crt_grp.lock);
	gp = crt_grp_get(grp);
	if (gp == NULL || !gp->gp_primary)
		D_GOTO(out, rc = -DER_INVAL);
	file = crt_attach_file(gp->gp_name, "");
	tmp = crt_attach_file(gp->gp_name, ".new");
	if (file == NULL || tmp == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	for (i = 0; i < gp->gp_nr; i++)
		if (forall || gp->gp_members[i].gm_rank == crt_grp.self)
			n++;
	f = fopen(tmp, "w");
	if (f == NULL) {
		D_ERROR("cannot write %s: %s\n", tmp, strerror(errno));
		D_GOTO(out, rc = -DER_BADPATH);
	}
	fprintf(f, "name %s\nsize %u\nall\n", gp->gp_name, n);
	for (i = 0; i < gp->gp_nr; i++)
		if (forall || gp->gp_members[i].gm_rank == crt_grp.self)
			fprintf(f, "%u %s\n", gp->gp_members[i].gm_rank, gp->gp_members[i].gm_uri);
	if (fclose(f) != 0 || rename(tmp, file) != 0) {
		unlink(tmp);
		D_GOTO(out, rc = -DER_IO);
	}
out:
	pthread_rwlock_unlock(&crt_grp.lock);
	free(file);
	free(tmp);
	return rc;
}

int
crt_group_config_remove(crt_group_t *grp)
{
	struct crt_grp_priv *gp;
	char *file;

	pthread_rwlock_rdlock(&crt_grp.lock);
	gp = crt_grp_get(grp);
	file = gp ? crt_attach_file(gp->gp_name, "") : NULL;
	pthread_rwlock_unlock(&crt_grp.lock);
	if (file == NULL)
		return -DER_INVAL;
	unlink(file);
	free(file);
	return 0;
}

/* Parse an attach-info file into \a gp; rejects anything malformed. */
static int
crt_attach_parse(FILE *f, struct crt_grp_priv *gp)
{
	char line[CRT_ADDR_STR_MAX_LEN + 64];
	char name[CRT_GROUP_ID_MAX_LEN];
	char uri[CRT_ADDR_STR_MAX_LEN];
	uint32_t size = 0, n = 0;
	unsigned rank;
	int rc;

	if (fgets(line, sizeof(line), f) == NULL || sscanf(line, "name %63s", name) != 1 ||
	    strcmp(name, gp->gp_name) != 0)
		return -DER_INVAL;
	if (fgets(line, sizeof(line), f) == NULL || sscanf(line, "size %u", &size) != 1)
		return -DER_INVAL;
	if (fgets(line, sizeof(line), f) == NULL || strncmp(line, "all", 3) != 0)
		return -DER_INVAL;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '\n' || line[0] == '#')
			continue;
		if (sscanf(line, "%u %127s", &rank, uri) != 2)
			return -DER_INVAL;
		rc = crt_grp_member_set(gp, rank, uri);
		if (rc != 0)
			return rc;
		n++;
	}
	return n == size && n > 0 ? 0 : -DER_INVAL;
}

int
crt_group_attach(crt_group_id_t srv_grpid, crt_group_t **attached_grp)
{
	struct crt_grp_priv *gp, *old = NULL;
	d_list_t *pos;
	char *file;
	FILE *f;
	int rc;

	if (srv_grpid == NULL || attached_grp == NULL || !crt_grp_name_valid(srv_grpid))
		return -DER_INVAL;
	if (!crt_initialized())
		return -DER_UNINIT;
	gp = crt_grp_alloc(srv_grpid, false);
	if (gp == NULL)
		return -DER_NOMEM;
	pthread_rwlock_rdlock(&crt_grp.lock);
	file = crt_attach_file(srv_grpid, "");
	pthread_rwlock_unlock(&crt_grp.lock);
	if (file == NULL) {
		crt_grp_free(gp);
		return -DER_NOMEM;
	}
	f = fopen(file, "r");
	if (f == NULL) {
		D_ERROR("cannot open %s: %s\n", file, strerror(errno));
		free(file);
		crt_grp_free(gp);
		return -DER_NONEXIST;
	}
	rc = crt_attach_parse(f, gp);
	fclose(f);
	if (rc != 0) {
		D_ERROR("%s is malformed\n", file);
		free(file);
		crt_grp_free(gp);
		return rc;
	}
	free(file);
	pthread_rwlock_wrlock(&crt_grp.lock);
	d_list_for_each(pos, &crt_grp.attached)
	{
		struct crt_grp_priv *g = d_list_entry(pos, struct crt_grp_priv, gp_link);

		if (strcmp(g->gp_name, srv_grpid) == 0) {
			old = g;
			break;
		}
	}
	if (old != NULL) {
		/* Refresh in place so that handles already given out stay valid. */
		struct crt_grp_member *m = old->gp_members;
		uint32_t nr = old->gp_nr, i;

		old->gp_members = gp->gp_members;
		old->gp_nr = gp->gp_nr;
		old->gp_cap = gp->gp_cap;
		gp->gp_members = m;
		gp->gp_nr = nr;
		for (i = 0; i < nr; i++) {
			D_FREE(m[i].gm_uri);
			crt_grp_member_clear_tags(&m[i]);
		}
		D_FREE(gp->gp_members);
		D_FREE(gp);
		gp = old;
	} else {
		d_list_add_tail(&gp->gp_link, &crt_grp.attached);
	}
	pthread_rwlock_unlock(&crt_grp.lock);
	*attached_grp = &gp->gp_pub;
	return 0;
}

int
crt_group_detach(crt_group_t *attached_grp)
{
	struct crt_grp_priv *gp;

	if (attached_grp == NULL)
		return -DER_INVAL;
	gp = GRP_PRIV(attached_grp);
	if (gp->gp_primary)
		return -DER_INVAL;
	pthread_rwlock_wrlock(&crt_grp.lock);
	d_list_del(&gp->gp_link);
	pthread_rwlock_unlock(&crt_grp.lock);
	crt_grp_free(gp);
	return 0;
}

int
crt_register_event_cb(crt_event_cb event_handler, void *arg)
{
	if (event_handler == NULL)
		return -DER_INVAL;
	crt_grp.event_cb = event_handler;
	crt_grp.event_arg = arg;
	return 0;
}

int
crt_unregister_event_cb(crt_event_cb event_handler, void *arg)
{
	if (crt_grp.event_cb != event_handler)
		return -DER_NONEXIST;
	crt_grp.event_cb = NULL;
	return 0;
}

int
crt_grp_uri2rank(const char *uri, d_rank_t *rank)
{
	struct crt_grp_priv *gp;
	uint32_t i, t;
	int rc = -DER_NONEXIST;

	pthread_rwlock_rdlock(&crt_grp.lock);
	gp = crt_grp.primary;
	for (i = 0; gp != NULL && i < gp->gp_nr && rc != 0; i++) {
		struct crt_grp_member *m = &gp->gp_members[i];

		if (m->gm_uri != NULL && strcmp(m->gm_uri, uri) == 0)
			rc = 0;
		for (t = 0; t < m->gm_ntags && rc != 0; t++)
			if (m->gm_tag_uris[t] != NULL && strcmp(m->gm_tag_uris[t], uri) == 0)
				rc = 0;
		if (rc == 0)
			*rank = m->gm_rank;
	}
	pthread_rwlock_unlock(&crt_grp.lock);
	return rc;
}

void
crt_grp_event(d_rank_t rank, enum crt_event_source src, enum crt_event_type type)
{
	crt_event_cb cb;
	void *arg;

	pthread_rwlock_rdlock(&crt_grp.lock);
	cb = crt_grp.event_cb;
	arg = crt_grp.event_arg;
	pthread_rwlock_unlock(&crt_grp.lock);
	if (cb != NULL)
		cb(rank, 0, src, type, arg);
}
