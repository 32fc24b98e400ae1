#include "util/err.h"

const char *err_name(int code)
{
	static const char *const names[] = {
		[0] = "OK",          [1] = "TRUNCATED", [2] = "BADLEN",  [3] = "INVAL",
		[4] = "NOSPACE",     [5] = "NOMEM",     [6] = "UNSUPP",  [7] = "CRYPTO",
		[8] = "AUTH",        [9] = "NOTFOUND",  [10] = "EXISTS", [11] = "STATE",
		[12] = "REPLAY",     [13] = "PROTO",    [14] = "IO",     [15] = "AGAIN",
		[16] = "TIMEOUT",    [17] = "SYNTAX",   [18] = "TRAILING", [19] = "LIMIT",
	};
	if (code > 0 || code < -19)
		return "UNKNOWN";
	return names[-code];
}
