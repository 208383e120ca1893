/**
 * DAOS splits the telemetry API over telemetry_common.h, telemetry_producer.h and
 * telemetry_consumer.h; pdaos declares it all in gurt/telemetry.h. This header exists so
 * code written for DAOS builds unchanged.
 */
#ifndef __GURT_TELEMETRY_COMMON_H__
#define __GURT_TELEMETRY_COMMON_H__

#include <gurt/telemetry.h>

#endif /* __GURT_TELEMETRY_COMMON_H__ */
