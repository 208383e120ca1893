/**
 * daos container commands. Containers are named by pool and container
 * (label or UUID) as positionals, or with the older --pool/--cont flags.
 *
 * POSIX containers: DAOS's tool creates them through DFS, which keeps the
 * default object classes, chunk size, hints and consistency mode in its
 * superblock object. Until pdaos has DFS these settings live in container
 * attributes named "pdaos.dfs.<setting>" (DCONT_DFS_ATTR_*), written at
 * create time; list-attrs hides them and query reads them back.
 */
#define D_LOGFAC DD_FAC(client)

#include <strings.h>
#include <time.h>
#include <gurt/common.h>
#include <daos_obj_class.h>
#include <daos/prop.h>
#include <daos/strutil.h>
#include "daos_cli.h"
#include "daos_cont_internal.h"

/* Shared with the pool table (daos_pool.c). */
int dcont_list(struct dcli *d, struct dargs *a);

/* Pool and container ids from the positionals or --pool/--cont; *next = first positional left. */
static int
cont_ids(struct dcli *d, struct dargs *a, const char **pool, const char **cont, int *next)
{
	int i = 0;

	*pool = a->opt[O_POOL];
	if (*pool == NULL && i < a->npos)
		*pool = a->pos[i++];
	*cont = a->opt[O_CONT];
	if (*cont == NULL && i < a->npos)
		*cont = a->pos[i++];
	if (next != NULL)
		*next = i;
	if (*pool == NULL)
		return dfail(d, -DER_INVAL, "pool label or UUID is required");
	if (*cont == NULL)
		return dfail(d, -DER_INVAL, "container label or UUID is required");
	return 0;
}

/* An open container and its pool. */
struct dcont {
	daos_handle_t poh;
	daos_handle_t coh;
	daos_pool_info_t pinfo;
	daos_cont_info_t cinfo;
	const char *pool;
	const char *cont;
	int next;
	bool open;
};

static int
cont_open(struct dcli *d, struct dargs *a, unsigned int pflags, unsigned int cflags,
	  struct dcont *c)
{
	int rc;

	memset(c, 0, sizeof(*c));
	if (cont_ids(d, a, &c->pool, &c->cont, &c->next) != 0)
		return d->rc;
	/* the container service refuses a writable open through a read-only pool handle */
	if (cflags & (DAOS_COO_RW | DAOS_COO_EX))
		pflags = DAOS_PC_RW;
	rc = daos_pool_connect(c->pool, NULL, pflags, &c->poh, &c->pinfo, NULL);
	if (rc != 0)
		return dfail(d, rc, "failed to connect to pool %s", c->pool);
	rc = daos_cont_open(c->poh, c->cont, cflags, &c->coh, &c->cinfo, NULL);
	if (rc != 0) {
		daos_pool_disconnect(c->poh, NULL);
		return dfail(d, rc, "failed to open container %s", c->cont);
	}
	c->open = true;
	return 0;
}

static void
cont_close(struct dcont *c)
{
	if (!c->open)
		return;
	daos_cont_close(c->coh, NULL);
	daos_pool_disconnect(c->poh, NULL);
	c->open = false;
}

int
dcont_dfs_attr_get(daos_handle_t coh, const char *name, char *buf, size_t len)
{
	char const *names[] = {name};
	void *bufs[] = {buf};
	size_t sizes[] = {len - 1};
	int rc;

	rc = daos_cont_get_attr(coh, 1, names, bufs, sizes, NULL);
	if (rc != 0)
		return rc;
	buf[sizes[0] < len ? sizes[0] : len - 1] = '\0';
	return 0;
}

int
dcont_oclass_rf(daos_oclass_id_t id, uint32_t *rf)
{
	uint32_t redun = id >> OC_REDUN_SHIFT;

	if (id < (1U << OC_REDUN_SHIFT)) {
		/* width chosen by DAOS: the RP/EC legacy classes follow the container RF */
		*rf = id >= OC_RP_TINY ? 4 : 0;
		return 0;
	}
	if (redun == OR_RP_1)
		*rf = 0;
	else if (redun >= OR_RP_2 && redun <= OR_RP_128)
		*rf = 4; /* 3+ replicas tolerate every allowed rd_fac; 2 tolerate 1 */
	else if (redun >= OR_RS_2P1 && redun <= OR_RS_16P3)
		*rf = 0;
	else
		return -DER_INVAL;
	if (redun == OR_RP_2)
		*rf = 1;
	else if (redun == OR_RP_3)
		*rf = 2;
	else if (redun == OR_RP_4)
		*rf = 3;
	switch (redun) {
	case OR_RS_2P1:
	case OR_RS_4P1:
	case OR_RS_8P1:
	case OR_RS_16P1:
		*rf = 1;
		break;
	case OR_RS_2P2:
	case OR_RS_4P2:
	case OR_RS_8P2:
	case OR_RS_16P2:
		*rf = 2;
		break;
	case OR_RS_4P3:
	case OR_RS_8P3:
	case OR_RS_16P3:
		*rf = 3;
		break;
	default:
		break;
	}
	return 0;
}

int
dcont_create_args(struct dargs *a, struct dcont_create *cc, char *err, size_t errlen)
{
	struct {
		enum dopt o;
		daos_oclass_id_t *id;
	} oc[] = {{O_OCLASS, &cc->oclass},
		  {O_DIR_OCLASS, &cc->dir_oclass},
		  {O_FILE_OCLASS, &cc->file_oclass}};
	struct daos_prop_entry *e;
	daos_prop_t *user = NULL;
	int i = 0, rc, extra;
	size_t k;

	memset(cc, 0, sizeof(*cc));
	cc->pool = a->opt[O_POOL];
	if (cc->pool == NULL && i < a->npos)
		cc->pool = a->pos[i++];
	if (cc->pool == NULL) {
		snprintf(err, errlen, "pool label or UUID is required");
		return -DER_INVAL;
	}
	if (i < a->npos)
		cc->label = a->pos[i++];
	if (i < a->npos) {
		snprintf(err, errlen, "unexpected argument \"%s\"", a->pos[i]);
		return -DER_INVAL;
	}
	if (a->opt[O_LABEL] != NULL) {
		if (cc->label != NULL && strcmp(cc->label, a->opt[O_LABEL]) != 0) {
			snprintf(err, errlen, "can't supply label arg and --label");
			return -DER_INVAL;
		}
		cc->label = a->opt[O_LABEL];
	}
	if (a->opt[O_TYPE] != NULL && dtype_parse(a->opt[O_TYPE], &cc->type) != 0) {
		snprintf(err, errlen, "invalid container type \"%s\"", a->opt[O_TYPE]);
		return -DER_INVAL;
	}
	for (k = 0; k < ARRAY_SIZE(oc); k++) {
		const char *s = a->opt[oc[k].o];

		if (s == NULL)
			continue;
		*oc[k].id = (daos_oclass_id_t)daos_oclass_name2id(s);
		if (*oc[k].id == OC_UNKNOWN) {
			snprintf(err, errlen, "unknown object class \"%s\"", s);
			return -DER_INVAL;
		}
	}
	if (a->opt[O_CHUNK] != NULL &&
	    (daos_str2size(a->opt[O_CHUNK], &cc->chunk_size) != 0 || cc->chunk_size == 0)) {
		snprintf(err, errlen, "invalid chunk size \"%s\"", a->opt[O_CHUNK]);
		return -DER_INVAL;
	}
	if (a->opt[O_MODE] != NULL && strcasecmp(a->opt[O_MODE], "relaxed") != 0 &&
	    strcasecmp(a->opt[O_MODE], "balanced") != 0) {
		snprintf(err, errlen, "invalid mode \"%s\" (relaxed or balanced)", a->opt[O_MODE]);
		return -DER_INVAL;
	}
	if (cc->type != DAOS_PROP_CO_LAYOUT_POSIX &&
	    (cc->oclass || cc->dir_oclass || cc->file_oclass || cc->chunk_size || a->opt[O_HINTS] ||
	     a->opt[O_MODE])) {
		snprintf(err, errlen,
			 "--oclass, --dir-oclass, --file-oclass, --chunk-size, --hints "
			 "and --mode need --type POSIX");
		return -DER_INVAL;
	}
	cc->hints = a->opt[O_HINTS];
	cc->mode = a->opt[O_MODE];

	if (a->opt[O_PROPS] != NULL) {
		rc = daos_prop_parse_kv(a->opt[O_PROPS], false, DAOS_PROP_DESC_CREATE, &user, err,
					errlen);
		if (rc != 0)
			return rc;
		e = daos_prop_entry_get(user, DAOS_PROP_CO_LABEL);
		if (e != NULL) {
			if (cc->label != NULL) {
				snprintf(err, errlen,
					 "can't supply label arg and --properties label:");
				daos_prop_free(user);
				return -DER_INVAL;
			}
			/* the label goes to daos_cont_create_with_label(), not in the list */
			D_STRNDUP(cc->label_buf, e->dpe_str, DAOS_PROP_LABEL_MAX_LEN);
			if (cc->label_buf == NULL) {
				daos_prop_free(user);
				return -DER_NOMEM;
			}
			cc->label = cc->label_buf;
		}
		e = daos_prop_entry_get(user, DAOS_PROP_CO_REDUN_FAC);
		if (e != NULL) {
			cc->rf_set = true;
			cc->rf = (uint32_t)e->dpe_val;
		}
	}
	if (cc->label != NULL &&
	    daos_parse_id(cc->label, (unsigned char *)cc->scratch_uuid) != DAOS_ID_LABEL) {
		snprintf(err, errlen, "invalid container label \"%s\"", cc->label);
		daos_prop_free(user);
		return -DER_INVAL;
	}
	/* like DFS: an object class must survive the failures the container promises to */
	for (k = 0; cc->rf_set && k < ARRAY_SIZE(oc); k++) {
		uint32_t orf;

		if (*oc[k].id != OC_UNKNOWN && dcont_oclass_rf(*oc[k].id, &orf) == 0 &&
		    orf < cc->rf) {
			snprintf(err, errlen,
				 "object class %s does not meet the redundancy factor %u",
				 a->opt[oc[k].o], cc->rf);
			daos_prop_free(user);
			return -DER_INVAL;
		}
	}

	extra = a->opt[O_TYPE] != NULL ? 1 : 0;
	cc->prop = daos_prop_alloc((user ? user->dpp_nr : 0) + extra);
	if (cc->prop == NULL) {
		daos_prop_free(user);
		return -DER_NOMEM;
	}
	cc->prop->dpp_nr = 0;
	for (k = 0; user != NULL && k < user->dpp_nr; k++) {
		if (user->dpp_entries[k].dpe_type == DAOS_PROP_CO_LABEL)
			continue;
		rc = daos_prop_entry_copy(&user->dpp_entries[k],
					  &cc->prop->dpp_entries[cc->prop->dpp_nr]);
		if (rc != 0) {
			daos_prop_free(user);
			return rc;
		}
		cc->prop->dpp_nr++;
	}
	if (extra) {
		e = &cc->prop->dpp_entries[cc->prop->dpp_nr++];
		e->dpe_type = DAOS_PROP_CO_LAYOUT_TYPE;
		e->dpe_val = cc->type;
	}
	daos_prop_free(user);
	return 0;
}

void
dcont_create_fini(struct dcont_create *cc)
{
	daos_prop_free(cc->prop);
	cc->prop = NULL;
	D_FREE(cc->label_buf);
}

/* Write the DFS settings given at create (see the file comment). */
static int
store_dfs_attrs(daos_handle_t coh, struct dcont_create *cc)
{
	char const *names[6];
	void const *vals[6];
	size_t sizes[6];
	char buf[6][DAOS_CONT_HINT_MAX_LEN + 8];
	int n = 0;

#define ADD(name, fmt, ...)                                         \
	do {                                                        \
		snprintf(buf[n], sizeof(buf[n]), fmt, __VA_ARGS__); \
		names[n] = name;                                    \
		vals[n] = buf[n];                                   \
		sizes[n] = strlen(buf[n]);                          \
		n++;                                                \
	} while (0)

	if (cc->oclass) {
		char nm[MAX_OBJ_CLASS_NAME_LEN];

		daos_oclass_id2name(cc->oclass, nm);
		ADD(DCONT_DFS_ATTR_OCLASS, "%s", nm);
	}
	if (cc->dir_oclass) {
		char nm[MAX_OBJ_CLASS_NAME_LEN];

		daos_oclass_id2name(cc->dir_oclass, nm);
		ADD(DCONT_DFS_ATTR_DIR_OCLASS, "%s", nm);
	}
	if (cc->file_oclass) {
		char nm[MAX_OBJ_CLASS_NAME_LEN];

		daos_oclass_id2name(cc->file_oclass, nm);
		ADD(DCONT_DFS_ATTR_FILE_OCLASS, "%s", nm);
	}
	ADD(DCONT_DFS_ATTR_CHUNK_SIZE, "%lu",
	    (unsigned long)(cc->chunk_size ? cc->chunk_size : DCONT_DFS_DEFAULT_CHUNK));
	if (cc->hints)
		ADD(DCONT_DFS_ATTR_HINTS, "%.*s", (int)DAOS_CONT_HINT_MAX_LEN, cc->hints);
	if (cc->mode)
		ADD(DCONT_DFS_ATTR_MODE, "%s", cc->mode);
#undef ADD
	return daos_cont_set_attr(coh, n, names, vals, sizes, NULL);
}

/* ---- query ---- */

static void
hlc_str(uint64_t hlc, char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char date[64];

	if (hlc == 0 || d_hlc2timespec(hlc, &ts) != 0 || gmtime_r(&ts.tv_sec, &tm) == NULL) {
		snprintf(buf, len, "%#lx", (unsigned long)hlc);
		return;
	}
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, len, "%#lx (%s.%09ld +0000 UTC)", (unsigned long)hlc, date, ts.tv_nsec);
}

struct cinfo {
	char uuid[40];
	char pool_uuid[40];
	char label[DAOS_PROP_LABEL_MAX_LEN + 1];
	char type[16];
	bool posix;
	uint32_t rf;
	char oclass[MAX_OBJ_CLASS_NAME_LEN + 8];
	char dir_oclass[MAX_OBJ_CLASS_NAME_LEN + 8];
	char file_oclass[MAX_OBJ_CLASS_NAME_LEN + 8];
	char hints[DAOS_CONT_HINT_MAX_LEN + 1];
	uint64_t chunk_size;
	daos_cont_info_t ci;
};

static int
cont_info(struct dcli *d, struct dcont *c, struct cinfo *out)
{
	daos_prop_t *prop = daos_prop_alloc(3);
	struct daos_prop_entry *e;
	char buf[64];
	int rc;

	memset(out, 0, sizeof(*out));
	if (prop == NULL)
		return dfail(d, -DER_NOMEM, "out of memory");
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_LAYOUT_TYPE;
	prop->dpp_entries[1].dpe_type = DAOS_PROP_CO_LABEL;
	prop->dpp_entries[2].dpe_type = DAOS_PROP_CO_REDUN_FAC;
	rc = daos_cont_query(c->coh, &out->ci, prop, NULL);
	if (rc != 0) {
		daos_prop_free(prop);
		return dfail(d, rc, "failed to query container %s", c->cont);
	}
	uuid_unparse_lower(out->ci.ci_uuid, out->uuid);
	uuid_unparse_lower(c->pinfo.pi_uuid, out->pool_uuid);
	e = daos_prop_entry_get(prop, DAOS_PROP_CO_LAYOUT_TYPE);
	daos_unparse_ctype(e ? (daos_cont_layout_t)e->dpe_val : 0, out->type);
	out->posix = e && e->dpe_val == DAOS_PROP_CO_LAYOUT_POSIX;
	e = daos_prop_entry_get(prop, DAOS_PROP_CO_LABEL);
	if (e != NULL && e->dpe_str != NULL)
		snprintf(out->label, sizeof(out->label), "%s", e->dpe_str);
	e = daos_prop_entry_get(prop, DAOS_PROP_CO_REDUN_FAC);
	out->rf = e ? (uint32_t)e->dpe_val : 0;
	daos_prop_free(prop);
	if (!out->posix)
		return 0;
	strcpy(out->oclass, "UNKNOWN");
	strcpy(out->dir_oclass, "UNKNOWN");
	strcpy(out->file_oclass, "UNKNOWN");
	dcont_dfs_attr_get(c->coh, DCONT_DFS_ATTR_OCLASS, out->oclass, sizeof(out->oclass));
	dcont_dfs_attr_get(c->coh, DCONT_DFS_ATTR_DIR_OCLASS, out->dir_oclass,
			   sizeof(out->dir_oclass));
	dcont_dfs_attr_get(c->coh, DCONT_DFS_ATTR_FILE_OCLASS, out->file_oclass,
			   sizeof(out->file_oclass));
	dcont_dfs_attr_get(c->coh, DCONT_DFS_ATTR_HINTS, out->hints, sizeof(out->hints));
	out->chunk_size = DCONT_DFS_DEFAULT_CHUNK;
	if (dcont_dfs_attr_get(c->coh, DCONT_DFS_ATTR_CHUNK_SIZE, buf, sizeof(buf)) == 0)
		out->chunk_size = strtoull(buf, NULL, 10);
	return 0;
}

static void
print_info_json(struct dcli *d, struct cinfo *i)
{
	djson_begin(d);
	printf("{\n    \"pool_uuid\": \"%s\",\n    \"container_uuid\": \"%s\",\n", i->pool_uuid,
	       i->uuid);
	if (i->label[0] != '\0') {
		printf("    \"container_label\": ");
		cli_json_str(stdout, i->label);
		printf(",\n");
	}
	printf("    \"container_type\": \"%s\",\n    \"latest_snapshot\": %lu,\n"
	       "    \"redundancy_factor\": %u,\n    \"num_snapshots\": %u,\n"
	       "    \"num_handles\": %u,\n    \"open_time\": %lu,\n"
	       "    \"close_modify_time\": %lu",
	       i->type, (unsigned long)i->ci.ci_lsnapshot, i->rf, i->ci.ci_nsnapshots,
	       i->ci.ci_nhandles, (unsigned long)i->ci.ci_md_otime,
	       (unsigned long)i->ci.ci_md_mtime);
	if (i->posix) {
		printf(",\n    \"object_class\": \"%s\",\n    \"dir_object_class\": \"%s\",\n"
		       "    \"file_object_class\": \"%s\",\n    \"chunk_size\": %lu",
		       i->oclass, i->dir_oclass, i->file_oclass, (unsigned long)i->chunk_size);
	}
	printf("\n  }");
}

/* DAOS's entity layout; \a full adds everything "cont query" shows beyond create's summary. */
static void
print_info(struct cinfo *i, bool full, bool verbose)
{
	struct dentity_row rows[20];
	int n = 0;

#define ROW(k, ...)                                                          \
	do {                                                                 \
		rows[n].key = k;                                             \
		snprintf(rows[n].value, sizeof(rows[n].value), __VA_ARGS__); \
		n++;                                                         \
	} while (0)
	ROW("Container UUID", "%s", i->uuid);
	if (i->label[0] != '\0')
		ROW("Container Label", "%s", i->label);
	ROW("Container Type", "%s", i->type);
	if (full) {
		ROW("Pool UUID", "%s", i->pool_uuid);
		ROW("Container redundancy factor", "%u", i->rf);
		if (verbose) {
			ROW("Number of open handles", "%u", i->ci.ci_nhandles);
			hlc_str(i->ci.ci_md_otime, rows[n].value, sizeof(rows[n].value));
			rows[n++].key = "Latest open time";
			hlc_str(i->ci.ci_md_mtime, rows[n].value, sizeof(rows[n].value));
			rows[n++].key = "Latest close/modify time";
		}
		ROW("Number of snapshots", "%u", i->ci.ci_nsnapshots);
		if (i->ci.ci_lsnapshot != 0) {
			hlc_str(i->ci.ci_lsnapshot, rows[n].value, sizeof(rows[n].value));
			rows[n++].key = "Latest Persistent Snapshot";
		}
		if (i->posix) {
			char sz[DAOS_SIZE_STR_MAX];

			ROW("Object Class", "%s", i->oclass);
			if (verbose) {
				ROW("Dir Object Class", "%s", i->dir_oclass);
				ROW("File Object Class", "%s", i->file_oclass);
			}
			if (i->hints[0] != '\0')
				ROW("Hints", "%s", i->hints);
			daos_size2str(i->chunk_size, true, sz, sizeof(sz));
			ROW("Chunk Size", "%s", sz);
		}
	}
#undef ROW
	dentity_print(stdout, rows, n);
}

static int
cont_query(struct dcli *d, struct dargs *a)
{
	struct dcont c;
	struct cinfo i;

	if (cont_open(d, a, DAOS_PC_RO, DAOS_COO_RO, &c) != 0)
		return d->rc;
	if (cont_info(d, &c, &i) == 0) {
		if (d->json)
			print_info_json(d, &i);
		else
			print_info(&i, true, d->verbose);
	}
	cont_close(&c);
	return d->rc;
}

static int
cont_create(struct dcli *d, struct dargs *a)
{
	struct dcont_create cc;
	struct dcont c = {0};
	struct cinfo i;
	char err[512] = "", uuid_str[40];
	uuid_t uuid;
	int rc;

	rc = dcont_create_args(a, &cc, err, sizeof(err));
	if (rc != 0) {
		dcont_create_fini(&cc);
		return dfail(d, rc, "%s", err);
	}
	c.pool = cc.pool;
	rc = daos_pool_connect(cc.pool, NULL, DAOS_PC_RW, &c.poh, &c.pinfo, NULL);
	if (rc != 0) {
		dcont_create_fini(&cc);
		return dfail(d, rc, "failed to connect to pool %s", cc.pool);
	}
	if (cc.label != NULL)
		rc = daos_cont_create_with_label(c.poh, cc.label, cc.prop->dpp_nr ? cc.prop : NULL,
						 &uuid, NULL);
	else
		rc = daos_cont_create(c.poh, &uuid, cc.prop->dpp_nr ? cc.prop : NULL, NULL);
	if (rc != 0) {
		dfail(d, rc, "failed to create container");
		goto out_pool;
	}
	uuid_unparse_lower(uuid, uuid_str);
	c.cont = uuid_str;
	rc = daos_cont_open(c.poh, uuid_str, DAOS_COO_RW, &c.coh, &c.cinfo, NULL);
	if (rc != 0) {
		dfail(d, rc, "failed to open new container %s", uuid_str);
		goto out_pool;
	}
	c.open = true;
	if (cc.type == DAOS_PROP_CO_LAYOUT_POSIX) {
		rc = store_dfs_attrs(c.coh, &cc);
		if (rc != 0) {
			dfail(d, rc, "failed to store the POSIX settings of container %s",
			      uuid_str);
			goto out;
		}
	}
	if (cont_info(d, &c, &i) != 0)
		goto out;
	if (d->json) {
		print_info_json(d, &i);
	} else {
		printf("Successfully created container %s\n", i.uuid);
		print_info(&i, false, false);
	}
out:
	cont_close(&c);
	dcont_create_fini(&cc);
	return d->rc;
out_pool:
	daos_pool_disconnect(c.poh, NULL);
	dcont_create_fini(&cc);
	return d->rc;
}

static int
cont_destroy(struct dcli *d, struct dargs *a)
{
	daos_handle_t poh;
	const char *pool, *cont;
	int rc;

	if (cont_ids(d, a, &pool, &cont, NULL) != 0)
		return d->rc;
	rc = daos_pool_connect(pool, NULL, DAOS_PC_RW, &poh, NULL, NULL);
	if (rc != 0)
		return dfail(d, rc, "failed to connect to pool %s", pool);
	rc = daos_cont_destroy(poh, cont, a->opt[O_FORCE] != NULL, NULL);
	if (rc != 0) {
		dfail(d, rc, "failed to destroy container %s", cont);
	} else if (d->json) {
		djson_begin(d);
		printf("null");
	} else {
		printf("Successfully destroyed container %s\n", cont);
	}
	daos_pool_disconnect(poh, NULL);
	return d->rc;
}

/* ---- properties ---- */

static int
cont_get_prop(struct dcli *d, struct dargs *a)
{
	struct dcont c;
	daos_prop_t *want = NULL;
	const char *names;
	int rc;

	if (cont_open(d, a, DAOS_PC_RO, DAOS_COO_RO, &c) != 0)
		return d->rc;
	names = a->opt[O_PROPS] ? a->opt[O_PROPS] : (c.next < a->npos ? a->pos[c.next] : NULL);
	if (names != NULL) {
		struct dattr *at = NULL;
		int nr = 0, j;

		rc = dattr_parse_names(names, &at, &nr);
		if (rc != 0) {
			dfail(d, rc, "get-prop: bad property list \"%s\"", names);
			goto out;
		}
		want = daos_prop_alloc(nr);
		for (j = 0; want != NULL && j < nr; j++) {
			const struct daos_prop_desc *pd = daos_prop_desc_by_name(at[j].name, false);

			if (pd == NULL) {
				dfail(d, -DER_INVAL, "get-prop: unknown property \"%s\"",
				      at[j].name);
				break;
			}
			want->dpp_entries[j].dpe_type = pd->pd_type;
		}
		dattr_free(at, nr);
	} else {
		want = daos_prop_alloc_listed(false);
	}
	if (d->rc != 0)
		goto out;
	if (want == NULL) {
		dfail(d, -DER_NOMEM, "out of memory");
		goto out;
	}
	rc = daos_cont_query(c.coh, NULL, want, NULL);
	if (rc != 0) {
		dfail(d, rc, "failed to query properties of container %s", c.cont);
		goto out;
	}
	if (d->json) {
		djson_begin(d);
		dprop_json(want);
	} else {
		printf("Properties for container %s\n", c.cont);
		daos_prop_print_table(stdout, want);
	}
out:
	daos_prop_free(want);
	cont_close(&c);
	return d->rc;
}

static int
cont_set_prop(struct dcli *d, struct dargs *a)
{
	struct dcont c;
	daos_prop_t *prop = NULL;
	char err[512] = "";
	const char *kv;
	int rc;

	if (cont_open(d, a, DAOS_PC_RO, DAOS_COO_RW, &c) != 0)
		return d->rc;
	kv = a->opt[O_PROPS] ? a->opt[O_PROPS] : (c.next < a->npos ? a->pos[c.next] : NULL);
	if (kv == NULL) {
		dfail(d, -DER_INVAL, "set-prop: properties are required (name:value[,name:value])");
		goto out;
	}
	rc = daos_prop_parse_kv(kv, false, DAOS_PROP_DESC_SET, &prop, err, sizeof(err));
	if (rc != 0) {
		dfail(d, rc, "set-prop: %s", err[0] ? err : "invalid properties");
		goto out;
	}
	rc = daos_cont_set_prop(c.coh, prop, NULL);
	if (rc != 0) {
		dfail(d, rc, "failed to set properties of container %s", c.cont);
	} else if (d->json) {
		djson_begin(d);
		printf("null");
	} else {
		printf("Properties were successfully set\n");
	}
out:
	daos_prop_free(prop);
	cont_close(&c);
	return d->rc;
}

/* ---- attributes ---- */

static int
cont_attr(struct dcli *d, struct dargs *a, int which)
{
	struct dcont c;

	if (cont_open(d, a, DAOS_PC_RO, which == 's' || which == 'd' ? DAOS_COO_RW : DAOS_COO_RO,
		      &c) != 0)
		return d->rc;
	dattr_cmd(d, &dattr_cont_ops, c.coh, c.cont, a, c.next, which);
	cont_close(&c);
	return d->rc;
}

static int
cont_set_attr(struct dcli *d, struct dargs *a)
{
	return cont_attr(d, a, 's');
}

static int
cont_get_attr(struct dcli *d, struct dargs *a)
{
	return cont_attr(d, a, 'g');
}

static int
cont_list_attrs(struct dcli *d, struct dargs *a)
{
	return cont_attr(d, a, 'l');
}

static int
cont_del_attr(struct dcli *d, struct dargs *a)
{
	return cont_attr(d, a, 'd');
}

/* ---- snapshots ---- */

static int
cont_create_snap(struct dcli *d, struct dargs *a)
{
	struct dcont c;
	daos_epoch_t epoch = 0;
	const char *name;
	int rc;

	if (cont_open(d, a, DAOS_PC_RO, DAOS_COO_RW, &c) != 0)
		return d->rc;
	name = a->opt[O_SNAP] ? a->opt[O_SNAP] : (c.next < a->npos ? a->pos[c.next] : NULL);
	if (name != NULL && (strlen(name) == 0 || strlen(name) >= DAOS_SNAPSHOT_MAX_LEN)) {
		dfail(d, -DER_INVAL, "invalid snapshot name \"%s\"", name);
		goto out;
	}
	rc = daos_cont_create_snap_opt(c.coh, &epoch, (char *)name, DAOS_SNAP_OPT_CR, NULL);
	if (rc != 0) {
		dfail(d, rc, "failed to create snapshot of container %s", c.cont);
	} else if (d->json) {
		djson_begin(d);
		printf("{\n    \"epoch\": %lu", (unsigned long)epoch);
		if (name != NULL) {
			printf(",\n    \"name\": ");
			cli_json_str(stdout, name);
		}
		printf("\n  }");
	} else {
		printf("snapshot/epoch %#lx has been created\n", (unsigned long)epoch);
	}
out:
	cont_close(&c);
	return d->rc;
}

/* Every snapshot: epochs and names (names[i] may be ""). */
static int
snap_list(daos_handle_t coh, int *nr_out, daos_epoch_t **epochs_out, char ***names_out)
{
	daos_anchor_t anchor = {0};
	daos_epoch_t *epochs = NULL;
	char **names = NULL;
	int nr = 0, i, rc;

	rc = daos_cont_list_snap(coh, &nr, NULL, NULL, &anchor, NULL);
	if (rc != 0 || nr <= 0) {
		*nr_out = 0;
		return rc;
	}
	D_ALLOC_ARRAY(epochs, nr);
	D_ALLOC_ARRAY(names, nr);
	for (i = 0; names != NULL && i < nr; i++) {
		D_ALLOC(names[i], DAOS_SNAPSHOT_MAX_LEN);
		if (names[i] == NULL)
			break;
	}
	if (epochs == NULL || names == NULL || i < nr) {
		rc = -DER_NOMEM;
		goto err;
	}
	memset(&anchor, 0, sizeof(anchor));
	rc = daos_cont_list_snap(coh, &nr, epochs, names, &anchor, NULL);
	if (rc != 0)
		goto err;
	*nr_out = nr;
	*epochs_out = epochs;
	*names_out = names;
	return 0;
err:
	for (i = 0; names != NULL && i < nr; i++)
		D_FREE(names[i]);
	D_FREE(names);
	D_FREE(epochs);
	return rc;
}

static void
snap_free(int nr, daos_epoch_t *epochs, char **names)
{
	int i;

	for (i = 0; names != NULL && i < nr; i++)
		D_FREE(names[i]);
	D_FREE(names);
	D_FREE(epochs);
}

static int
cont_list_snaps(struct dcli *d, struct dargs *a)
{
	struct dcont c;
	daos_epoch_t *epochs = NULL;
	char **names = NULL;
	int nr = 0, i, rc;

	if (cont_open(d, a, DAOS_PC_RO, DAOS_COO_RO, &c) != 0)
		return d->rc;
	rc = snap_list(c.coh, &nr, &epochs, &names);
	if (rc != 0) {
		dfail(d, rc, "failed to list snapshots of container %s", c.cont);
	} else if (d->json) {
		djson_begin(d);
		printf("[");
		for (i = 0; i < nr; i++) {
			printf("%s\n    {\n      \"epoch\": %lu", i ? "," : "",
			       (unsigned long)epochs[i]);
			if (names[i][0] != '\0') {
				printf(",\n      \"name\": ");
				cli_json_str(stdout, names[i]);
			}
			printf("\n    }");
		}
		printf(nr ? "\n  ]" : "]");
	} else {
		printf("Container's snapshots :\n");
		if (nr == 0)
			printf("No snapshots\n");
		for (i = 0; i < nr; i++)
			printf("%#lx%s%s\n", (unsigned long)epochs[i], names[i][0] ? " " : "",
			       names[i]);
	}
	snap_free(nr, epochs, names);
	cont_close(&c);
	return d->rc;
}

static int
cont_destroy_snap(struct dcli *d, struct dargs *a)
{
	struct dcont c;
	daos_epoch_range_t epr = {0};
	int given = !!a->opt[O_SNAP] + !!a->opt[O_EPC] + !!a->opt[O_EPCRANGE];
	int rc;

	if (given != 1)
		return dfail(d, -DER_INVAL,
			     "destroy-snap: exactly one of --snap, --epc and "
			     "--epcrange is required");
	if (a->opt[O_EPC] != NULL &&
	    (depc_range_parse(a->opt[O_EPC], &epr) != 0 || strchr(a->opt[O_EPC], '-') != NULL))
		return dfail(d, -DER_INVAL, "destroy-snap: invalid epoch \"%s\"", a->opt[O_EPC]);
	if (a->opt[O_EPCRANGE] != NULL && depc_range_parse(a->opt[O_EPCRANGE], &epr) != 0)
		return dfail(d, -DER_INVAL, "destroy-snap: invalid epoch range \"%s\" (A-B)",
			     a->opt[O_EPCRANGE]);
	if (cont_open(d, a, DAOS_PC_RO, DAOS_COO_RW, &c) != 0)
		return d->rc;
	if (a->opt[O_SNAP] != NULL) {
		daos_epoch_t *epochs = NULL;
		char **names = NULL;
		int nr = 0, i;

		rc = snap_list(c.coh, &nr, &epochs, &names);
		if (rc != 0) {
			dfail(d, rc, "failed to list snapshots of container %s", c.cont);
			goto out;
		}
		for (i = 0; i < nr; i++)
			if (strcmp(names[i], a->opt[O_SNAP]) == 0)
				break;
		if (i == nr) {
			snap_free(nr, epochs, names);
			dfail(d, -DER_NONEXIST, "no snapshot named \"%s\"", a->opt[O_SNAP]);
			goto out;
		}
		epr.epr_lo = epr.epr_hi = epochs[i];
		snap_free(nr, epochs, names);
	}
	rc = daos_cont_destroy_snap(c.coh, epr, NULL);
	if (rc != 0)
		dfail(d, rc, "failed to destroy snapshot of container %s", c.cont);
	else if (d->json) {
		djson_begin(d);
		printf("null");
	}
out:
	cont_close(&c);
	return d->rc;
}

/* ---- ACL ---- */

static void
print_acl(struct dcli *d, daos_prop_t *prop, bool verbose, FILE *out)
{
	struct daos_prop_entry *acl = daos_prop_entry_get(prop, DAOS_PROP_CO_ACL);
	struct daos_prop_entry *own = daos_prop_entry_get(prop, DAOS_PROP_CO_OWNER);
	struct daos_prop_entry *grp = daos_prop_entry_get(prop, DAOS_PROP_CO_OWNER_GROUP);

	if (d->json) {
		djson_begin(d);
		cli_acl_json(acl, own, grp);
		return;
	}
	fprintf(out, "# Owner: %s\n# Owner-Group: %s\n", own && own->dpe_str ? own->dpe_str : "",
		grp && grp->dpe_str ? grp->dpe_str : "");
	if (acl != NULL)
		daos_acl_to_stream(out, acl->dpe_val_ptr, verbose);
}

static int
show_acl(struct dcli *d, struct dcont *c, const char *outfile)
{
	daos_prop_t *prop = NULL;
	FILE *out = stdout;
	int rc;

	rc = daos_cont_get_acl(c->coh, &prop, NULL);
	if (rc != 0)
		return dfail(d, rc, "failed to get the ACL of container %s", c->cont);
	/* an ACL file that overwrite-acl/update-acl --acl-file read back */
	if (outfile != NULL) {
		out = fopen(outfile, "w");
		if (out == NULL) {
			daos_prop_free(prop);
			return dfail(d, -DER_IO, "cannot write %s", outfile);
		}
	}
	print_acl(d, prop, d->verbose, out);
	if (out != stdout && fclose(out) != 0)
		dfail(d, -DER_IO, "cannot write %s", outfile);
	else if (out != stdout && !d->json)
		printf("Wrote ACL to output file: %s\n", outfile);
	daos_prop_free(prop);
	return d->rc;
}

static int
cont_get_acl(struct dcli *d, struct dargs *a)
{
	struct dcont c;

	if (cont_open(d, a, DAOS_PC_RO, DAOS_COO_RO, &c) != 0)
		return d->rc;
	show_acl(d, &c, a->opt[O_OUTFILE]);
	cont_close(&c);
	return d->rc;
}

/* ACEs from --entry or from --acl-file (one per line, '#' comments). */
static int
acl_read(struct dcli *d, struct dargs *a, struct daos_acl **acl)
{
	const char *entry = a->opt[O_ENTRY], *file = a->opt[O_ACL_FILE];
	FILE *f;
	int rc;

	if ((entry == NULL) == (file == NULL))
		return dfail(d, -DER_INVAL, "exactly one of --entry and --acl-file is required");
	if (entry != NULL) {
		rc = daos_acl_from_strs(&entry, 1, acl);
		return rc ? dfail(d, rc, "invalid ACE \"%s\"", entry) : 0;
	}
	f = fopen(file, "r");
	if (f == NULL)
		return dfail(d, -DER_NONEXIST, "cannot read ACL file %s", file);
	rc = cli_acl_read(f, acl);
	fclose(f);
	return rc ? dfail(d, rc, "invalid ACL file %s", file) : 0;
}

static int
cont_acl_change(struct dcli *d, struct dargs *a, bool overwrite)
{
	struct dcont c;
	struct daos_acl *acl = NULL;
	int rc;

	if (acl_read(d, a, &acl) != 0)
		return d->rc;
	if (cont_open(d, a, DAOS_PC_RO, DAOS_COO_RW, &c) != 0) {
		daos_acl_free(acl);
		return d->rc;
	}
	rc = overwrite ? daos_cont_overwrite_acl(c.coh, acl, NULL)
		       : daos_cont_update_acl(c.coh, acl, NULL);
	if (rc != 0)
		dfail(d, rc, "failed to %s the ACL of container %s",
		      overwrite ? "overwrite" : "update", c.cont);
	else
		show_acl(d, &c, NULL);
	daos_acl_free(acl);
	cont_close(&c);
	return d->rc;
}

static int
cont_overwrite_acl(struct dcli *d, struct dargs *a)
{
	return cont_acl_change(d, a, true);
}

static int
cont_update_acl(struct dcli *d, struct dargs *a)
{
	return cont_acl_change(d, a, false);
}

static int
cont_delete_acl(struct dcli *d, struct dargs *a)
{
	enum daos_acl_principal_type type;
	struct dcont c;
	char *name = NULL;
	int rc;

	if (a->opt[O_PRINCIPAL] == NULL)
		return dfail(d, -DER_INVAL, "delete-acl: --principal is required");
	rc = daos_acl_principal_from_str(a->opt[O_PRINCIPAL], &type, &name);
	if (rc != 0)
		return dfail(d, rc, "delete-acl: invalid principal \"%s\"", a->opt[O_PRINCIPAL]);
	if (cont_open(d, a, DAOS_PC_RO, DAOS_COO_RW, &c) == 0) {
		rc = daos_cont_delete_acl(c.coh, type, name, NULL);
		if (rc != 0)
			dfail(d, rc, "failed to delete ACE of %s from container %s",
			      a->opt[O_PRINCIPAL], c.cont);
		else
			show_acl(d, &c, NULL);
		cont_close(&c);
	}
	D_FREE(name);
	return d->rc;
}

#define CONT_O (OPT(O_POOL) | OPT(O_CONT))

const struct dcmd dcmd_cont[] = {
	{"container", "create", NULL,
	 OPT(O_POOL) | OPT(O_LABEL) | OPT(O_TYPE) | OPT(O_OCLASS) | OPT(O_DIR_OCLASS) |
		 OPT(O_FILE_OCLASS) | OPT(O_CHUNK) | OPT(O_PROPS) | OPT(O_HINTS) | OPT(O_MODE),
	 cont_create,
	 "create POOL [LABEL] [--type POSIX|HDF5|PYTHON|...] [--oclass C] [--dir-oclass C]\n"
	 "                 [--file-oclass C] [--chunk-size N] [--properties k:v,...] [--label L]"},
	{"container", "list", "ls", OPT(O_POOL), dcont_list,
	 "list POOL [-v]                        containers of a pool"},
	{"container", "query", NULL, CONT_O, cont_query,
	 "query POOL CONT [--verbose]           container information"},
	{"container", "destroy", NULL, CONT_O | OPT(O_FORCE), cont_destroy,
	 "destroy POOL CONT [--force]"},
	{"container", "get-prop", "getprop", CONT_O | OPT(O_PROPS), cont_get_prop,
	 "get-prop POOL CONT [name[,name]]      properties (all by default)"},
	{"container", "set-prop", "setprop", CONT_O | OPT(O_PROPS), cont_set_prop,
	 "set-prop POOL CONT name:value[,...]   (or --properties name:value,...)"},
	{"container", "set-attr", "setattr", CONT_O | OPT(O_ATTR) | OPT(O_VALUE), cont_set_attr,
	 "set-attr POOL CONT key:value[,key:value] (or: key value; or --attr K --value V)"},
	{"container", "get-attr", "getattr", CONT_O | OPT(O_ATTR), cont_get_attr,
	 "get-attr POOL CONT [key[,key]]"},
	{"container", "list-attrs", "list-attr|lsattr", CONT_O, cont_list_attrs,
	 "list-attrs POOL CONT [-v]"},
	{"container", "del-attr", "delattr", CONT_O | OPT(O_ATTR), cont_del_attr,
	 "del-attr POOL CONT key[,key]"},
	{"container", "create-snap", "snap", CONT_O | OPT(O_SNAP), cont_create_snap,
	 "create-snap POOL CONT [--snap NAME]"},
	{"container", "list-snaps", "list-snap", CONT_O, cont_list_snaps, "list-snaps POOL CONT"},
	{"container", "destroy-snap", NULL, CONT_O | OPT(O_SNAP) | OPT(O_EPC) | OPT(O_EPCRANGE),
	 cont_destroy_snap, "destroy-snap POOL CONT --snap NAME | --epc E | --epcrange A-B"},
	{"container", "get-acl", NULL, CONT_O | OPT(O_OUTFILE), cont_get_acl,
	 "get-acl POOL CONT [-v] [-o FILE]"},
	{"container", "overwrite-acl", "replace", CONT_O | OPT(O_ACL_FILE) | OPT(O_ENTRY),
	 cont_overwrite_acl, "overwrite-acl POOL CONT --acl-file FILE | --entry ACE"},
	{"container", "update-acl", NULL, CONT_O | OPT(O_ACL_FILE) | OPT(O_ENTRY), cont_update_acl,
	 "update-acl POOL CONT --acl-file FILE | --entry ACE"},
	{"container", "delete-acl", NULL, CONT_O | OPT(O_PRINCIPAL), cont_delete_acl,
	 "delete-acl POOL CONT --principal PRINCIPAL"},
	{NULL},
};
