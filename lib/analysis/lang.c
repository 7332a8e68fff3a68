// SPDX-License-Identifier: Apache-2.0
/*
 * Language and runtime of a program, from its ELF file (sections, symbols, DT_NEEDED, marker
 * strings) and from what the process maps. Read with libelf; every count and scan is bounded
 * because the file is untrusted (an attacker's binary is exactly what this looks at).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/strutil.h"
#include "vigil/analysis.h"

#define MAX_SECTIONS 4096
#define MAX_SYMBOLS  (2u << 20)
#define MAX_DYNAMIC  4096
#define MAPS_MAX     (1u << 20)

static const char *const lang_names[VIGIL_LANG__MAX] = {
	[VIGIL_LANG_UNKNOWN] = "unknown", [VIGIL_LANG_C] = "c",
	[VIGIL_LANG_CXX] = "c++",	  [VIGIL_LANG_GO] = "go",
	[VIGIL_LANG_RUST] = "rust",	  [VIGIL_LANG_PYTHON] = "python",
	[VIGIL_LANG_JVM] = "jvm",	  [VIGIL_LANG_NODE] = "node",
	[VIGIL_LANG_DOTNET] = ".net",	  [VIGIL_LANG_RUBY] = "ruby",
};

const char *vigil_lang__name(enum vigil_lang l)
{
	if ((unsigned)l >= VIGIL_LANG__MAX)
		return "unknown";
	return lang_names[l];
}

/* What was found; the verdict is chosen by priority afterwards. */
struct elf_clues {
	bool go, rust, cxx, python, jvm, node, dotnet, ruby;
	char go_version[32];
	char python_version[16];
	char go_ev[48], rust_ev[48], cxx_ev[48], rt_ev[48];
};

static void note(char *ev, size_t size, const char *what, const char *name)
{
	if (!ev[0])
		snprintf(ev, size, "%s %.*s", what, 40, name);
}

/* Go 1.18+ build info: magic, ptr size, flags; flag 2 = version string inline at 32. */
static void go_buildinfo_version(const uint8_t *d, size_t len, char *out, size_t size)
{
	uint64_t vlen = 0;
	size_t p = 32;
	unsigned shift = 0;

	if (len < 33 || memcmp(d, "\xff Go buildinf:", 14) || !(d[15] & 2))
		return;
	while (p < len && shift < 35) {
		vlen |= (uint64_t)(d[p] & 0x7f) << shift;
		shift += 7;
		if (!(d[p++] & 0x80))
			break;
	}
	if (vlen == 0 || vlen > 64 || p + vlen > len)
		return;
	snprintf(out, size, "%.*s", (int)vlen, (const char *)d + p);
	for (char *c = out; *c; c++)
		if (*c < 0x21 || *c > 0x7e)
			*c = '?';
}

static void clue_from_lib(struct elf_clues *c, const char *lib, const char *how)
{
	const char *base = strrchr(lib, '/');

	base = base ? base + 1 : lib;
	if (vigil_str_has_prefix(base, "libstdc++") || vigil_str_has_prefix(base, "libc++.")) {
		c->cxx = true;
		note(c->cxx_ev, sizeof(c->cxx_ev), how, base);
	} else if (vigil_str_has_prefix(base, "libpython")) {
		const char *v = base + strlen("libpython");
		size_t n = 0;

		while (v[n] && (v[n] == '.' || (v[n] >= '0' && v[n] <= '9')) && n < 8)
			n++;
		while (n && v[n - 1] == '.')
			n--;
		c->python = true;
		snprintf(c->python_version, sizeof(c->python_version), "%.*s", (int)n, v);
		note(c->rt_ev, sizeof(c->rt_ev), how, base);
	} else if (vigil_str_has_prefix(base, "libjvm.so") ||
		   vigil_str_has_prefix(base, "libjli.so")) {
		c->jvm = true;
		note(c->rt_ev, sizeof(c->rt_ev), how, base);
	} else if (vigil_str_has_prefix(base, "libnode.so")) {
		c->node = true;
		note(c->rt_ev, sizeof(c->rt_ev), how, base);
	} else if (vigil_str_has_prefix(base, "libcoreclr.so") ||
		   vigil_str_has_prefix(base, "libhostfxr.so")) {
		c->dotnet = true;
		note(c->rt_ev, sizeof(c->rt_ev), how, base);
	} else if (vigil_str_has_prefix(base, "libruby")) {
		c->ruby = true;
		note(c->rt_ev, sizeof(c->rt_ev), how, base);
	}
}

static void clue_from_symbol(struct elf_clues *c, const char *name)
{
	if (name[0] != '_' && name[0] != 'r' && name[0] != 'P' && name[0] != 'J')
		return;
	if (!strcmp(name, "runtime.buildVersion") || !strcmp(name, "runtime.main")) {
		c->go = true;
		note(c->go_ev, sizeof(c->go_ev), "symbol", name);
	} else if (vigil_str_has_prefix(name, "__rust_") ||
		   vigil_str_has_prefix(name, "rust_begin_unwind") ||
		   vigil_str_has_prefix(name, "rust_panic")) {
		c->rust = true;
		note(c->rust_ev, sizeof(c->rust_ev), "symbol", name);
	} else if (vigil_str_has_prefix(name, "_ZN4node")) {
		c->node = true;
		note(c->rt_ev, sizeof(c->rt_ev), "symbol", name);
	} else if (!strcmp(name, "Py_BytesMain") || !strcmp(name, "_PyRuntime") ||
		   !strcmp(name, "Py_Initialize")) {
		c->python = true;
		note(c->rt_ev, sizeof(c->rt_ev), "symbol", name);
	} else if (!strcmp(name, "JNI_CreateJavaVM") || !strcmp(name, "JLI_Launch")) {
		c->jvm = true;
		note(c->rt_ev, sizeof(c->rt_ev), "symbol", name);
	} else if (vigil_str_has_prefix(name, "_Z")) {
		c->cxx = true;
		note(c->cxx_ev, sizeof(c->cxx_ev), "symbol", name);
	}
}

static void scan_symbols(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, struct elf_clues *c)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n;

	if (!data || !sh->sh_entsize)
		return;
	n = sh->sh_size / sh->sh_entsize;
	if (n > MAX_SYMBOLS)
		n = MAX_SYMBOLS;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *name;

		if (!gelf_getsym(data, (int)i, &sym))
			break;
		name = elf_strptr(e, sh->sh_link, sym.st_name);
		if (name && name[0])
			clue_from_symbol(c, name);
	}
}

static void scan_dynamic(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, struct elf_clues *c)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n;

	if (!data || !sh->sh_entsize)
		return;
	n = sh->sh_size / sh->sh_entsize;
	if (n > MAX_DYNAMIC)
		n = MAX_DYNAMIC;
	for (size_t i = 0; i < n; i++) {
		GElf_Dyn dyn;
		const char *name;

		if (!gelf_getdyn(data, (int)i, &dyn) || dyn.d_tag == DT_NULL)
			break;
		if (dyn.d_tag != DT_NEEDED)
			continue;
		name = elf_strptr(e, sh->sh_link, dyn.d_un.d_val);
		if (name)
			clue_from_lib(c, name, "needs");
	}
}

static int analyze_elf(Elf *e, struct vigil_lang_info *ret)
{
	struct elf_clues c = { 0 };
	struct vigil_lang_info r = { .lang = VIGIL_LANG_C };
	size_t shstrndx, nsec = 0, scanned = 0;
	Elf_Scn *scn = NULL;

	if (elf_kind(e) != ELF_K_ELF || elf_getshdrstrndx(e, &shstrndx))
		return -ENOEXEC;
	while ((scn = elf_nextscn(e, scn)) && nsec++ < MAX_SECTIONS) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (!name)
			name = "";
		if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM) {
			scan_symbols(e, scn, &sh, &c);
		} else if (sh.sh_type == SHT_DYNAMIC) {
			scan_dynamic(e, scn, &sh, &c);
		} else if (!strcmp(name, ".go.buildinfo") || !strcmp(name, ".gopclntab") ||
			   !strcmp(name, ".data.rel.ro.gopclntab")) {
			c.go = true;
			note(c.go_ev, sizeof(c.go_ev), "section", name);
			if (!strcmp(name, ".go.buildinfo")) {
				Elf_Data *d = elf_getdata(scn, NULL);

				if (d && d->d_buf)
					go_buildinfo_version(d->d_buf, d->d_size, c.go_version,
							     sizeof(c.go_version));
			}
		} else if (sh.sh_type == SHT_PROGBITS && vigil_str_has_prefix(name, ".rodata") &&
			   scanned < VIGIL_ELF_MAX_SCAN && !c.rust) {
			Elf_Data *d = elf_getdata(scn, NULL);
			size_t n;

			if (!d || !d->d_buf)
				continue;
			n = d->d_size;
			if (n > VIGIL_ELF_MAX_SCAN - scanned)
				n = VIGIL_ELF_MAX_SCAN - scanned;
			scanned += n;
			if (memmem(d->d_buf, n, "/rustc/", 7)) {
				c.rust = true;
				note(c.rust_ev, sizeof(c.rust_ev), "string", "/rustc/");
			}
		}
	}

	/* A runtime names what the code is; then the compiled language by how specific it is. */
	if (c.go) {
		r.lang = VIGIL_LANG_GO;
		vigil_strlcpy(r.version, c.go_version, sizeof(r.version));
		vigil_strlcpy(r.evidence, c.go_ev, sizeof(r.evidence));
	} else if (c.rust) {
		r.lang = VIGIL_LANG_RUST;
		vigil_strlcpy(r.evidence, c.rust_ev, sizeof(r.evidence));
	} else if (c.node || c.python || c.jvm || c.dotnet || c.ruby) {
		r.lang = c.node	    ? VIGIL_LANG_NODE
			 : c.python ? VIGIL_LANG_PYTHON
			 : c.jvm    ? VIGIL_LANG_JVM
			 : c.dotnet ? VIGIL_LANG_DOTNET
				    : VIGIL_LANG_RUBY;
		if (c.python)
			vigil_strlcpy(r.version, c.python_version, sizeof(r.version));
		vigil_strlcpy(r.evidence, c.rt_ev, sizeof(r.evidence));
	} else if (c.cxx) {
		r.lang = VIGIL_LANG_CXX;
		vigil_strlcpy(r.evidence, c.cxx_ev, sizeof(r.evidence));
	} else {
		vigil_strlcpy(r.evidence, "no other language's marks", sizeof(r.evidence));
	}
	*ret = r;
	return 0;
}

int vigil_lang__from_elf_mem(const void *data, size_t len, struct vigil_lang_info *ret)
{
	Elf *e;
	char *copy;
	int err;

	if (!data || !ret)
		return -EINVAL;
	if (len < 16 || len > VIGIL_ELF_MAX_BYTES)
		return len < 16 ? -ENOEXEC : -EFBIG;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	/* libelf may convert data in place: give it a private copy. */
	copy = malloc(len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, len);
	e = elf_memory(copy, len);
	if (!e) {
		free(copy);
		return -ENOEXEC;
	}
	err = analyze_elf(e, ret);
	elf_end(e);
	free(copy);
	return err;
}

int vigil_lang__from_elf_file(const char *path, struct vigil_lang_info *ret)
{
	struct stat st;
	Elf *e;
	int fd, err;

	if (!path || !ret)
		return -EINVAL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < 16) {
		close(fd);
		return -ENOEXEC;
	}
	if ((uint64_t)st.st_size > VIGIL_ELF_MAX_BYTES) {
		close(fd);
		return -EFBIG;
	}
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e) {
		close(fd);
		return -ENOEXEC;
	}
	err = analyze_elf(e, ret);
	elf_end(e);
	close(fd);
	return err;
}

static bool exe_is(const char *base, const char *name)
{
	size_t n = strlen(name);

	/* "python3" matches python3, python3.11, python3.11-dbg */
	return !strncmp(base, name, n) &&
	       (!base[n] || base[n] == '.' || base[n] == '-' || (base[n] >= '0' && base[n] <= '9'));
}

int vigil_lang__from_maps(const char *maps, size_t len, const char *exe,
			  struct vigil_lang_info *ret)
{
	struct elf_clues c = { 0 };
	struct vigil_lang_info r = { .lang = VIGIL_LANG_UNKNOWN };
	const char *base = exe ? strrchr(exe, '/') : NULL;
	size_t p = 0;

	if (!ret)
		return -EINVAL;
	base = base ? base + 1 : exe ? exe : "";
	if (len > MAPS_MAX)
		len = MAPS_MAX;
	while (maps && p < len) {
		const char *line = maps + p, *nl = memchr(line, '\n', len - p);
		size_t ll = nl ? (size_t)(nl - line) : len - p;
		const char *path = memchr(line, '/', ll);
		char lib[256];

		p += ll + 1;
		if (!path)
			continue;
		snprintf(lib, sizeof(lib), "%.*s", (int)(ll - (size_t)(path - line)), path);
		clue_from_lib(&c, lib, "maps");
	}
	if (c.python) {
		r.lang = VIGIL_LANG_PYTHON;
		vigil_strlcpy(r.version, c.python_version, sizeof(r.version));
	} else if (c.jvm) {
		r.lang = VIGIL_LANG_JVM;
	} else if (c.node) {
		r.lang = VIGIL_LANG_NODE;
	} else if (c.dotnet) {
		r.lang = VIGIL_LANG_DOTNET;
	} else if (c.ruby) {
		r.lang = VIGIL_LANG_RUBY;
	}
	if (r.lang != VIGIL_LANG_UNKNOWN) {
		vigil_strlcpy(r.evidence, c.rt_ev, sizeof(r.evidence));
	} else if (exe_is(base, "node") || exe_is(base, "nodejs")) {
		r.lang = VIGIL_LANG_NODE;
		snprintf(r.evidence, sizeof(r.evidence), "exe %.40s", base);
	} else if (exe_is(base, "python")) {
		r.lang = VIGIL_LANG_PYTHON;
		snprintf(r.version, sizeof(r.version), "%.16s", base + strlen("python"));
		snprintf(r.evidence, sizeof(r.evidence), "exe %.40s", base);
	} else if (exe_is(base, "java")) {
		r.lang = VIGIL_LANG_JVM;
		snprintf(r.evidence, sizeof(r.evidence), "exe %.40s", base);
	} else if (exe_is(base, "ruby")) {
		r.lang = VIGIL_LANG_RUBY;
		snprintf(r.evidence, sizeof(r.evidence), "exe %.40s", base);
	} else if (exe_is(base, "dotnet")) {
		r.lang = VIGIL_LANG_DOTNET;
		snprintf(r.evidence, sizeof(r.evidence), "exe %.40s", base);
	}
	*ret = r;
	return 0;
}

int vigil_lang__from_pid(int pid, struct vigil_lang_info *ret)
{
	struct vigil_lang_info elf = { 0 }, rt = { 0 };
	char path[64], exe[PATH_MAX] = "", *maps = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	FILE *f;
	int err;

	if (pid <= 0 || !ret)
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	exe[n] = '\0';
	/* /proc/PID/exe opens the very file even when it was deleted or replaced. */
	err = vigil_lang__from_elf_file(path, &elf);
	if (err && err != -ENOEXEC)
		return err == -ENOENT ? -ESRCH : err;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (f) {
		char chunk[4096];
		size_t got;

		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0 && len + got <= MAPS_MAX) {
			if (len + got > cap) {
				char *m = realloc(maps, cap ? cap * 2 : 65536);

				if (!m)
					break;
				maps = m;
				cap = cap ? cap * 2 : 65536;
			}
			memcpy(maps + len, chunk, got);
			len += got;
		}
		fclose(f);
	}
	vigil_lang__from_maps(maps, len, exe, &rt);
	free(maps);
	if (rt.lang != VIGIL_LANG_UNKNOWN && elf.lang != VIGIL_LANG_GO &&
	    elf.lang != VIGIL_LANG_RUST)
		*ret = rt;
	else if (err)
		*ret = rt;
	else
		*ret = elf;
	return 0;
}
