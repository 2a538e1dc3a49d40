/* SPDX-License-Identifier: MIT */
/*
 * Reading small JSON documents (an issue, a policy) with jansson: loading
 * with clear messages, and typed reads of one value that name the key at
 * fault. Nothing is coerced: a string where a number belongs is an error,
 * not a zero.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "cli.h"

void cli_json_report(const cli_json_where *where, const char *format, ...)
{
    char key[CLI_QUOTE_SIZE];
    cli_quote(where->key, strlen(where->key), key);
    char message[512];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    if (where->element >= 0)
        cli_error(where->who, "%s: key '%s', element %ld: %s", where->file, key,
                  where->element, message);
    else
        cli_error(where->who, "%s: key '%s': %s", where->file, key, message);
}

const char *cli_json_type_name(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    case JSON_NULL:
        return "null";
    }
    return "an unknown value";
}

json_t *cli_json_load_object(const char *who, const char *path,
                             const char *what)
{
    bool from_stdin = strcmp(path, "-") == 0;
    const char *shown = from_stdin ? "standard input" : path;
    FILE *in = from_stdin ? stdin : fopen(path, "rb");
    if (in == NULL) {
        int error = errno;
        cli_error(who, "cannot open the %s file %s: %s", what, path,
                  strerror(error));
        return NULL;
    }
    json_error_t error;
    /* Two values for one key would leave which one counts to chance. */
    json_t *root = json_loadf(in, JSON_REJECT_DUPLICATES, &error);
    if (root == NULL && ferror(in)) {
        int read_error = errno;
        cli_error(who, "cannot read the %s file %s: %s", what, shown,
                  strerror(read_error));
    } else if (root == NULL && error.line > 0) {
        cli_error(who, "%s:%d:%d: invalid %s JSON: %s", shown, error.line,
                  error.column, what, error.text);
    } else if (root == NULL) {
        cli_error(who, "%s: invalid %s JSON: %s", shown, what, error.text);
    }
    if (!from_stdin)
        fclose(in); /* read-only: nothing to lose on close */
    if (root != NULL && !json_is_object(root)) {
        cli_error(who, "%s: the %s must be a JSON object, not %s", shown, what,
                  cli_json_type_name(root));
        json_decref(root);
        return NULL;
    }
    return root;
}

int cli_json_name(const cli_json_where *where, json_t *value,
                  const cli_names *names, int32_t *out)
{
    char list[256];
    cli_names_list(names, list, sizeof list);
    if (!json_is_string(value)) {
        cli_json_report(where, "expected a %s name (%s), got %s", names->what,
                        list, cli_json_type_name(value));
        return CLI_EXIT_FAILURE;
    }
    const char *text = json_string_value(value);
    size_t length = json_string_length(value);
    int found = cli_names_find(names, text, length);
    if (found < 0) {
        char shown[CLI_QUOTE_SIZE];
        cli_quote(text, length, shown);
        cli_json_report(where, "unknown %s '%s'; expected one of: %s",
                        names->what, shown, list);
        return CLI_EXIT_FAILURE;
    }
    *out = found;
    return 0;
}

int cli_json_flag(const cli_json_where *where, json_t *value, int32_t *out)
{
    if (!json_is_boolean(value)) {
        cli_json_report(where, "expected true or false, got %s",
                        cli_json_type_name(value));
        return CLI_EXIT_FAILURE;
    }
    *out = json_is_true(value) ? 1 : 0;
    return 0;
}

int cli_json_real(const cli_json_where *where, json_t *value, double *out)
{
    /* jansson parses neither NaN nor infinities, and refuses a real that
     * overflows: any number it gives is finite. */
    if (!json_is_number(value)) {
        cli_json_report(where, "expected a number, got %s",
                        cli_json_type_name(value));
        return CLI_EXIT_FAILURE;
    }
    *out = json_number_value(value);
    return 0;
}

int cli_json_uint(const cli_json_where *where, json_t *value, uint64_t max,
                  uint64_t *out)
{
    if (!json_is_integer(value)) {
        cli_json_report(where, "expected a whole number, got %s",
                        json_is_real(value) ? "a fraction"
                                            : cli_json_type_name(value));
        return CLI_EXIT_FAILURE;
    }
    json_int_t number = json_integer_value(value);
    if (number < 0 || (uint64_t)number > max) {
        cli_json_report(where, "%lld is out of range; expected 0 to %llu",
                        (long long)number, (unsigned long long)max);
        return CLI_EXIT_FAILURE;
    }
    *out = (uint64_t)number;
    return 0;
}

/* Reads one element of a set, named by `item`, as the number of its bit;
 * `names` are the words it may be. */
typedef int (*bit_fn)(const cli_json_where *item, json_t *element,
                      const cli_names *names, int32_t *bit);

/* An array (checked by the caller, whose message says of what) as a set
 * of bits; nothing is written unless every element is good. */
static int read_bits(const cli_json_where *where, json_t *value, bit_fn bit_of,
                     const cli_names *names, uint32_t *out)
{
    uint32_t set = 0;
    cli_json_where item = *where;
    size_t i;
    json_t *element;
    json_array_foreach(value, i, element)
    {
        item.element = (long)i;
        int32_t bit;
        if (bit_of(&item, element, names, &bit) != 0)
            return CLI_EXIT_FAILURE;
        set |= 1u << bit;
    }
    *out = set;
    return 0;
}

/* A class by name or by number. */
static int class_bit(const cli_json_where *item, json_t *element,
                     const cli_names *names, int32_t *device_class)
{
    if (json_is_integer(element)) {
        uint64_t number;
        if (cli_json_uint(item, element, OTAPRIO_DEVICE_CLASS_MAX - 1,
                          &number) != 0)
            return CLI_EXIT_FAILURE;
        *device_class = (int32_t)number;
        return 0;
    }
    if (json_is_string(element))
        return cli_json_name(item, element, names, device_class);
    cli_json_report(
        item, "expected a device class name or a number from 0 to %d, got %s",
        OTAPRIO_DEVICE_CLASS_MAX - 1, cli_json_type_name(element));
    return CLI_EXIT_FAILURE;
}

int cli_json_class_set(const cli_json_where *where, json_t *value,
                       bool integer_mask, uint32_t *out)
{
    if (integer_mask && json_is_integer(value)) {
        uint64_t mask;
        if (cli_json_uint(where, value, UINT32_MAX, &mask) != 0)
            return CLI_EXIT_FAILURE;
        *out = (uint32_t)mask;
        return 0;
    }
    if (!json_is_array(value)) {
        cli_json_report(where,
                        "expected an array of device class names or numbers%s, "
                        "got %s",
                        integer_mask ? " (or the class bits as one integer)"
                                     : "",
                        cli_json_type_name(value));
        return CLI_EXIT_FAILURE;
    }
    return read_bits(where, value, class_bit, &cli_names_device_class, out);
}

int cli_json_name_set(const cli_json_where *where, json_t *value,
                      const cli_names *names, uint32_t *out)
{
    if (!json_is_array(value)) {
        cli_json_report(where, "expected an array of %s names, got %s",
                        names->what, cli_json_type_name(value));
        return CLI_EXIT_FAILURE;
    }
    return read_bits(where, value, cli_json_name, names, out);
}

int cli_json_real_table(const cli_json_where *where, json_t *value,
                        double *table, size_t capacity)
{
    if (!json_is_array(value)) {
        cli_json_report(where,
                        "expected an array of at most %zu numbers, got %s",
                        capacity, cli_json_type_name(value));
        return CLI_EXIT_FAILURE;
    }
    if (json_array_size(value) > capacity) {
        cli_json_report(where, "%zu numbers given; the table holds %zu",
                        json_array_size(value), capacity);
        return CLI_EXIT_FAILURE;
    }
    /* Read everything before writing anything. */
    double read[64];
    if (capacity > sizeof read / sizeof read[0])
        capacity = sizeof read / sizeof read[0];
    cli_json_where item = *where;
    size_t i;
    json_t *element;
    json_array_foreach(value, i, element)
    {
        item.element = (long)i;
        if (i >= capacity || cli_json_real(&item, element, &read[i]) != 0)
            return CLI_EXIT_FAILURE;
    }
    memcpy(table, read, json_array_size(value) * sizeof *table);
    return 0;
}

int cli_json_unknown_key(const char *who, const char *file, const char *what,
                         const char *key, const char *known)
{
    char shown[CLI_QUOTE_SIZE];
    cli_quote(key, strlen(key), shown);
    cli_error(who, "%s: unknown key '%s' in the %s; known keys: %s", file,
              shown, what, known);
    return CLI_EXIT_FAILURE;
}
