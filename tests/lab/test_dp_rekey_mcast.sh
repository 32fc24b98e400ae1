#!/bin/bash
# test_dp_rekey.sh with `rekey transport multicast`: KS1 pushes each of the
# three TEK roll-overs (and the KEK one) once to 239.192.1.190, and a UDP
# stream of 100 datagrams a second from h13 to h14 loses nothing across them.
TRANSPORT=multicast exec "$(dirname "$0")/test_dp_rekey.sh" "$@"
