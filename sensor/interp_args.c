// SPDX-License-Identifier: Apache-2.0
/*
 * The file an interpreter runs, from its arguments. `sh dropped.sh` runs a dropped file as
 * surely as `./dropped.sh`, and so does `/lib64/ld-linux-x86-64.so.2 ./dropped` (the loader
 * maps and runs an ELF that is never exec'd, and need not even be executable). Each program
 * has its own options that take a value (`python3 -W ignore x.py`, `bash -o posix x.sh`,
 * `ld.so --argv0 ls x`): taking the value for the file would let any such option hide the
 * file, and stopping at the first option would let `sh -e x.sh` or `sh -- x.sh` hide it.
 * So the options are read as each program reads them; what the table does not know is taken
 * as a flag without a value.
 */
#include <string.h>

#include "sensor/interp_args.h"

enum family {
	F_NONE,
	F_SHELL,
	F_PYTHON,
	F_PERL,
	F_RUBY,
	F_NODE,
	F_PHP,
	F_LUA,
	F_TCL,
	F_AWK,
	F_LOADER
};

struct family_opts {
	/* options followed by a separate value (NULL-terminated) */
	const char *const *value;
	/* options after which the program is not a file: inline code, a module, stdin */
	const char *const *inline_code;
	/* options whose value is the file (php -f, awk -f) */
	const char *const *file;
	/* the first operand is program text, not a file (awk) */
	bool operand_is_text;
};

static const char *const shell_value[] = {
	"-o", "+o", "-O", "+O", "--rcfile", "--init-file", NULL
};
static const char *const shell_inline[] = { "-c", "-s", "-", NULL };
static const char *const py_value[] = { "-W", "-X", "--check-hash-based-pycs", NULL };
static const char *const py_inline[] = { "-c", "-m", "-", NULL };
static const char *const perl_inline[] = { "-", NULL };
static const char *const ruby_value[] = { "-I", "-r", "-C", "-E", NULL };
static const char *const ruby_inline[] = { "-e", "-", NULL };
static const char *const node_value[] = {
	"-r", "--require",    "--import", "--loader", "--experimental-loader",
	"-C", "--conditions", NULL
};
static const char *const node_inline[] = { "-e", "--eval", "-p", "--print", "-", NULL };
static const char *const php_value[] = { "-c", "-d", "-z", NULL };
static const char *const php_inline[] = { "-r", "-R", "-B", "-E", "-a", NULL };
static const char *const php_file[] = { "-f", "-F", NULL };
static const char *const lua_value[] = { "-l", NULL };
static const char *const lua_inline[] = { "-e", "-", NULL };
static const char *const tcl_value[] = { "-encoding", NULL };
static const char *const awk_value[] = { "-v", "-F", "-W", "--assign", "--field-separator", NULL };
static const char *const awk_inline[] = { "-e", "--source", NULL };
static const char *const awk_file[] = { "-f", "--file", NULL };
static const char *const ld_value[] = {
	"--library-path",	  "--inhibit-rpath",	 "--audit", "--preload", "--argv0",
	"--glibc-hwcaps-prepend", "--glibc-hwcaps-mask", NULL
};
/* listing or verifying the file's libraries does not run it */
static const char *const ld_inline[] = { "--list",    "--verify",	 "--help",
					 "--version", "--list-tunables", "--list-diagnostics",
					 NULL };

static const struct family_opts opts[] = {
	[F_SHELL] = { shell_value, shell_inline, NULL, false },
	[F_PYTHON] = { py_value, py_inline, NULL, false },
	[F_PERL] = { NULL, perl_inline, NULL, false },
	[F_RUBY] = { ruby_value, ruby_inline, NULL, false },
	[F_NODE] = { node_value, node_inline, NULL, false },
	[F_PHP] = { php_value, php_inline, php_file, false },
	[F_LUA] = { lua_value, lua_inline, NULL, false },
	[F_TCL] = { tcl_value, NULL, NULL, false },
	[F_AWK] = { awk_value, awk_inline, awk_file, true },
	[F_LOADER] = { ld_value, ld_inline, NULL, false },
};

static const char *base_of(const char *path)
{
	const char *b = path ? strrchr(path, '/') : NULL;

	return b ? b + 1 : path ? path : "";
}

/* name, or name followed by a version (python3, python3.11, perl5.36, lua5.4, tclsh8.6) */
static bool versioned(const char *b, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(b, name, n))
		return false;
	for (b += n; *b; b++) {
		if ((*b < '0' || *b > '9') && *b != '.')
			return false;
	}
	return true;
}

static enum family family_of(const char *b)
{
	static const char *const shells[] = { "sh",  "bash", "dash", "ash", "zsh",
					      "ksh", "mksh", "hush", NULL };

	for (size_t i = 0; shells[i]; i++) {
		if (!strcmp(b, shells[i]))
			return F_SHELL;
	}
	/* the dynamic loader: glibc's ld-linux-x86-64.so.2, ld-linux-aarch64.so.1, ld.so,
	 * ld64.so.2 (ppc64, s390x), musl's ld-musl-x86_64.so.1 */
	if (!strncmp(b, "ld-linux", 8) || !strncmp(b, "ld-musl-", 8) || !strcmp(b, "ld.so") ||
	    !strncmp(b, "ld64.so", 7))
		return F_LOADER;
	if (versioned(b, "python"))
		return F_PYTHON;
	if (versioned(b, "perl"))
		return F_PERL;
	if (versioned(b, "ruby"))
		return F_RUBY;
	if (!strcmp(b, "node") || !strcmp(b, "nodejs"))
		return F_NODE;
	if (versioned(b, "php"))
		return F_PHP;
	if (versioned(b, "lua") || !strcmp(b, "luajit"))
		return F_LUA;
	if (versioned(b, "tclsh"))
		return F_TCL;
	if (!strcmp(b, "awk") || !strcmp(b, "gawk") || !strcmp(b, "mawk") || !strcmp(b, "nawk"))
		return F_AWK;
	return F_NONE;
}

static bool in(const char *const *list, const char *a)
{
	for (size_t i = 0; list && list[i]; i++) {
		if (!strcmp(list[i], a))
			return true;
	}
	return false;
}

/*
 * Short flags bundled in one argument (`sh -ec CMD`, `perl -wle CODE`, `python3 -Im MOD`):
 * whether they ask for inline code (c or s for a shell, e or E for perl, c or m for python),
 * or end with one that takes the next argument as its value (`bash -eo pipefail`,
 * `python3 -bW error`). Perl's -M, -m, -I, -x, -d, -D, -C, -i
 * take the rest of the argument (`-MData::Dumper`), so scanning stops there.
 */
static bool bundle_inline(enum family f, const char *a, bool *takes_value)
{
	*takes_value = false;
	if (a[0] != '-' || a[1] == '-' || !a[1])
		return false;
	for (const char *c = a + 1; *c; c++) {
		if (f == F_SHELL && (*c == 'c' || *c == 's'))
			return true;
		if (f == F_PERL && (*c == 'e' || *c == 'E'))
			return true;
		if (f == F_PERL && strchr("MmIxdDCi", *c))
			return false;
		if (f == F_PYTHON && (*c == 'c' || *c == 'm'))
			return true;
		if (f == F_PYTHON && (*c == 'W' || *c == 'X')) {
			*takes_value = !c[1]; /* the rest is its value, or the next argument is */
			return false;
		}
		if (f == F_SHELL && (*c == 'o' || *c == 'O') && !c[1])
			*takes_value = true;
	}
	return false;
}

bool vigil_interp_known(const char *exe)
{
	const char *b = base_of(exe);

	return family_of(b) != F_NONE || !strcmp(b, "busybox");
}

bool vigil_interp_is_loader(const char *exe)
{
	return exe && family_of(base_of(exe)) == F_LOADER;
}

int vigil_interp_file_arg(const char *exe, const char *const *argv, uint32_t argc)
{
	const struct family_opts *o;
	enum family f;
	uint32_t i = 1;
	bool value;

	if (!exe || !argv || argc < 2)
		return -1;
	f = family_of(base_of(exe));
	if (f == F_NONE && !strcmp(base_of(exe), "busybox")) {
		/* busybox runs the applet its argv[0] names (a link), or `busybox APPLET ...` */
		const char *a0 = base_of(argv[0]);

		if (!argv[0] || !strcmp(a0, "busybox")) {
			f = argv[1] ? family_of(base_of(argv[1])) : F_NONE;
			i = 2;
		} else {
			f = family_of(a0);
		}
	}
	if (f == F_NONE)
		return -1;
	o = &opts[f];
	/* every argument given: argv is bounded where it is read (the sensor's VG_ARGV_MAX bytes),
	 * and a bound here would let flags repeated before the file hide it (sh -e -e ... x) */
	for (; i < argc; i++) {
		const char *a = argv[i];

		if (!a || !a[0])
			return -1;
		if (!strcmp(a, "--"))
			return i + 1 < argc && !o->operand_is_text ? (int)i + 1 : -1;
		if (in(o->inline_code, a))
			return -1;
		if (in(o->file, a))
			return i + 1 < argc ? (int)i + 1 : -1;
		if (in(o->value, a)) {
			i++;
			continue;
		}
		if (a[0] == '+' && f == F_SHELL)
			continue; /* +e, +x */
		if (a[0] != '-')
			return o->operand_is_text ? -1 : (int)i;
		if (bundle_inline(f, a, &value))
			return -1;
		if (value)
			i++;
	}
	return -1;
}
