/* Built against the installed headers only: properties and ACLs as a client program uses them. */
#include <stdio.h>
#include <stdlib.h>
#include <daos.h>

int
main(void)
{
	const char *aces[] = {"A::OWNER@:rw", "A:G:GROUP@:rw", "A::EVERYONE@:r"};
	struct daos_acl *acl = NULL;
	daos_prop_t *prop;
	char **strs = NULL;
	size_t nr = 0;
	size_t i;
	int rc;

	rc = daos_acl_from_strs(aces, 3, &acl);
	if (rc != 0) {
		fprintf(stderr, "daos_acl_from_strs: %s\n", d_errstr(rc));
		return 1;
	}
	prop = daos_prop_alloc(2);
	if (prop == NULL)
		return 1;
	prop->dpp_entries[0].dpe_type = DAOS_PROP_PO_ACL;
	prop->dpp_entries[1].dpe_type = DAOS_PROP_PO_LABEL;
	rc = daos_prop_set_ptr(prop, DAOS_PROP_PO_ACL, acl, daos_acl_get_size(acl));
	if (rc == 0)
		rc = daos_prop_set_str(prop, DAOS_PROP_PO_LABEL, "tank", 4);
	if (rc == 0)
		rc = daos_acl_to_strs(daos_prop_entry_get(prop, DAOS_PROP_PO_ACL)->dpe_val_ptr,
				      &strs, &nr);
	for (i = 0; rc == 0 && i < nr; i++) {
		printf("%s\n", strs[i]);
		free(strs[i]);
	}
	free(strs);
	daos_prop_free(prop);
	daos_acl_free(acl);
	printf("prop_acl_client: rc=%d (%s)\n", rc, d_errdesc(rc));
	return rc == 0 && nr == 3 ? 0 : 1;
}
