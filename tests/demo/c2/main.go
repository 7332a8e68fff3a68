// SPDX-License-Identifier: Apache-2.0

// Command c2 is the founding demo's C2 listener. It accepts TCP connections on a loopback
// address, decodes one length-prefixed gob frame per connection, answers with a command frame
// ("sleep", or -cmd for the first one), and prints one JSON line per frame received. The first line is "port N" (the
// port it listens on; -listen 127.0.0.1:0 picks a free one). Exits after -n frames (0: never).
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"vigil.test/demo/internal/frame"
)

type record struct {
	Frame  int    `json:"frame"`
	Time   string `json:"time"`
	TimeNs int64  `json:"time_ns"`
	Peer   string `json:"peer"`
	Seq    uint32 `json:"seq"`
	Kind   string `json:"kind"`
	Host   string `json:"host"`
	Path   string `json:"path"`
	Len    int    `json:"len"`
	Data   string `json:"data"`
	SHA256 string `json:"sha256"`
	Cmd    string `json:"cmd"`
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8888", "address to listen on (loopback)")
	max := flag.Int("n", 0, "exit after this many frames (0: run until killed)")
	cmd := flag.String("cmd", "", "command for the first beacon instead of \"sleep\", e.g. \"read /etc/shadow\"")
	flag.Parse()

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "c2: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("port %d\n", ln.Addr().(*net.TCPAddr).Port)

	var mu sync.Mutex
	count := 0
	out := json.NewEncoder(os.Stdout)
	done := make(chan struct{})
	go func() {
		<-done
		os.Exit(0)
	}()
	for {
		conn, err := ln.Accept()
		if err != nil {
			fmt.Fprintf(os.Stderr, "c2: accept: %v\n", err)
			os.Exit(1)
		}
		go func(c net.Conn) {
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			f, err := frame.Decode(c)
			if err != nil {
				fmt.Fprintf(os.Stderr, "c2: %s: %v\n", c.RemoteAddr(), err)
				return
			}
			sum := sha256.Sum256(f.Data)
			mu.Lock()
			defer mu.Unlock()
			count++
			order := "sleep"
			if count == 1 && *cmd != "" {
				order = *cmd
			}
			reply, _ := frame.Encode(&frame.Frame{Seq: f.Seq, Kind: "cmd", Data: []byte(order)})
			c.Write(reply)
			now := time.Now()
			out.Encode(record{Frame: count, Time: now.UTC().Format(time.RFC3339Nano), TimeNs: now.UnixNano(),
				Peer: c.RemoteAddr().String(), Seq: f.Seq, Kind: f.Kind, Host: f.Host,
				Path: f.Path, Len: len(f.Data), Data: string(f.Data),
				SHA256: hex.EncodeToString(sum[:]), Cmd: order})
			if *max > 0 && count == *max {
				close(done)
			}
		}(conn)
	}
}
