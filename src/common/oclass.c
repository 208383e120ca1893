/**
 * Object class names and IDs. A class ID is (redundancy code << 24) | group
 * count; the names are generated from the same two parts so the table below
 * only lists the redundancy families and the group counts each one allows.
 */
#define D_LOGFAC DD_FAC(common)

#include <ctype.h>
#include <strings.h>
#include <gurt/common.h>
#include <daos_errno.h>
#include <daos_obj_class.h>

struct oc_family {
	uint32_t of_redun;
	/* printf format of the name before the group count: "S", "RP_3G", "EC_2P1G" */
	const char *of_prefix;
	/* allowed group counts, 0-terminated; MAX_NUM_GROUPS prints as X */
	const uint32_t *of_groups;
};

static const uint32_t grp_all[] = {1, 2, 4, 6, 8, 12, 16, 32, MAX_NUM_GROUPS, 0};
static const uint32_t grp_one[] = {1, 0};

static const struct oc_family oc_families[] = {
	{OR_RP_1, "S", grp_all},           {OR_RP_2, "RP_2G", grp_all},
	{OR_RP_3, "RP_3G", grp_all},       {OR_RP_4, "RP_4G", grp_all},
	{OR_RP_5, "RP_5G", grp_all},       {OR_RP_6, "RP_6G", grp_all},
	{OR_RP_12, "RP_12G", grp_one},     {OR_RP_16, "RP_16G", grp_one},
	{OR_RP_24, "RP_24G", grp_one},     {OR_RP_32, "RP_32G", grp_one},
	{OR_RP_48, "RP_48G", grp_one},     {OR_RP_64, "RP_64G", grp_one},
	{OR_RP_128, "RP_128G", grp_one},   {OR_RS_2P1, "EC_2P1G", grp_all},
	{OR_RS_2P2, "EC_2P2G", grp_all},   {OR_RS_4P1, "EC_4P1G", grp_all},
	{OR_RS_4P2, "EC_4P2G", grp_all},   {OR_RS_4P3, "EC_4P3G", grp_all},
	{OR_RS_8P1, "EC_8P1G", grp_all},   {OR_RS_8P2, "EC_8P2G", grp_all},
	{OR_RS_8P3, "EC_8P3G", grp_all},   {OR_RS_16P1, "EC_16P1G", grp_all},
	{OR_RS_16P2, "EC_16P2G", grp_all}, {OR_RS_16P3, "EC_16P3G", grp_all},
};

/* Classes whose width DAOS chooses (IDs below 1 << 24). */
static const struct {
	uint32_t id;
	const char *name;
} oc_legacy[] = {
	{OC_TINY, "TINY"},
	{OC_SMALL, "SMALL"},
	{OC_LARGE, "LARGE"},
	{OC_MAX, "MAX"},
	{OC_RP_TINY, "RP_TINY"},
	{OC_RP_SMALL, "RP_SMALL"},
	{OC_RP_LARGE, "RP_LARGE"},
	{OC_RP_MAX, "RP_MAX"},
	{OC_RP_SF_TINY, "RP_SF_TINY"},
	{OC_RP_SF_SMALL, "RP_SF_SMALL"},
	{OC_RP_SF_LARGE, "RP_SF_LARGE"},
	{OC_RP_SF_MAX, "RP_SF_MAX"},
	{OC_RP_XSF, "RP_XSF"},
	{OC_EC_TINY, "EC_TINY"},
	{OC_EC_SMALL, "EC_SMALL"},
	{OC_EC_LARGE, "EC_LARGE"},
	{OC_EC_MAX, "EC_MAX"},
};

static const struct oc_family *
family_of(uint32_t redun)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(oc_families); i++)
		if (oc_families[i].of_redun == redun)
			return &oc_families[i];
	return NULL;
}

static bool
group_allowed(const struct oc_family *f, uint32_t grp)
{
	const uint32_t *g;

	for (g = f->of_groups; *g != 0; g++)
		if (*g == grp)
			return true;
	return false;
}

int
daos_oclass_name2id(const char *name)
{
	size_t i, plen;
	char *end;
	unsigned long grp;

	if (name == NULL)
		return OC_UNKNOWN;
	if (strncasecmp(name, "OC_", 3) == 0)
		name += 3;
	for (i = 0; i < ARRAY_SIZE(oc_legacy); i++)
		if (strcasecmp(name, oc_legacy[i].name) == 0)
			return (int)oc_legacy[i].id;
	/* the longest matching prefix wins: "RP_12G" must not be read as "RP_1..." */
	for (i = 0; i < ARRAY_SIZE(oc_families); i++) {
		const struct oc_family *f = &oc_families[i];

		plen = strlen(f->of_prefix);
		if (strncasecmp(name, f->of_prefix, plen) != 0)
			continue;
		if (strcasecmp(name + plen, "X") == 0)
			return OBJ_CLASS_DEF(f->of_redun, MAX_NUM_GROUPS);
		if (!isdigit((unsigned char)name[plen]))
			continue;
		grp = strtoul(name + plen, &end, 10);
		if (*end != '\0' || grp >= MAX_NUM_GROUPS || !group_allowed(f, (uint32_t)grp))
			continue;
		return OBJ_CLASS_DEF(f->of_redun, (int)grp);
	}
	return OC_UNKNOWN;
}

int
daos_oclass_id2name(daos_oclass_id_t oc_id, char *name)
{
	const struct oc_family *f;
	uint32_t grp = oc_id & ((1U << OC_REDUN_SHIFT) - 1);
	size_t i;

	if (name == NULL)
		return -1;
	for (i = 0; i < ARRAY_SIZE(oc_legacy); i++) {
		if (oc_legacy[i].id == oc_id) {
			snprintf(name, MAX_OBJ_CLASS_NAME_LEN, "%s", oc_legacy[i].name);
			return 0;
		}
	}
	f = family_of(oc_id >> OC_REDUN_SHIFT);
	if (f == NULL || grp == 0 || oc_id >= OC_RESERVED) {
		snprintf(name, MAX_OBJ_CLASS_NAME_LEN, "UNKNOWN");
		return -1;
	}
	if (grp == MAX_NUM_GROUPS)
		snprintf(name, MAX_OBJ_CLASS_NAME_LEN, "%sX", f->of_prefix);
	else
		snprintf(name, MAX_OBJ_CLASS_NAME_LEN, "%s%u", f->of_prefix, grp);
	return 0;
}

int
daos_oclass_nr(int opts)
{
	const uint32_t *g;
	size_t i;
	int nr = (int)ARRAY_SIZE(oc_legacy);

	(void)opts;
	for (i = 0; i < ARRAY_SIZE(oc_families); i++)
		for (g = oc_families[i].of_groups; *g != 0; g++)
			nr++;
	return nr;
}

static void
names_add(char *str, size_t size, size_t *len, const char *name)
{
	size_t n = strlen(name) + (*len ? 2 : 0);

	if (str != NULL && *len + n < size)
		snprintf(str + *len, size - *len, "%s%s", *len ? ", " : "", name);
	*len += n;
}

ssize_t
daos_oclass_names_list(size_t size, char *str)
{
	char name[MAX_OBJ_CLASS_NAME_LEN];
	const uint32_t *g;
	size_t i, len = 0;

	if (str == NULL && size > 0)
		return -DER_INVAL;
	if (size > 0)
		str[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(oc_families); i++) {
		for (g = oc_families[i].of_groups; *g != 0; g++) {
			daos_oclass_id2name(OBJ_CLASS_DEF(oc_families[i].of_redun, *g), name);
			names_add(str, size, &len, name);
		}
	}
	for (i = 0; i < ARRAY_SIZE(oc_legacy); i++)
		names_add(str, size, &len, oc_legacy[i].name);
	return (ssize_t)len;
}
