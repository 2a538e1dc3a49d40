/* SPDX-License-Identifier: MIT */
/*
 * The host's handle on a sequential rule's state. Saved, it is 16 bytes
 * of its own (the magic "otaprioG" and the rule's fingerprint, so a state
 * is never read back for another rule) around the statistical state's
 * versioned, checksummed layout (stats_sequential.c).
 */
#include <math.h>
#include <string.h>

#include "guardrail_internal.h"

static const unsigned char magic[8] = {'o', 't', 'a', 'p', 'r', 'i', 'o', 'G'};

#define HEADER_BYTES 16

_Static_assert(OTAPRIO_GUARD_SEQUENCE_BYTES ==
                   HEADER_BYTES + OTAPRIO__SEQUENCE_BYTES,
               "the public size of a saved sequence is its header and state");

static uint64_t load_le64(const unsigned char *in)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | in[i];
    return v;
}

static int sequential_rule(const otaprio_guard_set *set, uint32_t rule,
                           otaprio_diag *diag)
{
    if (set == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "set", -1, "set is NULL");
    if (rule >= set->count)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "rule", -1,
                             "rule %lu; the set has %zu", (unsigned long)rule,
                             set->count);
    if (!set->rules[rule].rule.sequential)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "rule", (int64_t)rule,
                             "rule \"%s\" is not sequential",
                             set->rules[rule].name);
    return OTAPRIO_OK;
}

static int wrap(const otaprio_guard_set *set, uint32_t rule,
                const otaprio__sequence *state,
                const otaprio_allocator *allocator,
                otaprio_guard_sequence **sequence, otaprio_diag *diag)
{
    otaprio__mem mem;
    OTAPRIO__TRY(otaprio__mem_resolve(&mem, allocator, diag));
    otaprio_guard_sequence *made = otaprio__mem_alloc(&mem, sizeof *made);
    if (made == NULL)
        return otaprio__fail(diag, OTAPRIO_E_NOMEM, "sequence", -1,
                             "out of memory for a sequence");
    made->mem = mem;
    made->rule = rule;
    made->fingerprint = set->rules[rule].fingerprint;
    made->state = *state;
    *sequence = made;
    return OTAPRIO_OK;
}

int otaprio_guard_sequence_create(const otaprio_guard_set *set, uint32_t rule,
                                  const otaprio_allocator *allocator,
                                  otaprio_guard_sequence **sequence,
                                  otaprio_diag *diag)
{
    OTAPRIO__TRY(sequential_rule(set, rule, diag));
    if (sequence == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "sequence", -1,
                             "sequence is NULL");
    otaprio__sequence state;
    OTAPRIO__TRY(
        otaprio__sequence_init(&state, set->rules[rule].ratio_limit, diag));
    return wrap(set, rule, &state, allocator, sequence, diag);
}

int otaprio_guard_sequence_save(const otaprio_guard_sequence *sequence,
                                void *buffer, size_t capacity)
{
    if (sequence == NULL || buffer == NULL)
        return OTAPRIO_E_INVALID;
    if (capacity < OTAPRIO_GUARD_SEQUENCE_BYTES)
        return OTAPRIO_E_LIMIT;
    unsigned char *out = buffer;
    memcpy(out, magic, sizeof magic);
    otaprio__store_le64(out + 8, sequence->fingerprint);
    otaprio__sequence_serialize(&sequence->state, out + HEADER_BYTES);
    return OTAPRIO_OK;
}

int otaprio_guard_sequence_load(const otaprio_guard_set *set, uint32_t rule,
                                const void *bytes, size_t length,
                                const otaprio_allocator *allocator,
                                otaprio_guard_sequence **sequence,
                                otaprio_diag *diag)
{
    OTAPRIO__TRY(sequential_rule(set, rule, diag));
    if (bytes == NULL || sequence == NULL)
        return otaprio__fail(
            diag, OTAPRIO_E_INVALID, bytes == NULL ? "bytes" : "sequence", -1,
            "%s is NULL", bytes == NULL ? "bytes" : "sequence");
    const unsigned char *in = bytes;
    if (length != OTAPRIO_GUARD_SEQUENCE_BYTES ||
        memcmp(in, magic, sizeof magic) != 0)
        return otaprio__fail(diag, OTAPRIO_E_SYNTAX, "bytes", -1,
                             "not a saved sequence: %zu bytes%s", length,
                             length == OTAPRIO_GUARD_SEQUENCE_BYTES
                                 ? " without the \"otaprioG\" magic"
                                 : "");
    const otaprio__guard_rule *g = &set->rules[rule];
    if (load_le64(in + 8) != g->fingerprint)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "bytes", -1,
                             "the sequence was saved for another rule than "
                             "\"%s\" (or another version of it)",
                             g->name);
    otaprio__sequence state;
    OTAPRIO__TRY(otaprio__sequence_deserialize(&state, in + HEADER_BYTES,
                                               length - HEADER_BYTES, diag));
    if (state.ratio0 != g->ratio_limit)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "bytes", -1,
                             "the sequence tests a ratio of %g; rule \"%s\" "
                             "allows %g",
                             state.ratio0, g->name, g->ratio_limit);
    return wrap(set, rule, &state, allocator, sequence, diag);
}

int otaprio_guard_sequence_status(const otaprio_guard_sequence *sequence,
                                  uint64_t *looks, double *p_value)
{
    if (sequence == NULL)
        return OTAPRIO_E_INVALID;
    if (looks != NULL)
        *looks = sequence->state.looks;
    if (p_value != NULL)
        *p_value = exp(otaprio__sequence_log_p(&sequence->state));
    return OTAPRIO_OK;
}

void otaprio_guard_sequence_free(otaprio_guard_sequence *sequence)
{
    if (sequence == NULL)
        return;
    otaprio__mem mem = sequence->mem;
    otaprio__mem_free(&mem, sequence);
}

int otaprio__guard_sequence_check(const otaprio_guard_set *set, uint32_t rule,
                                  const otaprio_guard_sequence *sequence,
                                  otaprio_diag *diag)
{
    if (sequence->rule != rule ||
        sequence->fingerprint != set->rules[rule].fingerprint)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "sequence", -1,
                             "the sequence belongs to another rule than "
                             "\"%s\"",
                             set->rules[rule].name);
    return OTAPRIO_OK;
}
