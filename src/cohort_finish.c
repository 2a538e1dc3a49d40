/* SPDX-License-Identifier: MIT */
/*
 * From a sampler to a cohort (docs/cohort.md, "Allocation" and
 * "Selection"): the strata in increasing id with their counts, the seats
 * of every wave, then the devices that fill them, picked from each
 * stratum's kept devices in (position, key) order.
 *
 * The kept devices of a stratum are all its candidates at or below its
 * limit. A pick is right when every candidate ranked before it is kept,
 * which holds as long as the picks come from the kept list; should a
 * wave need more of a stratum than it kept (while the stratum has more
 * candidates), the cohort cannot be chosen exactly and finishing fails
 * with OTAPRIO_E_LIMIT rather than choose another.
 *
 * Memory: the cohort holds 5 + 2 * wave_count words per stratum and 56
 * bytes per listed device (the list and its copy by stratum, for assign);
 * finishing borrows a copy of the largest stratum's kept devices and the
 * allocation's arrays.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cohort_internal.h"

static bool ranks_before(const otaprio__kept *x, const otaprio__kept *y)
{
    return otaprio__kept_compare(x, y) < 0;
}

static int compare_by_stratum(const void *a, const void *b)
{
    const otaprio__pick *x = a, *y = b;
    if (x->stratum != y->stratum)
        return x->stratum < y->stratum ? -1 : 1;
    if (x->position != y->position)
        return x->position < y->position ? -1 : 1;
    return (x->key > y->key) - (x->key < y->key);
}

/* Work shared by the steps of one finish. */
typedef struct finish {
    const otaprio_cohort_sampler *sampler;
    otaprio_cohort *cohort;
    otaprio_diag *diag;
    uint32_t *index;     /* [strata]: the sampler's stratum index */
    otaprio__kept *kept; /* room for the largest stratum's kept list */
    bool *taken;         /* [kept_room]: which ranked ones are picked */
    size_t kept_room;
    otaprio__vec picks;      /* otaprio__pick */
    uint64_t *short_minimum; /* [canary_count] */
    uint64_t *targets;       /* [canary_count] */
} finish;

/* The strata with devices, by increasing id, with their counts. */
static int gather_strata(finish *f)
{
    const otaprio_cohort_sampler *s = f->sampler;
    otaprio_cohort *c = f->cohort;
    const otaprio__mem *mem = &c->mem;
    const otaprio__stratum *st = s->stratum.data;
    uint32_t waves = c->setup.wave_count;
    size_t strata = 0;
    otaprio__stratum_ref *order = NULL;
    OTAPRIO__TRY(otaprio__cohort_sampler_order(s, mem, &order, &strata));
    int status = otaprio__mem_zalloc_array(mem, strata, sizeof(uint32_t),
                                           (void **)&f->index);
    if (status == OTAPRIO_OK)
        status = otaprio__mem_zalloc_array(mem, strata, sizeof(uint64_t),
                                           (void **)&c->ids);
    if (status == OTAPRIO_OK)
        status = otaprio__mem_zalloc_array(mem, strata, sizeof(uint64_t),
                                           (void **)&c->fleet_of);
    if (status == OTAPRIO_OK)
        status = otaprio__mem_zalloc_array(
            mem, strata * waves, sizeof(uint64_t), (void **)&c->eligible);
    if (status == OTAPRIO_OK)
        status = otaprio__mem_zalloc_array(
            mem, strata * waves, sizeof(uint64_t), (void **)&c->seats);
    if (status != OTAPRIO_OK) {
        otaprio__mem_free(mem, order);
        return status;
    }
    c->strata = strata;
    for (size_t h = 0; h < strata; h++) {
        uint32_t i = order[h].index;
        f->index[h] = i;
        c->ids[h] = order[h].id;
        c->fleet_of[h] = otaprio__stratum_fleet(s, i);
        uint64_t sum = 0;
        for (uint32_t k = 0; k < waves; k++) {
            sum += otaprio__stratum_by_wave(s, i, k);
            c->eligible[h * waves + k] = sum;
        }
        size_t kept = st[i].ready.length + st[i].held.length;
        f->kept_room = kept > f->kept_room ? kept : f->kept_room;
    }
    otaprio__mem_free(mem, order);
    return OTAPRIO_OK;
}

/* Stratum h's kept devices at or below its final limit, unordered. */
static size_t gather_kept(finish *f, size_t h)
{
    const otaprio__stratum *st =
        (const otaprio__stratum *)f->sampler->stratum.data + f->index[h];
    size_t ready;
    return otaprio__stratum_kept(
        &f->sampler->setup, st,
        otaprio__stratum_candidates(f->sampler, f->index[h]), f->kept, &ready);
}

/*
 * The kept devices in rank order, produced lazily: a wave of a few seats
 * needs only the first few of a stratum's kept devices, so they are put in
 * a min-heap (linear time) and taken off it as the waves ask. Entries
 * [0, ranked) of the array are in rank order; the heap is the rest,
 * stored backwards from the end so the ranked prefix can grow in place.
 *
 * Most strata keep many times the devices their seats take (a small one
 * keeps dozens for one seat), so the heap starts on a prefix: the devices
 * at or below a position that leaves a margin over the seats, moved to the
 * front. Every device of the prefix ranks before every other, so its rank
 * order is the start of the whole list's; a wave that runs past it (held
 * devices skipped, or an unlucky margin) ranks the whole list again, and
 * the ranks already handed out stay the same.
 */
typedef struct ranking {
    otaprio__kept *items;
    size_t count;  /* devices the heap was built on: a prefix, or all */
    size_t all;    /* kept devices */
    size_t ranked; /* in rank order at the front */
} ranking;

/* Heap slot i (0 = the smallest) lives at items[count - 1 - i]. */
static otaprio__kept *heap_at(ranking *r, size_t i)
{
    return &r->items[r->count - 1 - i];
}

static void sift_down(ranking *r, size_t i, size_t size)
{
    for (;;) {
        size_t smallest = i, left = 2 * i + 1, right = left + 1;
        if (left < size && ranks_before(heap_at(r, left), heap_at(r, smallest)))
            smallest = left;
        if (right < size &&
            ranks_before(heap_at(r, right), heap_at(r, smallest)))
            smallest = right;
        if (smallest == i)
            return;
        otaprio__kept t = *heap_at(r, i);
        *heap_at(r, i) = *heap_at(r, smallest);
        *heap_at(r, smallest) = t;
        i = smallest;
    }
}

static ranking rank_start(otaprio__kept *items, size_t count, size_t all)
{
    ranking r = {items, count, all, 0};
    for (size_t i = count / 2; i-- > 0;)
        sift_down(&r, i, count);
    return r;
}

/* Moves the kept devices at or below a position where about `seats` plus
 * a margin of them lie to the front, and returns how many: all n when the
 * margin would take most of them. The positions of the kept devices are
 * spread evenly up to `limit`, the stratum's final limit. */
static size_t rank_prefix(otaprio__kept *items, size_t n, uint64_t seats,
                          uint64_t limit)
{
    double want = (double)seats + 4.0 * sqrt((double)seats) + 16.0;
    if (want * 2.0 >= (double)n)
        return n;
    double scaled = (double)limit * (want / (double)n);
    if (!(scaled < 0x1p64))
        return n;
    uint64_t below = (uint64_t)scaled;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].position > below)
            continue;
        otaprio__kept t = items[m];
        items[m++] = items[i];
        items[i] = t;
    }
    return m >= seats ? m : n;
}

/* The device of rank i, ranking more as needed; NULL past the last. */
static otaprio__kept *rank_get(ranking *r, size_t i)
{
    while (r->ranked <= i && r->ranked < r->count) {
        size_t size = r->count - r->ranked;
        otaprio__kept top = *heap_at(r, 0);
        /* The heap's last slot is items[ranked]: move it to the root,
         * shrink the heap, and the freed slot takes the smallest. */
        *heap_at(r, 0) = *heap_at(r, size - 1);
        r->ranked++;
        sift_down(r, 0, size - 1);
        r->items[r->ranked - 1] = top;
    }
    if (i < r->ranked)
        return &r->items[i];
    if (r->count == r->all)
        return NULL;
    *r = rank_start(r->items, r->all, r->all);
    return rank_get(r, i);
}

static int add_pick(finish *f, const otaprio__kept *d, size_t h, uint32_t wave)
{
    otaprio__pick pick = {d->key, d->position, (uint32_t)h, wave};
    return otaprio__vec_push(&f->cohort->mem, &f->picks, &pick);
}

/* The hash threshold: a device's wave is the later of its first wave and
 * the first wave whose fraction exceeds its own. */
static int pick_by_threshold(finish *f, size_t h)
{
    otaprio_cohort *c = f->cohort;
    size_t n = gather_kept(f, h), waves = c->setup.wave_count;
    for (size_t i = 0; i < n; i++) {
        double fraction = (double)(f->kept[i].position >> 11) * 0x1.0p-53;
        uint32_t wave = 0;
        while (wave < c->setup.canary_count &&
               !(fraction < c->setup.waves[wave]))
            wave++;
        if (wave < f->kept[i].first_wave)
            wave = f->kept[i].first_wave;
        if (wave >= c->setup.canary_count)
            continue;
        OTAPRIO__TRY(add_pick(f, &f->kept[i], h, wave));
        for (size_t k = wave; k < c->setup.canary_count; k++)
            c->seats[h * waves + k]++;
    }
    return OTAPRIO_OK;
}

/* A stratified method: each wave's new seats go to the first devices in
 * rank order that are eligible then and not yet taken. */
static int pick_by_seats(finish *f, size_t h)
{
    otaprio_cohort *c = f->cohort;
    const otaprio_cohort_sampler *s = f->sampler;
    uint64_t candidates = otaprio__stratum_candidates(s, f->index[h]);
    size_t n = gather_kept(f, h), waves = c->setup.wave_count;
    uint64_t seats = c->setup.canary_count > 0
                         ? c->seats[h * waves + c->setup.canary_count - 1]
                         : 0;
    size_t prefix = rank_prefix(f->kept, n, seats,
                                otaprio__cohort_limit(&s->setup, candidates));
    ranking r = rank_start(f->kept, prefix, n);
    memset(f->taken, 0, n * sizeof *f->taken);
    uint64_t taken = 0;
    for (uint32_t k = 0; k < c->setup.canary_count; k++) {
        uint64_t want = c->seats[h * waves + k];
        otaprio__kept *d;
        for (size_t i = 0; taken < want && (d = rank_get(&r, i)) != NULL; i++) {
            if (f->taken[i] || d->first_wave > k)
                continue;
            f->taken[i] = true;
            taken++;
            OTAPRIO__TRY(add_pick(f, d, h, k));
        }
        if (taken < want && n < candidates)
            return otaprio__fail(
                f->diag, OTAPRIO_E_LIMIT, "retain_fraction", (int64_t)c->ids[h],
                "stratum %llu needs %llu devices by wave %lu but the sampler "
                "kept %zu of its %llu candidates; raise retain_fraction "
                "(now %g)",
                (unsigned long long)c->ids[h], (unsigned long long)want,
                (unsigned long)k, n, (unsigned long long)candidates,
                c->setup.retain);
    }
    return OTAPRIO_OK;
}

/* Seats per stratum and wave for a stratified method. */
static int allocate(finish *f)
{
    otaprio_cohort *c = f->cohort;
    size_t canary = c->setup.canary_count, waves = c->setup.wave_count;
    size_t strata = c->strata;
    uint64_t *eligible = NULL, *seats = NULL;
    int status = otaprio__mem_zalloc_array(
        &c->mem, strata * canary, sizeof(uint64_t), (void **)&eligible);
    if (status == OTAPRIO_OK)
        status = otaprio__mem_zalloc_array(&c->mem, strata * canary,
                                           sizeof(uint64_t), (void **)&seats);
    if (status == OTAPRIO_OK) {
        for (size_t h = 0; h < strata; h++)
            for (size_t k = 0; k < canary; k++)
                eligible[h * canary + k] = c->eligible[h * waves + k];
        otaprio__allocation a = {&c->setup,       strata, c->ids,
                                 eligible,        seats,  f->targets,
                                 f->short_minimum};
        status = otaprio__cohort_allocate(&a, &c->mem, f->diag);
    }
    if (status == OTAPRIO_OK)
        for (size_t h = 0; h < strata; h++)
            for (size_t k = 0; k < canary; k++)
                c->seats[h * waves + k] = seats[h * canary + k];
    otaprio__mem_free(&c->mem, eligible);
    otaprio__mem_free(&c->mem, seats);
    return status;
}

static int select_devices(finish *f)
{
    otaprio_cohort *c = f->cohort;
    if (c->setup.canary_count == 0)
        return OTAPRIO_OK;
    bool threshold = c->setup.method == OTAPRIO_COHORT_HASH_THRESHOLD;
    if (!threshold)
        OTAPRIO__TRY(allocate(f));
    OTAPRIO__TRY(otaprio__mem_zalloc_array(&c->mem, f->kept_room,
                                           sizeof *f->kept, (void **)&f->kept));
    OTAPRIO__TRY(otaprio__mem_zalloc_array(
        &c->mem, f->kept_room, sizeof *f->taken, (void **)&f->taken));
    for (size_t h = 0; h < c->strata; h++)
        OTAPRIO__TRY(threshold ? pick_by_threshold(f, h) : pick_by_seats(f, h));
    return OTAPRIO_OK;
}

/* One key twice among the listed devices is an error. */
static int check_duplicates(finish *f)
{
    otaprio_cohort *c = f->cohort;
    size_t n = f->picks.length;
    uint64_t *keys = NULL;
    size_t *counts = NULL;
    /* The keys, then the sort's second buffer. */
    OTAPRIO__TRY(otaprio__mem_zalloc_array(&c->mem, n, 2 * sizeof *keys,
                                           (void **)&keys));
    int status = otaprio__mem_zalloc_array(&c->mem, OTAPRIO__RADIX_SORT_COUNTS,
                                           sizeof *counts, (void **)&counts);
    if (status != OTAPRIO_OK) {
        otaprio__mem_free(&c->mem, keys);
        return status;
    }
    const otaprio__pick *picks = f->picks.data;
    for (size_t i = 0; i < n; i++)
        keys[i] = picks[i].key;
    const uint64_t *sorted = otaprio__radix_sort_u64(keys, keys + n, n, counts);
    for (size_t i = 1; i < n && status == OTAPRIO_OK; i++)
        if (sorted[i] == sorted[i - 1])
            status = otaprio__fail(f->diag, OTAPRIO_E_DUPLICATE, "keys", -1,
                                   "key %016llx belongs to two devices that "
                                   "would both be selected; keys must be "
                                   "unique",
                                   (unsigned long long)sorted[i]);
    otaprio__mem_free(&c->mem, counts);
    otaprio__mem_free(&c->mem, keys);
    return status;
}

/* Puts the picks in (stratum, position, key) order. They come grouped by
 * stratum already, in increasing stratum index (the strata are picked in
 * that order), and usually in rank order inside each: only a stratum whose
 * picks are out of order (devices held back to a later wave, or the hash
 * threshold's unranked kept list) is sorted, and only its own picks. */
static void sort_within_strata(otaprio__pick *picks, size_t n)
{
    size_t start = 0;
    while (start < n) {
        size_t end = start + 1;
        bool sorted = true;
        while (end < n && picks[end].stratum == picks[start].stratum) {
            if (compare_by_stratum(&picks[end - 1], &picks[end]) > 0)
                sorted = false;
            end++;
        }
        if (!sorted)
            qsort(picks + start, end - start, sizeof *picks,
                  compare_by_stratum);
        start = end;
    }
}

/* The picks by stratum for assign, the listing order over them, and a
 * lookup from a device's codes to its stratum. */
static int index_picks(finish *f)
{
    otaprio_cohort *c = f->cohort;
    size_t n = f->picks.length;
    otaprio__pick *picks = f->picks.data;
    sort_within_strata(picks, n);
    OTAPRIO__TRY(otaprio__mem_zalloc_array(
        &c->mem, c->strata + 1, sizeof(uint64_t), (void **)&c->first_pick));
    OTAPRIO__TRY(otaprio__mem_zalloc_array(&c->mem, n, sizeof(uint64_t),
                                           (void **)&c->listing));
    for (size_t i = 0; i < n; i++)
        c->first_pick[picks[i].stratum + 1]++;
    for (size_t h = 0; h < c->strata; h++)
        c->first_pick[h + 1] += c->first_pick[h];
    OTAPRIO__TRY(otaprio__mem_zalloc_array(&c->mem, c->strata, sizeof(uint64_t),
                                           (void **)&c->last_position));
    for (size_t h = 0; h < c->strata; h++)
        if (c->first_pick[h + 1] > c->first_pick[h])
            c->last_position[h] = picks[c->first_pick[h + 1] - 1].position;
    /* Listing order: a stable counting pass by wave over the stratum
     * order, which is already (stratum id, position, key). */
    uint64_t start[OTAPRIO_COHORT_MAX_WAVES + 1] = {0};
    for (size_t i = 0; i < n; i++)
        start[picks[i].wave + 1]++;
    for (size_t w = 0; w < OTAPRIO_COHORT_MAX_WAVES; w++)
        start[w + 1] += start[w];
    for (size_t i = 0; i < n; i++)
        c->listing[start[picks[i].wave]++] = i;
    if (c->setup.stratum_space <= OTAPRIO__COHORT_DENSE_MAX) {
        OTAPRIO__TRY(
            otaprio__mem_zalloc_array(&c->mem, (size_t)c->setup.stratum_space,
                                      sizeof(uint32_t), (void **)&c->dense));
        memset(c->dense, 0xFF,
               (size_t)c->setup.stratum_space * sizeof(uint32_t));
        for (size_t h = 0; h < c->strata; h++)
            c->dense[c->ids[h]] = (uint32_t)h;
    } else {
        OTAPRIO__TRY(
            otaprio__tuple_set_reserve(&c->mem, &c->lookup, c->strata));
        for (size_t h = 0; h < c->strata; h++) {
            uint32_t codes[OTAPRIO_COHORT_MAX_DIMENSIONS] = {0};
            otaprio__cohort_stratum_codes(&c->setup, c->ids[h], codes);
            otaprio__tuple_set_add_reserved(
                &c->lookup, codes, otaprio__tuple_hash(&c->lookup, codes));
        }
    }
    c->pick_count = n;
    c->picks = picks;
    f->picks.data = NULL;
    f->picks.length = 0;
    return OTAPRIO_OK;
}

/* Wave sizes; a final wave of 1 takes every eligible device. */
static int describe_waves(finish *f)
{
    otaprio_cohort *c = f->cohort;
    size_t waves = c->setup.wave_count;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(
        &c->mem, waves, sizeof(otaprio_cohort_wave), (void **)&c->waves));
    for (size_t k = 0; k < waves; k++) {
        bool canary = k < c->setup.canary_count;
        otaprio_cohort_wave *w = &c->waves[k];
        w->size = sizeof *w;
        w->fraction = c->setup.waves[k];
        w->fleet = c->fleet;
        for (size_t h = 0; h < c->strata; h++) {
            uint64_t eligible = c->eligible[h * waves + k];
            if (!canary)
                c->seats[h * waves + k] = eligible;
            uint64_t seats = c->seats[h * waves + k];
            w->eligible += eligible;
            w->selected += seats;
            w->strata_covered += seats > 0;
        }
        w->strata = c->strata;
        if (canary && c->setup.method != OTAPRIO_COHORT_HASH_THRESHOLD) {
            w->target = f->targets[k];
            w->strata_short_of_minimum = f->short_minimum[k];
        } else {
            w->target =
                (uint64_t)floor(c->setup.waves[k] * (double)w->eligible + 0.5);
        }
        w->shortfall = w->target > w->selected ? w->target - w->selected : 0;
        w->listed = canary;
    }
    return OTAPRIO_OK;
}

static int run(finish *f)
{
    otaprio_cohort *c = f->cohort;
    size_t canary = c->setup.canary_count;
    OTAPRIO__TRY(gather_strata(f));
    OTAPRIO__TRY(otaprio__mem_zalloc_array(
        &c->mem, canary + 1, sizeof(uint64_t), (void **)&f->targets));
    OTAPRIO__TRY(otaprio__mem_zalloc_array(
        &c->mem, canary + 1, sizeof(uint64_t), (void **)&f->short_minimum));
    OTAPRIO__TRY(select_devices(f));
    OTAPRIO__TRY(check_duplicates(f));
    OTAPRIO__TRY(index_picks(f));
    return describe_waves(f);
}

int otaprio_cohort_sampler_finish(const otaprio_cohort_sampler *sampler,
                                  const otaprio_allocator *allocator,
                                  otaprio_cohort **cohort, otaprio_diag *diag)
{
    if (sampler == NULL || cohort == NULL)
        return otaprio__fail(
            diag, OTAPRIO_E_INVALID, sampler == NULL ? "sampler" : "cohort", -1,
            "%s is NULL", sampler == NULL ? "sampler" : "cohort");
    otaprio__mem mem;
    OTAPRIO__TRY(otaprio__mem_resolve(&mem, allocator, diag));
    otaprio_cohort *c = otaprio__mem_alloc(&mem, sizeof *c);
    if (c == NULL)
        return otaprio__fail(diag, OTAPRIO_E_NOMEM, "", -1,
                             "out of memory for the cohort");
    memset(c, 0, sizeof *c);
    c->mem = mem;
    otaprio__tuple_set_prepare(&c->lookup, sampler->setup.width);
    int status = otaprio__cohort_setup_copy(&c->setup, &sampler->setup, &mem);
    if (status != OTAPRIO_OK) {
        otaprio__mem_free(&mem, c);
        return otaprio__fail(diag, status, "", -1,
                             "out of memory for the cohort");
    }
    c->fleet = sampler->devices;
    finish f;
    memset(&f, 0, sizeof f);
    f.sampler = sampler;
    f.cohort = c;
    f.diag = diag;
    f.picks.elem_size = sizeof(otaprio__pick);
    status = run(&f);
    otaprio__mem_free(&mem, f.index);
    otaprio__mem_free(&mem, f.kept);
    otaprio__mem_free(&mem, f.taken);
    otaprio__mem_free(&mem, f.targets);
    otaprio__mem_free(&mem, f.short_minimum);
    otaprio__vec_release(&mem, &f.picks);
    if (status != OTAPRIO_OK) {
        otaprio_cohort_free(c);
        if (status == OTAPRIO_E_NOMEM || status == OTAPRIO_E_OVERFLOW)
            return otaprio__fail(diag, status, "", -1,
                                 "out of memory finishing the cohort");
        return status;
    }
    *cohort = c;
    return OTAPRIO_OK;
}

void otaprio_cohort_free(otaprio_cohort *cohort)
{
    if (cohort == NULL)
        return;
    otaprio__mem mem = cohort->mem;
    otaprio__mem_free(&mem, cohort->ids);
    otaprio__mem_free(&mem, cohort->fleet_of);
    otaprio__mem_free(&mem, cohort->eligible);
    otaprio__mem_free(&mem, cohort->seats);
    otaprio__mem_free(&mem, cohort->waves);
    otaprio__mem_free(&mem, cohort->picks);
    otaprio__mem_free(&mem, cohort->first_pick);
    otaprio__mem_free(&mem, cohort->last_position);
    otaprio__mem_free(&mem, cohort->listing);
    otaprio__mem_free(&mem, cohort->dense);
    otaprio__tuple_set_release(&mem, &cohort->lookup);
    otaprio__cohort_setup_release(&cohort->setup, &mem);
    otaprio__mem_free(&mem, cohort);
}
