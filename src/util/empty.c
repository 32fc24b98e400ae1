/* Placeholder translation unit for layers that have no source yet. */
typedef int util_empty_unit;
