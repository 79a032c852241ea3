/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The PS/2 (MF II) keyboard of the i8042 module: the command set of the
 * IBM Keyboard Technical Reference (reset with BAT, echo, identify as
 * AB 83, scan code set select 1/2/3, LEDs, typematic rate and delay,
 * enable/disable scanning, defaults, resend, the set 3 key-type commands
 * accepted), scan codes in all three sets for the keys in the table below,
 * typematic repeat on the virtual clock.
 *
 * Not emulated: the Print Screen and Pause keys' multi-byte sequences,
 * per-key make/break/typematic attributes in set 3 (accepted and
 * acknowledged; every key makes, breaks and repeats).
 */
#include "ps2.h"

#include <string.h>

#define KBD_CMD_SET_LEDS   0xed
#define KBD_CMD_ECHO       0xee
#define KBD_CMD_SCANSET    0xf0
#define KBD_CMD_GET_ID     0xf2
#define KBD_CMD_TYPEMATIC  0xf3
#define KBD_CMD_ENABLE     0xf4
#define KBD_CMD_DEFAULT_DISABLE 0xf5
#define KBD_CMD_DEFAULTS   0xf6
#define KBD_CMD_SET3_ALL_T 0xf7
#define KBD_CMD_SET3_ALL_MB 0xf8
#define KBD_CMD_SET3_ALL_M 0xf9
#define KBD_CMD_SET3_ALL_MBT 0xfa
#define KBD_CMD_SET3_KEY_T 0xfb
#define KBD_CMD_SET3_KEY_MB 0xfc
#define KBD_CMD_SET3_KEY_M 0xfd
#define KBD_CMD_RESEND     0xfe
#define KBD_CMD_RESET      0xff

#define KBD_REPLY_ACK      0xfa
#define KBD_REPLY_RESEND   0xfe
#define KBD_REPLY_BAT_OK   0xaa
#define KBD_REPLY_ECHO     0xee

#define KBD_KEYS_MAX 16            /* the keyboard's own buffer */
#define KBD_TYPEMATIC_DEFAULT 0x2b /* 10.9 characters/s, 500 ms */
#define E0 0x100

typedef struct KeyCode {
    const char *name;
    uint16_t set1, set2;          /* E0: with the 0xe0 prefix */
    uint8_t set3;
} KeyCode;

/* Scan codes from the IBM PS/2 keyboard technical reference tables. */
static const KeyCode keys[] = {
    { "esc", 0x01, 0x76, 0x08 },
    { "1", 0x02, 0x16, 0x16 }, { "2", 0x03, 0x1e, 0x1e }, { "3", 0x04, 0x26, 0x26 },
    { "4", 0x05, 0x25, 0x25 }, { "5", 0x06, 0x2e, 0x2e }, { "6", 0x07, 0x36, 0x36 },
    { "7", 0x08, 0x3d, 0x3d }, { "8", 0x09, 0x3e, 0x3e }, { "9", 0x0a, 0x46, 0x46 },
    { "0", 0x0b, 0x45, 0x45 },
    { "minus", 0x0c, 0x4e, 0x4e }, { "equal", 0x0d, 0x55, 0x55 },
    { "backspace", 0x0e, 0x66, 0x66 }, { "tab", 0x0f, 0x0d, 0x0d },
    { "q", 0x10, 0x15, 0x15 }, { "w", 0x11, 0x1d, 0x1d }, { "e", 0x12, 0x24, 0x24 },
    { "r", 0x13, 0x2d, 0x2d }, { "t", 0x14, 0x2c, 0x2c }, { "y", 0x15, 0x35, 0x35 },
    { "u", 0x16, 0x3c, 0x3c }, { "i", 0x17, 0x43, 0x43 }, { "o", 0x18, 0x44, 0x44 },
    { "p", 0x19, 0x4d, 0x4d },
    { "bracket_left", 0x1a, 0x54, 0x54 }, { "bracket_right", 0x1b, 0x5b, 0x5b },
    { "ret", 0x1c, 0x5a, 0x5a }, { "ctrl", 0x1d, 0x14, 0x11 },
    { "a", 0x1e, 0x1c, 0x1c }, { "s", 0x1f, 0x1b, 0x1b }, { "d", 0x20, 0x23, 0x23 },
    { "f", 0x21, 0x2b, 0x2b }, { "g", 0x22, 0x34, 0x34 }, { "h", 0x23, 0x33, 0x33 },
    { "j", 0x24, 0x3b, 0x3b }, { "k", 0x25, 0x42, 0x42 }, { "l", 0x26, 0x4b, 0x4b },
    { "semicolon", 0x27, 0x4c, 0x4c }, { "apostrophe", 0x28, 0x52, 0x52 },
    { "grave_accent", 0x29, 0x0e, 0x0e }, { "shift", 0x2a, 0x12, 0x12 },
    { "backslash", 0x2b, 0x5d, 0x5c },
    { "z", 0x2c, 0x1a, 0x1a }, { "x", 0x2d, 0x22, 0x22 }, { "c", 0x2e, 0x21, 0x21 },
    { "v", 0x2f, 0x2a, 0x2a }, { "b", 0x30, 0x32, 0x32 }, { "n", 0x31, 0x31, 0x31 },
    { "m", 0x32, 0x3a, 0x3a }, { "comma", 0x33, 0x41, 0x41 }, { "dot", 0x34, 0x49, 0x49 },
    { "slash", 0x35, 0x4a, 0x4a }, { "shift_r", 0x36, 0x59, 0x59 },
    { "kp_multiply", 0x37, 0x7c, 0x7e }, { "alt", 0x38, 0x11, 0x19 },
    { "spc", 0x39, 0x29, 0x29 }, { "caps_lock", 0x3a, 0x58, 0x14 },
    { "f1", 0x3b, 0x05, 0x07 }, { "f2", 0x3c, 0x06, 0x0f }, { "f3", 0x3d, 0x04, 0x17 },
    { "f4", 0x3e, 0x0c, 0x1f }, { "f5", 0x3f, 0x03, 0x27 }, { "f6", 0x40, 0x0b, 0x2f },
    { "f7", 0x41, 0x83, 0x37 }, { "f8", 0x42, 0x0a, 0x3f }, { "f9", 0x43, 0x01, 0x47 },
    { "f10", 0x44, 0x09, 0x4f }, { "f11", 0x57, 0x78, 0x56 }, { "f12", 0x58, 0x07, 0x5e },
    { "num_lock", 0x45, 0x77, 0x76 }, { "scroll_lock", 0x46, 0x7e, 0x5f },
    { "kp_7", 0x47, 0x6c, 0x6c }, { "kp_8", 0x48, 0x75, 0x75 }, { "kp_9", 0x49, 0x7d, 0x7d },
    { "kp_subtract", 0x4a, 0x7b, 0x84 },
    { "kp_4", 0x4b, 0x6b, 0x6b }, { "kp_5", 0x4c, 0x73, 0x73 }, { "kp_6", 0x4d, 0x74, 0x74 },
    { "kp_add", 0x4e, 0x79, 0x7c },
    { "kp_1", 0x4f, 0x69, 0x69 }, { "kp_2", 0x50, 0x72, 0x72 }, { "kp_3", 0x51, 0x7a, 0x7a },
    { "kp_0", 0x52, 0x70, 0x70 }, { "kp_decimal", 0x53, 0x71, 0x71 },
    { "less", 0x56, 0x61, 0x13 },
    { "kp_enter", E0 | 0x1c, E0 | 0x5a, 0x79 },
    { "ctrl_r", E0 | 0x1d, E0 | 0x14, 0x58 },
    { "kp_divide", E0 | 0x35, E0 | 0x4a, 0x77 },
    { "alt_r", E0 | 0x38, E0 | 0x11, 0x39 },
    { "home", E0 | 0x47, E0 | 0x6c, 0x6e }, { "up", E0 | 0x48, E0 | 0x75, 0x63 },
    { "pgup", E0 | 0x49, E0 | 0x7d, 0x6f }, { "left", E0 | 0x4b, E0 | 0x6b, 0x61 },
    { "right", E0 | 0x4d, E0 | 0x74, 0x6a }, { "end", E0 | 0x4f, E0 | 0x69, 0x65 },
    { "down", E0 | 0x50, E0 | 0x72, 0x60 }, { "pgdn", E0 | 0x51, E0 | 0x7a, 0x6d },
    { "insert", E0 | 0x52, E0 | 0x70, 0x67 }, { "delete", E0 | 0x53, E0 | 0x71, 0x64 },
    { "meta_l", E0 | 0x5b, E0 | 0x1f, 0x8b }, { "meta_r", E0 | 0x5c, E0 | 0x27, 0x8c },
    { "menu", E0 | 0x5d, E0 | 0x2f, 0x8d },
};

void ps2_queue_reset(Ps2Queue *q)
{
    q->head = 0;
    q->count = 0;
}

bool ps2_queue_push(Ps2Queue *q, uint8_t v)
{
    if (q->count == PS2_QUEUE_SIZE) {
        return false;
    }
    q->data[(q->head + q->count) % PS2_QUEUE_SIZE] = v;
    q->count++;
    return true;
}

uint8_t ps2_queue_pop(Ps2Queue *q)
{
    uint8_t v;

    if (q->count == 0) {
        return 0;
    }
    v = q->data[q->head];
    q->head = (q->head + 1) % PS2_QUEUE_SIZE;
    q->count--;
    return v;
}

/* The 8042's translation of set 2 codes to set 1, built from the table:
 * codes 0x80 and up pass through except F7's 0x83 (so that the ID reads
 * AB 41 through translation); unassigned low codes map to themselves. */
uint8_t ps2_translate(uint8_t set2)
{
    if (set2 == 0x83) {
        return 0x41;
    }
    if (set2 == 0x00) {
        return 0xff;              /* overrun/error in set 2 is 0xff in set 1 */
    }
    if (set2 >= 0x80) {
        return set2;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        if ((keys[i].set2 & 0xff) == set2) {
            return keys[i].set1 & 0xff;
        }
    }
    return set2;
}

static void kbd_reply(Ps2Kbd *k, uint8_t v)
{
    ps2_queue_push(&k->reply, v);
    k->notify(k->opaque);
}

static void kbd_key_byte(Ps2Kbd *k, uint8_t v)
{
    if (k->keys.count >= KBD_KEYS_MAX) {
        return;
    }
    if (k->keys.count == KBD_KEYS_MAX - 1) {
        /* The last slot holds the overrun code (0xff in set 1). */
        ps2_queue_push(&k->keys, k->set == 1 ? 0xff : 0x00);
        return;
    }
    ps2_queue_push(&k->keys, v);
}

static void kbd_emit(Ps2Kbd *k, int key, bool down)
{
    const KeyCode *kc = &keys[key];

    switch (k->set) {
    case 1:
        if (kc->set1 & E0) {
            kbd_key_byte(k, 0xe0);
        }
        kbd_key_byte(k, (kc->set1 & 0xff) | (down ? 0 : 0x80));
        break;
    case 2:
        if (kc->set2 & E0) {
            kbd_key_byte(k, 0xe0);
        }
        if (!down) {
            kbd_key_byte(k, 0xf0);
        }
        kbd_key_byte(k, kc->set2 & 0xff);
        break;
    default:
        if (!down) {
            kbd_key_byte(k, 0xf0);
        }
        kbd_key_byte(k, kc->set3);
        break;
    }
    k->notify(k->opaque);
}

/* F3 argument: delay (bits 5-6) 250-1000 ms; period (8 + A) * 2^B * 4.17
 * ms with A bits 0-2, B bits 3-4 (30 to 2 characters per second). */
static int64_t kbd_delay_ns(const Ps2Kbd *k)
{
    return (((k->typematic >> 5) & 3) + 1) * 250 * (BP_NS_PER_SEC / 1000);
}

static int64_t kbd_period_ns(const Ps2Kbd *k)
{
    int a = k->typematic & 7, b = (k->typematic >> 3) & 3;

    return (int64_t)(8 + a) * (1 << b) * 4170000LL;
}

static void kbd_repeat_cb(void *opaque)
{
    Ps2Kbd *k = opaque;

    if (k->repeat_key < 0 || !k->scanning) {
        return;
    }
    kbd_emit(k, k->repeat_key, true);
    bp_timer_mod(k->repeat_timer, bp_clock_ns(BP_CLOCK_VIRTUAL) + kbd_period_ns(k));
}

static void kbd_key(Ps2Kbd *k, int key, bool down)
{
    if (!k->scanning) {
        return;
    }
    kbd_emit(k, key, down);
    if (down) {
        k->repeat_key = key;
        bp_timer_mod(k->repeat_timer, bp_clock_ns(BP_CLOCK_VIRTUAL) + kbd_delay_ns(k));
    } else if (k->repeat_key == key) {
        k->repeat_key = -1;
        bp_timer_del(k->repeat_timer);
    }
}

static int kbd_find_key(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (!strcmp(keys[i].name, name)) {
            return i;
        }
    }
    /* QEMU's sendkey also knows these spellings. */
    if (!strcmp(name, "control")) {
        return kbd_find_key("ctrl");
    }
    if (!strcmp(name, "space")) {
        return kbd_find_key("spc");
    }
    if (!strcmp(name, "enter") || !strcmp(name, "return")) {
        return kbd_find_key("ret");
    }
    if (!strcmp(name, "escape")) {
        return kbd_find_key("esc");
    }
    return -1;
}

bool ps2_kbd_key_by_name(Ps2Kbd *k, const char *name, bool down)
{
    int key = kbd_find_key(name);

    if (key < 0) {
        return false;
    }
    kbd_key(k, key, down);
    return true;
}

static void kbd_release_held(Ps2Kbd *k)
{
    for (int i = k->nheld - 1; i >= 0; i--) {
        kbd_key(k, k->held[i], false);
    }
    k->nheld = 0;
}

static void kbd_release_cb(void *opaque)
{
    kbd_release_held(opaque);
}

bool ps2_kbd_sendkey(Ps2Kbd *k, const char *keyspec, int64_t hold_ms, GError **errp)
{
    g_auto(GStrv) names = g_strsplit(keyspec, "-", -1);
    int idx[G_N_ELEMENTS(k->held)];
    int n = 0;

    for (int i = 0; names[i]; i++) {
        int key = kbd_find_key(names[i]);

        if (key < 0 || !names[i][0]) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "unknown key '%s'", names[i]);
            return false;
        }
        if (n == (int)G_N_ELEMENTS(idx)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "too many keys in '%s'", keyspec);
            return false;
        }
        idx[n++] = key;
    }
    if (n == 0) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "no keys given");
        return false;
    }
    if (hold_ms < 0 || hold_ms > 60000) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "hold time must be 0 to 60000 ms");
        return false;
    }
    bp_timer_del(k->release_timer);
    kbd_release_held(k);
    for (int i = 0; i < n; i++) {
        kbd_key(k, idx[i], true);
        k->held[i] = idx[i];
    }
    k->nheld = n;
    bp_timer_mod(k->release_timer,
                 bp_clock_ns(BP_CLOCK_VIRTUAL) + hold_ms * (BP_NS_PER_SEC / 1000));
    return true;
}

static void kbd_set_defaults(Ps2Kbd *k)
{
    k->set = 2;
    k->typematic = KBD_TYPEMATIC_DEFAULT;
    k->repeat_key = -1;
    bp_timer_del(k->repeat_timer);
}

/* The argument byte of a two-byte command. */
static void kbd_write_arg(Ps2Kbd *k, uint8_t cmd, uint8_t v)
{
    switch (cmd) {
    case KBD_CMD_SET_LEDS:
        k->leds = v & 7;
        BP_TRACE(k->owner, "kbd leds 0x%x", k->leds);
        kbd_reply(k, KBD_REPLY_ACK);
        break;
    case KBD_CMD_SCANSET:
        if (v == 0) {
            kbd_reply(k, KBD_REPLY_ACK);
            kbd_reply(k, k->set);
        } else if (v <= 3) {
            k->set = v;
            ps2_queue_reset(&k->keys);
            kbd_reply(k, KBD_REPLY_ACK);
        } else {
            bp_guest_error(k->owner, "keyboard: scan code set %u does not exist", v);
            kbd_reply(k, KBD_REPLY_RESEND);
        }
        break;
    case KBD_CMD_TYPEMATIC:
        k->typematic = v & 0x7f;
        kbd_reply(k, KBD_REPLY_ACK);
        break;
    default:                    /* set 3 per-key types: one key per byte */
        kbd_reply(k, KBD_REPLY_ACK);
        return;
    }
    k->pending_cmd = 0;
}

void ps2_kbd_write(Ps2Kbd *k, uint8_t v)
{
    uint8_t cmd = k->pending_cmd;

    BP_TRACE(k->owner, "kbd write 0x%02x", v);
    /* A command byte (0xed and up) where an argument was expected is
     * taken as a new command; it also ends a set 3 key list. */
    if (cmd && v < KBD_CMD_SET_LEDS) {
        kbd_write_arg(k, cmd, v);
        return;
    }
    k->pending_cmd = 0;
    switch (v) {
    case KBD_CMD_ECHO:
        kbd_reply(k, KBD_REPLY_ECHO);
        break;
    case KBD_CMD_GET_ID:
        kbd_reply(k, KBD_REPLY_ACK);
        kbd_reply(k, 0xab);
        kbd_reply(k, 0x83);
        break;
    case KBD_CMD_ENABLE:
        ps2_queue_reset(&k->keys);
        k->scanning = true;
        kbd_reply(k, KBD_REPLY_ACK);
        break;
    case KBD_CMD_DEFAULT_DISABLE:
        kbd_set_defaults(k);
        ps2_queue_reset(&k->keys);
        k->scanning = false;
        kbd_reply(k, KBD_REPLY_ACK);
        break;
    case KBD_CMD_DEFAULTS:
        kbd_set_defaults(k);
        ps2_queue_reset(&k->keys);
        kbd_reply(k, KBD_REPLY_ACK);
        break;
    case KBD_CMD_SET_LEDS:
    case KBD_CMD_SCANSET:
    case KBD_CMD_TYPEMATIC:
    case KBD_CMD_SET3_KEY_T:
    case KBD_CMD_SET3_KEY_MB:
    case KBD_CMD_SET3_KEY_M:
        k->pending_cmd = v;
        kbd_reply(k, KBD_REPLY_ACK);
        break;
    case KBD_CMD_SET3_ALL_T:
    case KBD_CMD_SET3_ALL_MB:
    case KBD_CMD_SET3_ALL_M:
    case KBD_CMD_SET3_ALL_MBT:
        kbd_reply(k, KBD_REPLY_ACK);
        break;
    case KBD_CMD_RESEND:
        kbd_reply(k, k->last_sent);
        break;
    case KBD_CMD_RESET:
        ps2_kbd_reset(k);
        kbd_reply(k, KBD_REPLY_ACK);
        kbd_reply(k, KBD_REPLY_BAT_OK);
        break;
    default:
        bp_guest_error(k->owner, "keyboard: unknown command 0x%02x", v);
        kbd_reply(k, KBD_REPLY_RESEND);
        break;
    }
}

bool ps2_kbd_has_data(const Ps2Kbd *k)
{
    return k->reply.count > 0 || k->keys.count > 0;
}

uint8_t ps2_kbd_read(Ps2Kbd *k)
{
    uint8_t v;

    if (k->reply.count > 0) {
        v = ps2_queue_pop(&k->reply);
    } else {
        v = ps2_queue_pop(&k->keys);
    }
    k->last_sent = v;
    return v;
}

void ps2_kbd_reset(Ps2Kbd *k)
{
    ps2_queue_reset(&k->reply);
    ps2_queue_reset(&k->keys);
    k->pending_cmd = 0;
    k->last_sent = 0;
    k->scanning = true;
    k->leds = 0;
    kbd_set_defaults(k);
    bp_timer_del(k->release_timer);
    k->nheld = 0;
}

void ps2_kbd_init(Ps2Kbd *k, BpDevice *owner, Ps2Notify notify, void *opaque)
{
    k->owner = owner;
    k->notify = notify;
    k->opaque = opaque;
    k->repeat_timer = bp_timer_new(owner, BP_CLOCK_VIRTUAL, kbd_repeat_cb, k);
    k->release_timer = bp_timer_new(owner, BP_CLOCK_VIRTUAL, kbd_release_cb, k);
    ps2_kbd_reset(k);
}

void ps2_kbd_cleanup(Ps2Kbd *k)
{
    g_clear_pointer(&k->repeat_timer, bp_timer_free);
    g_clear_pointer(&k->release_timer, bp_timer_free);
}
