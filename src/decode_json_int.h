/*
 * decode_json_int.h - the cJSON helpers the JSON decoders share
 * (decode_json.c): only decode_*.c include it, the only files that may
 * include <cJSON.h>.
 */
#ifndef TEMPO_DECODE_JSON_INT_H
#define TEMPO_DECODE_JSON_INT_H

#include <cJSON.h>

#include "decode.h"

/* The node at a dotted path: objects by key (a key may itself hold dots, so
 * every key that is a prefix of the path ending at a '.' is tried) and arrays
 * by decimal index ("choices.0.message"). At most DECODE_JSON_FIND_BUDGET
 * nodes are visited. NULL when absent. */
#define DECODE_JSON_FIND_BUDGET 4096
const cJSON *decode_json_find(const cJSON *root, struct span path);

/* Every scalar leaf under `node`, named by its dotted path appended to
 * name[0, len) (a '.' between when len > 0; array elements by index; names
 * longer than LIMIT_ATTR_NAME skipped): leaf() gets the name and the node;
 * it returns false to stop the walk (the event is full). `name` holds at
 * least LIMIT_ATTR_NAME + 1 bytes. */
void decode_json_walk(const cJSON *node, char *name, size_t len,
                      bool (*leaf)(void *ctx, struct span name, const cJSON *leaf), void *ctx);

/* Decimal text of d that reads back as d: integers as integers ("200", not
 * "2e+02"), by hand because printf's float path dominated the profile; other
 * numbers with 15 significant digits (the most a decimal input of up to 15
 * digits needs, so "0.1" stays "0.1"), else 16 or 17. Returns its length, 0
 * when d is not finite. */
#define DECODE_JSON_NUMBER_TEXT 40 /* bytes of a number's shortest text, with room to spare */
size_t decode_json_number_text(double d, char out[DECODE_JSON_NUMBER_TEXT]);

/* Copy p[0, n) into a bump scratch base[*used, cap); SPAN_NULL when it does
 * not fit (the caller drops the attribute, as past LIMIT_ATTRS). */
struct span decode_json_keep(char *base, size_t cap, size_t *used, const char *p, size_t n);

#endif
