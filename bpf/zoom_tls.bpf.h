/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Zoom capture through TLS: plaintext at the TLS library's own calls, for a zoomed workload
 * only. Included by bpf/zoom.bpf.c (it shares its helpers: zoom test, budget, samples, ring).
 *
 * User space (sensor/sensor_tls.c) attaches these programs while some workload is zoomed, to
 * the library files that workload maps; they are attached per file to every process, so each
 * one first checks that the calling task's cgroup is zoomed (one hash lookup) and leaves.
 *
 * OpenSSL: an entry probe keeps the buffer (and the SSL *) per thread in ztlspend; the return
 * probe knows how many bytes were written or read and records the sample then (a read's buffer
 * is filled only at return). Which connection: the SSL's fd is not a kernel object we can
 * follow from the SSL pointer without OpenSSL's private struct layouts, which change between
 * versions; instead the zoom's sys_exit hook, seeing a socket read or write while this thread
 * is inside an SSL call, notes that socket's addresses in the pending call (tls_note_sock)
 * and under the SSL * in ztlspeer. A call served from OpenSSL's buffer (no syscall of its
 * own) takes the SSL's last socket from ztlspeer.
 *
 * Go crypto/tls: goroutine stacks move, so return probes are unsafe; (*Conn).Write gets an
 * entry probe only (Go >= 1.17 register ABI: receiver in RAX, the slice in RBX, RCX) and the
 * fd is read through the Conn: c.conn (an interface: data word at +8) -> *net.TCPConn whose
 * first word is its *netFD -> poll.FD.Sysfd at +16 (after the 16-byte fdMutex), stable from
 * Go 1.9 to today. Write returns only when every byte is written (or on error), so the byte
 * count is the slice's length.
 */
#ifndef VIGIL_BPF_ZOOM_TLS_H
#define VIGIL_BPF_ZOOM_TLS_H

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct zk_tls_pend);
} ztlspend SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct zk_tls_peer);
} ztlspeer SEC(".maps");

/* The zoom's sys_exit saw this thread read or write socket sk (fd): if the thread is inside
 * an SSL call, that is the call's connection. */
static __always_inline void tls_note_sock(struct zk_scratch *s, struct sock *sk, long fd)
{
	__u64 tid = bpf_get_current_pid_tgid();
	struct zk_tls_pend *p = bpf_map_lookup_elem(&ztlspend, &tid);
	struct zk_tls_peer peer = {};
	struct vg_event *e;

	if (!p)
		return;
	e = (struct vg_event *)s->rec; /* sent already: reused for the addresses */
	sock_addrs(e, sk);
	peer.sa[0] = e->sa[0];
	peer.sa[1] = e->sa[1];
	peer.fd = fd;
	peer.proto = e->arg[0];
	p->sa[0] = peer.sa[0];
	p->sa[1] = peer.sa[1];
	p->fd = fd;
	p->proto = peer.proto;
	if (p->ssl)
		bpf_map_update_elem(&ztlspeer, &p->ssl, &peer, BPF_ANY);
}

static __always_inline int tls_enter(__u8 call, __u64 ssl, __u64 buf, __u64 len, __u64 done)
{
	__u64 tid, cg;
	struct zk_tls_pend p = {};

	if (!any_zoomed())
		return 0;
	cg = bpf_get_current_cgroup_id();
	if (!zoomed(cg))
		return 0;
	tid = bpf_get_current_pid_tgid();
	p.ssl = ssl;
	p.buf = buf;
	p.len = len;
	p.done = done;
	p.cgroup_id = cg;
	p.fd = -1;
	p.call = call;
	if (bpf_map_update_elem(&ztlspend, &tid, &p, BPF_ANY))
		zcount(ZK_CNT_DROP_TABLE);
	return 0;
}

/* One plaintext record: bytes at buf (of a buffer of buflen), the connection from pend. */
static __always_inline void tls_record(struct zk_scratch *s, __u64 cg, __u8 call, int dir,
				       const void *buf, __u64 buflen, long bytes,
				       const struct vg_sockaddr *sa, long fd, __u8 proto)
{
	struct vg_event *e = rec_begin(s, VG_EV_NET_IO, cg);
	__u64 avail = (__u64)bytes < buflen ? (__u64)bytes : buflen;
	__u32 off;

	if (sa) {
		e->sa[0] = sa[0];
		e->sa[1] = sa[1];
	} else {
		zcount(ZK_CNT_TLS_NOPEER);
	}
	e->arg[0] = proto;
	e->arg[1] = bytes;
	e->arg[2] = fd;
	e->arg[3] = dir;
	e->arg[4] = call;
	e->flags |= ZK_F_TLS;
	off = put_sample(e, 0, 0, buf, take_budget(cg, avail));
	zcount(ZK_CNT_TLS);
	rec_send(e, off);
}

static __always_inline int tls_return(int ret)
{
	__u64 tid = bpf_get_current_pid_tgid(), n = 0;
	struct zk_tls_pend *pp = bpf_map_lookup_elem(&ztlspend, &tid), p;
	struct zk_tls_peer *peer;
	struct zk_scratch *s;
	bool ex;

	if (!pp)
		return 0;
	p = *pp;
	bpf_map_delete_elem(&ztlspend, &tid);
	ex = p.call == ZK_TLS_SSL_WRITE_EX || p.call == ZK_TLS_SSL_READ_EX;
	if (ex) {
		/* 1 on success, the count behind the size_t * argument */
		if (ret != 1 || !p.done || bpf_probe_read_user(&n, sizeof(n), (void *)p.done))
			return 0;
	} else {
		if (ret <= 0)
			return 0;
		n = ret;
	}
	if (!n)
		return 0;
	s = scratch();
	if (!s)
		return 0;
	if (p.fd < 0 && p.ssl && (peer = bpf_map_lookup_elem(&ztlspeer, &p.ssl))) {
		p.sa[0] = peer->sa[0];
		p.sa[1] = peer->sa[1];
		p.fd = peer->fd;
		p.proto = peer->proto;
	}
	tls_record(s, p.cgroup_id, p.call,
		   p.call == ZK_TLS_SSL_WRITE || p.call == ZK_TLS_SSL_WRITE_EX ? VG_DIR_OUT
									       : VG_DIR_IN,
		   (const void *)p.buf, p.len, (long)n, p.fd >= 0 ? p.sa : NULL, p.fd, p.proto);
	return 0;
}

/* int SSL_write(SSL *ssl, const void *buf, int num) */
SEC("uprobe")
int BPF_KPROBE(vg_tls_ssl_write, void *ssl, const void *buf, int num)
{
	return tls_enter(ZK_TLS_SSL_WRITE, (__u64)ssl, (__u64)buf, num > 0 ? num : 0, 0);
}

/* int SSL_write_ex(SSL *s, const void *buf, size_t num, size_t *written) */
SEC("uprobe")
int BPF_KPROBE(vg_tls_ssl_write_ex, void *ssl, const void *buf, __u64 num, void *written)
{
	return tls_enter(ZK_TLS_SSL_WRITE_EX, (__u64)ssl, (__u64)buf, num, (__u64)written);
}

/* int SSL_read(SSL *ssl, void *buf, int num) */
SEC("uprobe")
int BPF_KPROBE(vg_tls_ssl_read, void *ssl, void *buf, int num)
{
	return tls_enter(ZK_TLS_SSL_READ, (__u64)ssl, (__u64)buf, num > 0 ? num : 0, 0);
}

/* int SSL_read_ex(SSL *ssl, void *buf, size_t num, size_t *readbytes) */
SEC("uprobe")
int BPF_KPROBE(vg_tls_ssl_read_ex, void *ssl, void *buf, __u64 num, void *readbytes)
{
	return tls_enter(ZK_TLS_SSL_READ_EX, (__u64)ssl, (__u64)buf, num, (__u64)readbytes);
}

/* the return of any of the four (the pending entry says which); they return an int, so the
 * upper half of RAX is not theirs */
SEC("uretprobe")
int BPF_KRETPROBE(vg_tls_ssl_ret, long ret)
{
	return tls_return((int)ret);
}

/* crypto/tls.(*Conn).Write(b []byte) (int, error), Go register ABI */
SEC("uprobe")
int vg_tls_go_write(struct pt_regs *regs)
{
	__u64 c = regs->ax, buf = regs->bx, len = regs->cx, iface = 0, nfd = 0, cg;
	long fd = -1;
	struct zk_scratch *s;
	struct sock *sk;
	struct vg_event *e;
	struct vg_sockaddr sa[2] = {};
	__u8 proto = 0;

	if (!any_zoomed())
		return 0;
	cg = bpf_get_current_cgroup_id();
	if (!zoomed(cg) || !len)
		return 0;
	s = scratch();
	if (!s)
		return 0;
	/* c.conn's data word -> *net.TCPConn -> *netFD -> pfd.Sysfd */
	if (!bpf_probe_read_user(&iface, sizeof(iface), (void *)(c + 8)) && iface &&
	    !bpf_probe_read_user(&nfd, sizeof(nfd), (void *)iface) && nfd)
		bpf_probe_read_user(&fd, sizeof(fd), (void *)(nfd + 16));
	sk = file_sock(cur_fd_file(fd));
	if (sk) {
		e = (struct vg_event *)s->rec;
		sock_addrs(e, sk);
		sa[0] = e->sa[0];
		sa[1] = e->sa[1];
		proto = e->arg[0];
	} else {
		fd = -1;
	}
	tls_record(s, cg, ZK_TLS_GO_WRITE, VG_DIR_OUT, (const void *)buf, len, (long)len,
		   sk ? sa : NULL, fd, proto);
	return 0;
}

#endif
