#!/usr/bin/env bash
# Installs the build into a temporary prefix and builds client programs the
# way real DAOS clients do: with pkg-config, and with plain -I/-L flags.
set -euo pipefail
build_dir=$1
src_dir=$2
prefix=$(mktemp -d /tmp/pdaos-install.XXXXXX)
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build_dir" --prefix "$prefix" >/dev/null

for f in include/daos.h include/daos_types.h include/daos_errno.h include/daos_event.h \
	 include/daos_version.h include/gurt/types.h include/gurt/common.h include/gurt/list.h \
	 include/gurt/hash.h include/cart/types.h include/daos_prop.h include/daos_security.h \
	 include/daos_pool.h include/daos_cont.h include/daos_mgmt.h \
	 lib64/libgurt.so lib64/libdaos_common.so \
	 lib64/libdaos.so lib64/pkgconfig/daos.pc; do
	if [ ! -e "$prefix/$f" ]; then
		echo "missing from install: $f"
		exit 1
	fi
done

# gurt/common.h must compile on its own (IOR's configure checks it standalone).
echo '#include <gurt/common.h>
#include <gurt/hash.h>
int main(void) { return 0; }' > "$prefix/gurt_only.c"
cc -I"$prefix/include" -o "$prefix/gurt_only" "$prefix/gurt_only.c"

export PKG_CONFIG_PATH="$prefix/lib64/pkgconfig"
# shellcheck disable=SC2046
cc -Wall -Werror -o "$prefix/hello_pc" "$src_dir/hello_daos.c" \
	$(pkg-config --cflags --libs daos)
"$prefix/hello_pc"

# The fio/IOR way: plain flags, libraries named one by one.
cc -Wall -I"$prefix/include" -o "$prefix/hello_flags" "$src_dir/hello_daos.c" \
	-L"$prefix/lib64" -Wl,-rpath,"$prefix/lib64" -luuid -ldaos -lgurt -ldaos_common
"$prefix/hello_flags"

# Properties and ACLs live in libdaos_common, which IOR-style link lines name explicitly;
# strict C99 (no GNU extensions) must compile too.
cc -std=c99 -Wall -Werror -I"$prefix/include" -o "$prefix/prop_acl_client" "$src_dir/prop_acl_client.c" \
	-L"$prefix/lib64" -Wl,-rpath,"$prefix/lib64" -luuid -ldaos -lgurt -ldaos_common
"$prefix/prop_acl_client"

# IOR's configure probe: libgurt must export d_hash_murmur64.
gurt_syms=$(nm -D "$prefix/lib64/libgurt.so")
grep -q ' T d_hash_murmur64$' <<<"$gurt_syms" || {
	echo "libgurt.so does not export d_hash_murmur64"
	exit 1
}
echo "install_smoke: OK"
