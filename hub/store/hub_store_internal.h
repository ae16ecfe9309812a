/*  hub_store_internal.h — for the aggregate files of hub/store only: the raw libpq connection,
    for the few statements that need more than hub_store_query (pipelined batches), and the result
    check shared with the core. Nothing outside hub/store includes this. */
#ifndef HUB_STORE_INTERNAL_H_INCLUDED
#define HUB_STORE_INTERNAL_H_INCLUDED

#include <libpq-fe.h>

#include "hub_store.h"

/*  The connection, or NULL (error recorded) when it is not usable. */
PGconn *hub_store_conn (hub_store_t *self);

/*  Checks res against the expected ExecStatusType as every statement is checked (error, SQLSTATE,
    broken connection recorded). Does not clear res. 0 ok, -1 failed. */
int hub_store_check_result (hub_store_t *self, PGresult *res, const char *what, int expect);

#endif
