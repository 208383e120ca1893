/**
 * Access decisions shared by the pool and container services and the
 * client's daos_pool_get_perms()/daos_cont_get_perms() (internal to pdaos).
 */
#ifndef __DAOS_INTERNAL_SECURITY_H__
#define __DAOS_INTERNAL_SECURITY_H__

#include <sys/types.h>
#include <daos_security.h>

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * Permissions an ACL grants a caller, by DAOS's rules, the caller being
 * named by principals ("name@"):
 *   1. the owner gets the OWNER@ entry, if there is one;
 *   2. else a named-user entry for \a user;
 *   3. else the union of GROUP@ (if the caller is in \a owner_group) and of
 *      every named-group entry of the caller's groups (\a group and
 *      \a groups), if any of them matched;
 *   4. else EVERYONE@;
 *   5. else nothing.
 * Only "allow" permissions count. Any principal argument may be NULL.
 *
 * \return 0 (\a perms set), -DER_INVAL (bad ACL or arguments)
 */
int daos_acl_get_perms(struct daos_acl *acl, const char *owner, const char *owner_group,
		       const char *user, const char *group, const char *const *groups,
		       size_t ngroups, uint64_t *perms);

/**
 * As daos_acl_get_perms() for a local credential: \a uid, primary \a gid and
 * supplementary \a gids are mapped to principals with the local user and
 * group databases (ids without a name only match EVERYONE@).
 *
 * \return 0, -DER_INVAL, -DER_NOMEM
 */
int daos_acl_get_perms_ids(struct daos_acl *acl, const char *owner, const char *owner_group,
			   uid_t uid, gid_t gid, const gid_t *gids, size_t ngids, uint64_t *perms);

/** New default ACL of a pool (owner and owner-group: read/write), or NULL. */
struct daos_acl *daos_acl_default_pool(void);

/** New default ACL of a container (owner: everything; owner-group: rwtT), or NULL. */
struct daos_acl *daos_acl_default_cont(void);

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_INTERNAL_SECURITY_H__ */
