/**
 * Protocol of crt_test_server and self_test: a ping whose request and
 * reply sizes are chosen by the caller, each carried inline (iov) or by
 * bulk (the server pulls the request data and pushes the reply data).
 */
#ifndef __CRT_ST_PROTO_H__
#define __CRT_ST_PROTO_H__

#include <cart/api.h>

#define ST_PROTO_BASE   0xF1000000U
#define ST_PROTO_VER    1
#define ST_OPC_PING     CRT_PROTO_OPC(ST_PROTO_BASE, ST_PROTO_VER, 0)
#define ST_OPC_SHUTDOWN CRT_PROTO_OPC(ST_PROTO_BASE, ST_PROTO_VER, 1)

enum st_bulk_dir {
	ST_BULK_NONE = 0,
	/** server GETs the request payload from the client's handle */
	ST_BULK_IN = 1,
	/** server PUTs the reply payload into the client's handle */
	ST_BULK_OUT = 2,
};

/* clang-format off */
#define ST_ISEQ_PING						\
	((uint32_t)	(pi_reply_size)		CRT_VAR)	\
	((uint32_t)	(pi_bulk_dir)		CRT_VAR)	\
	((uint64_t)	(pi_bulk_len)		CRT_VAR)	\
	((crt_bulk_t)	(pi_bulk)		CRT_VAR)	\
	((uint64_t)	(pi_rbulk_len)		CRT_VAR)	\
	((crt_bulk_t)	(pi_rbulk)		CRT_VAR)	\
	((d_iov_t)	(pi_data)		CRT_VAR)
#define ST_OSEQ_PING						\
	((int32_t)	(po_rc)			CRT_VAR)	\
	((d_iov_t)	(po_data)		CRT_VAR)
CRT_RPC_DECLARE(st_ping, ST_ISEQ_PING, ST_OSEQ_PING)

#define ST_ISEQ_SHUTDOWN ((uint32_t)(si_unused) CRT_VAR)
#define ST_OSEQ_SHUTDOWN ((int32_t)(so_rc) CRT_VAR)
CRT_RPC_DECLARE(st_shutdown, ST_ISEQ_SHUTDOWN, ST_OSEQ_SHUTDOWN)
/* clang-format on */

/** Register the protocol; servers pass handlers (\a shutdown_flag is set by SHUTDOWN). */
int st_proto_register(bool server, volatile int *shutdown_flag);
/* Releases the server's cached bulk buffers; call before destroying contexts. */
void st_proto_fini(void);

#endif /* __CRT_ST_PROTO_H__ */
