/* Hash tables: see src/gurt/README.md. (Filled in by the hash table work.) */
#ifndef __GURT_HASH_H__
#define __GURT_HASH_H__
#include <gurt/common.h>
#endif
