/* Container protocol: generated pack/unpack, the protocol table and the access rules. */
#define D_LOGFAC DD_FAC(container)

#include <gurt/common.h>
#include <daos_prop.h>
#include <daos_security.h>
#include "rpc.h"

CRT_RPC_DEFINE(cont_create, DAOS_ISEQ_CONT_CREATE, DAOS_OSEQ_CONT_CREATE)
CRT_RPC_DEFINE(cont_destroy, DAOS_ISEQ_CONT_DESTROY, DAOS_OSEQ_CONT_DESTROY)
CRT_RPC_DEFINE(cont_open, DAOS_ISEQ_CONT_OPEN, DAOS_OSEQ_CONT_OPEN)
CRT_RPC_DEFINE(cont_close, DAOS_ISEQ_CONT_CLOSE, DAOS_OSEQ_CONT_CLOSE)
CRT_RPC_DEFINE(cont_query, DAOS_ISEQ_CONT_QUERY, DAOS_OSEQ_CONT_QUERY)
CRT_RPC_DEFINE(cont_prop_set, DAOS_ISEQ_CONT_PROP_SET, DAOS_OSEQ_CONT_PROP_SET)
CRT_RPC_DEFINE(cont_attr, DAOS_ISEQ_CONT_ATTR, DAOS_OSEQ_CONT_ATTR)
CRT_RPC_DEFINE(cont_snap, DAOS_ISEQ_CONT_SNAP, DAOS_OSEQ_CONT_SNAP)
CRT_RPC_DEFINE(cont_oid_alloc, DAOS_ISEQ_CONT_OID_ALLOC, DAOS_OSEQ_CONT_OID_ALLOC)
CRT_RPC_DEFINE(cont_list, DAOS_ISEQ_CONT_LIST, DAOS_OSEQ_CONT_LIST)

static struct crt_proto_rpc_format cont_proto_rpcs[] = {
#define X(opc, fmt) {.prf_req_fmt = &CQF_##fmt},
	CONT_PROTO_RPC_LIST
#undef X
};

struct crt_proto_format cont_proto_fmt = {
	.cpf_name = "container",
	.cpf_ver = DAOS_CONT_VERSION,
	.cpf_count = CONT_PROTO_COUNT,
	.cpf_prf = cont_proto_rpcs,
	.cpf_base = DAOS_CONT_BASE,
};

uint64_t
cont_capas(uint64_t perms, bool is_owner, uint64_t flags)
{
	static const struct {
		uint64_t perm;
		uint64_t capa;
	} map[] = {
		{DAOS_ACL_PERM_READ, CONT_CAPA_READ_DATA},
		{DAOS_ACL_PERM_WRITE, CONT_CAPA_WRITE_DATA},
		{DAOS_ACL_PERM_GET_PROP, CONT_CAPA_GET_PROP},
		{DAOS_ACL_PERM_SET_PROP, CONT_CAPA_SET_PROP},
		{DAOS_ACL_PERM_GET_ACL, CONT_CAPA_GET_ACL},
		{DAOS_ACL_PERM_SET_ACL, CONT_CAPA_SET_ACL},
		{DAOS_ACL_PERM_SET_OWNER, CONT_CAPA_SET_OWNER},
		{DAOS_ACL_PERM_DEL_CONT, CONT_CAPA_DELETE},
	};
	uint64_t capas = 0;
	size_t i;

	/* an owner who locked themselves out can still repair the ACL */
	if (is_owner)
		perms |= DAOS_ACL_PERM_GET_ACL | DAOS_ACL_PERM_SET_ACL;
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (perms & map[i].perm)
			capas |= map[i].capa;
	if (is_owner)
		capas |= CONT_CAPA_OPEN_EX | CONT_CAPA_EVICT_ALL;
	if (flags & DAOS_COO_RO)
		capas &= CONT_CAPAS_RO_MASK;
	else if (!(capas & CONT_CAPAS_RO_MASK) || !(capas & CONT_CAPAS_W_MASK))
		/* read-write needs some read and some write capability */
		capas = 0;
	if (!(flags & DAOS_COO_EX))
		capas &= ~CONT_CAPA_OPEN_EX;
	if (!(flags & DAOS_COO_EVICT_ALL))
		capas &= ~CONT_CAPA_EVICT_ALL;
	return capas;
}

bool
cont_open_flags_valid(uint64_t flags)
{
	uint64_t m = flags & DAOS_COO_IO_BASE_MASK;

	if ((flags & DAOS_COO_MASK) != flags)
		return false;
	if (m != DAOS_COO_RO && m != DAOS_COO_RW && m != DAOS_COO_EX)
		return false;
	if ((flags & DAOS_COO_EVICT) && (flags & DAOS_COO_EVICT_ALL))
		return false;
	/* evicting everyone else only makes sense for an exclusive open */
	if ((flags & DAOS_COO_EVICT_ALL) && m != DAOS_COO_EX)
		return false;
	return true;
}

bool
cont_prop_type_settable(uint32_t type, bool create)
{
	if (type <= DAOS_PROP_CO_MIN || type >= DAOS_PROP_CO_MAX)
		return false;
	switch (type) {
	case DAOS_PROP_CO_GLOBAL_VERSION:
	case DAOS_PROP_CO_OBJ_VERSION:
		return false;
	case DAOS_PROP_CO_ALLOCED_OID:
		/* a start value at creation; later changes would hand out IDs twice */
		return create;
	default:
		return true;
	}
}
