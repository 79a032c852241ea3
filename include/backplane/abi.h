/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The module ABI version. A module built for another major is refused. */
#ifndef BACKPLANE_ABI_H
#define BACKPLANE_ABI_H

#define BP_ABI_MAJOR 1
#define BP_ABI_MINOR 0

#if defined(__GNUC__)
#define BP_EXPORT __attribute__((visibility("default")))
#else
#define BP_EXPORT
#endif

#endif
