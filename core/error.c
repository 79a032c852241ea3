/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The BP_ERROR GError domain. */
#include <backplane/error.h>

G_DEFINE_QUARK(backplane-error-quark, bp_error)
