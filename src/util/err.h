/*
 * Project-wide error codes. Functions return 0 (or a length) on success and a
 * negative ERR_* code on failure; err_name() gives the stable name printed in
 * logs and by the event traces.
 */
#ifndef GVPN_UTIL_ERR_H
#define GVPN_UTIL_ERR_H

enum err_code {
	ERR_OK = 0,
	ERR_TRUNCATED = -1,  /* input ended before a field did */
	ERR_BADLEN = -2,     /* a declared length is impossible */
	ERR_INVAL = -3,      /* a value outside its allowed set */
	ERR_NOSPACE = -4,    /* output buffer too small */
	ERR_NOMEM = -5,      /* allocation failed */
	ERR_UNSUPP = -6,     /* valid but not implemented / not configured */
	ERR_CRYPTO = -7,     /* the crypto library failed */
	ERR_AUTH = -8,       /* integrity, hash or signature check failed */
	ERR_NOTFOUND = -9,   /* no such SA, peer, group, key ... */
	ERR_EXISTS = -10,    /* already present */
	ERR_STATE = -11,     /* not allowed in the current state */
	ERR_REPLAY = -12,    /* replayed or out-of-window */
	ERR_PROTO = -13,     /* protocol violation by the peer */
	ERR_IO = -14,        /* system call failed (errno is kept by the caller) */
	ERR_AGAIN = -15,     /* try again later (rate limit, load gate) */
	ERR_TIMEOUT = -16,   /* a peer did not answer in time */
	ERR_SYNTAX = -17,    /* configuration or command syntax */
	ERR_TRAILING = -18,  /* bytes left over after a complete structure */
	ERR_LIMIT = -19,     /* a configured or built-in limit was reached */
};

/* Stable upper-case name of an error code ("TRUNCATED"), "UNKNOWN" otherwise. */
const char *err_name(int code);

#endif
