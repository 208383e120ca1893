/**
 * Flat encoding of property lists (daos/prop.h): one buffer that services
 * can store in rdb and send in RPCs. Layout, host byte order, every field
 * 8-byte aligned:
 *
 *   header: magic u32, version u16, reserved u16, entry count u32, reserved u32
 *   entry:  type u32, flags u16, kind u8, reserved u8, payload length u32,
 *           reserved u32, payload padded to 8 bytes
 *
 * Payload kinds: a 64-bit value, a string (no NUL), a flat buffer (ACL, root
 * OIDs), a rank list (count u32 then ranks), or nothing (NULL pointer).
 */
#define D_LOGFAC DD_FAC(common)

#include <daos/common.h>
#include <daos/prop.h>

#define PROP_CODEC_MAGIC   0x50525044U /* "DPRP" */
#define PROP_CODEC_VERSION 1

enum {
	PK_VAL = 0,
	PK_STR = 1,
	PK_FLAT = 2,
	PK_RANKS = 3,
	PK_NONE = 4,
};

struct codec_hdr {
	uint32_t ch_magic;
	uint16_t ch_version;
	uint16_t ch_reserved;
	uint32_t ch_nr;
	uint32_t ch_reserved2;
};

struct codec_entry {
	uint32_t ce_type;
	uint16_t ce_flags;
	uint8_t ce_kind;
	uint8_t ce_reserved;
	uint32_t ce_len;
	uint32_t ce_reserved2;
};

/* Longest string value: principals are the longest strings a property holds. */
#define CODEC_STR_MAX DAOS_ACL_MAX_PRINCIPAL_LEN

static int
entry_kind(struct daos_prop_entry *e, const void **data, uint32_t *len)
{
	d_rank_list_t *ranks;
	ssize_t size;

	*data = NULL;
	*len = 0;
	if (e->dpe_type == DAOS_PROP_PO_SVC_LIST) {
		ranks = e->dpe_val_ptr;
		if (ranks == NULL)
			return PK_NONE;
		if (ranks->rl_nr > (UINT32_MAX - 4) / sizeof(d_rank_t))
			return -DER_INVAL;
		*len = sizeof(uint32_t) + ranks->rl_nr * sizeof(d_rank_t);
		return PK_RANKS;
	}
	if (daos_prop_has_str(e)) {
		if (e->dpe_str == NULL)
			return PK_NONE;
		*data = e->dpe_str;
		*len = strnlen(e->dpe_str, CODEC_STR_MAX + 1);
		return *len > CODEC_STR_MAX ? -DER_INVAL : PK_STR;
	}
	if (daos_prop_has_ptr(e)) {
		if (e->dpe_val_ptr == NULL)
			return PK_NONE;
		*data = e->dpe_val_ptr;
		if (e->dpe_type == DAOS_PROP_CO_ROOTS) {
			*len = sizeof(struct daos_prop_co_roots);
		} else {
			size = daos_acl_get_size(e->dpe_val_ptr);
			if (size < 0 ||
			    ((struct daos_acl *)e->dpe_val_ptr)->dal_len > DAOS_ACL_MAX_ACE_LEN)
				return -DER_INVAL;
			*len = size;
		}
		return PK_FLAT;
	}
	*data = &e->dpe_val;
	*len = sizeof(uint64_t);
	return PK_VAL;
}

int
daos_prop_encode(daos_prop_t *prop, void **buf_out, size_t *len_out)
{
	struct codec_hdr *hdr;
	struct codec_entry *ce;
	const void *data;
	uint32_t len;
	size_t total = sizeof(*hdr);
	uint8_t *buf;
	uint8_t *pos;
	d_rank_list_t *ranks;
	uint32_t i;
	int kind;

	if (prop == NULL || buf_out == NULL || len_out == NULL ||
	    prop->dpp_nr > DAOS_PROP_ENTRIES_MAX_NR ||
	    (prop->dpp_nr > 0 && prop->dpp_entries == NULL))
		return -DER_INVAL;
	for (i = 0; i < prop->dpp_nr; i++) {
		kind = entry_kind(&prop->dpp_entries[i], &data, &len);
		if (kind < 0)
			return kind;
		total += sizeof(*ce) + D_ALIGNUP((size_t)len, (size_t)8);
	}
	D_ALLOC(buf, total);
	if (buf == NULL)
		return -DER_NOMEM;
	hdr = (struct codec_hdr *)buf;
	hdr->ch_magic = PROP_CODEC_MAGIC;
	hdr->ch_version = PROP_CODEC_VERSION;
	hdr->ch_nr = prop->dpp_nr;
	pos = buf + sizeof(*hdr);
	for (i = 0; i < prop->dpp_nr; i++) {
		kind = entry_kind(&prop->dpp_entries[i], &data, &len);
		ce = (struct codec_entry *)pos;
		ce->ce_type = prop->dpp_entries[i].dpe_type;
		ce->ce_flags = prop->dpp_entries[i].dpe_flags;
		ce->ce_kind = kind;
		ce->ce_len = len;
		pos += sizeof(*ce);
		if (kind == PK_RANKS) {
			ranks = prop->dpp_entries[i].dpe_val_ptr;
			memcpy(pos, &ranks->rl_nr, sizeof(uint32_t));
			if (ranks->rl_nr > 0)
				memcpy(pos + sizeof(uint32_t), ranks->rl_ranks,
				       ranks->rl_nr * sizeof(d_rank_t));
		} else if (len > 0) {
			memcpy(pos, data, len);
		}
		pos += D_ALIGNUP((size_t)len, (size_t)8);
	}
	*buf_out = buf;
	*len_out = total;
	return 0;
}

/* The kind a decoded entry of \a type must have (PK_NONE is accepted for pointers too). */
static int
expected_kind(uint32_t type)
{
	struct daos_prop_entry e = {.dpe_type = type};

	if (type == DAOS_PROP_PO_SVC_LIST)
		return PK_RANKS;
	if (daos_prop_has_str(&e))
		return PK_STR;
	if (daos_prop_has_ptr(&e))
		return PK_FLAT;
	return PK_VAL;
}

static int
decode_entry(const struct codec_entry *ce, const uint8_t *payload, struct daos_prop_entry *e)
{
	d_rank_list_t *ranks;
	uint32_t nr;
	int want = expected_kind(ce->ce_type);

	e->dpe_type = ce->ce_type;
	e->dpe_flags = ce->ce_flags;
	if (ce->ce_kind == PK_NONE && want != PK_VAL)
		return ce->ce_len == 0 ? 0 : -DER_INVAL;
	if (ce->ce_kind != want)
		return -DER_INVAL;

	switch (want) {
	case PK_VAL:
		if (ce->ce_len != sizeof(uint64_t))
			return -DER_INVAL;
		memcpy(&e->dpe_val, payload, sizeof(uint64_t));
		return 0;
	case PK_STR:
		if (ce->ce_len == 0 || ce->ce_len > CODEC_STR_MAX ||
		    memchr(payload, '\0', ce->ce_len) != NULL)
			return -DER_INVAL;
		D_STRNDUP(e->dpe_str, (const char *)payload, ce->ce_len);
		return e->dpe_str == NULL ? -DER_NOMEM : 0;
	case PK_RANKS:
		if (ce->ce_len < sizeof(uint32_t))
			return -DER_INVAL;
		memcpy(&nr, payload, sizeof(nr));
		if ((size_t)ce->ce_len != sizeof(uint32_t) + (size_t)nr * sizeof(d_rank_t))
			return -DER_INVAL;
		ranks = d_rank_list_alloc(nr);
		if (ranks == NULL)
			return -DER_NOMEM;
		if (nr > 0)
			memcpy(ranks->rl_ranks, payload + sizeof(uint32_t), nr * sizeof(d_rank_t));
		e->dpe_val_ptr = ranks;
		return 0;
	default:
		if (e->dpe_type == DAOS_PROP_CO_ROOTS) {
			if (ce->ce_len != sizeof(struct daos_prop_co_roots))
				return -DER_INVAL;
		} else {
			struct daos_acl acl_hdr;

			/* an ACL: its header must announce exactly the bytes that follow */
			if (ce->ce_len < sizeof(acl_hdr))
				return -DER_INVAL;
			memcpy(&acl_hdr, payload, sizeof(acl_hdr));
			if ((size_t)ce->ce_len != sizeof(acl_hdr) + (size_t)acl_hdr.dal_len)
				return -DER_INVAL;
		}
		D_ALLOC(e->dpe_val_ptr, ce->ce_len);
		if (e->dpe_val_ptr == NULL)
			return -DER_NOMEM;
		memcpy(e->dpe_val_ptr, payload, ce->ce_len);
		if (e->dpe_type != DAOS_PROP_CO_ROOTS && daos_acl_validate(e->dpe_val_ptr) != 0)
			return -DER_INVAL;
		return 0;
	}
}

int
daos_prop_decode(const void *buf_in, size_t len, daos_prop_t **out)
{
	const uint8_t *buf = buf_in;
	struct codec_hdr hdr;
	struct codec_entry ce;
	daos_prop_t *prop;
	size_t off;
	size_t padded;
	uint32_t i;
	int rc = 0;

	if (buf == NULL || out == NULL || len < sizeof(hdr))
		return -DER_INVAL;
	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr.ch_magic != PROP_CODEC_MAGIC || hdr.ch_version != PROP_CODEC_VERSION ||
	    hdr.ch_nr > DAOS_PROP_ENTRIES_MAX_NR) {
		D_ERROR("not an encoded property list\n");
		return -DER_INVAL;
	}
	prop = daos_prop_alloc(hdr.ch_nr);
	if (prop == NULL)
		return -DER_NOMEM;
	/* Count decoded entries so that a failure frees exactly those. */
	prop->dpp_nr = 0;
	off = sizeof(hdr);
	for (i = 0; i < hdr.ch_nr; i++) {
		if (len - off < sizeof(ce))
			D_GOTO(err, rc = -DER_INVAL);
		memcpy(&ce, buf + off, sizeof(ce));
		off += sizeof(ce);
		padded = D_ALIGNUP((size_t)ce.ce_len, (size_t)8);
		if (padded < ce.ce_len || len - off < padded)
			D_GOTO(err, rc = -DER_INVAL);
		rc = decode_entry(&ce, buf + off, &prop->dpp_entries[i]);
		prop->dpp_nr++;
		if (rc != 0)
			goto err;
		off += padded;
	}
	if (off != len)
		D_GOTO(err, rc = -DER_INVAL);
	*out = prop;
	return 0;
err:
	D_ERROR("malformed encoded property list: " DF_RC "\n", DP_RC(rc));
	daos_prop_free(prop);
	return rc;
}
