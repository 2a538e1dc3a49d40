/* SPDX-License-Identifier: MIT */
/*
 * Shared declarations of the otaprio command-line tool.
 *
 * The tool is a host program: unlike the library it reads files and writes
 * to the terminal. Each command lives in its own cmd_<name>.c; the helpers
 * here keep their messages, exit statuses and number formats uniform, so a
 * script that drives one command can drive them all the same way.
 */
#ifndef OTAPRIO_CLI_H
#define OTAPRIO_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <otaprio.h>
#include <otaprio/cohort.h>

#if defined(__GNUC__)
#define CLI_PRINTF(fmt, first) __attribute__((format(printf, fmt, first)))
#else
#define CLI_PRINTF(fmt, first)
#endif

/* Exit statuses, documented in `otaprio --help`. Scripts tell a mistyped
 * command line (fix the call) from a runtime failure (fix the data or the
 * environment) by these. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILURE = 1, /* unreadable input, bad data, library or I/O error */
    CLI_EXIT_USAGE = 2    /* the command line itself is wrong */
};

/* One subcommand. `run` gets its own argv whose argv[0] is "otaprio NAME",
 * so that getopt's messages and ours name the command the user typed. */
typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    void (*usage)(FILE *out);
} cli_command;

/* ---- commands (cmd_<name>.c) ----------------------------------------- */

int cmd_key_run(int argc, char **argv);
void cmd_key_usage(FILE *out);
int cmd_bucket_run(int argc, char **argv);
void cmd_bucket_usage(FILE *out);
int cmd_score_run(int argc, char **argv);
void cmd_score_usage(FILE *out);
int cmd_graph_run(int argc, char **argv);
void cmd_graph_usage(FILE *out);
int cmd_cohort_run(int argc, char **argv);
void cmd_cohort_usage(FILE *out);
int cmd_guard_run(int argc, char **argv);
void cmd_guard_usage(FILE *out);
int cmd_simulate_run(int argc, char **argv);
void cmd_simulate_usage(FILE *out);

/* ---- messages (cli_util.c) ------------------------------------------- */

/* "WHO: message" on stderr; `who` is argv[0] of the command. */
void cli_error(const char *who, const char *format, ...) CLI_PRINTF(2, 3);
/* "WHO: warning: message" on stderr. */
void cli_warning(const char *who, const char *format, ...) CLI_PRINTF(2, 3);
/* Reports a mistake in the command line with a pointer to the help and
 * returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *who, const char *format, ...) CLI_PRINTF(2, 3);
/* Reports a failed libotaprio call with the status name and, when the call
 * filled it, the diagnostics message; returns CLI_EXIT_FAILURE. */
int cli_library_error(const char *who, const char *call, int status,
                      const otaprio_diag *diag);
/* Reports that stdout cannot be written (full disk, closed pipe) with
 * errno's reason; returns CLI_EXIT_FAILURE. */
int cli_write_error(const char *who);
/* Reports a failed libotaprio call on a chunk of CSV rows, naming the row
 * (and so the device) at fault, and the column when the diagnostics name
 * a field: `rows[i]` is the CSV row of the chunk's device i, `count` the
 * chunk's devices. Without a device index it is cli_library_error().
 * Returns CLI_EXIT_FAILURE. */
int cli_chunk_error(const char *who, const char *input, const char *call,
                    int status, const otaprio_diag *diag, const uint64_t *rows,
                    size_t count);

/* ---- formats and parsing (cli_util.c) -------------------------------- */

/* 64-bit keys and positions are shown as exactly 16 lowercase hex digits:
 * fixed width for tables, and exact where JSON numbers would round them. */
#define CLI_HEX64_CHARS 16
void cli_format_hex64(uint64_t value, char out[CLI_HEX64_CHARS + 1]);
/* Accepts 1 to 16 hex digits with an optional 0x/0X prefix and nothing
 * else (no sign, no spaces), so a typo cannot silently become a salt. */
bool cli_parse_hex64(const char *text, uint64_t *value);
/* Writes an identifier into a text table: control bytes as \xHH and a
 * backslash as \\, so one device stays on one line and the table is
 * unambiguous. Other bytes (UTF-8 included) pass through, unless
 * `ascii_only` asks for \xHH there too: a message about bad bytes must
 * show them, not hand them to the terminal. */
void cli_print_id(FILE *out, const char *bytes, size_t length, bool ascii_only);
/* Copies a value into a message: control bytes and backslashes as \xHH,
 * and at most CLI_QUOTE_MAX bytes, then "...". `out` holds
 * CLI_QUOTE_SIZE bytes. */
#define CLI_QUOTE_MAX 64
#define CLI_QUOTE_SIZE (CLI_QUOTE_MAX * 4 + 4)
void cli_quote(const char *bytes, size_t length, char out[CLI_QUOTE_SIZE]);

/* The header names a message lists ("columns: id, os, ..."): up to
 * CLI_NAME_LIST_MAX bytes, then "...", so a header of hundreds of columns
 * is cut. Zero-initialise, then append. */
#define CLI_NAME_LIST_MAX 240
typedef struct cli_name_list {
    char text[CLI_NAME_LIST_MAX + 4];
    size_t length;
} cli_name_list;
/* Appends the `length` bytes at `name`, after ", " unless first. */
void cli_name_list_add(cli_name_list *list, const char *name, size_t length);

/* Values typed into a CSV field or an option, parsed the same way
 * everywhere and whatever the locale. */
/* Takes spaces and tabs off both ends of the `*length` bytes at `*bytes`. */
void cli_trim_blanks(const char **bytes, size_t *length);
/* A decimal number without sign or spaces, at most `max`. */
bool cli_parse_uint(const char *bytes, size_t length, uint64_t max,
                    uint64_t *value);
/* Reads a whole decimal number of `length` bytes (not terminated) as
 * strtod() does in the C locale; false when the bytes are not all of one
 * number. */
bool cli_parse_double(const char *bytes, size_t length, double *value);
/* A decimal real ('.' as the point, as strtod() reads it in the C locale):
 * finite or not, range checks are the caller's. Beyond float's range it
 * saturates to an infinity rather than convert with undefined behaviour. */
bool cli_parse_float(const char *bytes, size_t length, float *value);
/* 1 for "1" or "true", 0 for "0" or "false" (ASCII case ignored), -1 for
 * anything else. */
int cli_parse_flag(const char *bytes, size_t length);

/* The rollout salt of `--salt NAME` (the key of the name) or `--salt-hex
 * HEX` (the salt itself); at most one of them may be non-NULL. Returns
 * CLI_EXIT_OK with the salt, 0 when both are NULL, or CLI_EXIT_USAGE
 * after saying what is wrong (both given, an empty name, bad hex). */
int cli_parse_salt(const char *who, const char *name, const char *hex,
                   uint64_t *salt);

/* Makes the next getopt_long() call scan a new argv from its start. */
void cli_getopt_reset(void);

/* ---- command options (cli_options.c) --------------------------------- */

/* What becomes of an option's value. */
typedef enum cli_option_kind {
    CLI_OPTION_TEXT, /* stored in a `const char *` member, checked later */
    CLI_OPTION_FLAG, /* no value: sets a `bool` member */
    CLI_OPTION_TAKE  /* read at once by the command's take() */
} cli_option_kind;

/* One option of a command, named once: the getopt_long() table and the
 * short option string are made from these. */
typedef struct cli_option {
    const char *name; /* the long name, without "--" */
    int letter;       /* the short option, or 0 for none */
    cli_option_kind kind;
    /* TEXT, FLAG: offsetof the member in the command's arguments; TAKE:
     * the command's own number for it, for take() to tell them apart. */
    size_t slot;
} cli_option;

/* Entries of the TEXT and FLAG kinds: `member` of the arguments struct
 * `type`. */
#define CLI_TEXT_OPTION(type, name, letter, member)           \
    {                                                         \
        name, letter, CLI_OPTION_TEXT, offsetof(type, member) \
    }
#define CLI_FLAG_OPTION(type, name, letter, member)           \
    {                                                         \
        name, letter, CLI_OPTION_FLAG, offsetof(type, member) \
    }

/* The most options a command has (--help aside). */
#define CLI_OPTIONS_MAX 48

typedef struct cli_options {
    const cli_option *options;
    size_t count;
    /* Reads the value of a CLI_OPTION_TAKE option into `args`; returns
     * CLI_EXIT_OK, or the exit status after saying what is wrong. NULL
     * when the command has none. */
    int (*take)(const char *who, const cli_option *option, const char *value,
                void *args);
    void (*usage)(FILE *out); /* for --help (-h) */
} cli_options;

/* The cli_options of a static array of entries. */
#define CLI_OPTIONS(array, take, usage)                              \
    {                                                                \
        (array), sizeof(array) / sizeof((array)[0]), (take), (usage) \
    }

/* Reads the options of argv into `args`. Returns CLI_EXIT_OK with *done
 * false and optind at the first operand, to go on; or with *done true the
 * status to exit with: CLI_EXIT_OK after printing the help, CLI_EXIT_USAGE
 * after a bad option (getopt_long() names it), or what take() returned. */
int cli_parse_options(int argc, char **argv, const cli_options *spec,
                      void *args, bool *done);

/* ---- JSON output trees (json_build.c) --------------------------------- */

/* Sets `key` of `*object` to `value` (a new reference; NULL for a failed
 * build); false when either failed, and `*object` is then freed and NULL,
 * so a builder may chain calls and check once. */
bool cli_json_set(json_t **object, const char *key, json_t *value);

/* Appends `value` (a new reference) to `*array`, likewise. */
bool cli_json_append(json_t **array, json_t *value);

/* ---- JSON array streaming (json_stream.c) ---------------------------- */

/* Writes a JSON array one object per line, so memory stays bounded by one
 * row however many devices a CSV holds, and each device stays greppable. */
typedef struct cli_json_stream {
    FILE *out;
    bool any;     /* an element was written: the next needs a separator */
    size_t flags; /* json_dumpf() flags; 0 after cli_json_stream_begin() */
} cli_json_stream;

void cli_json_stream_begin(cli_json_stream *stream, FILE *out);
/* Writes `element` (an object) and releases the reference; returns 0, or
 * -1 when jansson cannot encode it. */
int cli_json_stream_put_new(cli_json_stream *stream, json_t *element);
void cli_json_stream_end(cli_json_stream *stream);
/* Closes the array without a newline after it, when it sits inside a
 * larger document. */
void cli_json_stream_close(cli_json_stream *stream);

/* An identifier as a JSON string, or NULL after saying on stderr why not:
 * JSON strings are Unicode, and an arbitrary byte string has no faithful
 * encoding there (a lossy one would name another device). */
json_t *cli_json_id(const char *who, const char *bytes, size_t length);

/* ---- identifier chunks (id_chunk.c) ---------------------------------- */

/* Identifiers gathered back to back in the Arrow-string layout that
 * otaprio_key_derive_batch() takes, so large inputs are keyed and bucketed
 * a chunk at a time instead of one library call per row. */
#define CLI_CHUNK_IDS 4096
/* Flush early when the identifiers themselves grow large (long ids). */
#define CLI_CHUNK_BYTES ((size_t)1 << 20)

typedef struct cli_id_chunk {
    char *bytes;
    size_t bytes_capacity;
    uint64_t offsets[CLI_CHUNK_IDS + 1];
    size_t count;
} cli_id_chunk;

void cli_id_chunk_init(cli_id_chunk *chunk);
void cli_id_chunk_release(cli_id_chunk *chunk);
void cli_id_chunk_clear(cli_id_chunk *chunk);
/* Appends one identifier; returns 0, or -1 when memory runs out. The
 * caller flushes first when cli_id_chunk_full() says so. */
int cli_id_chunk_add(cli_id_chunk *chunk, const char *bytes, size_t length);
bool cli_id_chunk_full(const cli_id_chunk *chunk);
/* Identifier `i` of the chunk. */
const char *cli_id_chunk_id(const cli_id_chunk *chunk, size_t i,
                            size_t *length);

/* ---- CSV streaming (csv_stream.c) ------------------------------------ */

/* A reader's handling of one field or one row end: 0 to go on, or a
 * non-zero status that stops the reading and is returned by
 * cli_csv_read() unchanged. `user` is the reader's own state. */
typedef int (*cli_csv_field_fn)(void *user, const char *bytes, size_t length);
typedef int (*cli_csv_row_fn)(void *user);

/* One CSV input being read. The callbacks read the position from here, to
 * tell the header from the data and to name the row in their messages. */
typedef struct cli_csv {
    const char *who;
    const char *name; /* the input, as shown in messages */
    cli_csv_field_fn on_field;
    cli_csv_row_fn on_row;
    void *user;
    uint64_t row;     /* 1-based row being parsed; the header is row 1 */
    size_t field;     /* index of the field within the row */
    bool header_done; /* the header row has ended */
    int status;       /* first failure; no callback is made once it is set */
} cli_csv;

/* `name` names the input in messages ("-" is shown as standard input). */
void cli_csv_init(cli_csv *csv, const char *who, const char *name,
                  cli_csv_field_fn on_field, cli_csv_row_fn on_row, void *user);
/*
 * Reads CSV (RFC 4180, strict, every byte of a field kept) from `in` and
 * calls `on_field` with each field, a byte-order mark taken off the first,
 * and `on_row` at the end of each row; the header row is the first.
 * Returns 0; CLI_EXIT_FAILURE after reporting malformed CSV (with the byte
 * offset and row), a read error or an input without a header on stderr;
 * or the non-zero value a callback returned.
 */
int cli_csv_read(cli_csv *csv, FILE *in);

/* ---- CSV headers and rows (csv_header.c) ----------------------------- */

/* A header field that names no column (with `ignore_unknown`). */
#define CLI_CSV_IGNORED SIZE_MAX

/* A header's fields mapped to a reader's columns, the entries of `table`
 * (struct cli_key_table, below). The reader sets `table`, `present` (one
 * flag per entry, all false) and the options; cli_csv_header_add() fills
 * the rest. */
typedef struct cli_csv_header {
    const struct cli_key_table *table;
    bool *present;            /* per column: named in the header */
    bool ignore_unknown;      /* unknown names map to CLI_CSV_IGNORED */
    const char *unknown_hint; /* appended to the unknown-column message */
    size_t *column_of;        /* per header field: its column */
    size_t fields, capacity;
} cli_csv_header;

/* Maps the next header field (blanks around it trimmed) to its column.
 * Returns 0; or CLI_EXIT_FAILURE after saying on stderr that the column is
 * unknown (listing the known ones), repeated, or memory ran out. */
int cli_csv_header_add(const cli_csv *csv, cli_csv_header *header,
                       const char *bytes, size_t length);
void cli_csv_header_release(cli_csv_header *header);
/* Makes room for entry `used` of a per-header-field array; 0, or
 * CLI_EXIT_FAILURE after saying memory ran out. */
int cli_csv_grow_index(const cli_csv *csv, size_t **index, size_t *capacity,
                       size_t used);
/* 0 while the current data field is within the header's `fields`; else
 * CLI_EXIT_FAILURE after naming the row. */
int cli_csv_field_check(const cli_csv *csv, size_t fields);
/* At a row's end: 0 when it had the header's `fields` fields; else
 * CLI_EXIT_FAILURE after naming the row and both counts. */
int cli_csv_row_check(const cli_csv *csv, size_t fields);
/* "FILE: row R, column 'C': 'VALUE' PROBLEM" on stderr, the value quoted;
 * returns CLI_EXIT_FAILURE. */
int cli_csv_bad_value(const cli_csv *csv, const char *column, const char *bytes,
                      size_t length, const char *problem);

/* ---- CSV input (csv_column.c) ---------------------------------------- */

/* Receives one identifier; a non-zero return stops the reading and is
 * returned by csv_column_read() unchanged. */
typedef int (*csv_column_fn)(void *user, const char *bytes, size_t length);

/*
 * Reads CSV (RFC 4180) from `in`, whose first row names the columns, and
 * calls `fn` with the field of column `column` of every later row, in order.
 * `name` names the input in messages ("-" is shown as standard input).
 * Returns 0; CLI_EXIT_FAILURE after reporting a problem with the input
 * (missing column, short row, malformed CSV, read error) on stderr; or the
 * non-zero value `fn` returned.
 */
int csv_column_read(FILE *in, const char *name, const char *column,
                    const char *who, csv_column_fn fn, void *user);

/* ---- enum names (names.c) -------------------------------------------- */

/* The words the CLI reads for the values of a library enum: `names[v]` is
 * the word for value v (NULL for an unnamed value). For the workflow bit
 * flags, `names[b]` is the word for bit `1 << b`. */
typedef struct cli_names {
    const char *what; /* "exposure", "device class"... for messages */
    const char *const *names;
    size_t count;
} cli_names;

/* The cli_names of a static array of words. */
#define CLI_NAMES(what, array)                              \
    {                                                       \
        (what), (array), sizeof(array) / sizeof((array)[0]) \
    }

extern const cli_names cli_names_issue_class;
extern const cli_names cli_names_level;
extern const cli_names cli_names_attack_path;
extern const cli_names cli_names_exploit;
extern const cli_names cli_names_layer;
extern const cli_names cli_names_workflow;
extern const cli_names cli_names_device_class;
extern const cli_names cli_names_customer_tier;
extern const cli_names cli_names_exposure;
extern const cli_names cli_names_uptime;
extern const cli_names cli_names_link;
extern const cli_names cli_names_model;
extern const cli_names cli_names_cohort_method;

/* The value named by the `length` bytes at `text` (exact, case-sensitive),
 * or -1. */
int cli_names_find(const cli_names *names, const char *text, size_t length);
/* The word for `value`, or NULL. */
const char *cli_names_name(const cli_names *names, int value);
/* "a, b, c": every word, for "expected one of" messages; cut with "..."
 * when `size` is too small. */
void cli_names_list(const cli_names *names, char *out, size_t size);

/* ---- tables looked up by name (key_table.c) ------------------------- */

/* A static array of structs that each hold their name as a `const char *`
 * member: the keys of an issue or a policy file, the columns of a fleet.
 * One lookup serves them all, so their names match by the same rule and
 * their messages list them alike. */
typedef struct cli_key_table {
    const void *entries;
    size_t count;
    size_t stride;     /* sizeof one entry */
    size_t key_offset; /* offsetof the name in an entry */
} cli_key_table;

#define CLI_KEY_TABLE(type, array, member)                         \
    {                                                              \
        (array), sizeof(array) / sizeof((array)[0]), sizeof(type), \
            offsetof(type, member)                                 \
    }

/* The entry named by the `length` bytes at `name` (exact, case-sensitive),
 * with its index in `*index` unless `index` is NULL; or NULL. */
const void *cli_key_table_find(const cli_key_table *table, const char *name,
                               size_t length, size_t *index);
/* "a, b, c": every name in table order, for messages; `out` holds `size`
 * bytes and is sized by the caller for the whole list. */
void cli_key_table_list(const cli_key_table *table, char *out, size_t size);

/* ---- dictionaries of text values (value_dict.c) ---------------------- */

/* The distinct values of a column, each with a code from 0 in order of
 * first appearance; memory grows with the distinct values, not the rows.
 * Values are byte strings, compared byte for byte. */
typedef struct cli_value_dict {
    char *bytes; /* the values back to back */
    size_t bytes_capacity;
    uint64_t *offsets; /* value c is bytes[offsets[c] .. offsets[c + 1]) */
    uint64_t *hashes;  /* per value, to rehash the table without reading */
    size_t count;
    size_t capacity;
    uint32_t *slots; /* open addressing: codes, UINT32_MAX when empty */
    size_t slot_count;
} cli_value_dict;

void cli_value_dict_init(cli_value_dict *dict);
void cli_value_dict_release(cli_value_dict *dict);
/* The code of the `length` bytes at `bytes`, added when new. Returns 0;
 * -1 when memory runs out; -2 past UINT32_MAX - 1 values. */
int cli_value_dict_intern(cli_value_dict *dict, const char *bytes,
                          size_t length, uint32_t *code);
/* True with the code of a value the dictionary holds. */
bool cli_value_dict_find(const cli_value_dict *dict, const char *bytes,
                         size_t length, uint32_t *code);
/* The bytes of value `code`. */
const char *cli_value_dict_value(const cli_value_dict *dict, uint32_t code,
                                 size_t *length);
/* The codes in byte order of their values (a prefix first), as a new
 * array of `count` codes the caller frees; NULL when memory runs out. */
uint32_t *cli_value_dict_sorted(const cli_value_dict *dict);

/* ---- JSON input (json_input.c) --------------------------------------- */

/* Where a value came from, for messages: "FILE: key 'NAME'" or, inside an
 * array, "FILE: key 'NAME', element I". */
typedef struct cli_json_where {
    const char *who;
    const char *file; /* as shown in messages */
    const char *key;
    long element; /* -1 outside an array */
} cli_json_where;

/* Reads a JSON document whose top level must be an object, from `path`
 * ("-" for standard input); duplicate keys are refused. Returns the object,
 * or NULL after saying on stderr what was wrong. `what` names the document
 * in messages ("issue", "policy"). */
json_t *cli_json_load_object(const char *who, const char *path,
                             const char *what);

/* "FILE: key 'NAME': message" (with ", element I" inside an array) on
 * stderr: the form of every message about a value of a JSON document. */
void cli_json_report(const cli_json_where *where, const char *format, ...)
    CLI_PRINTF(2, 3);
/* "an array", "a string", "true"...: what a value is, for messages. */
const char *cli_json_type_name(const json_t *value);

/* Typed reads of one value: each returns 0, or CLI_EXIT_FAILURE after
 * reporting the wrong type or value, named by `where`. */
int cli_json_name(const cli_json_where *where, json_t *value,
                  const cli_names *names, int32_t *out);
int cli_json_flag(const cli_json_where *where, json_t *value, int32_t *out);
int cli_json_real(const cli_json_where *where, json_t *value, double *out);
int cli_json_uint(const cli_json_where *where, json_t *value, uint64_t max,
                  uint64_t *out);
/* An array of device class names or numbers 0 to 31, as class bits; a
 * policy also accepts the bits themselves as one integer when
 * `integer_mask` is set. */
int cli_json_class_set(const cli_json_where *where, json_t *value,
                       bool integer_mask, uint32_t *out);
/* An array of words of `names`, as bits: `names->names[b]` is the word
 * for bit 1 << b (the workflows, a rollback's levers...). */
int cli_json_name_set(const cli_json_where *where, json_t *value,
                      const cli_names *names, uint32_t *out);
/* An array of numbers written over the first entries of `table`, which
 * holds `capacity`; the entries it does not reach keep their values. */
int cli_json_real_table(const cli_json_where *where, json_t *value,
                        double *table, size_t capacity);
/* Reports a key the document may not have, listing the known ones. */
int cli_json_unknown_key(const char *who, const char *file, const char *what,
                         const char *key, const char *known);

/* ---- documents of named fields (json_fields.c) ----------------------- */

/* How one kind of document is read: the table of its keys, and how the
 * value of one key is read into the struct. */
typedef struct cli_json_fields {
    const char *what; /* "issue", "policy": names the document in messages */
    cli_key_table table;
    /* Reads `value` into `target` for the table entry `field`; returns 0,
     * or CLI_EXIT_FAILURE after reporting the problem. */
    int (*read)(const cli_json_where *where, const void *field, json_t *value,
                void *target);
    /* A key not in the table that deserves a message of its own (a field
     * the document sets another way): returns CLI_EXIT_FAILURE after
     * reporting it, or 0 for the plain unknown-key message. May be NULL. */
    int (*misplaced)(const cli_json_where *where);
} cli_json_fields;

/* The kinds of value most tables hold, read by cli_json_field_read(). */
enum {
    CLI_JSON_WORD,     /* int32_t enum, as a word of `names` */
    CLI_JSON_WORD_SET, /* uint32_t bits, as an array of words of `names` */
    CLI_JSON_CLASSES,  /* uint32_t device class bits */
    CLI_JSON_FLAG,     /* int32_t 0/1, as true/false */
    CLI_JSON_REAL,     /* double */
    CLI_JSON_U64,      /* uint64_t */
    CLI_JSON_OWN       /* the first kind a reader reads itself */
};

/* One key of a table: the kind of its value and where it goes in the
 * struct. A reader whose keys are all of the kinds above takes
 * cli_json_field_read() as its `read`; one with kinds of its own reads
 * those and hands the rest to it. */
typedef struct cli_json_field {
    const char *key;
    int kind;
    const cli_names *names; /* CLI_JSON_WORD and CLI_JSON_WORD_SET */
    size_t offset;          /* of the member in the struct */
} cli_json_field;

#define CLI_JSON_FIELD(type, key, kind, names) \
    {                                          \
#key, kind, names, offsetof(type, key) \
    }

/* Reads `value` into the member of `target` that the cli_json_field
 * `field` names, for the kinds before CLI_JSON_OWN. */
int cli_json_field_read(const cli_json_where *where, const void *field,
                        json_t *value, void *target);

/* Reads the JSON object at `path` ("-" for standard input) into `target`
 * key by key, in the document's order; an unknown key is an error that
 * lists the known ones. Returns 0 or CLI_EXIT_FAILURE after reporting the
 * first problem. */
int cli_json_read_fields(const char *who, const char *path,
                         const cli_json_fields *fields, void *target);
/* The same for an object already loaded, a part of a larger document:
 * `shown` prefixes the messages ("FILE: rules[2]"). */
int cli_json_read_object(const char *who, const char *shown, json_t *object,
                         const cli_json_fields *fields, void *target);

/* ---- score inputs (issue_json.c, policy_json.c) ---------------------- */

/* Fills `issue` (prepared by otaprio_issue_init()) from the JSON document
 * at `path`. Returns 0 or CLI_EXIT_FAILURE after reporting the problem. */
int cli_issue_read(const char *who, const char *path, otaprio_issue *issue);
/* The same for an issue object inside a larger document; `shown`
 * prefixes the messages ("FILE: key 'issue'"). */
int cli_issue_read_object(const char *who, const char *shown, json_t *object,
                          otaprio_issue *issue);
/* Overrides fields of `policy` (prepared by otaprio_risk_policy_init())
 * from the JSON document at `path`. Same returns. */
int cli_policy_read(const char *who, const char *path,
                    otaprio_risk_policy *policy);

#endif /* OTAPRIO_CLI_H */
