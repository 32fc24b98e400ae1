/*
 * Exec command table: grammar strings, `?` help, completion and unique
 * prefixes for the commands gvpn accepts at its exec prompt.
 *
 * Stand-in for conf/cmd.h (the command engine shared by configuration and
 * exec modes) until that one exists; handlers only see struct ctl_args
 * (arguments by name), so moving them over changes only their registration.
 *
 * A command is a syntax string of space-separated tokens:
 *
 *   keyword        lower-case word, matched by any unique prefix ("sh")
 *   WORD:name      any word
 *   A.B.C.D:name   an IPv4 address
 *   <lo-hi>:name   a decimal number in [lo, hi] (32-bit)
 *   [ a | b c ]    optional: nothing, a, or "b c"
 *   { a | b }      one of the alternatives
 *
 * Groups nest. Each keyword is also an argument named after itself, so a
 * handler asks ctl_arg_has(a, "detail"). Help strings come from a
 * dictionary: the whole path of keywords ("show crypto gdoi ks") first,
 * then "<previous keyword> <keyword>", then "<keyword>"; for variables
 * "$name".
 *
 * Matching a line, word by word: an exact keyword wins; else a keyword of
 * which the word is a unique prefix; several keywords with that prefix are
 * ambiguous; else the variables that accept the word. When the words run
 * out, the first registered command that ends there runs; commands that go
 * on make the line incomplete.
 */
#ifndef GVPN_CTL_CMDTAB_H
#define GVPN_CTL_CMDTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctl_exec;

enum {
	CTL_MAX_WORDS = 24,   /* tokens of one command line */
	CTL_MAX_WORD_LEN = 255,
};

/* Arguments of a matched line: keywords and variables by name. */
struct ctl_args {
	size_t n;
	struct {
		const char *name;  /* keyword text or variable name */
		const char *value; /* the word as typed (keywords: the full keyword) */
		bool keyword;
	} a[CTL_MAX_WORDS];
};

/* Is the keyword or variable `name` in the line? */
bool ctl_arg_has(const struct ctl_args *a, const char *name);
/* Value of a variable, else of a keyword of that name; NULL when absent. */
const char *ctl_arg_str(const struct ctl_args *a, const char *name);
/* A.B.C.D variable in host byte order: 0 or ERR_NOTFOUND. */
int ctl_arg_ip4(const struct ctl_args *a, const char *name, uint32_t *out);
/* <lo-hi> variable: 0 or ERR_NOTFOUND. */
int ctl_arg_u32(const struct ctl_args *a, const char *name, uint32_t *out);

typedef int (*ctl_cmd_fn)(struct ctl_exec *x, const struct ctl_args *a);

/* Command flags. */
enum {
	CTL_CMD_SHOW = 1 << 0, /* fills a result; --json and the timestamp line apply */
};

struct ctl_cmd_def {
	const char *syntax;
	ctl_cmd_fn fn;
	unsigned flags;
};

struct ctl_help_def {
	const char *word; /* "keyword", "prev keyword" or "$var" */
	const char *help;
};

struct ctl_cmdtab;

/* NULL only when memory is exhausted. */
struct ctl_cmdtab *ctl_cmdtab_new(void);
void ctl_cmdtab_free(struct ctl_cmdtab *t);

/*
 * Register commands (defs and the strings they point to must outlive t).
 * 0, ERR_SYNTAX (a malformed syntax string: a programming error, asserted in
 * tests), ERR_LIMIT (too many tokens) or ERR_NOMEM.
 */
int ctl_cmdtab_add(struct ctl_cmdtab *t, const struct ctl_cmd_def *defs, size_t n);
/* Register help strings (borrowed). 0 or ERR_NOMEM. */
int ctl_cmdtab_add_help(struct ctl_cmdtab *t, const struct ctl_help_def *defs, size_t n);

/* Words of a line: split on blanks, pointing into buf (a copy of the line). */
struct ctl_words {
	size_t n;
	const char *w[CTL_MAX_WORDS];
	size_t off[CTL_MAX_WORDS]; /* offset of each word in the line */
	bool trailing_space;	   /* the line ends in a blank (help: next word) */
	char buf[CTL_MAX_WORDS * (CTL_MAX_WORD_LEN + 1)];
};
/* 0, or ERR_LIMIT (too many words, or a word too long). */
int ctl_words_split(struct ctl_words *w, const char *line, size_t len);

enum ctl_match {
	CTL_MATCH_OK = 0,
	CTL_MATCH_SYNTAX,     /* *bad: index of the word that matches nothing */
	CTL_MATCH_INCOMPLETE, /* a command needs more words */
	CTL_MATCH_AMBIGUOUS,  /* *bad: the word several keywords start with */
};

/*
 * Match all words: CTL_MATCH_OK with *def and args filled (values point
 * into w), or another enum ctl_match with *bad set to a word index.
 */
enum ctl_match ctl_cmdtab_match(const struct ctl_cmdtab *t, const struct ctl_words *w,
				const struct ctl_cmd_def **def, struct ctl_args *args, size_t *bad);

/* One candidate of help or completion. */
typedef int (*ctl_candidate_fn)(void *arg, const char *token, const char *help);

/*
 * `?`: after a trailing blank, every token that may follow (keywords,
 * variables as "WORD" / "A.B.C.D" / "<1-10>", and "<cr>" when the line is
 * complete); otherwise the keywords the last word is a prefix of. Sorted,
 * "<cr>" last. Returns CTL_MATCH_OK or the failure of the words before
 * (with *bad), or a negative error from fn.
 */
int ctl_cmdtab_help(const struct ctl_cmdtab *t, const struct ctl_words *w, ctl_candidate_fn fn,
		    void *arg, size_t *bad);

/*
 * Tab: the keywords the last word (or, after a trailing blank, the empty
 * word) may complete to, sorted. Same returns as ctl_cmdtab_help.
 */
int ctl_cmdtab_complete(const struct ctl_cmdtab *t, const struct ctl_words *w,
			ctl_candidate_fn fn, void *arg, size_t *bad);

#endif
