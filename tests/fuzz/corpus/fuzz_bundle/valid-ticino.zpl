#   CII feedback bus: agent enrollment bundle for network ticino
#   Contains the agent's SECRET key: keep this file private (mode 0600).
#   Use it once: cii-agent init --bundle FILE --state DIR

bundle
    version = "1"
    network = "ticino"
    cantons = "TI"
hub
    endpoint = "tcp://127.0.0.1:7399"
    public-key = "PrbWA2c>@MQeJQB+yIoty}QkB7TvJsDC2{p7xa7Y"
agent
    public-key = "Hr=M<^$3Ze+#efOZuJav^.ZopmESq8BpnvVf%(oU"
    secret-key = "^pF:@<bI]$gqw5/>Z9kOrRkKBciAc@P(A{g.gBI3"
