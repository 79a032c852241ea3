/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A shared object without the module entry point. */
#include <backplane/abi.h>

BP_EXPORT int nosym_something_else(void);
int nosym_something_else(void)
{
    return 42;
}
