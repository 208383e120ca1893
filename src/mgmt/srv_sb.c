/**
 * Server storage as the control plane sees it: the superblock that marks
 * scm_mount as formatted (system name, server UUID, rank once assigned),
 * `dmg storage format` and `dmg storage scan`.
 */
#define D_LOGFAC DD_FAC(mgmt)

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <gurt/common.h>
#include "srv_internal.h"

/* Write \a name in \a dir so that a crash leaves the old or the new content, never a mix. */
int
mgmt_write_file_atomic(const char *dir, const char *name, const char *data, size_t len)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	int fd, dfd, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return d_errno2der(errno);
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = d_errno2der(errno);
			break;
		}
		data += n;
		len -= (size_t)n;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = d_errno2der(errno);
	close(fd);
	if (rc == 0 && rename(tmp, path) != 0)
		rc = d_errno2der(errno);
	if (rc != 0) {
		unlink(tmp);
		D_ERROR("cannot write %s: " DF_RC "\n", path, DP_RC(rc));
		return rc;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int
mgmt_sb_read(const char *dir, struct mgmt_sb *sb)
{
	char path[PATH_MAX], line[256], uuid[64];
	unsigned long rank;
	bool have_sys = false, have_uuid = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, MGMT_SB_FILE);
	f = fopen(path, "r");
	if (f == NULL)
		return errno == ENOENT ? -DER_NONEXIST : d_errno2der(errno);
	memset(sb, 0, sizeof(*sb));
	sb->sb_rank = CRT_NO_RANK;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "system: %63s", sb->sb_sys) == 1)
			have_sys = true;
		else if (sscanf(line, "uuid: %63s", uuid) == 1 &&
			 uuid_parse(uuid, sb->sb_uuid) == 0)
			have_uuid = true;
		else if (sscanf(line, "rank: %lu", &rank) == 1 && rank < CRT_NO_RANK)
			sb->sb_rank = (d_rank_t)rank;
	}
	fclose(f);
	if (!have_sys || !have_uuid) {
		D_ERROR("%s: damaged superblock (no system name or UUID)\n", path);
		return -DER_DF_INVAL;
	}
	return 0;
}

int
mgmt_sb_write(const char *dir, const struct mgmt_sb *sb)
{
	char buf[512], uuid[40], rank[16];
	int n;

	uuid_unparse_lower(sb->sb_uuid, uuid);
	if (sb->sb_rank == CRT_NO_RANK)
		snprintf(rank, sizeof(rank), "none");
	else
		snprintf(rank, sizeof(rank), "%u", sb->sb_rank);
	n = snprintf(buf, sizeof(buf),
		     "# pdaos server superblock: do not edit\nversion: 1\nsystem: %s\nuuid: %s\n"
		     "rank: %s\n",
		     sb->sb_sys, uuid, rank);
	return mgmt_write_file_atomic(dir, MGMT_SB_FILE, buf, (size_t)n);
}

int
mgmt_sb_remove(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, MGMT_SB_FILE);
	if (unlink(path) != 0 && errno != ENOENT)
		return d_errno2der(errno);
	return 0;
}

void
ds_mgmt_hdlr_format(crt_rpc_t *rpc)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	struct mgmt_format_in *in = crt_req_get(rpc);
	struct mgmt_format_out *out = crt_reply_get(rpc);
	struct mgmt_sb sb;
	int rc = 0;

	out->fo_addr = mgmt_self.ms_addr;
	out->fo_scm_mount = cfg->sc_scm_mount;
	out->fo_bdev_path = cfg->sc_bdev_path;
	out->fo_rank = CRT_NO_RANK;
	if (mgmt_self.ms_formatted) {
		if (!in->fi_force) {
			uuid_copy(out->fo_uuid, mgmt_self.ms_sb.sb_uuid);
			out->fo_rank = mgmt_self.ms_sb.sb_rank;
			D_GOTO(out, rc = -DER_EXIST);
		}
		/* reformatting a live member would leave the system with two of it */
		if (mgmt_self.ms_state == MGMT_MS_JOINED)
			D_GOTO(out, rc = -DER_BUSY);
	}
	memset(&sb, 0, sizeof(sb));
	snprintf(sb.sb_sys, sizeof(sb.sb_sys), "%s", cfg->sc_sys_name);
	uuid_generate(sb.sb_uuid);
	sb.sb_rank = CRT_NO_RANK;
	if (mgmt_self.ms_is_ap) {
		rc = ds_mgmt_system_create();
		if (rc != 0)
			goto out;
	}
	rc = mgmt_sb_write(cfg->sc_scm_mount, &sb);
	if (rc != 0)
		goto out;
	mgmt_self.ms_sb = sb;
	mgmt_self.ms_formatted = true;
	uuid_copy(out->fo_uuid, sb.sb_uuid);
	D_INFO("formatted %s (uuid " DF_UUIDF ")\n", cfg->sc_scm_mount, DP_UUID(sb.sb_uuid));
	rc = mgmt_join_start();
out:
	out->fo_rc = rc;
	crt_reply_send(rpc);
}

static void
scan_dir(const char *path, uint64_t *total, uint64_t *avail)
{
	struct statvfs st;

	*total = *avail = 0;
	if (statvfs(path, &st) == 0) {
		*total = (uint64_t)st.f_blocks * st.f_frsize;
		*avail = (uint64_t)st.f_bavail * st.f_frsize;
	}
}

void
ds_mgmt_hdlr_scan(crt_rpc_t *rpc)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	struct mgmt_scan_out *out = crt_reply_get(rpc);

	out->so_addr = mgmt_self.ms_addr;
	out->so_scm_class = cfg->sc_scm_class;
	out->so_scm_mount = cfg->sc_scm_mount;
	out->so_scm_size = cfg->sc_scm_size;
	out->so_bdev_class = cfg->sc_bdev_class ? cfg->sc_bdev_class : cfg->sc_scm_class;
	out->so_bdev_path = cfg->sc_bdev_path;
	out->so_bdev_size = cfg->sc_bdev_size;
	scan_dir(cfg->sc_scm_mount, &out->so_scm_total, &out->so_scm_avail);
	scan_dir(cfg->sc_bdev_path, &out->so_bdev_total, &out->so_bdev_avail);
	/* a configured size caps what the tier may use */
	if (cfg->sc_scm_size != 0 && cfg->sc_scm_size < out->so_scm_total)
		out->so_scm_total = cfg->sc_scm_size;
	if (out->so_scm_avail > out->so_scm_total)
		out->so_scm_avail = out->so_scm_total;
	if (cfg->sc_bdev_size != 0 && cfg->sc_bdev_size < out->so_bdev_total)
		out->so_bdev_total = cfg->sc_bdev_size;
	if (out->so_bdev_avail > out->so_bdev_total)
		out->so_bdev_avail = out->so_bdev_total;
	out->so_formatted = mgmt_self.ms_formatted;
	out->so_rank = mgmt_self.ms_formatted ? mgmt_self.ms_sb.sb_rank : CRT_NO_RANK;
	out->so_nr_targets = dss_tgt_nr;
	out->so_rc = 0;
	crt_reply_send(rpc);
}
