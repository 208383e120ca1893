/**
 * Pack/unpack of generated RPC structs: round trips of every field kind,
 * and rejection of truncated and corrupted messages (no network).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gurt/common.h>
#include <cart/api.h>

/* clang-format off */
#define T_ISEQ_ALL						\
	((uuid_t)		(a_uuid)	CRT_VAR)	\
	((uint8_t)		(a_u8)		CRT_VAR)	\
	((int16_t)		(a_i16)		CRT_VAR)	\
	((uint32_t)		(a_u32)		CRT_VAR)	\
	((int64_t)		(a_i64)		CRT_VAR)	\
	((bool)			(a_flag)	CRT_VAR)	\
	((d_iov_t)		(a_iov)		CRT_VAR)	\
	((d_string_t)		(a_str)		CRT_VAR)	\
	((d_const_string_t)	(a_nullstr)	CRT_VAR)	\
	((uint32_t)		(a_arr)		CRT_ARRAY)	\
	((d_rank_list_t)	(a_ranks)	CRT_PTR)	\
	((d_iov_t)		(a_iovs)	CRT_ARRAY)	\
	((crt_bulk_t)		(a_bulk)	CRT_VAR)
#define T_OSEQ_ALL ((int32_t)(o_rc) CRT_VAR)
CRT_RPC_DECLARE(t_all, T_ISEQ_ALL, T_OSEQ_ALL)
CRT_RPC_DEFINE(t_all, T_ISEQ_ALL, T_OSEQ_ALL)
/* clang-format on */

CRT_RPC_DECLARE(t_empty, , )
CRT_RPC_DEFINE(t_empty, , )

static int
crt_proc_d_iov_t_wrap(crt_proc_t proc, void *data)
{
	crt_proc_op_t op;

	crt_proc_get_op(proc, &op);
	return crt_proc_d_iov_t(proc, op, data);
}

static char g_payload[1000];
static uint32_t g_arr[5] = {1, 2, 3, 0xdeadbeef, 5};
static d_rank_t g_ranks[3] = {7, 8, 9};

static void
fill(struct t_all_in *in, d_rank_list_t *rl, d_iov_t *iovs)
{
	memset(in, 0, sizeof(*in));
	uuid_generate(in->a_uuid);
	in->a_u8 = 0xab;
	in->a_i16 = -1234;
	in->a_u32 = 0x12345678;
	in->a_i64 = -((int64_t)1 << 40);
	in->a_flag = true;
	memset(g_payload, 'x', sizeof(g_payload));
	d_iov_set(&in->a_iov, g_payload, sizeof(g_payload));
	in->a_str = "hello";
	in->a_nullstr = NULL;
	in->a_arr.ca_count = 5;
	in->a_arr.ca_arrays = g_arr;
	rl->rl_ranks = g_ranks;
	rl->rl_nr = 3;
	in->a_ranks = rl;
	d_iov_set(&iovs[0], "ab", 2);
	d_iov_set(&iovs[1], NULL, 0);
	in->a_iovs.ca_count = 2;
	in->a_iovs.ca_arrays = iovs;
}

static void
test_roundtrip(void **state)
{
	struct t_all_in in, out;
	d_rank_list_t rl;
	d_iov_t iovs[2];
	void *buf;
	size_t len;

	fill(&in, &rl, iovs);
	assert_int_equal(crt_proc_pack(CQF_t_all.crf_proc_in, &in, &buf, &len), 0);
	memset(&out, 0x55, sizeof(out));
	assert_int_equal(crt_proc_unpack(CQF_t_all.crf_proc_in, buf, len, &out), 0);
	assert_memory_equal(in.a_uuid, out.a_uuid, sizeof(uuid_t));
	assert_int_equal(out.a_u8, 0xab);
	assert_int_equal(out.a_i16, -1234);
	assert_int_equal(out.a_u32, 0x12345678);
	assert_true(out.a_i64 == in.a_i64);
	assert_true(out.a_flag);
	assert_int_equal(out.a_iov.iov_len, sizeof(g_payload));
	assert_memory_equal(out.a_iov.iov_buf, g_payload, sizeof(g_payload));
	assert_string_equal(out.a_str, "hello");
	assert_null(out.a_nullstr);
	assert_int_equal(out.a_arr.ca_count, 5);
	assert_memory_equal(out.a_arr.ca_arrays, g_arr, sizeof(g_arr));
	assert_non_null(out.a_ranks);
	assert_int_equal(out.a_ranks->rl_nr, 3);
	assert_int_equal(out.a_ranks->rl_ranks[2], 9);
	assert_int_equal(out.a_iovs.ca_count, 2);
	assert_int_equal(out.a_iovs.ca_arrays[0].iov_len, 2);
	assert_memory_equal(out.a_iovs.ca_arrays[0].iov_buf, "ab", 2);
	assert_null(out.a_iovs.ca_arrays[1].iov_buf);
	assert_null(out.a_bulk);
	crt_proc_unpack_free(CQF_t_all.crf_proc_in, &out);
	assert_null(out.a_ranks);
	assert_null(out.a_arr.ca_arrays);
	free(buf);
}

static void
test_empty(void **state)
{
	void *buf;
	size_t len;

	assert_int_equal(crt_proc_pack(CQF_t_empty.crf_proc_in, NULL, &buf, &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(crt_proc_unpack(CQF_t_empty.crf_proc_in, buf, len, NULL), 0);
	assert_int_equal(crt_proc_unpack(CQF_t_empty.crf_proc_in, "x", 1, NULL), -DER_PROTO);
	free(buf);
}

/* Every prefix of a valid message must be rejected, without leaks (LSan) or overreads (ASan). */
static void
test_truncated(void **state)
{
	struct t_all_in in, out;
	d_rank_list_t rl;
	d_iov_t iovs[2];
	void *buf;
	size_t len, cut;

	fill(&in, &rl, iovs);
	assert_int_equal(crt_proc_pack(CQF_t_all.crf_proc_in, &in, &buf, &len), 0);
	for (cut = 0; cut < len; cut++) {
		/* a private copy of exactly cut bytes, so ASan sees any overread */
		char *copy = malloc(cut ? cut : 1);

		memcpy(copy, buf, cut);
		memset(&out, 0, sizeof(out));
		assert_int_equal(crt_proc_unpack(CQF_t_all.crf_proc_in, copy, cut, &out),
				 -DER_PROTO);
		free(copy);
	}
	free(buf);
}

/* Random corruption: unpack either fails cleanly or succeeds; never crashes or leaks. */
static void
test_corrupt(void **state)
{
	struct t_all_in in, out;
	d_rank_list_t rl;
	d_iov_t iovs[2];
	void *buf;
	size_t len;
	int i, ok = 0, bad = 0;

	fill(&in, &rl, iovs);
	assert_int_equal(crt_proc_pack(CQF_t_all.crf_proc_in, &in, &buf, &len), 0);
	srand(42);
	for (i = 0; i < 3000; i++) {
		char *copy = malloc(len);
		int rc, k;

		memcpy(copy, buf, len);
		for (k = 0; k < 1 + rand() % 4; k++) {
			size_t pos = rand() % len;

			/* hit length fields (first bytes of 8-byte words) often */
			if (rand() % 2)
				pos &= ~(size_t)7;
			copy[pos] = (char)(rand() % 2 ? 0xff : rand());
		}
		memset(&out, 0, sizeof(out));
		rc = crt_proc_unpack(CQF_t_all.crf_proc_in, copy, len, &out);
		if (rc == 0) {
			ok++;
			crt_proc_unpack_free(CQF_t_all.crf_proc_in, &out);
		} else {
			assert_true(rc == -DER_PROTO || rc == -DER_NOMEM);
			bad++;
		}
		free(copy);
	}
	assert_true(bad > 0);
	free(buf);
}

static void
test_bad_length(void **state)
{
	/* an iov claiming 2^40 bytes in a 24-byte message */
	uint64_t msg[3] = {1ULL << 40, 1ULL << 40, 0};
	d_iov_t iov;
	void *buf;
	size_t len;
	struct t_all_in in;

	assert_int_equal(crt_proc_unpack(crt_proc_d_iov_t_wrap, msg, sizeof(msg), &iov),
			 -DER_PROTO);
	/* encoding rejects an iov with a length but no buffer */
	memset(&in, 0, sizeof(in));
	in.a_iov.iov_len = 10;
	assert_int_equal(crt_proc_pack(CQF_t_all.crf_proc_in, &in, &buf, &len), -DER_INVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),  cmocka_unit_test(test_empty),
		cmocka_unit_test(test_truncated),  cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_bad_length),
	};

	return cmocka_run_group_tests_name("cart_proc", tests, NULL, NULL);
}
