#include "util/mem.h"

#include <stdint.h>
#include <string.h>

void mem_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

bool mem_equal_ct(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a;
	const volatile uint8_t *y = b;
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc = (uint8_t)(acc | (x[i] ^ y[i]));
	return acc == 0;
}
