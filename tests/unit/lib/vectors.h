/*
 * Reader for the test-vector files in tests/data/vectors and the key listing
 * tests/data/gdoid/keys.txt: "[section]" headers, then "name = hex" lines
 * whose value may continue on indented lines. Text after three spaces and
 * "(" on a value line is a comment, as are lines starting with '#'.
 */
#ifndef GVPN_TEST_VECTORS_H
#define GVPN_TEST_VECTORS_H

#include <stddef.h>
#include <stdint.h>

struct vfile;

/* Load path relative to tests/data (e.g. "vectors/rfc3602-aes-cbc.txt"). Aborts the test on error. */
struct vfile *vfile_load(const char *relpath);
void vfile_free(struct vfile *f);
/* Raw text value of name in section (NULL if absent); whitespace-joined continuation lines. */
const char *vfile_text(const struct vfile *f, const char *section, const char *name);
/*
 * Decode a hex value into out; returns its length. Fails the test if the
 * value is absent or not hex (use vfile_text to probe).
 */
size_t vfile_hex(const struct vfile *f, const char *section, const char *name, uint8_t *out,
		 size_t cap);
/* Number of sections and the name of the i-th one (file order). */
size_t vfile_nsections(const struct vfile *f);
const char *vfile_section(const struct vfile *f, size_t i);

/* Absolute path of a file under tests/data (static buffer). */
const char *test_data_path(const char *relpath);
/* Read a whole file under tests/data into a malloc'd buffer. */
uint8_t *test_read_file(const char *relpath, size_t *len);

#endif
