#include "ctl/cmdtab.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/err.h"

enum tok_kind {
	TOK_KEYWORD,
	TOK_WORD,
	TOK_IPV4,
	TOK_NUM,
};

struct tok {
	uint8_t kind;	  /* enum tok_kind */
	const char *text; /* keyword, or the variable's display form ("A.B.C.D"); interned */
	const char *name; /* argument name (keywords: text); interned */
	uint32_t lo, hi;
};

/* One flat alternative of a command (groups expanded). */
struct seq {
	const struct ctl_cmd_def *def;
	size_t n;
	struct tok t[CTL_MAX_WORDS];
};

struct ctl_cmdtab {
	struct seq *seqs;
	size_t nseqs, cap;
	const struct ctl_help_def **help;
	size_t nhelp, help_cap;
	char **strs; /* interned token texts and names */
	size_t nstrs, strs_cap;
};

struct ctl_cmdtab *ctl_cmdtab_new(void)
{
	return calloc(1, sizeof(struct ctl_cmdtab));
}

void ctl_cmdtab_free(struct ctl_cmdtab *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nstrs; i++)
		free(t->strs[i]);
	free(t->strs);
	free(t->seqs);
	free(t->help);
	free(t);
}

/* ---- syntax strings ---- */

/* A growable list of token sequences (the expansion of a syntax fragment). */
struct seqlist {
	struct seq *v;
	size_t n, cap;
	int err;
};

static void sl_push(struct seqlist *l, const struct seq *s)
{
	if (l->err)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		struct seq *v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			l->err = ERR_NOMEM;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *s;
}

struct lexer {
	struct ctl_cmdtab *t;
	const char *p;
	int err;
};

/* A NUL-terminated copy of s[0..len) owned by the table (one per text). */
static const char *intern(struct ctl_cmdtab *t, const char *s, size_t len)
{
	for (size_t i = 0; i < t->nstrs; i++)
		if (strlen(t->strs[i]) == len && !memcmp(t->strs[i], s, len))
			return t->strs[i];
	if (t->nstrs == t->strs_cap) {
		size_t cap = t->strs_cap ? t->strs_cap * 2 : 64;
		char **v = realloc(t->strs, cap * sizeof(*v));
		if (!v)
			return NULL;
		t->strs = v;
		t->strs_cap = cap;
	}
	char *c = strndup(s, len);
	if (c)
		t->strs[t->nstrs++] = c;
	return c;
}

static void skip_blanks(struct lexer *lx)
{
	while (*lx->p == ' ')
		lx->p++;
}

static bool is_special(char c)
{
	return c == '[' || c == ']' || c == '{' || c == '}' || c == '|' || c == ' ' || !c;
}

static int parse_range(struct tok *t, const char *s)
{
	unsigned long lo, hi;
	char tail, extra;
	if (sscanf(s, "<%lu-%lu%c%c", &lo, &hi, &tail, &extra) != 3 || tail != '>' || lo > hi ||
	    hi > UINT32_MAX)
		return ERR_SYNTAX;
	t->kind = TOK_NUM;
	t->lo = (uint32_t)lo;
	t->hi = (uint32_t)hi;
	return 0;
}

/* One token "kw", "WORD:name", "A.B.C.D:name", "<1-10>:name". */
static int lex_token(struct lexer *lx, struct tok *t)
{
	const char *s = lx->p;
	while (!is_special(*lx->p))
		lx->p++;
	size_t len = (size_t)(lx->p - s);
	const char *colon = memchr(s, ':', len);
	size_t text_len = colon ? (size_t)(colon - s) : len;
	size_t name_len = colon ? len - text_len - 1 : len;
	memset(t, 0, sizeof(*t));
	if (!text_len || !name_len)
		return ERR_SYNTAX;
	t->text = intern(lx->t, s, text_len);
	t->name = colon ? intern(lx->t, colon + 1, name_len) : t->text;
	if (!t->text || !t->name)
		return ERR_NOMEM;
	if (!colon) {
		t->kind = TOK_KEYWORD;
		for (size_t i = 0; i < len; i++)
			if (isupper((unsigned char)s[i]) || s[i] == '<')
				return ERR_SYNTAX;
		return 0;
	}
	if (!strcmp(t->text, "WORD"))
		t->kind = TOK_WORD;
	else if (!strcmp(t->text, "A.B.C.D"))
		t->kind = TOK_IPV4;
	else
		return parse_range(t, t->text);
	return 0;
}

static void parse_alts(struct lexer *lx, struct seqlist *out);

/* Append tokens of one expansion to every sequence of acc: acc x part. */
static void cross(struct seqlist *acc, const struct seqlist *part, struct lexer *lx)
{
	struct seqlist res = {0};
	for (size_t i = 0; i < acc->n && !res.err; i++) {
		for (size_t j = 0; j < part->n; j++) {
			if (acc->v[i].n + part->v[j].n > CTL_MAX_WORDS) {
				lx->err = ERR_LIMIT;
				break;
			}
			struct seq s = acc->v[i];
			memcpy(&s.t[s.n], part->v[j].t, part->v[j].n * sizeof(struct tok));
			s.n += part->v[j].n;
			sl_push(&res, &s);
		}
	}
	if (res.err)
		lx->err = res.err;
	free(acc->v);
	*acc = res;
}

/* A sequence of items up to '|', ']', '}' or the end. */
static void parse_seq(struct lexer *lx, struct seqlist *out)
{
	struct seq empty = {0};
	sl_push(out, &empty);
	for (;;) {
		skip_blanks(lx);
		char c = *lx->p;
		if (!c || c == '|' || c == ']' || c == '}' || lx->err || out->err)
			break;
		struct seqlist part = {0};
		if (c == '[' || c == '{') {
			lx->p++;
			parse_alts(lx, &part);
			char close = c == '[' ? ']' : '}';
			if (*lx->p != close)
				lx->err = ERR_SYNTAX;
			else
				lx->p++;
			if (c == '[')
				sl_push(&part, &empty);
		} else {
			struct seq one = {.n = 1};
			int rc = lex_token(lx, &one.t[0]);
			if (rc)
				lx->err = rc;
			sl_push(&part, &one);
		}
		if (part.err)
			lx->err = part.err;
		if (!lx->err)
			cross(out, &part, lx);
		free(part.v);
	}
	if (out->err)
		lx->err = out->err;
}

/* Alternatives separated by '|'. */
static void parse_alts(struct lexer *lx, struct seqlist *out)
{
	for (;;) {
		struct seqlist one = {0};
		parse_seq(lx, &one);
		for (size_t i = 0; i < one.n; i++)
			sl_push(out, &one.v[i]);
		free(one.v);
		if (lx->err || *lx->p != '|')
			break;
		lx->p++;
	}
	if (out->err)
		lx->err = out->err;
}

static int add_one(struct ctl_cmdtab *t, const struct ctl_cmd_def *def)
{
	struct lexer lx = {.t = t, .p = def->syntax};
	struct seqlist l = {0};
	parse_alts(&lx, &l);
	int rc = lx.err ? lx.err : (*lx.p ? ERR_SYNTAX : 0);
	for (size_t i = 0; !rc && i < l.n; i++) {
		if (!l.v[i].n)
			continue;
		if (t->nseqs == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 64;
			struct seq *v = realloc(t->seqs, cap * sizeof(*v));
			if (!v) {
				rc = ERR_NOMEM;
				break;
			}
			t->seqs = v;
			t->cap = cap;
		}
		l.v[i].def = def;
		t->seqs[t->nseqs++] = l.v[i];
	}
	free(l.v);
	return rc;
}

int ctl_cmdtab_add(struct ctl_cmdtab *t, const struct ctl_cmd_def *defs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = add_one(t, &defs[i]);
		if (rc)
			return rc;
	}
	return 0;
}

int ctl_cmdtab_add_help(struct ctl_cmdtab *t, const struct ctl_help_def *defs, size_t n)
{
	if (t->nhelp + n > t->help_cap) {
		size_t cap = (t->nhelp + n) * 2;
		const struct ctl_help_def **v = realloc(t->help, cap * sizeof(*v));
		if (!v)
			return ERR_NOMEM;
		t->help = v;
		t->help_cap = cap;
	}
	for (size_t i = 0; i < n; i++)
		t->help[t->nhelp++] = &defs[i];
	return 0;
}

/* ---- arguments ---- */

bool ctl_arg_has(const struct ctl_args *a, const char *name)
{
	return ctl_arg_str(a, name) != NULL;
}

const char *ctl_arg_str(const struct ctl_args *a, const char *name)
{
	const char *kw = NULL;
	for (size_t i = 0; i < a->n; i++) {
		if (strcmp(a->a[i].name, name))
			continue;
		if (!a->a[i].keyword)
			return a->a[i].value;
		kw = a->a[i].value;
	}
	return kw;
}

static bool parse_ip4(const char *s, uint32_t *out)
{
	struct in_addr in;
	if (inet_pton(AF_INET, s, &in) != 1)
		return false;
	if (out)
		*out = ntohl(in.s_addr);
	return true;
}

static bool parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	if (out)
		*out = (uint32_t)v;
	return true;
}

int ctl_arg_ip4(const struct ctl_args *a, const char *name, uint32_t *out)
{
	const char *s = ctl_arg_str(a, name);
	return s && parse_ip4(s, out) ? 0 : ERR_NOTFOUND;
}

int ctl_arg_u32(const struct ctl_args *a, const char *name, uint32_t *out)
{
	const char *s = ctl_arg_str(a, name);
	return s && parse_u32(s, 0, UINT32_MAX, out) ? 0 : ERR_NOTFOUND;
}

/* ---- words ---- */

int ctl_words_split(struct ctl_words *w, const char *line, size_t len)
{
	w->n = 0;
	w->trailing_space = false;
	char *b = w->buf;
	size_t i = 0;
	while (i < len) {
		if (isspace((unsigned char)line[i])) {
			i++;
			continue;
		}
		size_t start = i;
		while (i < len && !isspace((unsigned char)line[i]))
			i++;
		if (w->n == CTL_MAX_WORDS || i - start > CTL_MAX_WORD_LEN)
			return ERR_LIMIT;
		memcpy(b, line + start, i - start);
		b[i - start] = 0;
		w->off[w->n] = start;
		w->w[w->n++] = b;
		b += i - start + 1;
	}
	w->trailing_space = len > 0 && isspace((unsigned char)line[len - 1]);
	return 0;
}

/* ---- matching ---- */

static bool kw_eq(const struct tok *k, const char *word)
{
	return k->kind == TOK_KEYWORD && !strcasecmp(k->text, word);
}

static bool kw_prefix(const struct tok *k, const char *word)
{
	return k->kind == TOK_KEYWORD && !strncasecmp(k->text, word, strlen(word));
}

static bool var_accepts(const struct tok *k, const char *word)
{
	switch (k->kind) {
	case TOK_WORD:
		return true;
	case TOK_IPV4:
		return parse_ip4(word, NULL);
	case TOK_NUM:
		return parse_u32(word, k->lo, k->hi, NULL);
	default:
		return false;
	}
}

/* The sequences still in the running; a bitmap would do, an array is simpler. */
struct alive {
	size_t n;
	size_t *idx;
};

enum step_result { STEP_OK, STEP_NONE, STEP_AMBIGUOUS };

/* Keep the sequences whose token pos takes word (keyword rules first). */
static enum step_result step(const struct ctl_cmdtab *t, struct alive *al, size_t pos,
			     const char *word)
{
	size_t keep = 0;
	for (size_t i = 0; i < al->n; i++) {
		const struct seq *s = &t->seqs[al->idx[i]];
		if (pos < s->n && kw_eq(&s->t[pos], word))
			al->idx[keep++] = al->idx[i];
	}
	if (keep) {
		al->n = keep;
		return STEP_OK;
	}
	const struct tok *first = NULL;
	for (size_t i = 0; i < al->n; i++) {
		const struct seq *s = &t->seqs[al->idx[i]];
		if (pos >= s->n || !kw_prefix(&s->t[pos], word))
			continue;
		/* interned: one pointer per distinct keyword */
		if (first && first->text != s->t[pos].text)
			return STEP_AMBIGUOUS;
		first = &s->t[pos];
		al->idx[keep++] = al->idx[i];
	}
	if (!keep) {
		for (size_t i = 0; i < al->n; i++) {
			const struct seq *s = &t->seqs[al->idx[i]];
			if (pos < s->n && var_accepts(&s->t[pos], word))
				al->idx[keep++] = al->idx[i];
		}
	}
	if (!keep)
		return STEP_NONE;
	al->n = keep;
	return STEP_OK;
}

static int alive_init(const struct ctl_cmdtab *t, struct alive *al)
{
	al->n = t->nseqs;
	al->idx = malloc((t->nseqs ? t->nseqs : 1) * sizeof(size_t));
	if (!al->idx)
		return ERR_NOMEM;
	for (size_t i = 0; i < t->nseqs; i++)
		al->idx[i] = i;
	return 0;
}

/* Run the first nwords words; CTL_MATCH_OK or the failure with *bad. */
static enum ctl_match run_words(const struct ctl_cmdtab *t, struct alive *al,
				const struct ctl_words *w, size_t nwords, size_t *bad)
{
	for (size_t i = 0; i < nwords; i++) {
		enum step_result r = step(t, al, i, w->w[i]);
		if (r != STEP_OK) {
			*bad = i;
			return r == STEP_AMBIGUOUS ? CTL_MATCH_AMBIGUOUS : CTL_MATCH_SYNTAX;
		}
	}
	return CTL_MATCH_OK;
}

static void fill_args(const struct seq *s, const struct ctl_words *w, struct ctl_args *args)
{
	args->n = 0;
	for (size_t i = 0; i < w->n; i++) {
		const struct tok *k = &s->t[i];
		args->a[args->n].name = k->name;
		args->a[args->n].value = k->kind == TOK_KEYWORD ? k->text : w->w[i];
		args->a[args->n].keyword = k->kind == TOK_KEYWORD;
		args->n++;
	}
}

enum ctl_match ctl_cmdtab_match(const struct ctl_cmdtab *t, const struct ctl_words *w,
				const struct ctl_cmd_def **def, struct ctl_args *args, size_t *bad)
{
	struct alive al;
	*bad = 0;
	if (alive_init(t, &al))
		return CTL_MATCH_SYNTAX;
	enum ctl_match m = w->n ? run_words(t, &al, w, w->n, bad) : CTL_MATCH_INCOMPLETE;
	if (m == CTL_MATCH_OK) {
		m = CTL_MATCH_INCOMPLETE;
		for (size_t i = 0; i < al.n; i++) {
			const struct seq *s = &t->seqs[al.idx[i]];
			if (s->n == w->n) {
				*def = s->def;
				fill_args(s, w, args);
				m = CTL_MATCH_OK;
				break;
			}
		}
	}
	free(al.idx);
	return m;
}

/* ---- help and completion ---- */

static const char *lookup_help(const struct ctl_cmdtab *t, const char *key)
{
	for (size_t i = 0; i < t->nhelp; i++)
		if (!strcmp(t->help[i]->word, key))
			return t->help[i]->help;
	return NULL;
}

/* Help of token pos: by its whole path, then "<prev> <kw>", then "<kw>" ("$var"). */
static const char *find_help(const struct ctl_cmdtab *t, const struct seq *s, size_t pos)
{
	const struct tok *k = &s->t[pos];
	char key[CTL_MAX_WORDS * 32];
	const char *h;
	if (k->kind != TOK_KEYWORD) {
		snprintf(key, sizeof(key), "$%s", k->name);
		h = lookup_help(t, key);
		return h ? h : "";
	}
	size_t n = 0;
	for (size_t i = 0; i <= pos && n < sizeof(key); i++)
		n += (size_t)snprintf(key + n, sizeof(key) - n, "%s%s", i ? " " : "", s->t[i].text);
	if (n < sizeof(key) && pos > 1 && (h = lookup_help(t, key)))
		return h;
	if (pos > 0 && s->t[pos - 1].kind == TOK_KEYWORD) {
		snprintf(key, sizeof(key), "%s %s", s->t[pos - 1].text, k->text);
		if ((h = lookup_help(t, key)))
			return h;
	}
	h = lookup_help(t, k->text);
	return h ? h : "";
}

struct cand {
	const char *token;
	const char *help;
};

struct cands {
	struct cand *v;
	size_t n;
	bool cr;
};

static void cand_add(struct cands *c, const char *token, const char *help)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].token == token)
			return;
	c->v[c->n].token = token;
	c->v[c->n].help = help;
	c->n++;
}

static int cand_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cand *)a)->token, ((const struct cand *)b)->token);
}

static int cands_emit(struct cands *c, ctl_candidate_fn fn, void *arg)
{
	qsort(c->v, c->n, sizeof(*c->v), cand_cmp);
	for (size_t i = 0; i < c->n; i++) {
		int rc = fn(arg, c->v[i].token, c->v[i].help);
		if (rc)
			return rc;
	}
	return c->cr ? fn(arg, "<cr>", "<cr>") : 0;
}

/*
 * Candidates at word position pos among the live sequences: with prefix,
 * the keywords starting with it; without, every token (and <cr>).
 */
static void collect(const struct ctl_cmdtab *t, const struct alive *al, size_t pos,
		    const char *prefix, bool keywords_only, struct cands *c)
{
	for (size_t i = 0; i < al->n; i++) {
		const struct seq *s = &t->seqs[al->idx[i]];
		if (pos == s->n && !prefix) {
			c->cr = !keywords_only;
			continue;
		}
		if (pos >= s->n)
			continue;
		const struct tok *k = &s->t[pos];
		if (k->kind != TOK_KEYWORD) {
			if (keywords_only || (prefix && !var_accepts(k, prefix)))
				continue;
		} else if (prefix && !kw_prefix(k, prefix)) {
			continue;
		}
		cand_add(c, k->text, find_help(t, s, pos));
	}
}

static int candidates(const struct ctl_cmdtab *t, const struct ctl_words *w, bool keywords_only,
		      ctl_candidate_fn fn, void *arg, size_t *bad)
{
	struct alive al;
	*bad = 0;
	if (alive_init(t, &al))
		return ERR_NOMEM;
	bool partial = w->n && !w->trailing_space;
	size_t full = partial ? w->n - 1 : w->n;
	int rc = (int)run_words(t, &al, w, full, bad);
	struct cands c = {0};
	if (rc == CTL_MATCH_OK) {
		c.v = malloc((al.n ? al.n : 1) * sizeof(*c.v));
		if (!c.v)
			rc = ERR_NOMEM;
	}
	if (rc == CTL_MATCH_OK) {
		collect(t, &al, full, partial ? w->w[full] : NULL, keywords_only, &c);
		if (partial && !c.n) {
			/* nothing starts with the last word: it is the bad one */
			*bad = full;
			rc = CTL_MATCH_SYNTAX;
		} else {
			rc = cands_emit(&c, fn, arg);
		}
	}
	free(c.v);
	free(al.idx);
	return rc;
}

int ctl_cmdtab_help(const struct ctl_cmdtab *t, const struct ctl_words *w, ctl_candidate_fn fn,
		    void *arg, size_t *bad)
{
	return candidates(t, w, false, fn, arg, bad);
}

int ctl_cmdtab_complete(const struct ctl_cmdtab *t, const struct ctl_words *w,
			ctl_candidate_fn fn, void *arg, size_t *bad)
{
	return candidates(t, w, true, fn, arg, bad);
}
