/*  agent_daemon.h — `cii-agent run`: one DEALER (CURVE client) to the hub, the session state
    machine (HELLO / WELCOME / heartbeats), the outbox sender with resend and backoff, and the
    downward inbox (store, then ACK). */
#ifndef AGENT_DAEMON_H_INCLUDED
#define AGENT_DAEMON_H_INCLUDED

/*  Runs the agent daemon for the state directory until SIGINT/SIGTERM, or until the hub says the
    key is revoked. Returns 0 on a clean stop, 1 on a fatal condition (reason logged). */
int agent_daemon_run (const char *state_dir);

#endif
