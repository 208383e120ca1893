/**
 * ACL text forms (daos_security.h): ACE strings "<access>:<flags>:<principal>:<perms>",
 * their verbose descriptions, ACL files, CLI principal strings and the mapping
 * between principals and local users and groups.
 */
#define D_LOGFAC DD_FAC(common)

#include <pwd.h>
#include <grp.h>
#include <unistd.h>
#include <daos/common.h>
#include <daos_security.h>

struct char_bit {
	char cb_char;
	uint64_t cb_bit;
	const char *cb_word;
};

static const struct char_bit access_chars[] = {
	{'A', DAOS_ACL_ACCESS_ALLOW, "Allow"},
	{'U', DAOS_ACL_ACCESS_AUDIT, "Audit"},
	{'L', DAOS_ACL_ACCESS_ALARM, "Alarm"},
};

static const struct char_bit flag_chars[] = {
	{'G', DAOS_ACL_FLAG_GROUP, "Group"},
	{'P', DAOS_ACL_FLAG_POOL_INHERIT, "Pool-Inherit"},
	{'S', DAOS_ACL_FLAG_ACCESS_SUCCESS, "Access-Success"},
	{'F', DAOS_ACL_FLAG_ACCESS_FAIL, "Access-Failure"},
};

static const struct char_bit perm_chars[] = {
	{'r', DAOS_ACL_PERM_READ, "Read"},
	{'w', DAOS_ACL_PERM_WRITE, "Write"},
	{'c', DAOS_ACL_PERM_CREATE_CONT, "Create-Container"},
	{'d', DAOS_ACL_PERM_DEL_CONT, "Delete-Container"},
	{'t', DAOS_ACL_PERM_GET_PROP, "Get-Prop"},
	{'T', DAOS_ACL_PERM_SET_PROP, "Set-Prop"},
	{'a', DAOS_ACL_PERM_GET_ACL, "Get-ACL"},
	{'A', DAOS_ACL_PERM_SET_ACL, "Set-ACL"},
	{'o', DAOS_ACL_PERM_SET_OWNER, "Set-Owner"},
};

/* Parse one field of characters into bits; every character must be known and appear once. */
static int
parse_chars(const char *s, size_t len, const struct char_bit *tab, size_t nr, uint64_t *bits)
{
	size_t i;
	size_t j;

	*bits = 0;
	for (i = 0; i < len; i++) {
		for (j = 0; j < nr; j++) {
			if (s[i] == tab[j].cb_char)
				break;
		}
		if (j == nr || (*bits & tab[j].cb_bit))
			return -DER_INVAL;
		*bits |= tab[j].cb_bit;
	}
	return 0;
}

static size_t
put_chars(char *buf, uint64_t bits, const struct char_bit *tab, size_t nr)
{
	size_t n = 0;
	size_t j;

	for (j = 0; j < nr; j++) {
		if (bits & tab[j].cb_bit)
			buf[n++] = tab[j].cb_char;
	}
	buf[n] = '\0';
	return n;
}

/* Split an ACE string into its four fields; NUL-free input is assumed bounded. */
static int
split_ace(const char *str, const char *f[4], size_t l[4])
{
	const char *p = str;
	const char *colon;
	int i;

	if (str == NULL || strnlen(str, DAOS_ACL_MAX_ACE_STR_LEN + 1) > DAOS_ACL_MAX_ACE_STR_LEN)
		return -DER_INVAL;
	for (i = 0; i < 3; i++) {
		colon = strchr(p, ':');
		if (colon == NULL)
			return -DER_INVAL;
		f[i] = p;
		l[i] = colon - p;
		p = colon + 1;
	}
	f[3] = p;
	l[3] = strlen(p);
	if (memchr(f[3], ':', l[3]) != NULL)
		return -DER_INVAL;
	return 0;
}

int
daos_ace_from_str(const char *str, struct daos_ace **ace)
{
	const char *f[4];
	size_t l[4];
	char name[DAOS_ACL_MAX_PRINCIPAL_BUF_LEN];
	struct daos_ace *new_ace;
	uint64_t access;
	uint64_t flags;
	uint64_t perms;
	int type;
	int rc;

	if (ace == NULL)
		return -DER_INVAL;
	rc = split_ace(str, f, l);
	if (rc != 0)
		goto bad;
	if (parse_chars(f[0], l[0], access_chars, ARRAY_SIZE(access_chars), &access) != 0 ||
	    access == 0 ||
	    parse_chars(f[1], l[1], flag_chars, ARRAY_SIZE(flag_chars), &flags) != 0 ||
	    parse_chars(f[3], l[3], perm_chars, ARRAY_SIZE(perm_chars), &perms) != 0)
		goto bad;
	if (l[2] == 0 || l[2] > DAOS_ACL_MAX_PRINCIPAL_LEN)
		goto bad;
	memcpy(name, f[2], l[2]);
	name[l[2]] = '\0';

	if (strcmp(name, DAOS_ACL_PRINCIPAL_OWNER) == 0)
		type = DAOS_ACL_OWNER;
	else if (strcmp(name, DAOS_ACL_PRINCIPAL_OWNER_GRP) == 0)
		type = DAOS_ACL_OWNER_GROUP;
	else if (strcmp(name, DAOS_ACL_PRINCIPAL_EVERYONE) == 0)
		type = DAOS_ACL_EVERYONE;
	else
		type = (flags & DAOS_ACL_FLAG_GROUP) ? DAOS_ACL_GROUP : DAOS_ACL_USER;
	/* The G flag must say what the principal is: GROUP@ needs it, OWNER@ must not have it. */
	if (((flags & DAOS_ACL_FLAG_GROUP) != 0) !=
	    (type == DAOS_ACL_GROUP || type == DAOS_ACL_OWNER_GROUP))
		goto bad;

	new_ace = daos_ace_create(type, name);
	if (new_ace == NULL) {
		/* Only a bad name makes creation fail for a valid type, short of memory. */
		if ((type == DAOS_ACL_USER || type == DAOS_ACL_GROUP) &&
		    !daos_acl_principal_is_valid(name))
			goto bad;
		return -DER_NOMEM;
	}
	new_ace->dae_access_types = access;
	new_ace->dae_access_flags = flags;
	if (access & DAOS_ACL_ACCESS_ALLOW)
		new_ace->dae_allow_perms = perms;
	if (access & DAOS_ACL_ACCESS_AUDIT)
		new_ace->dae_audit_perms = perms;
	if (access & DAOS_ACL_ACCESS_ALARM)
		new_ace->dae_alarm_perms = perms;
	if (!daos_ace_is_valid(new_ace)) {
		daos_ace_free(new_ace);
		goto bad;
	}
	*ace = new_ace;
	return 0;
bad:
	D_ERROR("invalid ACE string \"%.*s\"\n", DAOS_ACL_MAX_ACE_STR_LEN,
		str == NULL ? "(null)" : str);
	return -DER_INVAL;
}

/* The single permission set of an ACE, or -DER_INVAL if its access types disagree. */
static int
ace_uniform_perms(struct daos_ace *ace, uint64_t *perms)
{
	bool have = false;
	uint64_t p = 0;
	size_t i;

	const uint64_t vals[] = {ace->dae_allow_perms, ace->dae_audit_perms, ace->dae_alarm_perms};

	for (i = 0; i < ARRAY_SIZE(access_chars); i++) {
		if (!(ace->dae_access_types & access_chars[i].cb_bit))
			continue;
		if (have && vals[i] != p)
			return -DER_INVAL;
		p = vals[i];
		have = true;
	}
	*perms = p;
	return 0;
}

int
daos_ace_to_str(struct daos_ace *ace, char *buf, size_t buf_len)
{
	char access[8];
	char flags[8];
	char perms[16];
	uint64_t p;
	int n;

	if (ace == NULL || buf == NULL || buf_len == 0 || !daos_ace_is_valid(ace))
		return -DER_INVAL;
	if (ace_uniform_perms(ace, &p) != 0)
		return -DER_INVAL;
	put_chars(access, ace->dae_access_types, access_chars, ARRAY_SIZE(access_chars));
	put_chars(flags, ace->dae_access_flags, flag_chars, ARRAY_SIZE(flag_chars));
	put_chars(perms, p, perm_chars, ARRAY_SIZE(perm_chars));
	n = snprintf(buf, buf_len, "%s:%s:%s:%s", access, flags, daos_ace_get_principal_str(ace),
		     perms);
	if (n < 0)
		return -DER_INVAL;
	if ((size_t)n >= buf_len)
		return -DER_TRUNC;
	return 0;
}

/* Append the words of the bits set, joined by \a sep; returns -DER_TRUNC if it does not fit. */
static int
put_words(char *buf, size_t len, size_t *off, uint64_t bits, const struct char_bit *tab, size_t nr,
	  const char *sep, const char *none)
{
	bool first = true;
	size_t j;
	int n;

	for (j = 0; j < nr; j++) {
		if (!(bits & tab[j].cb_bit))
			continue;
		n = snprintf(buf + *off, len - *off, "%s%s", first ? "" : sep, tab[j].cb_word);
		if (n < 0 || (size_t)n >= len - *off)
			return -DER_TRUNC;
		*off += n;
		first = false;
	}
	if (first && none != NULL) {
		n = snprintf(buf + *off, len - *off, "%s", none);
		if (n < 0 || (size_t)n >= len - *off)
			return -DER_TRUNC;
		*off += n;
	}
	return 0;
}

static int
put_str(char *buf, size_t len, size_t *off, const char *s)
{
	int n = snprintf(buf + *off, len - *off, "%s", s);

	if (n < 0 || (size_t)n >= len - *off)
		return -DER_TRUNC;
	*off += n;
	return 0;
}

int
daos_ace_str_get_verbose(const char *ace_str, char *buf, size_t buf_len)
{
	struct daos_ace *ace = NULL;
	const char *who;
	uint64_t perms;
	size_t off = 0;
	int rc;

	if (buf == NULL || buf_len == 0)
		return -DER_INVAL;
	rc = daos_ace_from_str(ace_str, &ace);
	if (rc != 0)
		return rc;
	ace_uniform_perms(ace, &perms);
	switch (ace->dae_principal_type) {
	case DAOS_ACL_OWNER:
		who = "Owner";
		break;
	case DAOS_ACL_OWNER_GROUP:
		who = "Owner-Group";
		break;
	case DAOS_ACL_EVERYONE:
		who = "Everyone";
		break;
	default:
		who = ace->dae_principal;
		break;
	}
	rc = put_words(buf, buf_len, &off, ace->dae_access_types, access_chars,
		       ARRAY_SIZE(access_chars), ",", NULL);
	if (rc == 0)
		rc = put_str(buf, buf_len, &off, ":");
	if (rc == 0)
		rc = put_words(buf, buf_len, &off, ace->dae_access_flags, flag_chars,
			       ARRAY_SIZE(flag_chars), ",", NULL);
	if (rc == 0)
		rc = put_str(buf, buf_len, &off, ":");
	if (rc == 0)
		rc = put_str(buf, buf_len, &off, who);
	if (rc == 0)
		rc = put_str(buf, buf_len, &off, ":");
	if (rc == 0)
		rc = put_words(buf, buf_len, &off, perms, perm_chars, ARRAY_SIZE(perm_chars), "/",
			       "No-Access");
	daos_ace_free(ace);
	return rc;
}

int
daos_acl_from_strs(const char **ace_strs, size_t ace_nr, struct daos_acl **acl)
{
	struct daos_ace **aces;
	struct daos_acl *res;
	size_t i;
	int rc = 0;

	if (acl == NULL || (ace_nr > 0 && ace_strs == NULL))
		return -DER_INVAL;
	/* Each ACE takes at least 32 bytes: more strings than this cannot fit. */
	if (ace_nr > DAOS_ACL_MAX_ACE_LEN / sizeof(struct daos_ace)) {
		D_ERROR("%zu ACEs cannot fit in an ACL\n", ace_nr);
		return -DER_INVAL;
	}
	D_ALLOC_ARRAY(aces, ace_nr == 0 ? 1 : ace_nr);
	if (aces == NULL)
		return -DER_NOMEM;
	for (i = 0; i < ace_nr; i++) {
		rc = daos_ace_from_str(ace_strs[i], &aces[i]);
		if (rc != 0)
			goto out;
	}
	res = daos_acl_create(aces, (uint16_t)ace_nr);
	if (res == NULL)
		D_GOTO(out, rc = -DER_INVAL);
	if (daos_acl_validate(res) != 0) {
		daos_acl_free(res);
		D_GOTO(out, rc = -DER_INVAL);
	}
	*acl = res;
out:
	while (i-- > 0)
		daos_ace_free(aces[i]);
	D_FREE(aces);
	return rc;
}

int
daos_acl_to_strs(struct daos_acl *acl, char ***ace_strs, size_t *ace_nr)
{
	struct daos_ace *ace;
	char **strs;
	char buf[DAOS_ACL_MAX_ACE_STR_LEN + 1];
	size_t nr = 0;
	size_t i = 0;
	int rc = 0;

	if (acl == NULL || ace_strs == NULL || ace_nr == NULL || daos_acl_validate(acl) != 0)
		return -DER_INVAL;
	for (ace = daos_acl_get_next_ace(acl, NULL); ace != NULL;
	     ace = daos_acl_get_next_ace(acl, ace))
		nr++;
	D_ALLOC_ARRAY(strs, nr == 0 ? 1 : nr);
	if (strs == NULL)
		return -DER_NOMEM;
	for (ace = daos_acl_get_next_ace(acl, NULL); ace != NULL;
	     ace = daos_acl_get_next_ace(acl, ace), i++) {
		rc = daos_ace_to_str(ace, buf, sizeof(buf));
		if (rc != 0)
			goto err;
		D_STRNDUP(strs[i], buf, sizeof(buf));
		if (strs[i] == NULL)
			D_GOTO(err, rc = -DER_NOMEM);
	}
	*ace_strs = strs;
	*ace_nr = nr;
	return 0;
err:
	while (i-- > 0)
		D_FREE(strs[i]);
	D_FREE(strs);
	return rc;
}

int
daos_acl_principal_from_str(const char *principal_str, enum daos_acl_principal_type *type,
			    char **name)
{
	const char *p = principal_str;

	if (principal_str == NULL || type == NULL || name == NULL)
		return -DER_INVAL;
	*name = NULL;
	if (strcmp(p, DAOS_ACL_PRINCIPAL_OWNER) == 0) {
		*type = DAOS_ACL_OWNER;
		return 0;
	}
	if (strcmp(p, DAOS_ACL_PRINCIPAL_OWNER_GRP) == 0) {
		*type = DAOS_ACL_OWNER_GROUP;
		return 0;
	}
	if (strcmp(p, DAOS_ACL_PRINCIPAL_EVERYONE) == 0) {
		*type = DAOS_ACL_EVERYONE;
		return 0;
	}
	if (strncmp(p, "u:", 2) == 0)
		*type = DAOS_ACL_USER;
	else if (strncmp(p, "g:", 2) == 0)
		*type = DAOS_ACL_GROUP;
	else
		return -DER_INVAL;
	p += 2;
	if (!daos_acl_principal_is_valid(p))
		return -DER_INVAL;
	D_STRNDUP(*name, p, DAOS_ACL_MAX_PRINCIPAL_LEN);
	return *name == NULL ? -DER_NOMEM : 0;
}

static int
name_to_principal(const char *local, char **name)
{
	size_t len = strlen(local);

	/* "name@" must fit the principal limit. */
	if (len == 0 || len + 1 > DAOS_ACL_MAX_PRINCIPAL_LEN)
		return -DER_INVAL;
	D_ASPRINTF(*name, "%s@", local);
	return *name == NULL ? -DER_NOMEM : 0;
}

/* Buffer size for the reentrant passwd/group lookups. */
static long
pw_buf_size(int which)
{
	long size = sysconf(which);

	return size > 0 ? size : 16384;
}

int
daos_acl_uid_to_principal(uid_t uid, char **name)
{
	struct passwd pw;
	struct passwd *res = NULL;
	char *buf;
	long size = pw_buf_size(_SC_GETPW_R_SIZE_MAX);
	int rc;

	if (name == NULL)
		return -DER_INVAL;
	D_ALLOC(buf, size);
	if (buf == NULL)
		return -DER_NOMEM;
	rc = getpwuid_r(uid, &pw, buf, size, &res);
	if (rc != 0 || res == NULL) {
		D_FREE(buf);
		return rc == ENOMEM ? -DER_NOMEM : -DER_NONEXIST;
	}
	rc = name_to_principal(pw.pw_name, name);
	D_FREE(buf);
	return rc;
}

int
daos_acl_gid_to_principal(gid_t gid, char **name)
{
	struct group gr;
	struct group *res = NULL;
	char *buf;
	long size = pw_buf_size(_SC_GETGR_R_SIZE_MAX);
	int rc;

	if (name == NULL)
		return -DER_INVAL;
	D_ALLOC(buf, size);
	if (buf == NULL)
		return -DER_NOMEM;
	rc = getgrgid_r(gid, &gr, buf, size, &res);
	if (rc != 0 || res == NULL) {
		D_FREE(buf);
		return rc == ENOMEM ? -DER_NOMEM : -DER_NONEXIST;
	}
	rc = name_to_principal(gr.gr_name, name);
	D_FREE(buf);
	return rc;
}

/* The local name of "name@[domain]"; the domain is not interpreted. */
static int
principal_local_name(const char *principal, char *out, size_t out_len)
{
	const char *at;

	if (!daos_acl_principal_is_valid(principal))
		return -DER_INVAL;
	at = strchr(principal, '@');
	if ((size_t)(at - principal) >= out_len)
		return -DER_INVAL;
	memcpy(out, principal, at - principal);
	out[at - principal] = '\0';
	return 0;
}

int
daos_acl_principal_to_uid(const char *principal, uid_t *uid)
{
	char local[DAOS_ACL_MAX_PRINCIPAL_BUF_LEN];
	struct passwd pw;
	struct passwd *res = NULL;
	char *buf;
	long size = pw_buf_size(_SC_GETPW_R_SIZE_MAX);
	int rc;

	if (uid == NULL || principal_local_name(principal, local, sizeof(local)) != 0)
		return -DER_INVAL;
	D_ALLOC(buf, size);
	if (buf == NULL)
		return -DER_NOMEM;
	rc = getpwnam_r(local, &pw, buf, size, &res);
	if (rc == 0 && res != NULL)
		*uid = pw.pw_uid;
	D_FREE(buf);
	if (rc == ENOMEM)
		return -DER_NOMEM;
	return (rc == 0 && res != NULL) ? 0 : -DER_NONEXIST;
}

int
daos_acl_principal_to_gid(const char *principal, gid_t *gid)
{
	char local[DAOS_ACL_MAX_PRINCIPAL_BUF_LEN];
	struct group gr;
	struct group *res = NULL;
	char *buf;
	long size = pw_buf_size(_SC_GETGR_R_SIZE_MAX);
	int rc;

	if (gid == NULL || principal_local_name(principal, local, sizeof(local)) != 0)
		return -DER_INVAL;
	D_ALLOC(buf, size);
	if (buf == NULL)
		return -DER_NOMEM;
	rc = getgrnam_r(local, &gr, buf, size, &res);
	if (rc == 0 && res != NULL)
		*gid = gr.gr_gid;
	D_FREE(buf);
	if (rc == ENOMEM)
		return -DER_NOMEM;
	return (rc == 0 && res != NULL) ? 0 : -DER_NONEXIST;
}

int
daos_acl_to_stream(FILE *stream, struct daos_acl *acl, bool verbose)
{
	char **strs = NULL;
	char verb[512];
	size_t nr = 0;
	size_t i;
	int rc;

	if (stream == NULL)
		return -DER_INVAL;
	rc = daos_acl_to_strs(acl, &strs, &nr);
	if (rc != 0)
		return rc;
	if (fprintf(stream, "# Entries:\n") < 0)
		rc = -DER_IO;
	if (rc == 0 && nr == 0 && fprintf(stream, "#   None\n") < 0)
		rc = -DER_IO;
	for (i = 0; i < nr && rc == 0; i++) {
		if (verbose && daos_ace_str_get_verbose(strs[i], verb, sizeof(verb)) == 0 &&
		    fprintf(stream, "# %s\n", verb) < 0)
			rc = -DER_IO;
		if (rc == 0 && fprintf(stream, "%s\n", strs[i]) < 0)
			rc = -DER_IO;
	}
	for (i = 0; i < nr; i++)
		D_FREE(strs[i]);
	D_FREE(strs);
	return rc;
}
