/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Placeholder until the command line lands. */
int main(void) { return 1; }
