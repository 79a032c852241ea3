# SPDX-License-Identifier: LGPL-2.1-or-later
# The device registry, properties, buses, IRQ/GPIO lines, logging and the
# module loader.
BPCORE_SOURCES += core/registry.c core/property.c core/bus.c core/gpio.c core/irq.c \
	core/error.c core/log.c core/module-loader.c
EXTRA_DIST += core/registry-internal.h core/logging.h
