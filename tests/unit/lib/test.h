/* Common includes for cmocka unit tests. */
#ifndef GVPN_TEST_H
#define GVPN_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#define TEST(fn) cmocka_unit_test(fn)

#endif
