/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Errors: GError in the BP_ERROR domain. Only the top level prints. */
#ifndef BACKPLANE_ERROR_H
#define BACKPLANE_ERROR_H

#include <glib.h>

#define BP_ERROR (bp_error_quark())
GQuark bp_error_quark(void);

typedef enum BpErrorCode {
    BP_ERROR_FAILED,          /* generic; maps to QMP GenericError */
    BP_ERROR_NOT_FOUND,       /* unknown device, property, id: DeviceNotFound */
    BP_ERROR_INVALID,         /* bad value */
    BP_ERROR_BUSY,            /* resource already in use */
    BP_ERROR_MODULE,          /* module could not be loaded */
    BP_ERROR_COMMAND_NOT_FOUND,
} BpErrorCode;

#endif
