/**
 * Access Control Lists (daos_security.h): ACE and ACL construction, search,
 * update and validation. ACLs are flat buffers (header + ACEs) so they can be
 * stored and sent as they are.
 */
#define D_LOGFAC DD_FAC(common)

#include <daos/common.h>
#include <daos_security.h>

/* Bytes reserved for a principal name: the string and its NUL, 8-byte aligned. */
static size_t
principal_buf_len(const char *name)
{
	return D_ALIGNUP(strlen(name) + 1, (size_t)8);
}

static bool
type_is_valid(int type)
{
	return type >= DAOS_ACL_OWNER && type < NUM_DAOS_ACL_TYPES;
}

static bool
type_has_name(int type)
{
	return type == DAOS_ACL_USER || type == DAOS_ACL_GROUP;
}

static bool
type_is_group(int type)
{
	return type == DAOS_ACL_GROUP || type == DAOS_ACL_OWNER_GROUP;
}

bool
daos_acl_principal_is_valid(const char *name)
{
	size_t len;
	size_t i;
	size_t at = 0;
	int nat = 0;

	if (name == NULL)
		return false;
	len = strnlen(name, DAOS_ACL_MAX_PRINCIPAL_LEN + 1);
	if (len < 2 || len > DAOS_ACL_MAX_PRINCIPAL_LEN)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		/* ':' separates ACE fields and blanks/control characters never name anyone. */
		if (c == ':' || c <= ' ' || c == 0x7f)
			return false;
		if (c == '@') {
			nat++;
			at = i;
		}
	}
	/* "name@" or "name@domain": exactly one '@', after a non-empty name. */
	return nat == 1 && at > 0;
}

struct daos_ace *
daos_ace_create(enum daos_acl_principal_type type, const char *principal_name)
{
	struct daos_ace *ace;
	size_t name_len = 0;

	if (!type_is_valid(type)) {
		D_ERROR("invalid principal type %d\n", type);
		return NULL;
	}
	if (type_has_name(type)) {
		if (!daos_acl_principal_is_valid(principal_name)) {
			D_ERROR("invalid principal name\n");
			return NULL;
		}
		name_len = principal_buf_len(principal_name);
	}
	D_ALLOC(ace, sizeof(*ace) + name_len);
	if (ace == NULL)
		return NULL;
	ace->dae_principal_type = type;
	ace->dae_principal_len = name_len;
	if (name_len > 0)
		strcpy(ace->dae_principal, principal_name);
	if (type_is_group(type))
		ace->dae_access_flags |= DAOS_ACL_FLAG_GROUP;
	return ace;
}

void
daos_ace_free(struct daos_ace *ace)
{
	D_FREE(ace);
}

ssize_t
daos_ace_get_size(struct daos_ace *ace)
{
	if (ace == NULL)
		return -DER_INVAL;
	return sizeof(*ace) + ace->dae_principal_len;
}

bool
daos_ace_is_valid(struct daos_ace *ace)
{
	uint8_t access;
	uint16_t flags;
	bool is_group;

	if (ace == NULL || !type_is_valid(ace->dae_principal_type))
		return false;

	if (type_has_name(ace->dae_principal_type)) {
		if (ace->dae_principal_len == 0 || ace->dae_principal_len % 8 != 0 ||
		    ace->dae_principal_len > DAOS_ACL_MAX_PRINCIPAL_BUF_LEN + 8)
			return false;
		if (strnlen(ace->dae_principal, ace->dae_principal_len) == ace->dae_principal_len)
			return false;
		if (!daos_acl_principal_is_valid(ace->dae_principal))
			return false;
	} else if (ace->dae_principal_len != 0) {
		return false;
	}

	flags = ace->dae_access_flags;
	is_group = (flags & DAOS_ACL_FLAG_GROUP) != 0;
	if ((flags & ~DAOS_ACL_FLAG_ALL) != 0 || is_group != type_is_group(ace->dae_principal_type))
		return false;

	access = ace->dae_access_types;
	if (access == 0 || (access & ~DAOS_ACL_ACCESS_ALL) != 0)
		return false;
	if ((ace->dae_allow_perms | ace->dae_audit_perms | ace->dae_alarm_perms) &
	    ~(uint64_t)DAOS_ACL_PERM_ALL)
		return false;
	if ((!(access & DAOS_ACL_ACCESS_ALLOW) && ace->dae_allow_perms != 0) ||
	    (!(access & DAOS_ACL_ACCESS_AUDIT) && ace->dae_audit_perms != 0) ||
	    (!(access & DAOS_ACL_ACCESS_ALARM) && ace->dae_alarm_perms != 0))
		return false;
	/* Success/failure flags say when to audit or alarm: meaningless without either. */
	if (access & (DAOS_ACL_ACCESS_AUDIT | DAOS_ACL_ACCESS_ALARM)) {
		if (!(flags & (DAOS_ACL_FLAG_ACCESS_FAIL | DAOS_ACL_FLAG_ACCESS_SUCCESS)))
			return false;
	} else if (flags & (DAOS_ACL_FLAG_ACCESS_FAIL | DAOS_ACL_FLAG_ACCESS_SUCCESS)) {
		return false;
	}
	return true;
}

/* Structural checks that must hold before an ACE is copied into an ACL. */
static bool
ace_is_copyable(struct daos_ace *ace)
{
	if (ace == NULL || !type_is_valid(ace->dae_principal_type))
		return false;
	if (type_has_name(ace->dae_principal_type))
		return ace->dae_principal_len > 0 && ace->dae_principal_len % 8 == 0 &&
		       strnlen(ace->dae_principal, ace->dae_principal_len) < ace->dae_principal_len;
	return ace->dae_principal_len == 0;
}

static bool
ace_same_principal(struct daos_ace *a, struct daos_ace *b)
{
	if (a->dae_principal_type != b->dae_principal_type)
		return false;
	if (!type_has_name(a->dae_principal_type))
		return true;
	return strcmp(a->dae_principal, b->dae_principal) == 0;
}

static bool
ace_matches(struct daos_ace *ace, int type, const char *name)
{
	if (ace->dae_principal_type != type)
		return false;
	if (!type_has_name(type))
		return true;
	return strncmp(ace->dae_principal, name, ace->dae_principal_len) == 0;
}

static struct daos_acl *
acl_alloc(uint32_t ace_len)
{
	struct daos_acl *acl;

	D_ALLOC(acl, sizeof(*acl) + ace_len);
	if (acl == NULL)
		return NULL;
	acl->dal_ver = DAOS_ACL_VERSION;
	acl->dal_len = ace_len;
	return acl;
}

struct daos_acl *
daos_acl_create(struct daos_ace *aces[], uint16_t num_aces)
{
	struct daos_acl *acl;
	size_t total = 0;
	uint8_t *pos;
	int type;
	uint16_t i;
	uint16_t j;

	if (num_aces > 0 && aces == NULL)
		return NULL;
	for (i = 0; i < num_aces; i++) {
		if (!ace_is_copyable(aces[i])) {
			D_ERROR("ACE %u is malformed\n", i);
			return NULL;
		}
		for (j = 0; j < i; j++) {
			if (ace_same_principal(aces[i], aces[j])) {
				D_ERROR("ACE %u duplicates the principal of ACE %u\n", i, j);
				return NULL;
			}
		}
		total += daos_ace_get_size(aces[i]);
		if (total > DAOS_ACL_MAX_ACE_LEN) {
			D_ERROR("ACEs exceed %d bytes\n", DAOS_ACL_MAX_ACE_LEN);
			return NULL;
		}
	}
	acl = acl_alloc(total);
	if (acl == NULL)
		return NULL;
	/* Stable order by principal type: owner, users, owner-group, groups, everyone. */
	pos = acl->dal_ace;
	for (type = 0; type < NUM_DAOS_ACL_TYPES; type++) {
		for (i = 0; i < num_aces; i++) {
			if (aces[i]->dae_principal_type != type)
				continue;
			memcpy(pos, aces[i], daos_ace_get_size(aces[i]));
			pos += daos_ace_get_size(aces[i]);
		}
	}
	return acl;
}

ssize_t
daos_acl_get_size(struct daos_acl *acl)
{
	if (acl == NULL)
		return -DER_INVAL;
	return sizeof(*acl) + acl->dal_len;
}

struct daos_acl *
daos_acl_dup(struct daos_acl *acl)
{
	struct daos_acl *dup;
	ssize_t size = daos_acl_get_size(acl);

	if (size < 0 || acl->dal_len > DAOS_ACL_MAX_ACE_LEN)
		return NULL;
	D_ALLOC(dup, size);
	if (dup == NULL)
		return NULL;
	memcpy(dup, acl, size);
	return dup;
}

void
daos_acl_free(struct daos_acl *acl)
{
	D_FREE(acl);
}

struct daos_ace *
daos_acl_get_next_ace(struct daos_acl *acl, struct daos_ace *current_ace)
{
	uint8_t *end;
	uint8_t *next;

	if (acl == NULL || acl->dal_len < sizeof(struct daos_ace))
		return NULL;
	end = acl->dal_ace + acl->dal_len;
	if (current_ace == NULL)
		return (struct daos_ace *)acl->dal_ace;
	if ((uint8_t *)current_ace < acl->dal_ace || (uint8_t *)current_ace >= end)
		return NULL;
	next = (uint8_t *)current_ace + sizeof(*current_ace) + current_ace->dae_principal_len;
	/* A truncated trailing entry is not an entry. */
	if (next + sizeof(struct daos_ace) > end)
		return NULL;
	if (next + sizeof(struct daos_ace) + ((struct daos_ace *)next)->dae_principal_len > end)
		return NULL;
	return (struct daos_ace *)next;
}

int
daos_acl_get_ace_for_principal(struct daos_acl *acl, enum daos_acl_principal_type type,
			       const char *principal, struct daos_ace **ace)
{
	struct daos_ace *cur;

	if (acl == NULL || ace == NULL || !type_is_valid(type))
		return -DER_INVAL;
	if (type_has_name(type) && !daos_acl_principal_is_valid(principal))
		return -DER_INVAL;
	for (cur = daos_acl_get_next_ace(acl, NULL); cur != NULL;
	     cur = daos_acl_get_next_ace(acl, cur)) {
		if (ace_matches(cur, type, principal)) {
			*ace = cur;
			return 0;
		}
	}
	return -DER_NONEXIST;
}

int
daos_acl_add_ace(struct daos_acl **acl, struct daos_ace *new_ace)
{
	struct daos_acl *old;
	struct daos_acl *res;
	struct daos_ace *cur;
	struct daos_ace *replaced = NULL;
	uint8_t *pos;
	ssize_t new_size;
	uint32_t len;
	bool placed = false;

	/* A stored ACE must grant or log something: refuse ones still blank from daos_ace_create(). */
	if (acl == NULL || *acl == NULL || !daos_ace_is_valid(new_ace))
		return -DER_INVAL;
	old = *acl;
	new_size = daos_ace_get_size(new_ace);
	for (cur = daos_acl_get_next_ace(old, NULL); cur != NULL;
	     cur = daos_acl_get_next_ace(old, cur)) {
		if (ace_same_principal(cur, new_ace)) {
			replaced = cur;
			break;
		}
	}
	len = old->dal_len + new_size - (replaced != NULL ? daos_ace_get_size(replaced) : 0);
	if (len > DAOS_ACL_MAX_ACE_LEN)
		return -DER_INVAL;
	res = acl_alloc(len);
	if (res == NULL)
		return -DER_NOMEM;

	pos = res->dal_ace;
	for (cur = daos_acl_get_next_ace(old, NULL); cur != NULL;
	     cur = daos_acl_get_next_ace(old, cur)) {
		if (cur == replaced) {
			memcpy(pos, new_ace, new_size);
			pos += new_size;
			placed = true;
			continue;
		}
		/* New principals go after the last entry of their own type. */
		if (!placed && replaced == NULL &&
		    cur->dae_principal_type > new_ace->dae_principal_type) {
			memcpy(pos, new_ace, new_size);
			pos += new_size;
			placed = true;
		}
		memcpy(pos, cur, daos_ace_get_size(cur));
		pos += daos_ace_get_size(cur);
	}
	if (!placed)
		memcpy(pos, new_ace, new_size);

	daos_acl_free(old);
	*acl = res;
	return 0;
}

int
daos_acl_remove_ace(struct daos_acl **acl, enum daos_acl_principal_type type,
		    const char *principal_name)
{
	struct daos_acl *res;
	struct daos_ace *target;
	struct daos_ace *cur;
	uint8_t *pos;
	int rc;

	if (acl == NULL || *acl == NULL)
		return -DER_INVAL;
	rc = daos_acl_get_ace_for_principal(*acl, type, principal_name, &target);
	if (rc != 0)
		return rc;
	res = acl_alloc((*acl)->dal_len - daos_ace_get_size(target));
	if (res == NULL)
		return -DER_NOMEM;
	pos = res->dal_ace;
	for (cur = daos_acl_get_next_ace(*acl, NULL); cur != NULL;
	     cur = daos_acl_get_next_ace(*acl, cur)) {
		if (cur == target)
			continue;
		memcpy(pos, cur, daos_ace_get_size(cur));
		pos += daos_ace_get_size(cur);
	}
	daos_acl_free(*acl);
	*acl = res;
	return 0;
}

static int
acl_validate_perms(struct daos_acl *acl, uint64_t allowed)
{
	struct daos_ace *ace;
	uint64_t used;
	int rc;

	rc = daos_acl_validate(acl);
	if (rc != 0)
		return rc;
	for (ace = daos_acl_get_next_ace(acl, NULL); ace != NULL;
	     ace = daos_acl_get_next_ace(acl, ace)) {
		used = ace->dae_allow_perms | ace->dae_audit_perms | ace->dae_alarm_perms;
		if (used & ~allowed) {
			D_ERROR("ACE for %s uses permissions not valid here\n",
				daos_ace_get_principal_str(ace));
			return -DER_INVAL;
		}
	}
	return 0;
}

int
daos_acl_validate(struct daos_acl *acl)
{
	struct daos_ace *ace;
	struct daos_ace *prev;
	uint8_t *end;
	uint8_t *pos;
	int last_type = -1;

	if (acl == NULL || acl->dal_ver != DAOS_ACL_VERSION || acl->dal_len % 8 != 0 ||
	    acl->dal_len > DAOS_ACL_MAX_ACE_LEN) {
		D_ERROR("invalid ACL header\n");
		return -DER_INVAL;
	}
	end = acl->dal_ace + acl->dal_len;
	for (pos = acl->dal_ace; pos < end; pos += daos_ace_get_size(ace)) {
		ace = (struct daos_ace *)pos;
		if (pos + sizeof(*ace) > end || pos + daos_ace_get_size(ace) > end) {
			D_ERROR("ACE overruns the ACL\n");
			return -DER_INVAL;
		}
		if (!daos_ace_is_valid(ace)) {
			D_ERROR("invalid ACE at offset %zu\n", (size_t)(pos - acl->dal_ace));
			return -DER_INVAL;
		}
		if (ace->dae_principal_type < last_type) {
			D_ERROR("ACEs out of order\n");
			return -DER_INVAL;
		}
		last_type = ace->dae_principal_type;
		/* Entries of one type are adjacent: compare with those before it. */
		for (prev = (struct daos_ace *)acl->dal_ace; (uint8_t *)prev < pos;
		     prev = (struct daos_ace *)((uint8_t *)prev + daos_ace_get_size(prev))) {
			if (ace_same_principal(prev, ace)) {
				D_ERROR("duplicate ACE for %s\n", daos_ace_get_principal_str(ace));
				return -DER_INVAL;
			}
		}
	}
	return 0;
}

int
daos_acl_pool_validate(struct daos_acl *acl)
{
	return acl_validate_perms(acl, DAOS_ACL_PERM_POOL_ALL);
}

int
daos_acl_cont_validate(struct daos_acl *acl)
{
	return acl_validate_perms(acl, DAOS_ACL_PERM_CONT_ALL);
}

const char *
daos_ace_get_principal_str(struct daos_ace *ace)
{
	if (ace == NULL)
		return "";
	switch (ace->dae_principal_type) {
	case DAOS_ACL_OWNER:
		return DAOS_ACL_PRINCIPAL_OWNER;
	case DAOS_ACL_OWNER_GROUP:
		return DAOS_ACL_PRINCIPAL_OWNER_GRP;
	case DAOS_ACL_EVERYONE:
		return DAOS_ACL_PRINCIPAL_EVERYONE;
	case DAOS_ACL_USER:
	case DAOS_ACL_GROUP:
		return ace->dae_principal_len > 0 ? ace->dae_principal : "";
	default:
		return "";
	}
}

void
daos_ace_dump(struct daos_ace *ace, uint32_t tabs)
{
	char pad[16];
	uint32_t n = min(tabs, (uint32_t)sizeof(pad) - 1);

	memset(pad, '\t', n);
	pad[n] = '\0';
	if (ace == NULL) {
		printf("%sACE: NULL\n", pad);
		return;
	}
	printf("%sPrincipal: %s (type %u)\n", pad, daos_ace_get_principal_str(ace),
	       ace->dae_principal_type);
	printf("%sAccess types: 0x%x, flags: 0x%x\n", pad, ace->dae_access_types,
	       ace->dae_access_flags);
	printf("%sAllow: 0x%" PRIx64 ", audit: 0x%" PRIx64 ", alarm: 0x%" PRIx64 "\n", pad,
	       ace->dae_allow_perms, ace->dae_audit_perms, ace->dae_alarm_perms);
}

void
daos_acl_dump(struct daos_acl *acl)
{
	struct daos_ace *ace;

	if (acl == NULL) {
		printf("ACL: NULL\n");
		return;
	}
	printf("ACL version %u, %u bytes of entries:\n", acl->dal_ver, acl->dal_len);
	for (ace = daos_acl_get_next_ace(acl, NULL); ace != NULL;
	     ace = daos_acl_get_next_ace(acl, ace))
		daos_ace_dump(ace, 1);
}
