# SPDX-License-Identifier: Apache-2.0
# t2019's workload: a worker that reads its input and writes a result, never listening. With
# "bind PORT" in the plan it also runs a bind shell, as an attacker's payload does
# (`nc -l -p PORT -e sh`): a listener on PORT whose one accepted connection becomes /bin/sh's
# standard input and output; the shell's "client" is a thread of the same process (the test
# needs no outside peer), which sends a command and reads its answer.
import socket
import subprocess
import sys
import threading

plan = open(sys.argv[1]).read().split()
data = open(sys.argv[2]).read()
with open(sys.argv[3], "w") as out:
    out.write("%d\n" % sum(len(w) for w in data.split()))

if plan[:1] == ["bind"]:
    port = int(plan[1])
    lsn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsn.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsn.bind(("127.0.0.1", port))
    lsn.listen(1)
    got = []

    def client():
        c = socket.create_connection(("127.0.0.1", port), timeout=10)
        c.sendall(b"echo pwned\nexit\n")
        buf = b""
        while True:
            b = c.recv(100)
            if not b:
                break
            buf += b
        got.append(buf)
        c.close()

    t = threading.Thread(target=client)
    t.start()
    conn, _ = lsn.accept()
    subprocess.run(["/bin/sh"], stdin=conn, stdout=conn, stderr=conn, check=False)
    conn.close()
    t.join(15)
    if not got or b"pwned" not in got[0]:
        sys.exit("bind shell did not answer: %r" % (got,))
