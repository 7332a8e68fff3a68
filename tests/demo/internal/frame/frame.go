// SPDX-License-Identifier: Apache-2.0

// Package frame is the demo C2's wire format: a 4-byte big-endian length, then one value
// encoded with encoding/gob (type description included, as a fresh gob stream each time).
package frame

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"io"
)

// MaxLen bounds one frame body.
const MaxLen = 1 << 20

// Frame is one message: a beacon with stolen data from the client, or a command back.
type Frame struct {
	Seq  uint32
	Kind string // "file" (client to server) or "cmd" (server to client)
	Host string
	Path string
	Data []byte
}

// Encode returns the length-prefixed gob encoding of f.
func Encode(f *Frame) ([]byte, error) {
	var body bytes.Buffer
	if err := gob.NewEncoder(&body).Encode(f); err != nil {
		return nil, err
	}
	if body.Len() > MaxLen {
		return nil, fmt.Errorf("frame of %d bytes exceeds %d", body.Len(), MaxLen)
	}
	out := make([]byte, 4, 4+body.Len())
	binary.BigEndian.PutUint32(out, uint32(body.Len()))
	return append(out, body.Bytes()...), nil
}

// Decode reads one frame from r.
func Decode(r io.Reader) (*Frame, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n == 0 || n > MaxLen {
		return nil, fmt.Errorf("bad frame length %d", n)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	var f Frame
	if err := gob.NewDecoder(bytes.NewReader(body)).Decode(&f); err != nil {
		return nil, fmt.Errorf("gob: %w", err)
	}
	return &f, nil
}

// DecodeBytes decodes one frame from the start of b.
func DecodeBytes(b []byte) (*Frame, error) { return Decode(bytes.NewReader(b)) }
