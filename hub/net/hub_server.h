/*  hub_server.h — `cii-hub serve`: the ROUTER (CURVE server, ROUTER_MANDATORY), the ZAP handler
    that admits only enrolled non-revoked keys, agent sessions, batched upward ingest and the
    per-agent downward queue, all in one zloop over a stateless hub_store. */
#ifndef HUB_SERVER_H_INCLUDED
#define HUB_SERVER_H_INCLUDED

/*  Runs the hub until SIGINT/SIGTERM. conninfo as hub_store_new; certs_dir holds hub.cert_secret
    written by `cii-hub init`; bind is a ZeroMQ endpoint such as "tcp://0.0.0.0:7300". Returns 0 on a
    clean stop, 1 when it cannot start (reason logged and printed on stderr). */
int hub_server_run (const char *conninfo, const char *certs_dir, const char *bind);

#endif
