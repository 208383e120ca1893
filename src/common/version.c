/* Version of the DAOS API this build of libdaos_common implements. */
#include <daos_version.h>

const char *
daos_common_version(void);

const char *
daos_common_version(void)
{
#define PDAOS_STR2(x) #x
#define PDAOS_STR(x)  PDAOS_STR2(x)
	return PDAOS_STR(DAOS_API_VERSION_MAJOR) "." PDAOS_STR(DAOS_API_VERSION_MINOR) "." PDAOS_STR(
	    DAOS_API_VERSION_FIX);
}
