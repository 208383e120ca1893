/**
 * Collective RPCs (not implemented yet).
 */
#define D_LOGFAC DD_FAC(corpc)

#include "crt_internal.h"

int
crt_corpc_req_create(crt_context_t crt_ctx, crt_group_t *grp, d_rank_list_t *filter_ranks,
		     crt_opcode_t opc, crt_bulk_t co_bulk_hdl, void *priv, uint32_t flags,
		     int tree_topo, crt_rpc_t **req)
{
	D_ERROR("collective RPCs are not implemented\n");
	return -DER_NOSYS;
}
