#   CII feedback bus: agent enrollment bundle for network lemanique
#   Contains the agent's SECRET key: keep this file private (mode 0600).
#   Use it once: cii-agent init --bundle FILE --state DIR

bundle
    version = "1"
    network = "lemanique"
    cantons = "VD,VS,GE"
hub
    endpoint = "ipc:///tmp/hub"
    public-key = "ScGzmPT.cH!>mu89JOFg>zrP@..edtN5*yV(*3q^"
agent
    public-key = "tnJgD<?W^TfgFD1+BDb6!un%Eb!${sQKOiN0!)<["
    secret-key = "l0s!2-q2.yNkhb(wHPAegd!B]8h%z#Sv]tc.5#r)"
