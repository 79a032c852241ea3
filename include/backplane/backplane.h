/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The whole SDK: a module includes this (or the parts it needs). */
#ifndef BACKPLANE_BACKPLANE_H
#define BACKPLANE_BACKPLANE_H

#include "abi.h"
#include "error.h"
#include "property.h"
#include "device.h"
#include "irq.h"
#include "memory.h"
#include "isa.h"
#include "timer.h"
#include "chardev.h"
#include "log.h"
#include "monitor.h"
#include "cpu.h"
#include "module.h"
#include "machine.h"

#endif
