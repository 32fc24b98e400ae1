#include "vectors.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/hex.h"

struct ventry {
	char *section;
	char *name;
	char *value;
};

struct vfile {
	struct ventry *e;
	size_t n, cap;
	char **sections;
	size_t nsec;
};

const char *test_data_path(const char *relpath)
{
	static char path[4096];
	snprintf(path, sizeof(path), "%s/%s", GVPN_SHARED_DIR, relpath);
	return path;
}

uint8_t *test_read_file(const char *relpath, size_t *len)
{
	FILE *fp = fopen(test_data_path(relpath), "rb");
	if (!fp)
		fail_msg("cannot open %s", test_data_path(relpath));
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	uint8_t *buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n)
		fail_msg("short read on %s", relpath);
	fclose(fp);
	buf[n] = 0;
	*len = (size_t)n;
	return buf;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

/* Drop a trailing "   (explanation)" comment. */
static void strip_comment(char *s)
{
	char *c = strstr(s, "   (");
	if (c)
		*c = 0;
}

static void append_value(struct ventry *e, const char *more)
{
	size_t a = strlen(e->value), b = strlen(more);
	e->value = realloc(e->value, a + b + 2);
	assert_non_null(e->value);
	e->value[a] = ' ';
	memcpy(e->value + a + 1, more, b + 1);
}

struct vfile *vfile_load(const char *relpath)
{
	size_t len;
	char *text = (char *)test_read_file(relpath, &len);
	struct vfile *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	char *section = strdup("");
	struct ventry *last = NULL;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#')
			continue;
		bool indented = line[0] == ' ' || line[0] == '\t';
		char *t = trim(line);
		if (!*t)
			continue;
		if (*t == '[') {
			char *end = strchr(t, ']');
			if (end)
				*end = 0;
			free(section);
			section = strdup(t + 1);
			f->sections = realloc(f->sections, (f->nsec + 1) * sizeof(char *));
			f->sections[f->nsec++] = strdup(section);
			last = NULL;
			continue;
		}
		char *eq = strstr(t, " = ");
		if (indented && last && !eq) {
			strip_comment(t);
			append_value(last, trim(t));
			continue;
		}
		if (!eq) {
			eq = strchr(t, '=');
			if (!eq)
				continue;
		}
		/* " = " is three characters; a bare "=" (empty value after trim) one. */
		char *val = eq + (eq[0] == ' ' ? 3 : 1);
		*eq = 0;
		strip_comment(val);
		if (f->n == f->cap) {
			f->cap = f->cap ? 2 * f->cap : 64;
			f->e = realloc(f->e, f->cap * sizeof(*f->e));
		}
		last = &f->e[f->n++];
		last->section = strdup(section);
		last->name = strdup(trim(t));
		last->value = strdup(trim(val));
	}
	free(section);
	free(text);
	return f;
}

void vfile_free(struct vfile *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->e[i].section);
		free(f->e[i].name);
		free(f->e[i].value);
	}
	for (size_t i = 0; i < f->nsec; i++)
		free(f->sections[i]);
	free(f->sections);
	free(f->e);
	free(f);
}

const char *vfile_text(const struct vfile *f, const char *section, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->e[i].section, section) && !strcmp(f->e[i].name, name))
			return f->e[i].value;
	return NULL;
}

size_t vfile_hex(const struct vfile *f, const char *section, const char *name, uint8_t *out,
		 size_t cap)
{
	const char *v = vfile_text(f, section, name);
	if (!v)
		fail_msg("vector [%s] %s missing", section, name);
	int n = hex_decode(v, out, cap);
	if (n < 0)
		fail_msg("vector [%s] %s is not hex: %s", section, name, v);
	return (size_t)n;
}

size_t vfile_nsections(const struct vfile *f)
{
	return f->nsec;
}

const char *vfile_section(const struct vfile *f, size_t i)
{
	return i < f->nsec ? f->sections[i] : NULL;
}
