/* ACEs and ACLs (daos_security.h), access decisions and default ACLs (daos/security.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>
#include <pwd.h>
#include <grp.h>
#include <daos/common.h>
#include <daos/prop.h>
#include <daos/security.h>
#include <daos.h>

static struct daos_acl *
acl_of(const char **strs, size_t nr)
{
	struct daos_acl *acl = NULL;

	assert_int_equal(daos_acl_from_strs(strs, nr, &acl), 0);
	assert_non_null(acl);
	return acl;
}

static void
test_ace_create(void **state)
{
	struct daos_ace *ace;
	char name[DAOS_ACL_MAX_PRINCIPAL_LEN + 2];

	ace = daos_ace_create(DAOS_ACL_OWNER, NULL);
	assert_non_null(ace);
	assert_int_equal(daos_ace_get_size(ace), sizeof(struct daos_ace));
	/* no access type yet: not a valid ACE */
	assert_false(daos_ace_is_valid(ace));
	ace->dae_access_types = DAOS_ACL_ACCESS_ALLOW;
	ace->dae_allow_perms = DAOS_ACL_PERM_READ;
	assert_true(daos_ace_is_valid(ace));
	/* a permission for an access type that is not set */
	ace->dae_audit_perms = DAOS_ACL_PERM_READ;
	assert_false(daos_ace_is_valid(ace));
	ace->dae_audit_perms = 0;
	ace->dae_allow_perms = 1ULL << 40;
	assert_false(daos_ace_is_valid(ace));
	daos_ace_free(ace);

	ace = daos_ace_create(DAOS_ACL_USER, "alice@");
	assert_non_null(ace);
	/* name and NUL rounded up to 8 */
	assert_int_equal(ace->dae_principal_len, 8);
	assert_string_equal(ace->dae_principal, "alice@");
	assert_string_equal(daos_ace_get_principal_str(ace), "alice@");
	daos_ace_free(ace);

	ace = daos_ace_create(DAOS_ACL_GROUP, "staff@example.com");
	assert_non_null(ace);
	assert_true(ace->dae_access_flags & DAOS_ACL_FLAG_GROUP);
	daos_ace_free(ace);

	assert_null(daos_ace_create(DAOS_ACL_USER, NULL));
	assert_null(daos_ace_create(DAOS_ACL_USER, "noat"));
	assert_null(daos_ace_create(DAOS_ACL_USER, "@nouser"));
	assert_null(daos_ace_create(DAOS_ACL_USER, "two@at@"));
	assert_null(daos_ace_create(DAOS_ACL_USER, "sp ace@"));
	assert_null(daos_ace_create(NUM_DAOS_ACL_TYPES, "a@"));
	memset(name, 'a', sizeof(name));
	name[DAOS_ACL_MAX_PRINCIPAL_LEN] = '\0';
	name[DAOS_ACL_MAX_PRINCIPAL_LEN - 1] = '@';
	ace = daos_ace_create(DAOS_ACL_USER, name);
	assert_non_null(ace);
	daos_ace_free(ace);
	name[DAOS_ACL_MAX_PRINCIPAL_LEN] = '@';
	name[DAOS_ACL_MAX_PRINCIPAL_LEN - 1] = 'a';
	name[DAOS_ACL_MAX_PRINCIPAL_LEN + 1] = '\0';
	assert_null(daos_ace_create(DAOS_ACL_USER, name));
	assert_int_equal(daos_ace_get_size(NULL), -DER_INVAL);
	daos_ace_free(NULL);
}

static void
test_ace_str(void **state)
{
	static const char *round[] = {
		"A::OWNER@:rw",  "A:G:GROUP@:rwtT", "A::EVERYONE@:r", "A::alice@:rwcdtTaAo",
		"A:G:staff@:rw", "AU:F:bob@:r",     "L:S:OWNER@:w",   "AUL:GSF:ops@lab:rwd",
		"A::nobody@:",   "A:P:OWNER@:rw",
	};
	static const char *bad[] = {
		"",
		"A:OWNER@:rw",
		"A::OWNER@:rw:x",
		"X::OWNER@:rw",
		":::rw",
		"A::OWNER@:rz",
		"A::OWNER@:rr",
		"AA::OWNER@:r",
		"A:Q:OWNER@:r",
		"A::GROUP@:rw",
		"A:G:OWNER@:rw",
		"A::alice:rw",
		"A:::rw",
		"U::OWNER@:r",
		"A:S:OWNER@:r",
		"A::al ice@:r",
		NULL,
	};
	struct daos_ace *ace;
	char buf[DAOS_ACL_MAX_ACE_STR_LEN + 1];
	char big[DAOS_ACL_MAX_ACE_STR_LEN + 64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(round); i++) {
		assert_int_equal(daos_ace_from_str(round[i], &ace), 0);
		assert_int_equal(daos_ace_to_str(ace, buf, sizeof(buf)), 0);
		assert_string_equal(buf, round[i]);
		daos_ace_free(ace);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ace = NULL;
		assert_int_equal(daos_ace_from_str(bad[i], &ace), -DER_INVAL);
		assert_null(ace);
	}
	memset(big, 'a', sizeof(big));
	memcpy(big, "A::", 3);
	strcpy(big + sizeof(big) - 6, "@:rw");
	assert_int_equal(daos_ace_from_str(big, &ace), -DER_INVAL);

	/* parsed named-group ACE is of type GROUP */
	assert_int_equal(daos_ace_from_str("A:G:staff@:r", &ace), 0);
	assert_int_equal(ace->dae_principal_type, DAOS_ACL_GROUP);
	/* buffer too small */
	assert_int_equal(daos_ace_to_str(ace, buf, 4), -DER_TRUNC);
	/* different permissions per access type cannot be one string */
	ace->dae_access_types |= DAOS_ACL_ACCESS_AUDIT;
	ace->dae_access_flags |= DAOS_ACL_FLAG_ACCESS_FAIL;
	ace->dae_audit_perms = DAOS_ACL_PERM_WRITE;
	assert_true(daos_ace_is_valid(ace));
	assert_int_equal(daos_ace_to_str(ace, buf, sizeof(buf)), -DER_INVAL);
	daos_ace_free(ace);

	assert_int_equal(daos_ace_str_get_verbose("A::OWNER@:rw", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "Allow::Owner:Read/Write");
	assert_int_equal(daos_ace_str_get_verbose("AU:GF:staff@:tT", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "Allow,Audit:Group,Access-Failure:staff@:Get-Prop/Set-Prop");
	assert_int_equal(daos_ace_str_get_verbose("A::EVERYONE@:", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "Allow::Everyone:No-Access");
	assert_int_equal(daos_ace_str_get_verbose("bogus", buf, sizeof(buf)), -DER_INVAL);
	assert_int_equal(daos_ace_str_get_verbose("A::OWNER@:rw", buf, 8), -DER_TRUNC);
}

static void
test_acl_create_order(void **state)
{
	struct daos_ace *aces[5];
	struct daos_ace *ace;
	struct daos_ace *dup;
	struct daos_acl *acl;
	struct daos_acl *copy;
	int expect[] = {DAOS_ACL_OWNER, DAOS_ACL_USER, DAOS_ACL_OWNER_GROUP, DAOS_ACL_GROUP,
			DAOS_ACL_EVERYONE};
	int i;

	/* given in reverse order, stored in DAOS's order */
	assert_int_equal(daos_ace_from_str("A::EVERYONE@:r", &aces[0]), 0);
	assert_int_equal(daos_ace_from_str("A:G:staff@:rw", &aces[1]), 0);
	assert_int_equal(daos_ace_from_str("A:G:GROUP@:rw", &aces[2]), 0);
	assert_int_equal(daos_ace_from_str("A::alice@:rw", &aces[3]), 0);
	assert_int_equal(daos_ace_from_str("A::OWNER@:rw", &aces[4]), 0);
	acl = daos_acl_create(aces, 5);
	assert_non_null(acl);
	assert_int_equal(daos_acl_validate(acl), 0);
	for (i = 0, ace = daos_acl_get_next_ace(acl, NULL); ace != NULL;
	     ace = daos_acl_get_next_ace(acl, ace), i++)
		assert_int_equal(ace->dae_principal_type, expect[i]);
	assert_int_equal(i, 5);

	copy = daos_acl_dup(acl);
	assert_non_null(copy);
	assert_int_equal(daos_acl_get_size(copy), daos_acl_get_size(acl));
	assert_memory_equal(copy, acl, daos_acl_get_size(acl));
	daos_acl_free(copy);

	assert_int_equal(daos_acl_get_ace_for_principal(acl, DAOS_ACL_USER, "alice@", &ace), 0);
	assert_string_equal(ace->dae_principal, "alice@");
	assert_int_equal(daos_acl_get_ace_for_principal(acl, DAOS_ACL_USER, "bob@", &ace),
			 -DER_NONEXIST);
	assert_int_equal(daos_acl_get_ace_for_principal(acl, DAOS_ACL_USER, "bad", &ace),
			 -DER_INVAL);
	assert_int_equal(daos_acl_get_ace_for_principal(acl, DAOS_ACL_EVERYONE, NULL, &ace), 0);
	daos_acl_free(acl);

	/* duplicate principals are refused */
	assert_int_equal(daos_ace_from_str("A::alice@:r", &dup), 0);
	{
		struct daos_ace *pair[2] = {dup, aces[3]};

		assert_null(daos_acl_create(pair, 2));
	}
	daos_ace_free(dup);
	for (i = 0; i < 5; i++)
		daos_ace_free(aces[i]);

	/* empty ACL */
	acl = daos_acl_create(NULL, 0);
	assert_non_null(acl);
	assert_int_equal(acl->dal_len, 0);
	assert_null(daos_acl_get_next_ace(acl, NULL));
	assert_int_equal(daos_acl_validate(acl), 0);
	daos_acl_free(acl);
	daos_acl_free(NULL);
	assert_null(daos_acl_dup(NULL));
	assert_int_equal(daos_acl_get_size(NULL), -DER_INVAL);
}

static void
test_acl_add_remove(void **state)
{
	const char *strs[] = {"A::OWNER@:rw", "A::EVERYONE@:r"};
	struct daos_acl *acl = acl_of(strs, 2);
	struct daos_ace *ace;
	char **out;
	size_t nr;
	size_t i;

	assert_int_equal(daos_ace_from_str("A:G:staff@:rw", &ace), 0);
	assert_int_equal(daos_acl_add_ace(&acl, ace), 0);
	daos_ace_free(ace);
	assert_int_equal(daos_ace_from_str("A::bob@:r", &ace), 0);
	assert_int_equal(daos_acl_add_ace(&acl, ace), 0);
	daos_ace_free(ace);
	/* replacing an existing principal keeps one entry */
	assert_int_equal(daos_ace_from_str("A::OWNER@:rwdtTaAo", &ace), 0);
	assert_int_equal(daos_acl_add_ace(&acl, ace), 0);
	daos_ace_free(ace);
	assert_int_equal(daos_acl_validate(acl), 0);

	assert_int_equal(daos_acl_to_strs(acl, &out, &nr), 0);
	assert_int_equal(nr, 4);
	assert_string_equal(out[0], "A::OWNER@:rwdtTaAo");
	assert_string_equal(out[1], "A::bob@:r");
	assert_string_equal(out[2], "A:G:staff@:rw");
	assert_string_equal(out[3], "A::EVERYONE@:r");
	for (i = 0; i < nr; i++)
		free(out[i]);
	free(out);

	assert_int_equal(daos_acl_remove_ace(&acl, DAOS_ACL_GROUP, "staff@"), 0);
	assert_int_equal(daos_acl_remove_ace(&acl, DAOS_ACL_GROUP, "staff@"), -DER_NONEXIST);
	assert_int_equal(daos_acl_remove_ace(&acl, DAOS_ACL_OWNER, NULL), 0);
	assert_int_equal(daos_acl_remove_ace(&acl, DAOS_ACL_USER, NULL), -DER_INVAL);
	assert_int_equal(daos_acl_validate(acl), 0);
	assert_int_equal(daos_acl_to_strs(acl, &out, &nr), 0);
	assert_int_equal(nr, 2);
	assert_string_equal(out[0], "A::bob@:r");
	assert_string_equal(out[1], "A::EVERYONE@:r");
	for (i = 0; i < nr; i++)
		free(out[i]);
	free(out);
	/* a blank ACE (no access type yet) is refused */
	ace = daos_ace_create(DAOS_ACL_USER, "zed@");
	assert_non_null(ace);
	assert_int_equal(daos_acl_add_ace(&acl, ace), -DER_INVAL);
	daos_ace_free(ace);
	assert_int_equal(daos_acl_add_ace(&acl, NULL), -DER_INVAL);
	assert_int_equal(daos_acl_add_ace(NULL, NULL), -DER_INVAL);
	daos_acl_free(acl);
}

static void
test_acl_strs_bad(void **state)
{
	const char *dup[] = {"A::OWNER@:rw", "A::OWNER@:r"};
	const char *bad[] = {"A::OWNER@:rw", "junk"};
	const char **many;
	char name[64];
	char **names;
	struct daos_acl *acl = NULL;
	size_t nr;
	size_t i;

	assert_int_equal(daos_acl_from_strs(dup, 2, &acl), -DER_INVAL);
	assert_int_equal(daos_acl_from_strs(bad, 2, &acl), -DER_INVAL);
	assert_null(acl);
	assert_int_equal(daos_acl_from_strs(NULL, 1, &acl), -DER_INVAL);

	/* an ACL larger than DAOS_ACL_MAX_ACE_LEN is refused */
	nr = DAOS_ACL_MAX_ACE_LEN / (sizeof(struct daos_ace) + 16) + 8;
	many = calloc(nr, sizeof(*many));
	names = calloc(nr, sizeof(*names));
	assert_non_null(many);
	assert_non_null(names);
	for (i = 0; i < nr; i++) {
		snprintf(name, sizeof(name), "A::user%06zu@:r", i);
		names[i] = strdup(name);
		many[i] = names[i];
	}
	assert_int_equal(daos_acl_from_strs(many, nr, &acl), -DER_INVAL);
	assert_null(acl);
	/* but just under the limit works */
	assert_int_equal(daos_acl_from_strs(many, DAOS_ACL_MAX_ACE_LEN / 48, &acl), 0);
	assert_int_equal(daos_acl_validate(acl), 0);
	daos_acl_free(acl);
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	free(many);
}

static void
test_acl_validate(void **state)
{
	const char *strs[] = {"A::OWNER@:rw", "A::alice@:r", "A:G:GROUP@:rw"};
	struct daos_acl *acl = acl_of(strs, 3);
	struct daos_acl *bad;
	struct daos_ace *ace;

	assert_int_equal(daos_acl_validate(acl), 0);
	assert_int_equal(daos_acl_pool_validate(acl), 0);
	assert_int_equal(daos_acl_cont_validate(acl), 0);
	assert_int_equal(daos_acl_validate(NULL), -DER_INVAL);

	bad = daos_acl_dup(acl);
	bad->dal_ver = 2;
	assert_int_equal(daos_acl_validate(bad), -DER_INVAL);
	bad->dal_ver = DAOS_ACL_VERSION;
	bad->dal_len -= 8;
	assert_int_equal(daos_acl_validate(bad), -DER_INVAL);
	bad->dal_len += 4;
	assert_int_equal(daos_acl_validate(bad), -DER_INVAL);
	bad->dal_len = acl->dal_len;
	/* out of order: make the owner entry a named group's slot */
	ace = (struct daos_ace *)bad->dal_ace;
	ace->dae_principal_type = DAOS_ACL_EVERYONE;
	assert_int_equal(daos_acl_validate(bad), -DER_INVAL);
	ace->dae_principal_type = DAOS_ACL_OWNER;
	/* principal without its NUL */
	ace = daos_acl_get_next_ace(bad, ace);
	memset(ace->dae_principal, 'x', ace->dae_principal_len);
	assert_int_equal(daos_acl_validate(bad), -DER_INVAL);
	daos_acl_free(bad);

	/* set-prop permission is valid in a container ACL only */
	{
		const char *c[] = {"A::OWNER@:rwT"};
		const char *p[] = {"A::OWNER@:rwc"};
		struct daos_acl *ca = acl_of(c, 1);
		struct daos_acl *pa = acl_of(p, 1);

		assert_int_equal(daos_acl_cont_validate(ca), 0);
		assert_int_equal(daos_acl_pool_validate(ca), -DER_INVAL);
		assert_int_equal(daos_acl_pool_validate(pa), 0);
		assert_int_equal(daos_acl_cont_validate(pa), -DER_INVAL);
		daos_acl_free(ca);
		daos_acl_free(pa);
	}
	daos_acl_free(acl);
}

static void
test_principals(void **state)
{
	enum daos_acl_principal_type type;
	char *name = NULL;
	uid_t uid;
	gid_t gid;
	struct passwd *pw;
	struct group *gr;

	assert_int_equal(daos_acl_principal_from_str("OWNER@", &type, &name), 0);
	assert_int_equal(type, DAOS_ACL_OWNER);
	assert_null(name);
	assert_int_equal(daos_acl_principal_from_str("GROUP@", &type, &name), 0);
	assert_int_equal(type, DAOS_ACL_OWNER_GROUP);
	assert_int_equal(daos_acl_principal_from_str("EVERYONE@", &type, &name), 0);
	assert_int_equal(type, DAOS_ACL_EVERYONE);
	assert_int_equal(daos_acl_principal_from_str("u:alice@", &type, &name), 0);
	assert_int_equal(type, DAOS_ACL_USER);
	assert_string_equal(name, "alice@");
	free(name);
	assert_int_equal(daos_acl_principal_from_str("g:staff@dom", &type, &name), 0);
	assert_int_equal(type, DAOS_ACL_GROUP);
	assert_string_equal(name, "staff@dom");
	free(name);
	assert_int_equal(daos_acl_principal_from_str("alice@", &type, &name), -DER_INVAL);
	assert_int_equal(daos_acl_principal_from_str("u:alice", &type, &name), -DER_INVAL);
	assert_int_equal(daos_acl_principal_from_str(NULL, &type, &name), -DER_INVAL);

	assert_true(daos_acl_principal_is_valid("a@"));
	assert_true(daos_acl_principal_is_valid("a@b.c"));
	assert_false(daos_acl_principal_is_valid("@"));
	assert_false(daos_acl_principal_is_valid("a:b@"));

	pw = getpwuid(getuid());
	if (pw != NULL) {
		char expect[512];

		snprintf(expect, sizeof(expect), "%s@", pw->pw_name);
		assert_int_equal(daos_acl_uid_to_principal(getuid(), &name), 0);
		assert_string_equal(name, expect);
		assert_int_equal(daos_acl_principal_to_uid(name, &uid), 0);
		assert_int_equal(uid, getuid());
		free(name);
	}
	gr = getgrgid(getgid());
	if (gr != NULL) {
		assert_int_equal(daos_acl_gid_to_principal(getgid(), &name), 0);
		assert_int_equal(daos_acl_principal_to_gid(name, &gid), 0);
		assert_int_equal(gid, getgid());
		free(name);
	}
	assert_int_equal(daos_acl_uid_to_principal((uid_t)-3, &name), -DER_NONEXIST);
	assert_int_equal(daos_acl_principal_to_uid("no_such_user_pdaos@", &uid), -DER_NONEXIST);
	assert_int_equal(daos_acl_principal_to_gid("no_such_group_pdaos@", &gid), -DER_NONEXIST);
	assert_int_equal(daos_acl_principal_to_uid("bad", &uid), -DER_INVAL);
}

static void
test_acl_stream(void **state)
{
	const char *strs[] = {"A::OWNER@:rw", "A:G:GROUP@:r"};
	struct daos_acl *acl = acl_of(strs, 2);
	struct daos_acl *empty = daos_acl_create(NULL, 0);
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(daos_acl_to_stream(f, acl, true), 0);
	assert_int_equal(daos_acl_to_stream(f, empty, false), 0);
	fclose(f);
	assert_string_equal(text, "# Entries:\n# Allow::Owner:Read/Write\nA::OWNER@:rw\n"
				  "# Allow:Group:Owner-Group:Read\nA:G:GROUP@:r\n"
				  "# Entries:\n#   None\n");
	free(text);
	assert_int_equal(daos_acl_to_stream(NULL, acl, false), -DER_INVAL);
	daos_acl_free(acl);
	daos_acl_free(empty);
}

static void
test_perms(void **state)
{
	const char *strs[] = {"A::OWNER@:rwdtTaAo", "A::bob@:r",  "A:G:GROUP@:rw",
			      "A:G:staff@:t",       "A:G:ops@:d", "A::EVERYONE@:a"};
	const char *no_owner[] = {"A::EVERYONE@:r"};
	struct daos_acl *acl = acl_of(strs, 6);
	struct daos_acl *acl2 = acl_of(no_owner, 1);
	const char *grps[] = {"ops@", "staff@"};
	uint64_t p;

	/* the owner gets the owner entry only (not the union with groups) */
	assert_int_equal(
		daos_acl_get_perms(acl, "alice@", "devs@", "alice@", "staff@", NULL, 0, &p), 0);
	assert_int_equal(p, DAOS_ACL_PERM_CONT_ALL);
	/* named user before groups */
	assert_int_equal(daos_acl_get_perms(acl, "alice@", "devs@", "bob@", "devs@", NULL, 0, &p),
			 0);
	assert_int_equal(p, DAOS_ACL_PERM_READ);
	/* owner group + named groups: union */
	assert_int_equal(daos_acl_get_perms(acl, "alice@", "devs@", "carol@", "devs@", grps, 2, &p),
			 0);
	assert_int_equal(p, DAOS_ACL_PERM_READ | DAOS_ACL_PERM_WRITE | DAOS_ACL_PERM_GET_PROP |
				    DAOS_ACL_PERM_DEL_CONT);
	/* supplementary group only */
	assert_int_equal(
		daos_acl_get_perms(acl, "alice@", "devs@", "carol@", "x@", grps + 1, 1, &p), 0);
	assert_int_equal(p, DAOS_ACL_PERM_GET_PROP);
	/* nobody else: everyone */
	assert_int_equal(daos_acl_get_perms(acl, "alice@", "devs@", "dan@", "x@", NULL, 0, &p), 0);
	assert_int_equal(p, DAOS_ACL_PERM_GET_ACL);
	/* owner without an owner entry falls through to everyone */
	assert_int_equal(
		daos_acl_get_perms(acl2, "alice@", "devs@", "alice@", "devs@", NULL, 0, &p), 0);
	assert_int_equal(p, DAOS_ACL_PERM_READ);
	daos_acl_free(acl2);
	/* no everyone entry: nothing */
	assert_int_equal(daos_acl_remove_ace(&acl, DAOS_ACL_EVERYONE, NULL), 0);
	assert_int_equal(daos_acl_get_perms(acl, "alice@", "devs@", "dan@", "x@", NULL, 0, &p), 0);
	assert_int_equal(p, 0);
	assert_int_equal(daos_acl_get_perms(NULL, NULL, NULL, NULL, NULL, NULL, 0, &p), -DER_INVAL);
	daos_acl_free(acl);
}

static void
test_perms_ids(void **state)
{
	struct daos_acl *pool_acl = daos_acl_default_pool();
	struct daos_acl *cont_acl = daos_acl_default_cont();
	daos_prop_t *prop;
	char *me = NULL;
	char *grp = NULL;
	gid_t gids[2];
	uint64_t p;

	assert_non_null(pool_acl);
	assert_non_null(cont_acl);
	assert_int_equal(daos_acl_pool_validate(pool_acl), 0);
	assert_int_equal(daos_acl_cont_validate(cont_acl), 0);
	if (daos_acl_uid_to_principal(getuid(), &me) != 0 ||
	    daos_acl_gid_to_principal(getgid(), &grp) != 0) {
		free(me);
		daos_acl_free(pool_acl);
		daos_acl_free(cont_acl);
		skip();
	}

	/* owner of the pool: rw */
	prop = daos_prop_alloc(3);
	prop->dpp_entries[0].dpe_type = DAOS_PROP_PO_ACL;
	prop->dpp_entries[0].dpe_val_ptr = pool_acl;
	prop->dpp_entries[1].dpe_type = DAOS_PROP_PO_OWNER;
	prop->dpp_entries[1].dpe_str = strdup(me);
	prop->dpp_entries[2].dpe_type = DAOS_PROP_PO_OWNER_GROUP;
	prop->dpp_entries[2].dpe_str = strdup("nogroup_pdaos@");
	gids[0] = getgid();
	assert_int_equal(daos_pool_get_perms(prop, getuid(), gids, 1, &p), 0);
	assert_int_equal(p, DAOS_ACL_PERM_READ | DAOS_ACL_PERM_WRITE);
	/* someone else, not in the owner group: nothing */
	free(prop->dpp_entries[1].dpe_str);
	prop->dpp_entries[1].dpe_str = strdup("not_me_pdaos@");
	assert_int_equal(daos_pool_get_perms(prop, getuid(), gids, 1, &p), 0);
	assert_int_equal(p, 0);
	/* ... but in the owner group via a supplementary gid */
	free(prop->dpp_entries[2].dpe_str);
	prop->dpp_entries[2].dpe_str = strdup(grp);
	gids[0] = (gid_t)-5;
	gids[1] = getgid();
	assert_int_equal(daos_pool_get_perms(prop, getuid(), gids, 2, &p), 0);
	assert_int_equal(p, DAOS_ACL_PERM_READ | DAOS_ACL_PERM_WRITE);
	daos_prop_free(prop);

	/* container defaults: owner everything, owner group rwtT */
	prop = daos_prop_alloc(3);
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_ACL;
	prop->dpp_entries[0].dpe_val_ptr = cont_acl;
	prop->dpp_entries[1].dpe_type = DAOS_PROP_CO_OWNER;
	prop->dpp_entries[1].dpe_str = strdup("not_me_pdaos@");
	prop->dpp_entries[2].dpe_type = DAOS_PROP_CO_OWNER_GROUP;
	prop->dpp_entries[2].dpe_str = strdup(grp);
	gids[0] = getgid();
	assert_int_equal(daos_cont_get_perms(prop, getuid(), gids, 1, &p), 0);
	assert_int_equal(p, DAOS_ACL_PERM_READ | DAOS_ACL_PERM_WRITE | DAOS_ACL_PERM_GET_PROP |
				    DAOS_ACL_PERM_SET_PROP);
	assert_int_equal(daos_pool_get_perms(prop, getuid(), gids, 1, &p), -DER_INVAL);
	daos_prop_free(prop);
	free(me);
	free(grp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ace_create),
		cmocka_unit_test(test_ace_str),
		cmocka_unit_test(test_acl_create_order),
		cmocka_unit_test(test_acl_add_remove),
		cmocka_unit_test(test_acl_strs_bad),
		cmocka_unit_test(test_acl_validate),
		cmocka_unit_test(test_principals),
		cmocka_unit_test(test_acl_stream),
		cmocka_unit_test(test_perms),
		cmocka_unit_test(test_perms_ids),
	};

	return cmocka_run_group_tests_name("common_acl", tests, NULL, NULL);
}
