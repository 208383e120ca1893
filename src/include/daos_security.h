/**
 * Access control: DAOS's Access Control List (ACL) and Access Control Entry
 * (ACE) formats and the functions that build, check, search and print them.
 *
 * An ACL is a header followed by variable-length ACEs, in the order owner,
 * named users, owner-group, named groups, everyone; each principal has at
 * most one ACE. Its string form, used by the CLIs and ACL files, is one ACE
 * per line: <access>:<flags>:<principal>:<perms>, e.g. "A::OWNER@:rw",
 * "A:G:GROUP@:rw", "A::alice@:r", "A:G:staff@:rw", "A::EVERYONE@:r".
 */
#ifndef __DAOS_SECURITY_H__
#define __DAOS_SECURITY_H__

#include <stdio.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** Version of the ACL format */
#define DAOS_ACL_VERSION (1)

/** Longest "name@domain" principal, without the NUL. */
#define DAOS_ACL_MAX_PRINCIPAL_LEN     (255)
#define DAOS_ACL_MAX_PRINCIPAL_BUF_LEN (DAOS_ACL_MAX_PRINCIPAL_LEN + 1)

/** Names of the special principals */
#define DAOS_ACL_PRINCIPAL_OWNER     "OWNER@"
#define DAOS_ACL_PRINCIPAL_OWNER_GRP "GROUP@"
#define DAOS_ACL_PRINCIPAL_EVERYONE  "EVERYONE@"

/** Most bytes of ACEs an ACL may hold (dal_len). */
#define DAOS_ACL_MAX_ACE_LEN (65536)

/** Longest ACE string "<access>:<flags>:<principal>:<perms>". */
#define DAOS_ACL_MAX_ACE_STR_LEN (DAOS_ACL_MAX_PRINCIPAL_LEN + 64)

/** ACL header; the ACEs follow it, each 8-byte aligned. */
struct daos_acl {
	/** format version, DAOS_ACL_VERSION */
	uint16_t dal_ver;
	uint16_t dal_reserv;
	/** bytes of ACEs in dal_ace */
	uint32_t dal_len;
	/** the ACEs (struct daos_ace), back to back */
	uint8_t dal_ace[];
};

/** Whom an ACE is about. OWNER, OWNER_GROUP and EVERYONE carry no name. */
enum daos_acl_principal_type {
	DAOS_ACL_OWNER,
	DAOS_ACL_USER,
	DAOS_ACL_OWNER_GROUP,
	DAOS_ACL_GROUP,
	DAOS_ACL_EVERYONE,

	NUM_DAOS_ACL_TYPES
};

/** What an ACE does with the permissions it lists. */
enum daos_acl_access_type {
	/** grant */
	DAOS_ACL_ACCESS_ALLOW = (1U << 0),
	/** log for review */
	DAOS_ACL_ACCESS_AUDIT = (1U << 1),
	/** notify */
	DAOS_ACL_ACCESS_ALARM = (1U << 2)
};

#define DAOS_ACL_ACCESS_ALL (DAOS_ACL_ACCESS_ALLOW | DAOS_ACL_ACCESS_AUDIT | DAOS_ACL_ACCESS_ALARM)

/** ACE flags */
enum daos_acl_flags {
	/** the principal is a group */
	DAOS_ACL_FLAG_GROUP = (1U << 0),
	/** containers inherit this pool entry */
	DAOS_ACL_FLAG_POOL_INHERIT = (1U << 1),
	/** audit/alarm on failed access */
	DAOS_ACL_FLAG_ACCESS_FAIL = (1U << 2),
	/** audit/alarm on successful access */
	DAOS_ACL_FLAG_ACCESS_SUCCESS = (1U << 3)
};

#define DAOS_ACL_FLAG_ALL                                                               \
	(DAOS_ACL_FLAG_GROUP | DAOS_ACL_FLAG_POOL_INHERIT | DAOS_ACL_FLAG_ACCESS_FAIL | \
	 DAOS_ACL_FLAG_ACCESS_SUCCESS)

/** Permission bits */
enum daos_acl_perm {
	DAOS_ACL_PERM_READ = (1U << 0),
	DAOS_ACL_PERM_WRITE = (1U << 1),
	DAOS_ACL_PERM_CREATE_CONT = (1U << 2),
	DAOS_ACL_PERM_DEL_CONT = (1U << 3),
	DAOS_ACL_PERM_GET_PROP = (1U << 4),
	DAOS_ACL_PERM_SET_PROP = (1U << 5),
	DAOS_ACL_PERM_GET_ACL = (1U << 6),
	DAOS_ACL_PERM_SET_ACL = (1U << 7),
	DAOS_ACL_PERM_SET_OWNER = (1U << 8),
};

/** Permissions meaningful on a pool */
#define DAOS_ACL_PERM_POOL_ALL                                               \
	(DAOS_ACL_PERM_READ | DAOS_ACL_PERM_GET_PROP | DAOS_ACL_PERM_WRITE | \
	 DAOS_ACL_PERM_CREATE_CONT | DAOS_ACL_PERM_DEL_CONT)

/** Permissions meaningful on a container */
#define DAOS_ACL_PERM_CONT_ALL                                                     \
	(DAOS_ACL_PERM_READ | DAOS_ACL_PERM_WRITE | DAOS_ACL_PERM_DEL_CONT |       \
	 DAOS_ACL_PERM_GET_PROP | DAOS_ACL_PERM_SET_PROP | DAOS_ACL_PERM_GET_ACL | \
	 DAOS_ACL_PERM_SET_ACL | DAOS_ACL_PERM_SET_OWNER)

#define DAOS_ACL_PERM_ALL (DAOS_ACL_PERM_POOL_ALL | DAOS_ACL_PERM_CONT_ALL)

/** One principal's entry. Allocated with room for the principal name, 8-byte aligned. */
struct daos_ace {
	/** daos_acl_access_type bits */
	uint8_t dae_access_types;
	/** enum daos_acl_principal_type */
	uint8_t dae_principal_type;
	/** bytes reserved for dae_principal (a multiple of 8, 0 for special principals) */
	uint16_t dae_principal_len;
	/** daos_acl_flags bits */
	uint16_t dae_access_flags;
	uint16_t dae_reserv;
	/** permissions allowed */
	uint64_t dae_allow_perms;
	/** permissions audited */
	uint64_t dae_audit_perms;
	/** permissions alarmed */
	uint64_t dae_alarm_perms;
	/** NUL-terminated "name@[domain]" of a named user or group */
	char dae_principal[];
};

/**
 * New ACL holding copies of \a num_aces ACEs, sorted in DAOS's order. Returns
 * NULL on bad input (invalid or duplicate ACEs, too large) or out of memory.
 */
struct daos_acl *daos_acl_create(struct daos_ace *aces[], uint16_t num_aces);

/** Copy of \a acl, or NULL. */
struct daos_acl *daos_acl_dup(struct daos_acl *acl);

/** Free an ACL. NULL is accepted. */
void daos_acl_free(struct daos_acl *acl);

/** Bytes of \a acl including the header, or -DER_INVAL. */
ssize_t daos_acl_get_size(struct daos_acl *acl);

/** The ACE after \a current_ace (NULL: the first), or NULL at the end. */
struct daos_ace *daos_acl_get_next_ace(struct daos_acl *acl, struct daos_ace *current_ace);

/**
 * Find the ACE of a principal (\a principal is the name for USER/GROUP,
 * ignored otherwise). \a ace points into \a acl.
 *
 * \return 0, -DER_INVAL, -DER_NONEXIST
 */
int daos_acl_get_ace_for_principal(struct daos_acl *acl, enum daos_acl_principal_type type,
				   const char *principal, struct daos_ace **ace);

/**
 * Add \a new_ace to \a *acl at its place in the order, replacing the entry of
 * the same principal if there is one. \a *acl is reallocated.
 *
 * \return 0, -DER_INVAL, -DER_NOMEM
 */
int daos_acl_add_ace(struct daos_acl **acl, struct daos_ace *new_ace);

/**
 * Remove the ACE of a principal from \a *acl (reallocated).
 *
 * \return 0, -DER_INVAL, -DER_NONEXIST, -DER_NOMEM
 */
int daos_acl_remove_ace(struct daos_acl **acl, enum daos_acl_principal_type type,
			const char *principal_name);

/** Print \a acl in a verbose form to stdout (debugging). */
void daos_acl_dump(struct daos_acl *acl);

/**
 * Check the whole ACL: version, sizes, every ACE, order, no duplicates.
 *
 * \return 0 if valid, -DER_INVAL otherwise, -DER_NOMEM
 */
int daos_acl_validate(struct daos_acl *acl);

/** daos_acl_validate() plus: only pool permissions are used. */
int daos_acl_pool_validate(struct daos_acl *acl);

/** daos_acl_validate() plus: only container permissions are used. */
int daos_acl_cont_validate(struct daos_acl *acl);

/**
 * New ACE for a principal; \a principal_name is needed for USER/GROUP (and
 * ignored otherwise). Group types get DAOS_ACL_FLAG_GROUP. NULL on bad input.
 */
struct daos_ace *daos_ace_create(enum daos_acl_principal_type type, const char *principal_name);

/** Free an ACE from daos_ace_create(). NULL is accepted. */
void daos_ace_free(struct daos_ace *ace);

/** Bytes of \a ace including its name, or -DER_INVAL. */
ssize_t daos_ace_get_size(struct daos_ace *ace);

/** Print \a ace verbosely to stdout, indented by \a tabs. */
void daos_ace_dump(struct daos_ace *ace, uint32_t tabs);

/** True if \a ace is well formed. */
bool daos_ace_is_valid(struct daos_ace *ace);

/** True if \a name looks like "name@[domain]" and fits. */
bool daos_acl_principal_is_valid(const char *name);

/**
 * "name@" principal of a local uid / gid, newly allocated.
 *
 * \return 0, -DER_INVAL, -DER_NONEXIST, -DER_NOMEM
 */
int daos_acl_uid_to_principal(uid_t uid, char **name);
int daos_acl_gid_to_principal(gid_t gid, char **name);

/**
 * Local uid / gid of a "name@[domain]" principal.
 *
 * \return 0, -DER_INVAL, -DER_NONEXIST, -DER_NOMEM
 */
int daos_acl_principal_to_uid(const char *principal, uid_t *uid);
int daos_acl_principal_to_gid(const char *principal, gid_t *gid);

/** The principal of \a ace as printed: its name, or OWNER@ / GROUP@ / EVERYONE@. */
const char *daos_ace_get_principal_str(struct daos_ace *ace);

/**
 * Parse "<access>:<flags>:<principal>:<perms>" into a new ACE.
 * access: A (allow), U (audit), L (alarm); flags: G (group), P (pool inherit),
 * S (on success), F (on failure); perms: r w c d t T a A o.
 *
 * \return 0, -DER_INVAL, -DER_NOMEM
 */
int daos_ace_from_str(const char *str, struct daos_ace **ace);

/**
 * Format \a ace into \a buf. An ACE whose access types list different
 * permissions cannot be written as one string and is refused.
 *
 * \return 0, -DER_INVAL, -DER_TRUNC
 */
int daos_ace_to_str(struct daos_ace *ace, char *buf, size_t buf_len);

/**
 * Describe an ACE string in words, e.g. "Allow::Owner:Read/Write".
 *
 * \return 0, -DER_INVAL, -DER_TRUNC
 */
int daos_ace_str_get_verbose(const char *ace_str, char *buf, size_t buf_len);

/**
 * New ACL from \a ace_nr ACE strings. Duplicate principals are refused.
 *
 * \return 0, -DER_INVAL, -DER_NOMEM
 */
int daos_acl_from_strs(const char **ace_strs, size_t ace_nr, struct daos_acl **acl);

/**
 * ACE strings of \a acl: a new array of new strings the caller frees (each,
 * then the array).
 *
 * \return 0, -DER_INVAL, -DER_NOMEM
 */
int daos_acl_to_strs(struct daos_acl *acl, char ***ace_strs, size_t *ace_nr);

/**
 * Parse a principal as the CLIs give it: "u:name@", "g:name@", "OWNER@",
 * "GROUP@" or "EVERYONE@". \a name is allocated for USER/GROUP, else NULL.
 *
 * \return 0, -DER_INVAL, -DER_NOMEM
 */
int daos_acl_principal_from_str(const char *principal_str, enum daos_acl_principal_type *type,
				char **name);

/**
 * Write \a acl to \a stream in the ACL file format (one ACE per line, with a
 * "# verbose" comment per ACE if \a verbose).
 *
 * \return 0, -DER_INVAL, -DER_NOMEM, -DER_IO
 */
int daos_acl_to_stream(FILE *stream, struct daos_acl *acl, bool verbose);

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_SECURITY_H__ */
