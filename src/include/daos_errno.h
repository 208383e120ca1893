/**
 * DAOS error numbers. Functions return 0 or a negated DER_* value.
 *
 * The codes are declared once, in the two lists below, each entry giving the
 * name, the value and the description that d_errdesc() returns; the lists
 * generate the enum here and the string tables in gurt.
 */
#ifndef __DAOS_ERRNO_H__
#define __DAOS_ERRNO_H__

#if defined(__cplusplus)
extern "C" {
#endif

/* clang-format off */
#define D_FOREACH_GURT_ERR(X)                                                                      \
	X(DER_NO_PERM, (DER_ERR_GURT_BASE + 1), Operation not permitted)                           \
	X(DER_NO_HDL, (DER_ERR_GURT_BASE + 2), Invalid handle)                                     \
	X(DER_INVAL, (DER_ERR_GURT_BASE + 3), Invalid parameters)                                  \
	X(DER_EXIST, (DER_ERR_GURT_BASE + 4), Entity already exists)                               \
	X(DER_NONEXIST, (DER_ERR_GURT_BASE + 5), The specified entity does not exist)              \
	X(DER_UNREACH, (DER_ERR_GURT_BASE + 6), Unreachable node)                                  \
	X(DER_NOSPACE, (DER_ERR_GURT_BASE + 7), No space on storage target)                        \
	X(DER_ALREADY, (DER_ERR_GURT_BASE + 8), Operation already performed)                       \
	X(DER_NOMEM, (DER_ERR_GURT_BASE + 9), Out of memory)                                       \
	X(DER_NOSYS, (DER_ERR_GURT_BASE + 10), Function not implemented)                           \
	X(DER_TIMEDOUT, (DER_ERR_GURT_BASE + 11), Time out)                                        \
	X(DER_BUSY, (DER_ERR_GURT_BASE + 12), Device or resource busy)                             \
	X(DER_AGAIN, (DER_ERR_GURT_BASE + 13), Try again)                                          \
	X(DER_PROTO, (DER_ERR_GURT_BASE + 14), Incompatible protocol)                              \
	X(DER_UNINIT, (DER_ERR_GURT_BASE + 15), Device or resource not initialized)                \
	X(DER_TRUNC, (DER_ERR_GURT_BASE + 16), Buffer too short)                                   \
	X(DER_OVERFLOW, (DER_ERR_GURT_BASE + 17), Data too long for defined data type or buffer size) \
	X(DER_CANCELED, (DER_ERR_GURT_BASE + 18), Operation canceled)                              \
	X(DER_OOG, (DER_ERR_GURT_BASE + 19), Out of group or member list)                          \
	X(DER_HG, (DER_ERR_GURT_BASE + 20), Transport layer mercury error)                         \
	X(DER_UNREG, (DER_ERR_GURT_BASE + 21), RPC or protocol version not registered)             \
	X(DER_ADDRSTR_GEN, (DER_ERR_GURT_BASE + 22), Failed to generate an address string)         \
	X(DER_PMIX, (DER_ERR_GURT_BASE + 23), PMIx layer error)                                    \
	X(DER_IVCB_FORWARD, (DER_ERR_GURT_BASE + 24), Incast variable unavailable locally. Must forward) \
	X(DER_MISC, (DER_ERR_GURT_BASE + 25), Miscellaneous error)                                 \
	X(DER_BADPATH, (DER_ERR_GURT_BASE + 26), Bad path name)                                    \
	X(DER_NOTDIR, (DER_ERR_GURT_BASE + 27), Not a directory)                                   \
	X(DER_CORPC_INCOMPLETE, (DER_ERR_GURT_BASE + 28), Collective RPC failed)                   \
	X(DER_NO_RAS_RANK, (DER_ERR_GURT_BASE + 29), No rank is subscribed to RAS)                 \
	X(DER_NOTATTACH, (DER_ERR_GURT_BASE + 30), Service group not attached)                     \
	X(DER_MISMATCH, (DER_ERR_GURT_BASE + 31), Version mismatch)                                \
	X(DER_EXCLUDED, (DER_ERR_GURT_BASE + 32), Rank has been excluded)                          \
	X(DER_NOREPLY, (DER_ERR_GURT_BASE + 33), User provided RPC handler did not send reply back) \
	X(DER_DOS, (DER_ERR_GURT_BASE + 34), Denial of service)                                    \
	X(DER_BAD_TARGET, (DER_ERR_GURT_BASE + 35), Incorrect target for the RPC)                  \
	X(DER_GRPVER, (DER_ERR_GURT_BASE + 36), Group versioning mismatch)                         \
	X(DER_HLC_SYNC, (DER_ERR_GURT_BASE + 37), HLC synchronization error)                       \
	X(DER_NO_SHMEM, (DER_ERR_GURT_BASE + 38), Not enough shared memory free)                   \
	X(DER_ADD_METRIC_FAILED, (DER_ERR_GURT_BASE + 39), Failed to add the specified metric)     \
	X(DER_DURATION_MISMATCH, (DER_ERR_GURT_BASE + 40), Duration end not paired with duration start) \
	X(DER_OP_NOT_PERMITTED, (DER_ERR_GURT_BASE + 41), Operation not permitted for metric type provided) \
	X(DER_EXCEEDS_PATH_LEN, (DER_ERR_GURT_BASE + 42), Path name exceeds permitted length)      \
	X(DER_METRIC_NOT_FOUND, (DER_ERR_GURT_BASE + 43), Read failed because metric not found)    \
	X(DER_SHMEM_PERMS, (DER_ERR_GURT_BASE + 44), Unable to access shared memory segment due to incompatible user or group permissions) \
	X(DER_HG_FATAL, (DER_ERR_GURT_BASE + 45), Fatal transport layer error)                     \
	X(DER_QUOTA_LIMIT, (DER_ERR_GURT_BASE + 46), Quota limit reached for the requested resource)

#define D_FOREACH_DAOS_ERR(X)                                                                      \
	X(DER_IO, (DER_ERR_DAOS_BASE + 1), Generic I/O error)                                      \
	X(DER_FREE_MEM, (DER_ERR_DAOS_BASE + 2), Memory free error)                                \
	X(DER_ENOENT, (DER_ERR_DAOS_BASE + 3), Entity not found)                                   \
	X(DER_NOTYPE, (DER_ERR_DAOS_BASE + 4), Unknown object type)                                \
	X(DER_NOSCHEMA, (DER_ERR_DAOS_BASE + 5), Unknown object schema)                            \
	X(DER_NOLOCAL, (DER_ERR_DAOS_BASE + 6), Object is not local)                               \
	X(DER_STALE, (DER_ERR_DAOS_BASE + 7), Stale pool map version)                              \
	X(DER_NOTLEADER, (DER_ERR_DAOS_BASE + 8), Not service leader)                              \
	X(DER_TGT_CREATE, (DER_ERR_DAOS_BASE + 9), Target create error)                            \
	X(DER_EP_RO, (DER_ERR_DAOS_BASE + 10), Epoch is read only)                                 \
	X(DER_EP_OLD, (DER_ERR_DAOS_BASE + 11), Epoch is too old. All data have been recycled)     \
	X(DER_KEY2BIG, (DER_ERR_DAOS_BASE + 12), Key is too large)                                 \
	X(DER_REC2BIG, (DER_ERR_DAOS_BASE + 13), Record is too large)                              \
	X(DER_IO_INVAL, (DER_ERR_DAOS_BASE + 14), I/O buffers do not match object extents)         \
	X(DER_EQ_BUSY, (DER_ERR_DAOS_BASE + 15), Event queue is busy)                              \
	X(DER_DOMAIN, (DER_ERR_DAOS_BASE + 16), Domain of cluster component do not match)          \
	X(DER_SHUTDOWN, (DER_ERR_DAOS_BASE + 17), Service should shut down)                        \
	X(DER_INPROGRESS, (DER_ERR_DAOS_BASE + 18), Operation now in progress)                     \
	X(DER_NOTAPPLICABLE, (DER_ERR_DAOS_BASE + 19), Not applicable)                             \
	X(DER_NOTREPLICA, (DER_ERR_DAOS_BASE + 20), Not a service replica)                         \
	X(DER_CSUM, (DER_ERR_DAOS_BASE + 21), Checksum error)                                      \
	X(DER_DF_INVAL, (DER_ERR_DAOS_BASE + 22), Unsupported durable format)                      \
	X(DER_DF_INCOMPT, (DER_ERR_DAOS_BASE + 23), Incompatible durable format version)           \
	X(DER_REC_SIZE, (DER_ERR_DAOS_BASE + 24), Record size error)                               \
	X(DER_TX_RESTART, (DER_ERR_DAOS_BASE + 25), Transaction should restart)                    \
	X(DER_DATA_LOSS, (DER_ERR_DAOS_BASE + 26), Data lost or not recoverable)                   \
	X(DER_OP_CANCELED, (DER_ERR_DAOS_BASE + 27), Operation canceled)                           \
	X(DER_TX_BUSY, (DER_ERR_DAOS_BASE + 28), TX is not committed)                              \
	X(DER_AGENT_INCOMPAT, (DER_ERR_DAOS_BASE + 29), Agent is incompatible with libdaos)        \
	X(DER_NEED_TX, (DER_ERR_DAOS_BASE + 30), To be handled via distributed transaction)        \
	X(DER_RF, (DER_ERR_DAOS_BASE + 31), Failures exceed RF)                                    \
	X(DER_FETCH_AGAIN, (DER_ERR_DAOS_BASE + 32), Fetch again)                                  \
	X(DER_TX_UNCERTAIN, (DER_ERR_DAOS_BASE + 33), TX status is uncertain)                      \
	X(DER_AGENT_COMM, (DER_ERR_DAOS_BASE + 34), Agent communication error)                     \
	X(DER_ID_MISMATCH, (DER_ERR_DAOS_BASE + 35), ID mismatch)                                  \
	X(DER_TGT_RETRY, (DER_ERR_DAOS_BASE + 36), Retry with other target)                        \
	X(DER_NOTSUPPORTED, (DER_ERR_DAOS_BASE + 37), Operation not supported)                     \
	X(DER_CONTROL_INCOMPAT, (DER_ERR_DAOS_BASE + 38), Control protocol incompatible)           \
	X(DER_NO_SERVICE, (DER_ERR_DAOS_BASE + 39), No service available)                          \
	X(DER_TX_ID_REUSED, (DER_ERR_DAOS_BASE + 40), The TX ID may be reused)                     \
	X(DER_UPDATE_AGAIN, (DER_ERR_DAOS_BASE + 41), Update again)                                \
	X(DER_NVME_IO, (DER_ERR_DAOS_BASE + 42), NVMe I/O error)                                   \
	X(DER_NO_CERT, (DER_ERR_DAOS_BASE + 43), Unable to access one or more certificates)        \
	X(DER_BAD_CERT, (DER_ERR_DAOS_BASE + 44), Invalid x509 certificate)                        \
	X(DER_VOS_PARTIAL_UPDATE, (DER_ERR_DAOS_BASE + 45), VOS partial update error)              \
	X(DER_CHKPT_BUSY, (DER_ERR_DAOS_BASE + 46), Checkpointing in progress)                     \
	X(DER_DIV_BY_ZERO, (DER_ERR_DAOS_BASE + 47), Division by zero)                             \
	X(DER_OVERLOAD_RETRY, (DER_ERR_DAOS_BASE + 48), Server is overloaded. Retry later)         \
	X(DER_NOT_RESUME, (DER_ERR_DAOS_BASE + 49), Cannot resume former operation)                \
	X(DER_CONT_NONEXIST, (DER_ERR_DAOS_BASE + 50), The container does not exist)               \
	X(DER_CONT_DESTROYING, (DER_ERR_DAOS_BASE + 51), The container is being destroyed)         \
	X(DER_IGNORE, (DER_ERR_DAOS_BASE + 52), Operation was ignored)
/* clang-format on */

/** The ranges of error codes: name and base. */
#define D_FOREACH_ERR_RANGE(X)                                                                     \
	X(GURT, 1000)                                                                              \
	X(DAOS, 2000)

#define D_DEFINE_ERRNO(name, value, desc) name = value,

#define D_DEFINE_RANGE_ERRNO(name, base)                                                           \
	enum {                                                                                     \
		DER_ERR_##name##_BASE = (base),                                                    \
		D_FOREACH_##name##_ERR(D_DEFINE_ERRNO) DER_ERR_##name##_LIMIT,                     \
	};

D_FOREACH_ERR_RANGE(D_DEFINE_RANGE_ERRNO)

#define DER_SUCCESS 0
#define DER_UNKNOWN (DER_ERR_GURT_BASE + 500000)

/** Largest valid error code. */
#define DER_LAST_VALID DER_ERR_DAOS_LIMIT

/** Name of an error code ("DER_NONEXIST"); accepts positive or negative codes. */
const char *
d_errstr(int rc);

/** Description of an error code ("The specified entity does not exist"). */
const char *
d_errdesc(int errnum);

/** Register a range of error codes: strings for codes start+1 .. end-1. */
int
d_errno_register_range(int start, int end, const char *const *error_strings,
		       const char *const *strerror);

void
d_errno_deregister_range(int start);

#define DO_PRAGMA(str) _Pragma(#str)
#define DEPRECATE_ERROR(olde, newe)                                                                \
	({                                                                                         \
		DO_PRAGMA(message(#olde " is deprecated, use " #newe));                            \
		newe;                                                                              \
	})
#define DER_EVICTED DEPRECATE_ERROR(DER_EVICTED, DER_EXCLUDED)

#ifndef DF_RC
#define DF_RC     "%s(%d): '%s'"
#define DP_RC(rc) d_errstr(rc), rc, d_errdesc(rc)
#endif

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_ERRNO_H__ */
