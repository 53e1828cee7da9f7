#!/bin/sh
# vnet realize: build the cloud in network namespaces vn0-* (run as root).
# Nothing is added to the root namespace: bridges and bridge-side veths live in the fabric namespace.
set -eu
: "${AGENT:=dist/realize-agent.cjs}"
vnet_down() {
  for ns in $(ip netns list | awk '{print $1}' | grep '^vn0-'); do
    pids=$(ip netns pids "$ns")
    if [ -n "$pids" ]; then kill -KILL $pids 2>/dev/null || true; fi
    ip netns del "$ns" 2>/dev/null || true
  done
}
if ip netns list | grep -q '^vn0-'; then echo "namespaces vn0-* exist: run vnet realize --down first" >&2; exit 1; fi
trap 'echo "vnet realize: failed, tearing down" >&2; vnet_down' EXIT
trap 'exit 1' INT TERM

# fabric
ip netns add vn0-fabric

# loopback
ip -n vn0-fabric link set lo up

# bridges only: no IPv6 of its own; no reverse-path filter
ip netns exec vn0-fabric sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0

# internet
ip netns add vn0-internet

# loopback
ip -n vn0-internet link set lo up

# addresses as planned, nothing learned from the wire, forwarding IPv4 and IPv6; no reverse-path filter; ARP only for the asking interface's own addresses
ip netns exec vn0-internet sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.autoconf=0 net.ipv6.conf.default.autoconf=0 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0 net.ipv6.conf.all.forwarding=1 net.ipv6.icmp.ratelimit=0

# router edge
ip netns add vn0-r-edge

# loopback
ip -n vn0-r-edge link set lo up

# addresses as planned, nothing learned from the wire, forwarding IPv4 and IPv6; no reverse-path filter; ARP only for the asking interface's own addresses
ip netns exec vn0-r-edge sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.autoconf=0 net.ipv6.conf.default.autoconf=0 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0 net.ipv6.conf.all.forwarding=1 net.ipv6.icmp.ratelimit=0

# router branch
ip netns add vn0-r-branch

# loopback
ip -n vn0-r-branch link set lo up

# addresses as planned, nothing learned from the wire, forwarding IPv4 and IPv6; no reverse-path filter; ARP only for the asking interface's own addresses
ip netns exec vn0-r-branch sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.autoconf=0 net.ipv6.conf.default.autoconf=0 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0 net.ipv6.conf.all.forwarding=1 net.ipv6.icmp.ratelimit=0

# instance hq-1
ip netns add vn0-i-hq-1

# loopback
ip -n vn0-i-hq-1 link set lo up

# addresses as planned, nothing learned from the wire; no reverse-path filter; ARP only for the asking interface's own addresses
ip netns exec vn0-i-hq-1 sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.autoconf=0 net.ipv6.conf.default.autoconf=0 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2

# instance branch-1
ip netns add vn0-i-branch-1

# loopback
ip -n vn0-i-branch-1 link set lo up

# addresses as planned, nothing learned from the wire; no reverse-path filter; ARP only for the asking interface's own addresses
ip netns exec vn0-i-branch-1 sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.autoconf=0 net.ipv6.conf.default.autoconf=0 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2

# instance branch-2
ip netns add vn0-i-branch-2

# loopback
ip -n vn0-i-branch-2 link set lo up

# addresses as planned, nothing learned from the wire; no reverse-path filter; ARP only for the asking interface's own addresses
ip netns exec vn0-i-branch-2 sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.autoconf=0 net.ipv6.conf.default.autoconf=0 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2

# external host client
ip netns add vn0-h-client

# loopback
ip -n vn0-h-client link set lo up

# addresses as planned, nothing learned from the wire; no reverse-path filter; ARP only for the asking interface's own addresses
ip netns exec vn0-h-client sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.autoconf=0 net.ipv6.conf.default.autoconf=0 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2

# bridge for network hq; floods multicast (neighbour discovery) as an OVN logical switch does
ip -n vn0-fabric link add vn0b0 type bridge mcast_snooping 0

# bring up the bridge for network hq
ip -n vn0-fabric link set vn0b0 up

# bridge for network branch-net; floods multicast (neighbour discovery) as an OVN logical switch does
ip -n vn0-fabric link add vn0b1 type bridge mcast_snooping 0

# bring up the bridge for network branch-net
ip -n vn0-fabric link set vn0b1 up

# bridge for network transit; floods multicast (neighbour discovery) as an OVN logical switch does
ip -n vn0-fabric link add vn0b2 type bridge mcast_snooping 0

# bring up the bridge for network transit
ip -n vn0-fabric link set vn0b2 up

# bridge for external network public; floods multicast (neighbour discovery) as an OVN logical switch does
ip -n vn0-fabric link add vn0b3 type bridge mcast_snooping 0

# bring up the bridge for external network public
ip -n vn0-fabric link set vn0b3 up

# port hq-1/eth0
ip -n vn0-fabric link add vn0p0 mtu 1500 type veth peer name eth0 netns vn0-i-hq-1

# plug hq-1/eth0 into switch hq
ip -n vn0-fabric link set vn0p0 master vn0b0 up

# hq-1/eth0 has MAC fa:16:3e:00:00:01
ip -n vn0-i-hq-1 link set eth0 address fa:16:3e:00:00:01 up

# ARP gives up in 600 ms, inside a probe's timeout
ip -n vn0-i-hq-1 ntable change name arp_cache dev eth0 retrans 200

# hq-1/eth0 address on hq-lan
ip -n vn0-i-hq-1 addr add 10.1.0.2/24 dev eth0

# port branch-1/eth0
ip -n vn0-fabric link add vn0p1 mtu 1500 type veth peer name eth0 netns vn0-i-branch-1

# plug branch-1/eth0 into switch branch-net
ip -n vn0-fabric link set vn0p1 master vn0b1 up

# branch-1/eth0 has MAC fa:16:3e:00:00:02
ip -n vn0-i-branch-1 link set eth0 address fa:16:3e:00:00:02 up

# ARP gives up in 600 ms, inside a probe's timeout
ip -n vn0-i-branch-1 ntable change name arp_cache dev eth0 retrans 200

# branch-1/eth0 address on branch-lan
ip -n vn0-i-branch-1 addr add 10.2.0.2/24 dev eth0

# port branch-2/eth0
ip -n vn0-fabric link add vn0p2 mtu 1500 type veth peer name eth0 netns vn0-i-branch-2

# plug branch-2/eth0 into switch branch-net
ip -n vn0-fabric link set vn0p2 master vn0b1 up

# branch-2/eth0 has MAC fa:16:3e:00:00:03
ip -n vn0-i-branch-2 link set eth0 address fa:16:3e:00:00:03 up

# ARP gives up in 600 ms, inside a probe's timeout
ip -n vn0-i-branch-2 ntable change name arp_cache dev eth0 retrans 200

# branch-2/eth0 address on branch-lan
ip -n vn0-i-branch-2 addr add 10.2.0.3/24 dev eth0

# port edge/qr-hq-lan
ip -n vn0-fabric link add vn0p3 mtu 1500 type veth peer name qr-hq-lan netns vn0-r-edge

# plug edge/qr-hq-lan into switch hq
ip -n vn0-fabric link set vn0p3 master vn0b0 up

# edge/qr-hq-lan has MAC fa:16:3e:00:00:04
ip -n vn0-r-edge link set qr-hq-lan address fa:16:3e:00:00:04 up

# ARP gives up in 600 ms, inside a probe's timeout
ip -n vn0-r-edge ntable change name arp_cache dev qr-hq-lan retrans 200

# edge/qr-hq-lan address on hq-lan
ip -n vn0-r-edge addr add 10.1.0.1/24 dev qr-hq-lan

# port edge/qr-core
ip -n vn0-fabric link add vn0p4 mtu 1500 type veth peer name qr-core netns vn0-r-edge

# plug edge/qr-core into switch transit
ip -n vn0-fabric link set vn0p4 master vn0b2 up

# edge/qr-core has MAC fa:16:3e:00:00:05
ip -n vn0-r-edge link set qr-core address fa:16:3e:00:00:05 up

# ARP gives up in 600 ms, inside a probe's timeout
ip -n vn0-r-edge ntable change name arp_cache dev qr-core retrans 200

# edge/qr-core address on core
ip -n vn0-r-edge addr add 10.50.0.1/29 dev qr-core

# port edge/qg-public
ip -n vn0-fabric link add vn0p5 mtu 1500 type veth peer name qg-public netns vn0-r-edge

# plug edge/qg-public into external network public
ip -n vn0-fabric link set vn0p5 master vn0b3 up

# edge/qg-public has MAC fa:16:3e:00:00:06
ip -n vn0-r-edge link set qg-public address fa:16:3e:00:00:06 up

# ARP gives up in 600 ms, inside a probe's timeout
ip -n vn0-r-edge ntable change name arp_cache dev qg-public retrans 200

# edge/qg-public address on public
ip -n vn0-r-edge addr add 203.0.113.10/24 dev qg-public

# port branch/qr-branch-lan
ip -n vn0-fabric link add vn0p6 mtu 1500 type veth peer name qr-branch-lan netns vn0-r-branch

# plug branch/qr-branch-lan into switch branch-net
ip -n vn0-fabric link set vn0p6 master vn0b1 up

# branch/qr-branch-lan has MAC fa:16:3e:00:00:07
ip -n vn0-r-branch link set qr-branch-lan address fa:16:3e:00:00:07 up

# ARP gives up in 600 ms, inside a probe's timeout
ip -n vn0-r-branch ntable change name arp_cache dev qr-branch-lan retrans 200

# branch/qr-branch-lan address on branch-lan
ip -n vn0-r-branch addr add 10.2.0.1/24 dev qr-branch-lan

# port branch/qr-core
ip -n vn0-fabric link add vn0p7 mtu 1500 type veth peer name qr-core netns vn0-r-branch

# plug branch/qr-core into switch transit
ip -n vn0-fabric link set vn0p7 master vn0b2 up

# branch/qr-core has MAC fa:16:3e:00:00:08
ip -n vn0-r-branch link set qr-core address fa:16:3e:00:00:08 up

# ARP gives up in 600 ms, inside a probe's timeout
ip -n vn0-r-branch ntable change name arp_cache dev qr-core retrans 200

# branch/qr-core address on core
ip -n vn0-r-branch addr add 10.50.0.2/29 dev qr-core

# port security: what an instance port sends carries its own MAC and addresses
ip netns exec vn0-fabric nft -f - <<'NFT'
table bridge vnet_ps {
  counter spoof_drop { }
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname "vn0p0" jump port0 comment "hq-1/eth0"
    iifname "vn0p1" jump port1 comment "branch-1/eth0"
    iifname "vn0p2" jump port2 comment "branch-2/eth0"
  }
  chain port0 {
    ether saddr fa:16:3e:00:00:01 jump port0_mac0
    counter name "spoof_drop" drop comment "hq-1/eth0: source MAC not the port's"
  }
  chain port0_mac0 {
    arp saddr ether != fa:16:3e:00:00:01 counter name "spoof_drop" drop comment "ARP sender MAC differs from the frame's"
    arp saddr ip 10.1.0.2 accept
    ip saddr 10.1.0.2 accept
    ip6 saddr { fe80::f816:3eff:fe00:1, :: } accept
    counter name "spoof_drop" drop comment "hq-1/eth0: source address not the port's"
  }
  chain port1 {
    ether saddr fa:16:3e:00:00:02 jump port1_mac0
    counter name "spoof_drop" drop comment "branch-1/eth0: source MAC not the port's"
  }
  chain port1_mac0 {
    arp saddr ether != fa:16:3e:00:00:02 counter name "spoof_drop" drop comment "ARP sender MAC differs from the frame's"
    arp saddr ip 10.2.0.2 accept
    ip saddr 10.2.0.2 accept
    ip6 saddr { fe80::f816:3eff:fe00:2, :: } accept
    counter name "spoof_drop" drop comment "branch-1/eth0: source address not the port's"
  }
  chain port2 {
    ether saddr fa:16:3e:00:00:03 jump port2_mac0
    counter name "spoof_drop" drop comment "branch-2/eth0: source MAC not the port's"
  }
  chain port2_mac0 {
    arp saddr ether != fa:16:3e:00:00:03 counter name "spoof_drop" drop comment "ARP sender MAC differs from the frame's"
    arp saddr ip 10.2.0.3 accept
    ip saddr 10.2.0.3 accept
    ip6 saddr { fe80::f816:3eff:fe00:3, :: } accept
    counter name "spoof_drop" drop comment "branch-2/eth0: source address not the port's"
  }
}
NFT

# floating IP hq-1-fip: the gateway port answers ARP for it
ip -n vn0-r-edge addr add 203.0.113.11/32 dev qg-public

# default route through external network public
ip -n vn0-r-edge route add default via 203.0.113.1 dev qg-public

# extra route 10.2.0.0/24 via 10.50.0.2
ip -n vn0-r-edge route replace 10.2.0.0/24 via 10.50.0.2

# router edge: NAT, load-balancer listeners, network ACLs
ip netns exec vn0-r-edge nft -f - <<'NFT'
table ip vnet_nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    ip daddr 203.0.113.11 dnat ip to 10.1.0.2 comment "hq-1-fip"
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    iifname != "qg-public" ip saddr 10.1.0.2 oifname "qg-public" snat ip to 203.0.113.11 comment "hq-1-fip outbound"
    iifname != "qg-public" oifname != "qg-public" ct status dnat ct original ip daddr 203.0.113.11 ip saddr 10.1.0.2 snat ip to 203.0.113.11 comment "hq-1-fip hairpin"
    iifname != "qg-public" oifname "qg-public" snat ip to 203.0.113.10 comment "router SNAT"
    iifname != "qg-public" oifname != "qg-public" ct status dnat ct original ip daddr 203.0.113.11 snat ip to 203.0.113.10 comment "hairpin: sent to a floating IP, DNATed back inside"
  }
}
NFT

# extra route 0.0.0.0/0 via 10.50.0.1
ip -n vn0-r-branch route replace 0.0.0.0/0 via 10.50.0.1

# default route via hq-lan's gateway
ip -n vn0-i-hq-1 route add default via 10.1.0.1 dev eth0

# instance hq-1: security groups
ip netns exec vn0-i-hq-1 nft -f - <<'NFT'
table inet vnet_sg {
  counter ingress_drop { }
  counter egress_drop { }
  chain input {
    type filter hook input priority filter; policy drop;
    iif "lo" accept
    iifname "eth0" icmpv6 type { mld-listener-query, nd-neighbor-solicit, nd-neighbor-advert } accept comment "neighbour discovery"
    iifname "eth0" ct state established,related accept
    iifname "eth0" ct state invalid counter name "ingress_drop" drop comment "connection tracking: invalid"
    iifname "eth0" meta nfproto ipv4 ip saddr 10.0.0.0/8 tcp dport 22 accept comment "ssh#2"
    iifname "eth0" meta nfproto ipv4 icmp type 8 accept comment "ssh#3"
    counter name "ingress_drop" drop comment "no rule allows it"
  }
  chain output {
    type filter hook output priority filter; policy drop;
    oif "lo" accept
    oifname "eth0" icmpv6 type { mld-listener-report, mld-listener-done, nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld2-listener-report } accept comment "neighbour discovery"
    oifname "eth0" ct state established,related accept
    oifname "eth0" ct state invalid counter name "egress_drop" drop comment "connection tracking: invalid"
    oifname "eth0" meta nfproto ipv4 accept comment "ssh#0"
    oifname "eth0" meta nfproto ipv6 accept comment "ssh#1"
    counter name "egress_drop" drop comment "no rule allows it"
  }
}
NFT

# default route via branch-lan's gateway
ip -n vn0-i-branch-1 route add default via 10.2.0.1 dev eth0

# instance branch-1: security groups
ip netns exec vn0-i-branch-1 nft -f - <<'NFT'
table inet vnet_sg {
  counter ingress_drop { }
  counter egress_drop { }
  chain input {
    type filter hook input priority filter; policy drop;
    iif "lo" accept
    iifname "eth0" icmpv6 type { mld-listener-query, nd-neighbor-solicit, nd-neighbor-advert } accept comment "neighbour discovery"
    iifname "eth0" ct state established,related accept
    iifname "eth0" ct state invalid counter name "ingress_drop" drop comment "connection tracking: invalid"
    iifname "eth0" meta nfproto ipv4 ip saddr 10.0.0.0/8 tcp dport 22 accept comment "ssh#2"
    iifname "eth0" meta nfproto ipv4 icmp type 8 accept comment "ssh#3"
    counter name "ingress_drop" drop comment "no rule allows it"
  }
  chain output {
    type filter hook output priority filter; policy drop;
    oif "lo" accept
    oifname "eth0" icmpv6 type { mld-listener-report, mld-listener-done, nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld2-listener-report } accept comment "neighbour discovery"
    oifname "eth0" ct state established,related accept
    oifname "eth0" ct state invalid counter name "egress_drop" drop comment "connection tracking: invalid"
    oifname "eth0" meta nfproto ipv4 accept comment "ssh#0"
    oifname "eth0" meta nfproto ipv6 accept comment "ssh#1"
    counter name "egress_drop" drop comment "no rule allows it"
  }
}
NFT

# default route via branch-lan's gateway
ip -n vn0-i-branch-2 route add default via 10.2.0.1 dev eth0

# instance branch-2: security groups
ip netns exec vn0-i-branch-2 nft -f - <<'NFT'
table inet vnet_sg {
  counter ingress_drop { }
  counter egress_drop { }
  chain input {
    type filter hook input priority filter; policy drop;
    iif "lo" accept
    iifname "eth0" icmpv6 type { mld-listener-query, nd-neighbor-solicit, nd-neighbor-advert } accept comment "neighbour discovery"
    iifname "eth0" ct state established,related accept
    iifname "eth0" ct state invalid counter name "ingress_drop" drop comment "connection tracking: invalid"
    iifname "eth0" meta nfproto ipv4 ip saddr 10.0.0.0/8 tcp dport 22 accept comment "ssh#2"
    iifname "eth0" meta nfproto ipv4 icmp type 8 accept comment "ssh#3"
    counter name "ingress_drop" drop comment "no rule allows it"
  }
  chain output {
    type filter hook output priority filter; policy drop;
    oif "lo" accept
    oifname "eth0" icmpv6 type { mld-listener-report, mld-listener-done, nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld2-listener-report } accept comment "neighbour discovery"
    oifname "eth0" ct state established,related accept
    oifname "eth0" ct state invalid counter name "egress_drop" drop comment "connection tracking: invalid"
    oifname "eth0" meta nfproto ipv4 accept comment "ssh#0"
    oifname "eth0" meta nfproto ipv6 accept comment "ssh#1"
    counter name "egress_drop" drop comment "no rule allows it"
  }
}
NFT

# the internet's uplink to public
ip -n vn0-fabric link add vn0u0 type veth peer name x-public netns vn0-internet

# plug the uplink into public
ip -n vn0-fabric link set vn0u0 master vn0b3 up

# bring up the uplink to public
ip -n vn0-internet link set x-public up

# ARP gives up in 600 ms, inside a probe's timeout
ip -n vn0-internet ntable change name arp_cache dev x-public retrans 200

# public's gateway address
ip -n vn0-internet addr add 203.0.113.1/24 dev x-public

# the internet owns every public address (closed ports refuse)
ip -n vn0-internet route add local 0.0.0.0/0 dev lo

# the internet owns every public IPv6 address too (in main, where longer routes win: IPv6 consults the local table first, whole)
ip -n vn0-internet -6 route add local ::/0 dev lo table main

# the internet does not route private addresses
ip -n vn0-internet route add unreachable 10.0.0.0/8

# the internet does not route private addresses
ip -n vn0-internet route add unreachable 172.16.0.0/12

# the internet does not route private addresses
ip -n vn0-internet route add unreachable 192.168.0.0/16

# the internet does not route private addresses
ip -n vn0-internet route add unreachable 100.64.0.0/10

# the internet does not route private addresses
ip -n vn0-internet -6 route add unreachable fc00::/7

# external host client's link
ip -n vn0-internet link add h0 type veth peer name eth0 netns vn0-h-client

# bring up the link to client
ip -n vn0-internet link set h0 up

# the internet's end of the /32 link
ip -n vn0-internet addr add 169.254.0.1/32 dev h0

# client lives behind this link
ip -n vn0-internet route add 198.51.100.7/32 dev h0

# bring up client's link
ip -n vn0-h-client link set eth0 up

# ARP gives up in 600 ms, inside a probe's timeout
ip -n vn0-h-client ntable change name arp_cache dev eth0 retrans 200

# client's address
ip -n vn0-h-client addr add 198.51.100.7/32 dev eth0

# the internet is on-link
ip -n vn0-h-client route add 169.254.0.1/32 dev eth0

# everything else through the internet
ip -n vn0-h-client route add default via 169.254.0.1 dev eth0

# instance hq-1 listens on tcp/22
ip netns exec vn0-i-hq-1 node "$AGENT" listen tcp/22 >/dev/null 2>&1 &

# instance branch-1 listens on tcp/22
ip netns exec vn0-i-branch-1 node "$AGENT" listen tcp/22 >/dev/null 2>&1 &

# instance branch-2 listens on tcp/22
ip netns exec vn0-i-branch-2 node "$AGENT" listen tcp/22 >/dev/null 2>&1 &

trap - EXIT INT TERM
echo "realized: 8 namespaces vn0-*"
