bundle
    version = 1
    network = lemanique   # unquoted, with a comment
    cantons = 'VD'
hub
    endpoint = "tcp://hub.example.ch:7399,tcp://backup.example.ch:7399"
    public-key = "ScGzmPT.cH!>mu89JOFg>zrP@..edtN5*yV(*3q^"
agent
    public-key = "tnJgD<?W^TfgFD1+BDb6!un%Eb!${sQKOiN0!)<["
    secret-key = "l0s!2-q2.yNkhb(wHPAegd!B]8h%z#Sv]tc.5#r)"
