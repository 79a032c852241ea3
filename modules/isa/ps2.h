/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * PS/2 keyboard and mouse as the i8042 module's controller sees them
 * (private to the module). Each device has a queue of bytes for the host
 * and takes command bytes from it; `notify` tells the controller that a
 * byte is ready.
 */
#ifndef BP_MODULES_ISA_PS2_H
#define BP_MODULES_ISA_PS2_H

#include <backplane/backplane.h>

#define PS2_QUEUE_SIZE 256

typedef struct Ps2Queue {
    uint8_t data[PS2_QUEUE_SIZE];
    unsigned head, count;
} Ps2Queue;

void ps2_queue_reset(Ps2Queue *q);
bool ps2_queue_push(Ps2Queue *q, uint8_t v);
uint8_t ps2_queue_pop(Ps2Queue *q);

typedef void (*Ps2Notify)(void *opaque);

typedef struct Ps2Kbd {
    BpDevice *owner;
    Ps2Notify notify;
    void *opaque;

    Ps2Queue reply;               /* command responses go first */
    Ps2Queue keys;                /* scan codes, 16 bytes like the keyboard's */
    uint8_t pending_cmd;          /* a command waiting for its argument */
    uint8_t last_sent;            /* for RESEND */
    bool scanning;
    int set;                      /* 1, 2 or 3 */
    uint8_t leds;
    uint8_t typematic;            /* F3 argument */
    int repeat_key;               /* key index that repeats, or -1 */
    BpTimer *repeat_timer;
    BpTimer *release_timer;       /* ends a sendkey */
    int held[16];                 /* keys a sendkey holds down */
    int nheld;
} Ps2Kbd;

void ps2_kbd_init(Ps2Kbd *k, BpDevice *owner, Ps2Notify notify, void *opaque);
void ps2_kbd_cleanup(Ps2Kbd *k);
void ps2_kbd_reset(Ps2Kbd *k);
void ps2_kbd_write(Ps2Kbd *k, uint8_t v);
bool ps2_kbd_has_data(const Ps2Kbd *k);
uint8_t ps2_kbd_read(Ps2Kbd *k);
/* Press (down) or release a key named as QEMU's sendkey names it. */
bool ps2_kbd_key_by_name(Ps2Kbd *k, const char *name, bool down);
/* "ctrl-alt-delete": press in order, release in reverse after hold_ms. */
bool ps2_kbd_sendkey(Ps2Kbd *k, const char *keys, int64_t hold_ms, GError **errp);
/* The controller's set 2 -> set 1 translation. */
uint8_t ps2_translate(uint8_t set2);

typedef struct Ps2Mouse {
    BpDevice *owner;
    Ps2Notify notify;
    void *opaque;

    Ps2Queue reply;
    Ps2Queue packets;
    uint8_t pending_cmd;
    uint8_t last_sent;
    bool reporting;
    bool remote;
    bool wrap;
    bool scaling21;
    uint8_t rate;
    uint8_t resolution;
    uint8_t id;                   /* 0, 3 (wheel) or 4 (5 buttons) */
    uint8_t rate_hist[3];         /* the last three sample rates set */
    uint8_t buttons;
    int dx, dy, dz;               /* not yet reported (remote mode) */
} Ps2Mouse;

void ps2_mouse_init(Ps2Mouse *m, BpDevice *owner, Ps2Notify notify, void *opaque);
void ps2_mouse_reset(Ps2Mouse *m);
void ps2_mouse_write(Ps2Mouse *m, uint8_t v);
bool ps2_mouse_has_data(const Ps2Mouse *m);
uint8_t ps2_mouse_read(Ps2Mouse *m);
/* Relative motion (y up positive, as the PS/2 protocol counts it),
 * wheel steps and the button state (bit 0 left, 1 right, 2 middle,
 * 3-4 the side buttons). */
void ps2_mouse_event(Ps2Mouse *m, int dx, int dy, int dz, uint8_t buttons);

#endif
