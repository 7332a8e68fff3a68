// SPDX-License-Identifier: Apache-2.0

// Package uring is a minimal io_uring: io_uring_setup, the three mmap'd regions and
// io_uring_enter, with nothing but syscall and unsafe. The demo's "update" does all of its file
// and network work through it, so a syscall sensor sees only io_uring_setup and io_uring_enter.
// One request (or one linked chain) is in flight at a time.
package uring

import (
	"errors"
	"fmt"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// Opcodes (include/uapi/linux/io_uring.h).
const (
	OpLinkTimeout = 15
	OpConnect     = 16
	OpOpenat      = 18
	OpClose       = 19
	OpRead        = 22
	OpWrite       = 23
	OpSend        = 26
	OpRecv        = 27
	OpSocket      = 45
)

const (
	sysSetup        = 425
	sysEnter        = 426
	offSQRing       = 0
	offCQRing       = 0x8000000
	offSQEs         = 0x10000000
	featSingleMmap  = 1 << 0
	enterGetEvents  = 1 << 0
	sqeFlagIOLink   = 1 << 2
	atFdCwd         = -100
	sqeSize         = 64
	cqeSize         = 16
	errCanceled     = 125 // ECANCELED
	defaultEntries  = 8
	maxEnterRetries = 1000
)

type sqOffsets struct {
	head, tail, ringMask, ringEntries, flags, dropped, array, resv1 uint32
	userAddr                                                        uint64
}

type cqOffsets struct {
	head, tail, ringMask, ringEntries, overflow, cqes, flags, resv1 uint32
	userAddr                                                        uint64
}

type params struct {
	sqEntries, cqEntries, flags, sqThreadCPU, sqThreadIdle, features, wqFd uint32
	resv                                                                   [3]uint32
	sqOff                                                                  sqOffsets
	cqOff                                                                  cqOffsets
}

// SQE is struct io_uring_sqe (64 bytes).
type SQE struct {
	Opcode      uint8
	Flags       uint8
	Ioprio      uint16
	Fd          int32
	Off         uint64 // also addr2
	Addr        uint64
	Len         uint32
	OpFlags     uint32 // open_flags, msg_flags, rw_flags ...
	UserData    uint64
	BufIndex    uint16
	Personality uint16
	FileIndex   uint32
	Addr3       uint64
	pad         uint64
}

type cqe struct {
	userData uint64
	res      int32
	flags    uint32
}

// Ring is one io_uring instance.
type Ring struct {
	fd                   int
	sqMem, cqMem, sqeMem []byte
	sqTail, sqMask       *uint32
	sqArray              unsafe.Pointer
	cqHead, cqTail       *uint32
	cqMask               *uint32
	cqes                 unsafe.Pointer
	// Buffers handed to the kernel stay referenced here until their request completes
	// (Go's heap does not move objects; this keeps them from being collected).
	keep []interface{}
}

func u32(mem []byte, off uint32) *uint32 { return (*uint32)(unsafe.Pointer(&mem[off])) }

// New creates a ring with room for a few requests.
func New() (*Ring, error) {
	var p params
	fd, _, errno := syscall.Syscall(sysSetup, defaultEntries, uintptr(unsafe.Pointer(&p)), 0)
	if errno != 0 {
		return nil, fmt.Errorf("io_uring_setup: %w", errno)
	}
	r := &Ring{fd: int(fd)}
	sqSize := int(p.sqOff.array + p.sqEntries*4)
	cqSize := int(p.cqOff.cqes + p.cqEntries*cqeSize)
	single := p.features&featSingleMmap != 0
	if single && cqSize > sqSize {
		sqSize = cqSize
	}
	var err error
	mmap := func(off int64, size int) ([]byte, error) {
		return syscall.Mmap(r.fd, off, size, syscall.PROT_READ|syscall.PROT_WRITE,
			syscall.MAP_SHARED|syscall.MAP_POPULATE)
	}
	if r.sqMem, err = mmap(offSQRing, sqSize); err != nil {
		r.Close()
		return nil, fmt.Errorf("mmap sq ring: %w", err)
	}
	r.cqMem = r.sqMem
	if !single {
		if r.cqMem, err = mmap(offCQRing, cqSize); err != nil {
			r.Close()
			return nil, fmt.Errorf("mmap cq ring: %w", err)
		}
	}
	if r.sqeMem, err = mmap(offSQEs, int(p.sqEntries)*sqeSize); err != nil {
		r.Close()
		return nil, fmt.Errorf("mmap sqes: %w", err)
	}
	r.sqTail = u32(r.sqMem, p.sqOff.tail)
	r.sqMask = u32(r.sqMem, p.sqOff.ringMask)
	r.sqArray = unsafe.Pointer(&r.sqMem[p.sqOff.array])
	r.cqHead = u32(r.cqMem, p.cqOff.head)
	r.cqTail = u32(r.cqMem, p.cqOff.tail)
	r.cqMask = u32(r.cqMem, p.cqOff.ringMask)
	r.cqes = unsafe.Pointer(&r.cqMem[p.cqOff.cqes])
	return r, nil
}

// Close unmaps the rings and closes the ring fd (a plain close of the ring itself).
func (r *Ring) Close() {
	if r.sqeMem != nil {
		syscall.Munmap(r.sqeMem)
	}
	if r.cqMem != nil && &r.cqMem[0] != &r.sqMem[0] {
		syscall.Munmap(r.cqMem)
	}
	if r.sqMem != nil {
		syscall.Munmap(r.sqMem)
	}
	syscall.Close(r.fd)
}

// submit queues the SQEs as one chain, enters the kernel and returns each one's result
// (negative errno values as in the CQE), in order.
func (r *Ring) submit(sqes ...SQE) ([]int32, error) {
	tail := *r.sqTail // only this goroutine writes the tail
	mask := atomic.LoadUint32(r.sqMask)
	for i := range sqes {
		idx := (tail + uint32(i)) & mask
		sqes[i].UserData = uint64(i)
		*(*SQE)(unsafe.Pointer(&r.sqeMem[int(idx)*sqeSize])) = sqes[i]
		*(*uint32)(unsafe.Add(r.sqArray, 4*idx)) = idx
	}
	atomic.StoreUint32(r.sqTail, tail+uint32(len(sqes)))

	res := make([]int32, len(sqes))
	toSubmit, got := len(sqes), 0
	for tries := 0; got < len(sqes); tries++ {
		if tries > maxEnterRetries {
			return nil, errors.New("io_uring_enter: no completion")
		}
		_, _, errno := syscall.Syscall6(sysEnter, uintptr(r.fd), uintptr(toSubmit),
			uintptr(len(sqes)-got), enterGetEvents, 0, 0)
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			return nil, fmt.Errorf("io_uring_enter: %w", errno)
		}
		toSubmit = 0
		head := atomic.LoadUint32(r.cqHead)
		for head != atomic.LoadUint32(r.cqTail) {
			c := (*cqe)(unsafe.Add(r.cqes, cqeSize*(head&*r.cqMask)))
			if c.userData < uint64(len(res)) {
				res[c.userData] = c.res
				got++
			}
			head++
		}
		atomic.StoreUint32(r.cqHead, head)
	}
	r.keep = r.keep[:0]
	return res, nil
}

func (r *Ring) one(sqe SQE) (int32, error) {
	res, err := r.submit(sqe)
	if err != nil {
		return 0, err
	}
	if res[0] < 0 {
		return res[0], syscall.Errno(-res[0])
	}
	return res[0], nil
}

func (r *Ring) ptr(b []byte) uint64 {
	r.keep = append(r.keep, b)
	return uint64(uintptr(unsafe.Pointer(&b[0])))
}

// Openat opens path (relative to the working directory) with IORING_OP_OPENAT.
func (r *Ring) Openat(path string, flags int) (int, error) {
	p := append([]byte(path), 0)
	fd, err := r.one(SQE{Opcode: OpOpenat, Fd: atFdCwd, Addr: r.ptr(p), OpFlags: uint32(flags)})
	return int(fd), err
}

// Read reads into buf at offset off (-1: the file position) with IORING_OP_READ.
func (r *Ring) Read(fd int, buf []byte, off int64) (int, error) {
	n, err := r.one(SQE{Opcode: OpRead, Fd: int32(fd), Addr: r.ptr(buf), Len: uint32(len(buf)),
		Off: uint64(off)})
	return int(n), err
}

// Write writes buf with IORING_OP_WRITE (offset -1: sockets and pipes).
func (r *Ring) Write(fd int, buf []byte) (int, error) {
	n, err := r.one(SQE{Opcode: OpWrite, Fd: int32(fd), Addr: r.ptr(buf), Len: uint32(len(buf)),
		Off: ^uint64(0)})
	return int(n), err
}

// Send sends buf on a socket with IORING_OP_SEND.
func (r *Ring) Send(fd int, buf []byte) (int, error) {
	n, err := r.one(SQE{Opcode: OpSend, Fd: int32(fd), Addr: r.ptr(buf), Len: uint32(len(buf)),
		OpFlags: uint32(syscall.MSG_NOSIGNAL)})
	return int(n), err
}

// ReadTimeout reads from a socket with IORING_OP_RECV (recv true) or IORING_OP_READ, linked to
// an IORING_OP_LINK_TIMEOUT so a silent peer cannot block it for longer than ms milliseconds.
func (r *Ring) ReadTimeout(fd int, buf []byte, recv bool, ms int64) (int, error) {
	ts := make([]byte, 16) // struct __kernel_timespec
	*(*int64)(unsafe.Pointer(&ts[0])) = ms / 1000
	*(*int64)(unsafe.Pointer(&ts[8])) = (ms % 1000) * 1000000
	op := SQE{Opcode: OpRead, Fd: int32(fd), Addr: r.ptr(buf), Len: uint32(len(buf)),
		Off: ^uint64(0), Flags: sqeFlagIOLink}
	if recv {
		op.Opcode, op.Off = OpRecv, 0
	}
	res, err := r.submit(op, SQE{Opcode: OpLinkTimeout, Fd: -1, Addr: r.ptr(ts), Len: 1})
	if err != nil {
		return 0, err
	}
	if res[0] == -errCanceled {
		return 0, syscall.ETIMEDOUT
	}
	if res[0] < 0 {
		return 0, syscall.Errno(-res[0])
	}
	return int(res[0]), nil
}

// Socket creates a socket with IORING_OP_SOCKET (Linux 5.19+).
func (r *Ring) Socket(domain, typ, proto int) (int, error) {
	fd, err := r.one(SQE{Opcode: OpSocket, Fd: int32(domain), Off: uint64(typ), Len: uint32(proto)})
	return int(fd), err
}

// Connect connects fd to the raw socket address sa with IORING_OP_CONNECT.
func (r *Ring) Connect(fd int, sa []byte) error {
	_, err := r.one(SQE{Opcode: OpConnect, Fd: int32(fd), Addr: r.ptr(sa), Off: uint64(len(sa))})
	return err
}

// CloseFd closes fd with IORING_OP_CLOSE.
func (r *Ring) CloseFd(fd int) error {
	_, err := r.one(SQE{Opcode: OpClose, Fd: int32(fd)})
	return err
}
