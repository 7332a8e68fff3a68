// SPDX-License-Identifier: Apache-2.0
/*
 * TLS plaintext under zoom: which files get uprobes, and when.
 *
 * Nothing is attached while no workload is zoomed. When a workload's zoom goes on, its
 * processes (the cgroup's cgroup.procs) are looked at: the executable (a Go program, or one
 * with OpenSSL linked in statically, both found by their symbols), every mapped libssl*, and
 * the libssl* files of the standard library directories under the process's root (so a
 * program the workload starts later, which maps them only after its exec, is covered too).
 * Each exec of a zoomed workload's process gets the same look at its executable and root, and
 * each of its connects a look at what it maps by then (what ld.so, LD_PRELOAD or dlopen
 * mapped after the exec: a TLS connection starts with a connect, before its first write).
 * Files are known by device and inode (one set of probes per file, whatever its path in each
 * mount namespace); a probe is attached to the file for every process (pid -1) and the BPF
 * side leaves at once unless the calling task's cgroup is zoomed. When the last zoom is
 * cleared every probe is detached.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensor/sensor_state.h"
#include "sensor/sensor_tls.h"
#include "vigil.skel.h"

#define TLS_FILES_MAX 128	 /* files looked at while zoomed (with or without probes) */
#define TLS_LINKS_MAX 8		 /* probes on one file: 4 entries + their return, or Go's one */
#define TLS_ROOTS_MAX 64	 /* process roots whose library directories were looked at */
#define TLS_PIDS_MAX  4096	 /* processes of one workload looked at when its zoom goes on */
#define TLS_SYMS_MAX  (4u << 20) /* symbols scanned in one ELF file */
#define TLS_ELF_MAX   (512ull << 20)
#define TLS_RECENT    64 /* processes remembered as looked at on a connect */

struct tls_file {
	dev_t dev;
	ino_t ino;
	int links[TLS_LINKS_MAX]; /* link descriptors */
	unsigned nlinks;
};

struct tls_root {
	dev_t dev;
	ino_t ino;
};

struct sensor_tls {
	struct tls_file files[TLS_FILES_MAX];
	size_t nfiles;
	struct tls_root roots[TLS_ROOTS_MAX];
	size_t nroots;
	bool active; /* some workload is zoomed */
	struct {
		uint32_t pid;
		uint64_t sec;
	} recent[TLS_RECENT]; /* processes looked at on a connect, and when */
	uint64_t attach_failed, attached;
};

static const char *const sym_names[TLS_SYM__MAX] = {
	[TLS_SYM_SSL_WRITE] = "SSL_write",
	[TLS_SYM_SSL_WRITE_EX] = "SSL_write_ex",
	[TLS_SYM_SSL_READ] = "SSL_read",
	[TLS_SYM_SSL_READ_EX] = "SSL_read_ex",
	[TLS_SYM_GO_WRITE] = "crypto/tls.(*Conn).Write",
};

/* ---- symbols ------------------------------------------------------------------------- */

static void scan_symtab(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, uint64_t off[TLS_SYM__MAX],
			size_t *budget)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;

	for (size_t i = 0; data && i < n && *budget; i++, (*budget)--) {
		GElf_Sym sym;
		GElf_Shdr tsh;
		Elf_Scn *ts;
		const char *name;

		if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    !sym.st_value || sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE)
			continue;
		name = elf_strptr(e, sh->sh_link, sym.st_name);
		if (!name || (name[0] != 'S' && name[0] != 'c'))
			continue;
		for (int k = 0; k < TLS_SYM__MAX; k++) {
			if (off[k] || strcmp(name, sym_names[k]))
				continue;
			/* the function's file offset: through the section that holds it */
			ts = elf_getscn(e, sym.st_shndx);
			if (ts && gelf_getshdr(ts, &tsh) && sym.st_value >= tsh.sh_addr)
				off[k] = sym.st_value - tsh.sh_addr + tsh.sh_offset;
		}
	}
}

/* The symbol tables of e (size bytes): an offset outside the file is no function of it. */
static int symbols_of(Elf *e, uint64_t size, uint64_t off[TLS_SYM__MAX])
{
	size_t budget = TLS_SYMS_MAX, nsec = 0;
	Elf_Scn *scn = NULL;
	int found = 0;

	if (e && elf_kind(e) == ELF_K_ELF) {
		while ((scn = elf_nextscn(e, scn)) && nsec++ < 4096) {
			GElf_Shdr sh;

			if (gelf_getshdr(scn, &sh) &&
			    (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM))
				scan_symtab(e, scn, &sh, off, &budget);
		}
	}
	for (int k = 0; k < TLS_SYM__MAX; k++) {
		if (off[k] >= size)
			off[k] = 0;
		found += off[k] != 0;
	}
	return found;
}

int sensor_tls_symbols(const char *path, uint64_t off[TLS_SYM__MAX])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), found;
	struct stat st;
	Elf *e;

	memset(off, 0, TLS_SYM__MAX * sizeof(off[0]));
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > TLS_ELF_MAX) {
		close(fd);
		return 0;
	}
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	found = symbols_of(e, (uint64_t)st.st_size, off);
	elf_end(e);
	close(fd);
	return found;
}

int sensor_tls_symbols_mem(const void *data, size_t len, uint64_t off[TLS_SYM__MAX])
{
	char *copy;
	Elf *e;
	int found;

	memset(off, 0, TLS_SYM__MAX * sizeof(off[0]));
	if (!data || len < 16 || len > TLS_ELF_MAX || elf_version(EV_CURRENT) == EV_NONE)
		return 0;
	/* libelf may convert the image in place: give it a private copy */
	copy = malloc(len);
	if (!copy)
		return 0;
	memcpy(copy, data, len);
	e = elf_memory(copy, len);
	found = symbols_of(e, len, off);
	elf_end(e);
	free(copy);
	return found;
}

/* ---- attaching ----------------------------------------------------------------------- */

struct sensor_tls *sensor_tls_new(void)
{
	return calloc(1, sizeof(struct sensor_tls));
}

static void detach_all(struct sensor_tls *t)
{
	for (size_t i = 0; i < t->nfiles; i++)
		for (unsigned j = 0; j < t->files[i].nlinks; j++)
			close(t->files[i].links[j]);
	t->nfiles = 0;
	t->nroots = 0;
}

void sensor_tls_free(struct sensor_tls *t)
{
	if (!t)
		return;
	detach_all(t);
	free(t);
}

static void attach(struct vigil_sensor *s, struct tls_file *f, struct bpf_program *prog,
		   const char *path, uint64_t off, bool ret)
{
	struct sensor_tls *t = s->tls;
	int l;

	if (f->nlinks >= TLS_LINKS_MAX)
		return;
	l = sensor_attach_uprobe(s, prog, path, off, ret);
	if (l < 0) {
		t->attach_failed++;
		return;
	}
	f->links[f->nlinks++] = l;
	t->attached++;
}

/* Looks at one file (once per device and inode while zoomed) and probes what it defines. */
static void probe_file(struct vigil_sensor *s, const char *path)
{
	struct sensor_tls *t = s->tls;
	struct vigil_bpf *k = s->skel;
	uint64_t off[TLS_SYM__MAX];
	struct tls_file *f;
	struct stat st;

	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return;
	for (size_t i = 0; i < t->nfiles; i++)
		if (t->files[i].dev == st.st_dev && t->files[i].ino == st.st_ino)
			return;
	if (t->nfiles >= TLS_FILES_MAX) {
		t->attach_failed++;
		return;
	}
	f = &t->files[t->nfiles++];
	memset(f, 0, sizeof(*f));
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	if (!sensor_tls_symbols(path, off))
		return;
	struct {
		enum tls_sym sym;
		struct bpf_program *entry;
	} ossl[] = {
		{ TLS_SYM_SSL_WRITE, k->progs.vg_tls_ssl_write },
		{ TLS_SYM_SSL_WRITE_EX, k->progs.vg_tls_ssl_write_ex },
		{ TLS_SYM_SSL_READ, k->progs.vg_tls_ssl_read },
		{ TLS_SYM_SSL_READ_EX, k->progs.vg_tls_ssl_read_ex },
	};
	for (size_t i = 0; i < sizeof(ossl) / sizeof(ossl[0]); i++) {
		if (!off[ossl[i].sym])
			continue;
		attach(s, f, ossl[i].entry, path, off[ossl[i].sym], false);
		attach(s, f, k->progs.vg_tls_ssl_ret, path, off[ossl[i].sym], true);
	}
	/* Go: an entry probe only (a return probe breaks when the goroutine's stack moves) */
	if (off[TLS_SYM_GO_WRITE])
		attach(s, f, k->progs.vg_tls_go_write, path, off[TLS_SYM_GO_WRITE], false);
}

/* The libssl* files of the usual library directories under a process's root, once per root. */
static void probe_root(struct vigil_sensor *s, uint32_t pid)
{
	static const char *const dirs[] = { "/usr/lib/x86_64-linux-gnu",
					    "/lib/x86_64-linux-gnu",
					    "/usr/lib64",
					    "/lib64",
					    "/usr/lib",
					    "/lib",
					    "/usr/local/lib",
					    "/usr/local/ssl/lib" };
	struct sensor_tls *t = s->tls;
	char root[64], path[PATH_MAX];
	struct stat st;

	snprintf(root, sizeof(root), "/proc/%u/root", pid);
	if (stat(root, &st))
		return;
	for (size_t i = 0; i < t->nroots; i++)
		if (t->roots[i].dev == st.st_dev && t->roots[i].ino == st.st_ino)
			return;
	if (t->nroots < TLS_ROOTS_MAX)
		t->roots[t->nroots++] = (struct tls_root){ st.st_dev, st.st_ino };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		DIR *d;
		struct dirent *de;
		int n = 0;

		snprintf(path, sizeof(path), "%s%s", root, dirs[i]);
		d = opendir(path);
		if (!d)
			continue;
		while ((de = readdir(d)) && n++ < 100000) {
			if (strncmp(de->d_name, "libssl", 6) || !strstr(de->d_name, ".so"))
				continue;
			snprintf(path, sizeof(path), "%s%s/%s", root, dirs[i], de->d_name);
			probe_file(s, path);
		}
		closedir(d);
	}
}

/* One process: its executable, every file it maps executable (whatever its name: a libssl
 * renamed, preloaded or bundled is found by its symbols), its root's library directories. */
static void probe_pid(struct vigil_sensor *s, uint32_t pid)
{
	char path[PATH_MAX], line[PATH_MAX + 128];
	FILE *m;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	probe_file(s, path);
	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	m = fopen(path, "re");
	if (m) {
		while (fgets(line, sizeof(line), m) && n++ < 100000) {
			unsigned long lo, hi;
			char perms[8];

			if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[2] != 'x' ||
			    !strchr(line, '/'))
				continue;
			/* the mapped file itself (also deleted or in another mount namespace) */
			snprintf(path, sizeof(path), "/proc/%u/map_files/%lx-%lx", pid, lo, hi);
			probe_file(s, path);
		}
		fclose(m);
	}
	probe_root(s, pid);
}

static bool zoomed(struct vigil_sensor *s, uint64_t cg)
{
	uint8_t v;

	return !bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.zoom), &cg, &v);
}

static bool any_zoomed(struct vigil_sensor *s)
{
	uint64_t k;

	return !bpf_map_get_next_key(bpf_map__fd(s->skel->maps.zoom), NULL, &k);
}

void sensor_tls_zoom(struct vigil_sensor *s, uint64_t cgroup_id, bool on)
{
	struct vigil_workload_entry *w;
	char path[PATH_MAX + 600];
	unsigned long pid;
	FILE *f;
	int n = 0;

	if (!s->tls || s->offline)
		return;
	if (!on) {
		if (!any_zoomed(s)) {
			detach_all(s->tls);
			s->tls->active = false;
		}
		return;
	}
	s->tls->active = true;
	w = sensor_workload_of(s, cgroup_id, 0);
	if (!w || !w->path[0])
		return;
	snprintf(path, sizeof(path), "%s%s/cgroup.procs", s->cg2_root,
		 strcmp(w->path, "/") ? w->path : "");
	f = fopen(path, "re");
	if (!f)
		return;
	while (n++ < TLS_PIDS_MAX && fscanf(f, "%lu", &pid) == 1)
		probe_pid(s, (uint32_t)pid);
	fclose(f);
}

void sensor_tls_exec(struct vigil_sensor *s, uint64_t cgroup_id, uint32_t pid)
{
	if (!s->tls || !s->tls->active || s->offline || !zoomed(s, cgroup_id))
		return;
	probe_pid(s, pid);
}

void sensor_tls_connect(struct vigil_sensor *s, uint64_t cgroup_id, uint32_t pid)
{
	struct sensor_tls *t = s->tls;
	uint64_t now;
	struct timespec ts;
	unsigned k;

	if (!t || !t->active || s->offline || !zoomed(s, cgroup_id))
		return;
	/* at most once a second per process (a zoomed workload reports every connect) */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec;
	k = pid % TLS_RECENT;
	if (t->recent[k].pid == pid && t->recent[k].sec == now)
		return;
	t->recent[k].pid = pid;
	t->recent[k].sec = now;
	probe_pid(s, pid);
}

void sensor_tls_stats(const struct sensor_tls *t, struct sensor_tls_stats *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!t)
		return;
	for (size_t i = 0; i < t->nfiles; i++) {
		ret->files += t->files[i].nlinks > 0;
		ret->links += t->files[i].nlinks;
	}
	ret->attach_failed = t->attach_failed;
	ret->attached = t->attached;
}
