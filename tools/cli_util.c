/* SPDX-License-Identifier: MIT */
/* Messages, number formats and argument parsing shared by every command. */
#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void vreport(const char *who, const char *kind, const char *format,
                    va_list args) CLI_PRINTF(3, 0);

static void vreport(const char *who, const char *kind, const char *format,
                    va_list args)
{
    /* Anything still buffered for stdout goes first, so that when both
     * streams go to one terminal the message follows the rows it concerns. */
    fflush(stdout);
    fprintf(stderr, "%s: %s", who, kind);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
}

void cli_error(const char *who, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vreport(who, "", format, args);
    va_end(args);
}

void cli_warning(const char *who, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vreport(who, "warning: ", format, args);
    va_end(args);
}

int cli_usage_error(const char *who, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vreport(who, "", format, args);
    va_end(args);
    fprintf(stderr, "Try '%s --help' for more information.\n", who);
    return CLI_EXIT_USAGE;
}

int cli_library_error(const char *who, const char *call, int status,
                      const otaprio_diag *diag)
{
    /* The diagnostics message says which argument or row was wrong; it is
     * only meaningful when the failing call filled it. */
    if (diag != NULL && diag->status == status && diag->message[0] != '\0')
        cli_error(who, "%s failed: %s: %s", call, otaprio_strerror(status),
                  diag->message);
    else
        cli_error(who, "%s failed: %s", call, otaprio_strerror(status));
    return CLI_EXIT_FAILURE;
}

int cli_write_error(const char *who)
{
    int error = errno;
    cli_error(who, "cannot write the output: %s", strerror(error));
    return CLI_EXIT_FAILURE;
}

int cli_chunk_error(const char *who, const char *input, const char *call,
                    int status, const otaprio_diag *diag, const uint64_t *rows,
                    size_t count)
{
    bool filled = diag->status == status && diag->message[0] != '\0';
    if (!filled || diag->index < 0 || (uint64_t)diag->index >= count)
        return cli_library_error(who, call, status, diag);
    uint64_t row = rows[diag->index];
    if (diag->field != NULL && diag->field[0] != '\0')
        cli_error(who, "%s: row %" PRIu64 ", column '%s': %s failed: %s: %s",
                  input, row, diag->field, call, otaprio_strerror(status),
                  diag->message);
    else
        cli_error(who, "%s: row %" PRIu64 ": %s failed: %s: %s", input, row,
                  call, otaprio_strerror(status), diag->message);
    return CLI_EXIT_FAILURE;
}

void cli_format_hex64(uint64_t value, char out[CLI_HEX64_CHARS + 1])
{
    snprintf(out, CLI_HEX64_CHARS + 1, "%016" PRIx64, value);
}

static int hex_digit(char c)
{
    /* Explicit ranges rather than isxdigit(): the result must not depend
     * on the locale. */
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool cli_parse_hex64(const char *text, uint64_t *value)
{
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        text += 2;
    size_t length = strlen(text);
    if (length == 0 || length > CLI_HEX64_CHARS)
        return false;
    uint64_t result = 0;
    for (size_t i = 0; i < length; i++) {
        int digit = hex_digit(text[i]);
        if (digit < 0)
            return false;
        result = (result << 4) | (uint64_t)digit;
    }
    *value = result;
    return true;
}

int cli_parse_salt(const char *who, const char *name, const char *hex,
                   uint64_t *salt)
{
    *salt = 0;
    if (name != NULL && hex != NULL)
        return cli_usage_error(who, "give --salt or --salt-hex, not both");
    if (name != NULL) {
        /* Most likely an unset shell variable: a rollout named "" would
         * silently share its salt with every other such mistake. */
        if (name[0] == '\0')
            return cli_usage_error(who, "the rollout name given to --salt is "
                                        "empty");
        int status = otaprio_key_derive(name, strlen(name), salt);
        if (status != OTAPRIO_OK)
            return cli_library_error(who, "otaprio_key_derive", status, NULL);
    } else if (hex != NULL && !cli_parse_hex64(hex, salt)) {
        return cli_usage_error(who,
                               "bad --salt-hex '%s': expected 1 to 16 "
                               "hex digits, optionally after 0x",
                               hex);
    }
    return CLI_EXIT_OK;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

void cli_trim_blanks(const char **bytes, size_t *length)
{
    while (*length > 0 && is_blank((*bytes)[0])) {
        (*bytes)++;
        (*length)--;
    }
    while (*length > 0 && is_blank((*bytes)[*length - 1]))
        (*length)--;
}

bool cli_parse_uint(const char *bytes, size_t length, uint64_t max,
                    uint64_t *value)
{
    if (length == 0)
        return false;
    uint64_t result = 0;
    for (size_t i = 0; i < length; i++) {
        if (bytes[i] < '0' || bytes[i] > '9')
            return false;
        unsigned digit = (unsigned)(bytes[i] - '0');
        if (result > (max - digit) / 10)
            return false;
        result = result * 10 + digit;
    }
    *value = result;
    return true;
}

bool cli_parse_double(const char *bytes, size_t length, double *value)
{
    /* strtod() wants a terminated string; a number is short. The CLI
     * never calls setlocale(), so '.' is the decimal point everywhere. */
    char text[64];
    if (length == 0 || length >= sizeof text)
        return false;
    memcpy(text, bytes, length);
    text[length] = '\0';
    char *end;
    double number = strtod(text, &end);
    if (end != text + length)
        return false;
    *value = number;
    return true;
}

bool cli_parse_float(const char *bytes, size_t length, float *value)
{
    double number;
    if (!cli_parse_double(bytes, length, &number))
        return false;
    /* Out of float's range is undefined behaviour to convert: saturate,
     * and let the caller or the library judge the value. NaN passes
     * through likewise. */
    if (number > (double)FLT_MAX)
        *value = INFINITY;
    else if (number < -(double)FLT_MAX)
        *value = -INFINITY;
    else
        *value = (float)number;
    return true;
}

/* ASCII only, whatever the locale. */
static bool same_word(const char *bytes, size_t length, const char *word)
{
    if (strlen(word) != length)
        return false;
    for (size_t i = 0; i < length; i++) {
        char c = bytes[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return false;
    }
    return true;
}

int cli_parse_flag(const char *bytes, size_t length)
{
    if (same_word(bytes, length, "1") || same_word(bytes, length, "true"))
        return 1;
    if (same_word(bytes, length, "0") || same_word(bytes, length, "false"))
        return 0;
    return -1;
}

void cli_print_id(FILE *out, const char *bytes, size_t length, bool ascii_only)
{
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)bytes[i];
        if (c == '\\')
            fputs("\\\\", out);
        else if (c < 0x20 || c == 0x7f || (ascii_only && c >= 0x80))
            fprintf(out, "\\x%02x", (unsigned)c);
        else
            fputc(c, out);
    }
}

void cli_name_list_add(cli_name_list *list, const char *name, size_t length)
{
    if (list->length > CLI_NAME_LIST_MAX)
        return; /* already cut */
    const char *separator = list->length != 0 ? ", " : "";
    size_t room = CLI_NAME_LIST_MAX - list->length;
    int shown =
        length > (size_t)CLI_NAME_LIST_MAX ? CLI_NAME_LIST_MAX : (int)length;
    int written = snprintf(list->text + list->length, room + 1, "%s%.*s",
                           separator, shown, name);
    if (written < 0 || (size_t)written > room) {
        memcpy(list->text + CLI_NAME_LIST_MAX, "...", 4);
        list->length = CLI_NAME_LIST_MAX + 1;
    } else {
        list->length += (size_t)written;
    }
}

void cli_quote(const char *bytes, size_t length, char out[CLI_QUOTE_SIZE])
{
    size_t used = 0;
    for (size_t i = 0; i < length; i++) {
        if (i == CLI_QUOTE_MAX) {
            memcpy(out + used, "...", 3);
            used += 3;
            break;
        }
        unsigned char c = (unsigned char)bytes[i];
        if (c < 0x20 || c == 0x7f || c == '\\') {
            snprintf(out + used, CLI_QUOTE_SIZE - used, "\\x%02x", (unsigned)c);
            used += 4;
        } else {
            out[used++] = (char)c;
        }
    }
    out[used] = '\0';
}

void cli_getopt_reset(void)
{
    /* The command's getopt_long() scan follows the one over the global
     * options: its hidden state (position inside a group of short options)
     * must start afresh. glibc and musl re-initialise when optind is 0; the
     * BSDs have optreset instead. */
#if defined(__APPLE__) || defined(__FreeBSD__) || defined(__NetBSD__) || \
    defined(__OpenBSD__) || defined(__DragonFly__)
    optreset = 1;
    optind = 1;
#else
    optind = 0;
#endif
}
