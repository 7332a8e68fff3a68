/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Functions that are too easy to misuse: included into every user-space translation unit
 * (-include lib/util/banned.h) so a use is a compile error. Use snprintf, vigil_strlcpy,
 * struct vigil_buf and strtol/strtoull with end-pointer checks instead.
 */
#ifndef VIGIL_BANNED_H
#define VIGIL_BANNED_H

/* System headers may use these names; ban them only after those are seen. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef gets
#define gets(x) BANNED(gets)

#endif
