/**
 * Access decisions (daos/security.h) and the default pool and container ACLs.
 */
#define D_LOGFAC DD_FAC(common)

#include <daos/common.h>
#include <daos/prop.h>
#include <daos/security.h>
#include <daos_pool.h>
#include <daos_cont.h>

static bool
name_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static bool
in_groups(const char *name, const char *group, const char *const *groups, size_t ngroups)
{
	size_t i;

	if (name_eq(name, group))
		return true;
	for (i = 0; groups != NULL && i < ngroups; i++) {
		if (name_eq(name, groups[i]))
			return true;
	}
	return false;
}

int
daos_acl_get_perms(struct daos_acl *acl, const char *owner, const char *owner_group,
		   const char *user, const char *group, const char *const *groups, size_t ngroups,
		   uint64_t *perms)
{
	struct daos_ace *ace;
	uint64_t grp_perms = 0;
	bool grp_matched = false;

	if (perms == NULL || daos_acl_validate(acl) != 0)
		return -DER_INVAL;

	if (name_eq(user, owner) &&
	    daos_acl_get_ace_for_principal(acl, DAOS_ACL_OWNER, NULL, &ace) == 0) {
		*perms = ace->dae_allow_perms;
		return 0;
	}
	if (user != NULL && daos_acl_principal_is_valid(user) &&
	    daos_acl_get_ace_for_principal(acl, DAOS_ACL_USER, user, &ace) == 0) {
		*perms = ace->dae_allow_perms;
		return 0;
	}
	for (ace = daos_acl_get_next_ace(acl, NULL); ace != NULL;
	     ace = daos_acl_get_next_ace(acl, ace)) {
		if (ace->dae_principal_type == DAOS_ACL_OWNER_GROUP &&
		    in_groups(owner_group, group, groups, ngroups)) {
			grp_perms |= ace->dae_allow_perms;
			grp_matched = true;
		} else if (ace->dae_principal_type == DAOS_ACL_GROUP &&
			   in_groups(ace->dae_principal, group, groups, ngroups)) {
			grp_perms |= ace->dae_allow_perms;
			grp_matched = true;
		}
	}
	if (grp_matched) {
		*perms = grp_perms;
		return 0;
	}
	if (daos_acl_get_ace_for_principal(acl, DAOS_ACL_EVERYONE, NULL, &ace) == 0) {
		*perms = ace->dae_allow_perms;
		return 0;
	}
	*perms = 0;
	return 0;
}

int
daos_acl_get_perms_ids(struct daos_acl *acl, const char *owner, const char *owner_group, uid_t uid,
		       gid_t gid, const gid_t *gids, size_t ngids, uint64_t *perms)
{
	char *user = NULL;
	char *group = NULL;
	char **names = NULL;
	size_t i;
	int rc;

	if (perms == NULL || (ngids > 0 && gids == NULL) || ngids > 65536)
		return -DER_INVAL;
	/* Ids with no local name can still be granted EVERYONE@. */
	rc = daos_acl_uid_to_principal(uid, &user);
	if (rc == -DER_NOMEM)
		goto out;
	rc = daos_acl_gid_to_principal(gid, &group);
	if (rc == -DER_NOMEM)
		goto out;
	if (ngids > 0) {
		D_ALLOC_ARRAY(names, ngids);
		if (names == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
		for (i = 0; i < ngids; i++) {
			rc = daos_acl_gid_to_principal(gids[i], &names[i]);
			if (rc == -DER_NOMEM)
				goto out;
		}
	}
	rc = daos_acl_get_perms(acl, owner, owner_group, user, group, (const char *const *)names,
				ngids, perms);
out:
	for (i = 0; names != NULL && i < ngids; i++)
		D_FREE(names[i]);
	D_FREE(names);
	D_FREE(user);
	D_FREE(group);
	return rc;
}

static struct daos_acl *
acl_from_two(const char *owner, const char *group)
{
	const char *strs[] = {owner, group};
	struct daos_acl *acl = NULL;

	if (daos_acl_from_strs(strs, 2, &acl) != 0)
		return NULL;
	return acl;
}

struct daos_acl *
daos_acl_default_pool(void)
{
	return acl_from_two(DAOS_POOL_DEFAULT_ACL_OWNER, DAOS_POOL_DEFAULT_ACL_GROUP);
}

struct daos_acl *
daos_acl_default_cont(void)
{
	return acl_from_two(DAOS_CONT_DEFAULT_ACL_OWNER, DAOS_CONT_DEFAULT_ACL_GROUP);
}

static int
prop_get_perms(daos_prop_t *prop, uint32_t acl_type, uint32_t owner_type, uint32_t group_type,
	       uid_t uid, gid_t *gids, size_t nr_gids, uint64_t *perms)
{
	struct daos_prop_entry *acl = daos_prop_entry_get(prop, acl_type);
	struct daos_prop_entry *owner = daos_prop_entry_get(prop, owner_type);
	struct daos_prop_entry *group = daos_prop_entry_get(prop, group_type);

	if (acl == NULL || owner == NULL || group == NULL || acl->dpe_val_ptr == NULL) {
		D_ERROR("property list lacks the ACL, owner or group\n");
		return -DER_INVAL;
	}
	if (nr_gids > 0 && gids == NULL)
		return -DER_INVAL;
	/* The first gid is the primary group; any others are supplementary. */
	return daos_acl_get_perms_ids(acl->dpe_val_ptr, owner->dpe_str, group->dpe_str, uid,
				      nr_gids > 0 ? gids[0] : (gid_t)-1,
				      nr_gids > 1 ? gids + 1 : NULL, nr_gids > 1 ? nr_gids - 1 : 0,
				      perms);
}

int
daos_pool_get_perms(daos_prop_t *pool_prop, uid_t uid, gid_t *gids, size_t nr_gids, uint64_t *perms)
{
	return prop_get_perms(pool_prop, DAOS_PROP_PO_ACL, DAOS_PROP_PO_OWNER,
			      DAOS_PROP_PO_OWNER_GROUP, uid, gids, nr_gids, perms);
}

int
daos_cont_get_perms(daos_prop_t *cont_prop, uid_t uid, gid_t *gids, size_t nr_gids, uint64_t *perms)
{
	return prop_get_perms(cont_prop, DAOS_PROP_CO_ACL, DAOS_PROP_CO_OWNER,
			      DAOS_PROP_CO_OWNER_GROUP, uid, gids, nr_gids, perms);
}
