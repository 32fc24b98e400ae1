/*
 * Memory helpers that the compiler may not optimise away: wiping secrets and
 * comparing MACs in constant time. crypto/ re-exports these under its own
 * names for callers that handle keys; util/ needs them for secret buffers.
 */
#ifndef GVPN_UTIL_MEM_H
#define GVPN_UTIL_MEM_H

#include <stdbool.h>
#include <stddef.h>

/* Overwrite n bytes with zeros; never elided. */
void mem_wipe(void *p, size_t n);
/* true when the n bytes are equal; time depends only on n. */
bool mem_equal_ct(const void *a, const void *b, size_t n);
/* Number of elements of an array. */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#endif
