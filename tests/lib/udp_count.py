# SPDX-License-Identifier: Apache-2.0
# A UDP listener on 127.0.0.1 (IPv4 only, port 0): prints "port N", then "got LEN" for each
# datagram it receives (tests/lib/common.sh udp_counter, udp_got).
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("port %d" % s.getsockname()[1], flush=True)
while True:
    data, peer = s.recvfrom(2048)
    print("got %d" % len(data), flush=True)
