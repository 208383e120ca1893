/**
 * Stand-ins for libdaos calls a build may not have yet (the container client
 * API arrives with the container service). The build compiles this file once
 * per function (STUB_<name>) into a static archive linked after libdaos, so a
 * stub is only pulled in when libdaos lacks the real function; it then fails
 * with -DER_NOSYS instead of breaking the link.
 */
#include <daos.h>

#ifdef STUB_daos_cont_open2
int
daos_cont_open2(daos_handle_t poh, const char *cont, unsigned int flags, daos_handle_t *coh,
		daos_cont_info_t *info, daos_event_t *ev)
{
	return -DER_NOSYS;
}
#endif
#ifdef STUB_daos_cont_close
int
daos_cont_close(daos_handle_t coh, daos_event_t *ev)
{
	return -DER_NOSYS;
}
#endif
#ifdef STUB_daos_cont_query
int
daos_cont_query(daos_handle_t coh, daos_cont_info_t *info, daos_prop_t *cont_prop, daos_event_t *ev)
{
	return -DER_NOSYS;
}
#endif
#ifdef STUB_daos_cont_create2
int
daos_cont_create2(daos_handle_t poh, uuid_t *uuid, daos_prop_t *cont_prop, daos_event_t *ev)
{
	return -DER_NOSYS;
}
#endif
#ifdef STUB_daos_cont_create_with_label
int
daos_cont_create_with_label(daos_handle_t poh, const char *label, daos_prop_t *cont_prop,
			    uuid_t *uuid, daos_event_t *ev)
{
	return -DER_NOSYS;
}
#endif
#ifdef STUB_daos_cont_destroy2
int
daos_cont_destroy2(daos_handle_t poh, const char *cont, int force, daos_event_t *ev)
{
	return -DER_NOSYS;
}
#endif
#ifdef STUB_daos_cont_set_prop
int
daos_cont_set_prop(daos_handle_t coh, daos_prop_t *prop, daos_event_t *ev)
{
	return -DER_NOSYS;
}
#endif
#ifdef STUB_daos_cont_list_attr
int
daos_cont_list_attr(daos_handle_t coh, char *buffer, size_t *size, daos_event_t *ev)
{
	return -DER_NOSYS;
}
#endif
#ifdef STUB_daos_cont_get_attr
int
daos_cont_get_attr(daos_handle_t coh, int n, char const *const names[], void *const buffers[],
		   size_t sizes[], daos_event_t *ev)
{
	return -DER_NOSYS;
}
#endif
#ifdef STUB_daos_cont_set_attr
int
daos_cont_set_attr(daos_handle_t coh, int n, char const *const names[], void const *const values[],
		   size_t const sizes[], daos_event_t *ev)
{
	return -DER_NOSYS;
}
#endif
#ifdef STUB_daos_cont_del_attr
int
daos_cont_del_attr(daos_handle_t coh, int n, char const *const names[], daos_event_t *ev)
{
	return -DER_NOSYS;
}
#endif
#ifdef STUB_daos_cont_create_snap_opt
int
daos_cont_create_snap_opt(daos_handle_t coh, daos_epoch_t *epoch, char *name,
			  enum daos_snapshot_opts opts, daos_event_t *ev)
{
	return -DER_NOSYS;
}
#endif
#ifdef STUB_daos_cont_list_snap
int
daos_cont_list_snap(daos_handle_t coh, int *nr, daos_epoch_t *epochs, char **names,
		    daos_anchor_t *anchor, daos_event_t *ev)
{
	return -DER_NOSYS;
}
#endif
#ifdef STUB_daos_cont_destroy_snap
int
daos_cont_destroy_snap(daos_handle_t coh, daos_epoch_range_t epr, daos_event_t *ev)
{
	return -DER_NOSYS;
}
#endif
#ifdef STUB_daos_cont_get_acl
int
daos_cont_get_acl(daos_handle_t coh, daos_prop_t **acl_prop, daos_event_t *ev)
{
	return -DER_NOSYS;
}
#endif
#ifdef STUB_daos_cont_overwrite_acl
int
daos_cont_overwrite_acl(daos_handle_t coh, struct daos_acl *acl, daos_event_t *ev)
{
	return -DER_NOSYS;
}
#endif
#ifdef STUB_daos_cont_update_acl
int
daos_cont_update_acl(daos_handle_t coh, struct daos_acl *acl, daos_event_t *ev)
{
	return -DER_NOSYS;
}
#endif
#ifdef STUB_daos_cont_delete_acl
int
daos_cont_delete_acl(daos_handle_t coh, enum daos_acl_principal_type type, d_string_t name,
		     daos_event_t *ev)
{
	return -DER_NOSYS;
}
#endif
#ifdef STUB_daos_pool_list_cont
int
daos_pool_list_cont(daos_handle_t poh, daos_size_t *ncont, struct daos_pool_cont_info *cbuf,
		    daos_event_t *ev)
{
	return -DER_NOSYS;
}
#endif
