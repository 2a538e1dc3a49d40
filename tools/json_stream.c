/* SPDX-License-Identifier: MIT */
/*
 * A JSON array written one element at a time. jansson encodes every element;
 * only the array's brackets and separators are written here, which is what
 * lets a million-device CSV stream out without a million-node tree in
 * memory. The result is one JSON document, one device per line.
 */
#include "cli.h"

void cli_json_stream_begin(cli_json_stream *stream, FILE *out)
{
    stream->out = out;
    stream->any = false;
    stream->flags = 0;
    fputc('[', out);
}

int cli_json_stream_put_new(cli_json_stream *stream, json_t *element)
{
    if (element == NULL)
        return -1;
    fputs(stream->any ? ",\n" : "\n", stream->out);
    /* Flags 0 by default: jansson's readable separators, no newlines
     * inside an element, and reals with 17 significant digits, so a
     * fraction parses back to the very same double. */
    int status = json_dumpf(element, stream->out, stream->flags);
    json_decref(element);
    stream->any = true;
    return status == 0 ? 0 : -1;
}

void cli_json_stream_end(cli_json_stream *stream)
{
    cli_json_stream_close(stream);
    fputc('\n', stream->out);
}

void cli_json_stream_close(cli_json_stream *stream)
{
    fputs(stream->any ? "\n]" : "]", stream->out);
}

json_t *cli_json_id(const char *who, const char *bytes, size_t length)
{
    json_t *id = json_stringn(bytes, length);
    if (id == NULL) {
        /* Out of memory is far less likely here than bad UTF-8. */
        fprintf(stderr, "%s: identifier '", who);
        cli_print_id(stderr, bytes, length, true);
        fputs("' is not valid UTF-8, which JSON cannot carry; use the text "
              "output\n",
              stderr);
    }
    return id;
}
