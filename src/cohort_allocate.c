/* SPDX-License-Identifier: MIT */
/*
 * Seats per stratum and canary wave: docs/cohort.md, "Waves" and
 * "Allocation".
 *
 * Why a divisor method. Waves must nest: a device of wave k is in every
 * later wave, so no stratum may hold fewer seats when a wave grows. A
 * largest-remainder (Hamilton) rounding of the proportional shares can
 * take a seat from a stratum when the total grows (the Alabama paradox);
 * a divisor method hands out seats one at a time by a priority that only
 * falls as a stratum gains seats, so the allocation of T + 1 seats is
 * always that of T plus one seat. Sainte-Laguë's divisor s + 1/2 rounds
 * each share to the nearest integer, without the bias toward large strata
 * of d'Hondt's s + 1 or toward small ones of Adams' s.
 *
 * The cost. The rule gives seats one at a time, and a binary max-heap of
 * strata keyed by priority (ties by stratum id) does so in O(log strata)
 * each. A 25% wave of ten million devices is millions of seats, too many
 * to give one by one, so most are given in bulk first (see "bulk seats"):
 * a few passes over the strata find a priority λ such that every seat
 * above λ is certainly given, all those are given at once, and the heap
 * gives the few left, so the result is exactly the seat-by-seat one. A
 * wave is O(strata * passes + left * log strata), with typically 2 to 8
 * passes (finding a bracket, then at most 12 narrowing it; again inside
 * each code a cap fills) of two or three divisions per stratum, and left
 * at most strata / 16 plus the seats tied at λ. A wave whose target reaches
 * every eligible device, with no cap binding, is O(strata). The minimum phase
 * sorts the strata short of their minimum, and caps sort the strata by code
 * once: O(strata log strata).
 *
 * Scratch memory is 40 bytes per stratum, 76 with caps, all allocated
 * before anything is written, so a failure leaves the outputs untouched.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cohort_internal.h"

/* A stratum in the heap (or in a sorted order): its key and its index.
 * Strata come in increasing stratum id, so the smaller index is the
 * smaller id. */
typedef struct ranked {
    double key;
    size_t index;
} ranked;

/* Whether `a` goes before `b`: the larger key, then the smaller id. Keys
 * are never NaN: weights are finite or +inf and not negative, divisors
 * positive. */
static inline bool goes_first(ranked a, ranked b)
{
    return a.key > b.key || (a.key == b.key && a.index < b.index);
}

/* Marks of a code in `above` once its slots are counted (counts of
 * devices stay far below them). */
#define CODE_FULL (UINT64_MAX - 2)    /* no room left: no seat */
#define CODE_FREE (UINT64_MAX - 1)    /* its slots above λ fit its room */
#define CODE_BINDING (UINT64_MAX - 0) /* they do not: it fills up */

/* The scratch of one allocation. */
typedef struct work {
    const otaprio__allocation *a;
    size_t strata;
    uint32_t waves;   /* canary waves */
    uint64_t minimum; /* m */
    uint64_t *seats;  /* [strata]: seats so far, cumulative */
    uint64_t *limit;  /* [strata]: E_h[k] at the current wave */
    double *weight;   /* [strata]: w_h at the current wave */
    ranked *heap;     /* [strata]: the heap, or a sorted order */
    uint64_t sum;     /* seats of every stratum */
    /* With caps only. The codes of the cap dimension that some stratum
     * has are numbered 0, 1, ... (a group each), so that these arrays are
     * as long as the strata whatever the cardinality. */
    uint32_t *group; /* [strata]: the stratum's group */
    size_t *members; /* [strata]: strata by group, then id */
    uint64_t *caps;  /* [groups]: the cap of its code */
    uint64_t *held;  /* [groups]: seats of the group */
    uint64_t *above; /* [groups]: slots counted above λ, or a mark */
} work;

static void work_release(work *w, const otaprio__mem *mem)
{
    otaprio__mem_free(mem, w->seats);
    otaprio__mem_free(mem, w->limit);
    otaprio__mem_free(mem, w->weight);
    otaprio__mem_free(mem, w->heap);
    otaprio__mem_free(mem, w->group);
    otaprio__mem_free(mem, w->members);
    otaprio__mem_free(mem, w->caps);
    otaprio__mem_free(mem, w->held);
    otaprio__mem_free(mem, w->above);
}

static int by_code_then_id(const void *x, const void *y)
{
    const ranked *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int work_init(work *w, const otaprio__allocation *a,
                     const otaprio__mem *mem)
{
    const otaprio__cohort_setup *setup = a->setup;
    memset(w, 0, sizeof *w);
    w->a = a;
    w->strata = a->strata;
    w->waves = setup->canary_count;
    w->minimum = setup->minimum;
    size_t n = a->strata;
    void *block;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(mem, n, sizeof *w->seats, &block));
    w->seats = block;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(mem, n, sizeof *w->limit, &block));
    w->limit = block;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(mem, n, sizeof *w->weight, &block));
    w->weight = block;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(mem, n, sizeof *w->heap, &block));
    w->heap = block;
    if (setup->cap_dimension < 0)
        return OTAPRIO_OK;

    OTAPRIO__TRY(otaprio__mem_zalloc_array(mem, n, sizeof *w->group, &block));
    w->group = block;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(mem, n, sizeof *w->members, &block));
    w->members = block;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(mem, n, sizeof *w->caps, &block));
    w->caps = block;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(mem, n, sizeof *w->held, &block));
    w->held = block;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(mem, n, sizeof *w->above, &block));
    w->above = block;
    /* Sort the strata by code (below 2^32, so exact as doubles) in the
     * heap's storage, then number the codes in that order. */
    uint32_t d = (uint32_t)setup->cap_dimension;
    for (size_t h = 0; h < n; h++) {
        uint64_t code = (a->ids[h] / setup->radix[d]) % setup->cardinalities[d];
        w->heap[h] = (ranked){(double)code, h};
    }
    qsort(w->heap, n, sizeof *w->heap, by_code_then_id);
    uint32_t groups = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || w->heap[i].key != w->heap[i - 1].key)
            w->caps[groups++] = setup->caps[(uint64_t)w->heap[i].key];
        w->members[i] = w->heap[i].index;
        w->group[w->heap[i].index] = groups - 1;
    }
    return OTAPRIO_OK;
}

/* Seats stratum `h` may still take under its cap (UINT64_MAX without). */
static inline uint64_t cap_room(const work *w, size_t h)
{
    if (w->held == NULL)
        return UINT64_MAX;
    uint32_t g = w->group[h];
    return w->held[g] < w->caps[g] ? w->caps[g] - w->held[g] : 0;
}

static inline bool can_take(const work *w, size_t h)
{
    return w->seats[h] < w->limit[h] && cap_room(w, h) > 0;
}

static inline void give(work *w, size_t h, uint64_t count)
{
    w->seats[h] += count;
    w->sum += count;
    if (w->held != NULL)
        w->held[w->group[h]] += count;
}

/* Sainte-Laguë priority of a stratum's seat number `j` + 1 (j seats held
 * before it). Every priority is computed here, so that comparisons in the
 * heap and in the bulk seats see the same doubles. */
static inline double seat_priority(double weight, uint64_t j)
{
    return weight / ((double)j + 0.5);
}

/* ---- the wave's target and the fast path ----------------------------- */

/* Reads wave k's eligible devices and weights; returns E[k]. */
static uint64_t read_wave(work *w, uint32_t k)
{
    const otaprio__allocation *a = w->a;
    const double *sd =
        a->setup->method == OTAPRIO_COHORT_NEYMAN ? a->setup->sd : NULL;
    uint64_t eligible = 0;
    for (size_t h = 0; h < w->strata; h++) {
        uint64_t e = a->eligible[h * w->waves + k];
        w->limit[h] = e;
        w->weight[h] = sd != NULL ? (double)e * sd[a->ids[h]] : (double)e;
        eligible += e;
    }
    return eligible;
}

/* When `more` seats are at least every seat left and no cap binds on
 * them, every stratum takes all its eligible devices whatever the order:
 * gives them and returns true. Otherwise changes nothing. */
static bool fill_everything(work *w, uint64_t more)
{
    uint64_t left = 0;
    for (size_t h = 0; h < w->strata; h++)
        if (w->seats[h] < w->limit[h])
            left += w->limit[h] - w->seats[h];
    if (more < left)
        return false;
    if (w->held != NULL) {
        /* Count the seats on the codes as if given, and take them back
         * when a code would pass its cap. */
        for (size_t h = 0; h < w->strata; h++)
            if (w->seats[h] < w->limit[h])
                w->held[w->group[h]] += w->limit[h] - w->seats[h];
        bool binds = false;
        for (size_t h = 0; h < w->strata && !binds; h++)
            binds = w->held[w->group[h]] > w->caps[w->group[h]];
        if (binds) {
            for (size_t h = 0; h < w->strata; h++)
                if (w->seats[h] < w->limit[h])
                    w->held[w->group[h]] -= w->limit[h] - w->seats[h];
            return false;
        }
    }
    for (size_t h = 0; h < w->strata; h++)
        if (w->seats[h] < w->limit[h])
            w->seats[h] = w->limit[h];
    w->sum += left;
    return true;
}

/* ---- minimum phase ---------------------------------------------------- */

static int by_weight_then_id(const void *x, const void *y)
{
    ranked a = *(const ranked *)x, b = *(const ranked *)y;
    return goes_first(a, b) ? -1 : goes_first(b, a) ? 1 : 0;
}

/* Strata short of min(m, E_h[k]) in order of decreasing weight, ties by
 * id, each take seats up to it while they can and the target allows.
 * Taking them one at a time or in a block is the same: nothing else
 * happens between a stratum's seats. */
static void minimum_phase(work *w, uint64_t target)
{
    size_t count = 0;
    for (size_t h = 0; h < w->strata; h++) {
        uint64_t want = w->limit[h] < w->minimum ? w->limit[h] : w->minimum;
        if (w->seats[h] < want)
            w->heap[count++] = (ranked){w->weight[h], h};
    }
    qsort(w->heap, count, sizeof *w->heap, by_weight_then_id);
    for (size_t i = 0; i < count && w->sum < target; i++) {
        size_t h = w->heap[i].index;
        uint64_t want = w->limit[h] < w->minimum ? w->limit[h] : w->minimum;
        uint64_t more = want - w->seats[h];
        if (more > target - w->sum)
            more = target - w->sum;
        uint64_t room = cap_room(w, h);
        if (more > room)
            more = room;
        give(w, h, more);
    }
}

/* ---- divisor phase: the heap ----------------------------------------- */

/* Moves the entry at `i` down to its place. */
static void sift_down(ranked *heap, size_t size, size_t i)
{
    ranked moving = heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= size)
            break;
        if (child + 1 < size && goes_first(heap[child + 1], heap[child]))
            child++;
        if (!goes_first(heap[child], moving))
            break;
        heap[i] = heap[child];
        i = child;
    }
    heap[i] = moving;
}

/* The stratum at `list[i]`, or `i` for every stratum. */
static inline size_t stratum_at(const size_t *list, size_t i)
{
    return list != NULL ? list[i] : i;
}

/* While the sum is below the target, the stratum of `list` that can take
 * a seat with the highest priority takes one. A stratum that cannot take
 * one now cannot later in this wave (its seats and its code's only grow),
 * so it leaves the heap when it comes to the top. */
static void seat_by_seat(work *w, const size_t *list, size_t count,
                         uint64_t target)
{
    ranked *heap = w->heap;
    size_t size = 0;
    for (size_t i = 0; i < count; i++) {
        size_t h = stratum_at(list, i);
        if (can_take(w, h))
            heap[size++] =
                (ranked){seat_priority(w->weight[h], w->seats[h]), h};
    }
    for (size_t i = size / 2; i-- > 0;)
        sift_down(heap, size, i);
    while (w->sum < target && size > 0) {
        size_t h = heap[0].index;
        if (!can_take(w, h)) {
            heap[0] = heap[--size];
        } else {
            give(w, h, 1);
            heap[0].key = seat_priority(w->weight[h], w->seats[h]);
        }
        sift_down(heap, size, 0);
    }
}

/* ---- divisor phase: bulk seats ---------------------------------------
 *
 * Call a stratum's j-th next seat a slot, with key its priority
 * p(j) = w / (s + j + 1/2); keys never rise with j (IEEE division is
 * monotone), so the seat-by-seat rule takes slots in decreasing key, ties
 * by id, skipping a code once it is full, until it has R of them. Take a
 * λ with
 *
 *   f(λ) = sum over codes g of min(room_g, C_g(λ)) <= R,
 *
 * C_g(λ) the slots of g's strata with key above λ (with no caps, one code
 * without a cap). Every slot x with key above λ is then taken: before x
 * and with it, each code g has at most min(room_g, C_g(λ)) slots taken, so
 * the rule has not reached R, and x's code is not full when
 * C_g(λ) <= room_g. A code with C_g(λ) > room_g does fill up, with its
 * room_g best slots: a divisor allocation of room_g seats inside it.
 * Giving all those slots first and the rest by the heap is the same as
 * the seat-by-seat rule: the heap takes the remaining slots in the same
 * order, each code holding what the rule would give it there (the slots
 * given early come before any remaining slot of their code), so it takes
 * the same R - (given early) of them. Exact whatever λ satisfies f; the
 * search only makes f(λ) close to R. */

/* Slots of stratum h with key above `lambda` (finite, not negative). */
static uint64_t slots_above(const work *w, size_t h, double lambda)
{
    uint64_t from = w->seats[h], end = w->limit[h];
    if (from >= end || w->weight[h] == 0)
        return 0;
    /* The count c is in [lo, hi]: slots from + i for i < lo have keys
     * above λ, those for i >= hi do not. The real-number answer
     * w/λ - 1/2 - from is almost always within one of c, so look there
     * and next to it first; a bisection of what is left makes rounding
     * (or a subnormal weight) cost time, never the count. */
    double weight = w->weight[h];
    uint64_t lo = 0, hi = end - from;
    double guess = weight / lambda - 0.5 - (double)from;
    uint64_t i = !(guess < (double)(hi - 1)) ? hi - 1
                 : guess > 0                 ? (uint64_t)guess
                                             : 0;
    if (seat_priority(weight, from + i) > lambda) {
        lo = i + 1;
        if (lo < hi && !(seat_priority(weight, from + lo) > lambda))
            hi = lo;
    } else {
        hi = i;
        if (i > 0 && seat_priority(weight, from + i - 1) > lambda)
            lo = i;
        else if (i > 0)
            hi = i - 1;
    }
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (seat_priority(weight, from + mid) > lambda)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* f(λ) over the strata of `list`; with `capped`, each code counts at most
 * its room (and `above` is left holding C_g(λ) for the caller to clear). */
static uint64_t count_above(work *w, const size_t *list, size_t count,
                            double lambda, bool capped)
{
    uint64_t total = 0;
    for (size_t i = 0; i < count; i++) {
        size_t h = stratum_at(list, i);
        if (!capped) {
            total += slots_above(w, h, lambda);
            continue;
        }
        uint64_t room = cap_room(w, h);
        if (room == 0)
            continue;
        uint64_t *above = &w->above[w->group[h]];
        uint64_t before = *above < room ? *above : room;
        *above += slots_above(w, h, lambda);
        total += (*above < room ? *above : room) - before;
    }
    return total;
}

static void clear_above(work *w, const size_t *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        w->above[w->group[stratum_at(list, i)]] = 0;
}

static uint64_t evaluate(work *w, const size_t *list, size_t count,
                         double lambda, bool capped)
{
    uint64_t f = count_above(w, list, count, lambda, capped);
    if (capped)
        clear_above(w, list, count);
    return f;
}

static inline uint64_t bits_of(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static inline double double_of(uint64_t b)
{
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* Most passes narrowing the bracket. Two passes in a row that leave
 * f(lo) - f(hi) as it was stop it too: the slots between are most likely
 * tied at one key (at λ = 4 for a quarter of the fleet, every stratum of
 * 4s + 2 devices has a seat of priority exactly 4), which no λ splits. */
#define NARROWINGS 12

/* Finds a λ with f(λ) <= `more` and f(λ) close to it, into `*lambda`;
 * false when there is none worth using. */
static bool find_lambda(work *w, const size_t *list, size_t count,
                        uint64_t more, bool capped, double *lambda)
{
    /* Seats are about weight / λ: a first guess, and the relative error of
     * the rounding of `count` strata around it. */
    double weights = 0, held = 0;
    for (size_t i = 0; i < count; i++) {
        size_t h = stratum_at(list, i);
        if (can_take(w, h)) {
            weights += w->weight[h];
            held += (double)w->seats[h];
        }
    }
    if (!(weights > 0))
        return false;
    double seats = held + (double)more;
    double guess = weights / seats;
    guess = guess > DBL_MAX ? DBL_MAX : guess > 0 ? guess : DBL_TRUE_MIN;
    double spread = ((double)count + 1) / seats;

    /* Bracket: f(lo) > more >= f(hi). */
    double lo, hi;
    uint64_t f_lo, f_hi, f = evaluate(w, list, count, guess, capped);
    if (f <= more) {
        hi = guess;
        f_hi = f;
        for (;;) {
            double down = hi / (1 + spread); /* reaches 0 at last */
            f = evaluate(w, list, count, down, capped);
            if (f > more) {
                lo = down;
                f_lo = f;
                break;
            }
            hi = down;
            f_hi = f;
            if (down == 0) {
                *lambda = 0;
                return true;
            }
            spread *= 2;
        }
    } else {
        lo = guess;
        f_lo = f;
        for (;;) {
            double up = lo * (1 + spread);
            if (!(up < DBL_MAX))
                up = DBL_MAX;
            f = evaluate(w, list, count, up, capped);
            if (f <= more) {
                hi = up;
                f_hi = f;
                break;
            }
            if (up == DBL_MAX)
                return false; /* infinite weights: the heap takes them */
            lo = up;
            f_lo = f;
            spread *= 2;
        }
    }

    /* Narrow the bracket until f(hi) leaves few enough seats to the heap
     * that another pass would cost more than it saves. f is about
     * proportional to 1/λ, so every other pass interpolates in 1/λ,
     * aiming half the slack below `more`; the others halve the bracket
     * (as bit patterns, which order non-negative doubles), so that steps
     * in f cannot stall it. */
    uint64_t slack = count / 16;
    for (int pass = 0, flat = 0;
         pass < NARROWINGS && flat < 2 && bits_of(hi) - bits_of(lo) > 1 &&
         more - f_hi > slack;
         pass++) {
        uint64_t gap = f_lo - f_hi;
        double mid = double_of(bits_of(lo) + (bits_of(hi) - bits_of(lo)) / 2);
        if (pass % 2 == 0) {
            double aim = (double)(more - slack / 2);
            double x_lo = 1 / lo, x_hi = 1 / hi;
            double x = x_hi + (aim - (double)f_hi) * (x_lo - x_hi) /
                                  ((double)f_lo - (double)f_hi);
            double between = 1 / x;
            if (between > lo && between < hi)
                mid = between;
        }
        f = evaluate(w, list, count, mid, capped);
        if (f <= more) {
            hi = mid;
            f_hi = f;
        } else {
            lo = mid;
            f_lo = f;
        }
        flat = f_lo - f_hi < gap ? 0 : flat + 1;
    }
    *lambda = hi;
    return true;
}

static void divide(work *w, const size_t *list, size_t count, uint64_t target,
                   bool capped);

/* Gives every slot above λ (see the proof above). */
static void give_above(work *w, const size_t *list, size_t count, double lambda,
                       bool capped)
{
    if (!capped) {
        for (size_t i = 0; i < count; i++) {
            size_t h = stratum_at(list, i);
            give(w, h, slots_above(w, h, lambda));
        }
        return;
    }
    /* Mark each code by C_g(λ) against its room before giving anything. */
    (void)count_above(w, list, count, lambda, true);
    for (size_t i = 0; i < count; i++) {
        size_t h = stratum_at(list, i);
        uint64_t *above = &w->above[w->group[h]];
        if (*above < CODE_FULL) {
            uint64_t room = cap_room(w, h);
            *above = room == 0       ? CODE_FULL
                     : *above > room ? CODE_BINDING
                                     : CODE_FREE;
        }
    }
    for (size_t i = 0; i < count; i++) {
        size_t h = stratum_at(list, i);
        if (w->above[w->group[h]] == CODE_FREE)
            give(w, h, slots_above(w, h, lambda));
    }
    /* Each binding code fills up: a divisor allocation of its room among
     * its strata (runs of `members`). Capped calls cover every stratum. */
    for (size_t first = 0, end; first < w->strata; first = end) {
        uint32_t g = w->group[w->members[first]];
        end = first + 1;
        while (end < w->strata && w->group[w->members[end]] == g)
            end++;
        if (w->above[g] == CODE_BINDING)
            divide(w, w->members + first, end - first,
                   w->sum + cap_room(w, w->members[first]), false);
    }
    clear_above(w, list, count);
}

/* The divisor phase over the strata of `list` until the sum reaches
 * `target`; `capped` when codes may fill up on the way (else the caller
 * knows the target fits). */
static void divide(work *w, const size_t *list, size_t count, uint64_t target,
                   bool capped)
{
    double lambda;
    /* Bulk seats pay for their passes once there are more seats than
     * strata. */
    if (target - w->sum > count &&
        find_lambda(w, list, count, target - w->sum, capped, &lambda))
        give_above(w, list, count, lambda, capped);
    seat_by_seat(w, list, count, target);
}

/* ---- the waves -------------------------------------------------------- */

static void allocate_wave(work *w, uint32_t k)
{
    const otaprio__allocation *a = w->a;
    uint64_t eligible = read_wave(w, k);
    double fraction = a->setup->waves[k];
    uint64_t target = (uint64_t)floor(fraction * (double)eligible + 0.5);
    a->targets[k] = target;

    if (w->sum < target && !fill_everything(w, target - w->sum)) {
        if (w->minimum > 0)
            minimum_phase(w, target);
        if (w->sum < target)
            divide(w, NULL, w->strata, target, w->held != NULL);
    }

    uint64_t short_of_minimum = 0;
    for (size_t h = 0; h < w->strata; h++) {
        uint64_t e = w->limit[h];
        uint64_t want = e < w->minimum ? e : w->minimum;
        short_of_minimum += e > 0 && w->seats[h] < want;
        a->seats[h * w->waves + k] = w->seats[h];
    }
    a->short_of_minimum[k] = short_of_minimum;
}

int otaprio__cohort_allocate(otaprio__allocation *a, const otaprio__mem *mem,
                             otaprio_diag *diag)
{
    work w;
    int status = work_init(&w, a, mem);
    if (status != OTAPRIO_OK) {
        work_release(&w, mem);
        return otaprio__fail(diag, status, "", -1,
                             "no memory for the scratch of %zu strata",
                             a->strata);
    }
    /* Nothing can fail from here: the outputs are written directly. */
    for (uint32_t k = 0; k < w.waves; k++)
        allocate_wave(&w, k);
    work_release(&w, mem);
    return OTAPRIO_OK;
}
