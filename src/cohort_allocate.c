/* SPDX-License-Identifier: MIT */
/*
 * Seats per stratum and canary wave: docs/cohort.md, "Waves" and
 * "Allocation".
 *
 * Why largest remainders, bounded by the previous wave. Rounding every
 * stratum's exact share q_h = n w_h / W down, then giving the seats left
 * to the largest remainders, puts each stratum within one seat of its
 * share and minimises the sum of |s_h - q_h|, which for proportional
 * shares is the wave's total variation distance to the fleet: no rounding
 * of one wave comes closer. (A divisor method such as Sainte-Laguë can
 * miss a share by several seats, and costs about 10% more distance on the
 * benchmark fleet.) But waves must nest: a device of wave k is in
 * every later wave, so no stratum may hold fewer seats when a wave grows,
 * and a plain largest-remainder rounding can take a seat back as the
 * total grows (the Alabama paradox). So each wave rounds within bounds:
 * at least the seats of the previous wave (and of the minimum phase), at
 * most the eligible devices, at most a code's cap for the strata sharing
 * it. From the floors held within those bounds, seats are taken back by
 * the largest excess s_h - q_h (ties: the larger id gives first) and
 * given by the largest deficit q_h - s_h (ties: the smaller id takes
 * first). When no bound binds this is exactly largest-remainder rounding.
 *
 * Shares are computed exactly as the text says, in IEEE double. Only an
 * infinite weight (a count times a standard deviation near 1e300) or an
 * overflowing product and sum make one not a number (inf / inf); such a
 * share is read as +inf, the largest there is, so that its stratum comes
 * first for seats and last to give them back.
 *
 * The cost. The rule moves one seat at a time, but every move (taking
 * back to a code's cap, taking back to the target, giving up to it)
 * moves the R first seats of an order in which each stratum's own seats
 * come with keys that never rise and fall by about one a seat (its excess
 * or deficit after each). When R is at most a slack of strata / 64 + 8, a
 * binary heap of strata moves them: O(strata + R log strata). Otherwise a
 * few passes over the strata find a level λ with at most R keys above it
 * and at most the slack fewer (see "levels" below); every seat above λ
 * certainly moves, all of them at once, and the heap moves the rest,
 * holding only the strata whose next key lies in the last bracket. Seats
 * tied at one key, which no level splits (shares of equal remainders),
 * move in one more pass in the order of ties. The heap moves a stratum's
 * seats in runs, all those that still come before the next stratum's, so
 * that strata tied at an infinite key cost one step each. With no bound
 * binding the floors leave about half a seat a stratum to give; bounds
 * can leave millions of seats to move (a cap far below its code's shares,
 * a previous wave's seats, Neyman shares above a stratum's devices), at
 * the same cost. A move is O(strata * passes + slack * log strata), with
 * typically 4 to 8 passes (counting f at 2 to 6 levels: interpolation,
 * or halving what is left of the bracket), never a cost per seat of the
 * wave. A wave whose target reaches
 * every eligible device, with no cap binding, is O(strata). The minimum
 * phase sorts the strata short of their minimum, and caps sort the strata
 * by code once: O(strata log strata).
 *
 * Scratch memory is 48 bytes per stratum, 84 with caps, all allocated
 * before anything is written, so a failure leaves the outputs untouched.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cohort_internal.h"

#define INF ((double)INFINITY)

/* Which way a move goes. TAKE takes seats back, never below a stratum's
 * lower bound: the largest excess s_h - q_h first, ties to the larger id.
 * GIVE gives seats, never above the eligible devices nor past a code's
 * cap: the largest deficit q_h - s_h first, ties to the smaller id. */
typedef enum direction { TAKE, GIVE } direction;

/* A stratum in the heap (or in a sorted order): its key and its index.
 * Strata come in increasing stratum id, so the smaller index is the
 * smaller id. */
typedef struct ranked {
    double key;
    size_t index;
} ranked;

/* Whether `a` goes before `b`: the larger key, then the smaller id when
 * giving (and in the minimum phase), the larger when taking. Keys are
 * never NaN: weights are finite or +inf and not negative, and a share that
 * is not a number is read as +inf. */
static inline bool goes_first(ranked a, ranked b, direction dir)
{
    if (a.key != b.key)
        return a.key > b.key;
    return dir == GIVE ? a.index < b.index : a.index > b.index;
}

/* Marks of a code in `above` once its seats above a level are counted
 * (counts of devices stay far below them). */
#define CODE_FULL (UINT64_MAX - 2)    /* no room left: no seat */
#define CODE_FREE (UINT64_MAX - 1)    /* its seats above λ fit its room */
#define CODE_BINDING (UINT64_MAX - 0) /* they do not: it fills up */

/* The scratch of one allocation. */
typedef struct work {
    const otaprio__allocation *a;
    size_t strata;
    uint32_t waves;   /* canary waves */
    uint64_t minimum; /* m */
    uint64_t *seats;  /* [strata]: seats so far, cumulative */
    uint64_t *lower;  /* [strata]: lo_h, the seats after the minimum phase */
    uint64_t *limit;  /* [strata]: hi_h = E_h[k] at the current wave */
    double *share;    /* [strata]: w_h, then q_h after the minimum phase */
    ranked *heap;     /* [strata]: the heap, or a sorted order */
    uint64_t sum;     /* seats of every stratum */
    /* With caps only. The codes of the cap dimension that some stratum
     * has are numbered 0, 1, ... (a group each) in increasing code, so
     * that these arrays are as long as the strata whatever the
     * cardinality. */
    uint32_t *group; /* [strata]: the stratum's group */
    size_t *members; /* [strata]: strata by group, then id */
    uint64_t *caps;  /* [groups]: the cap of its code */
    uint64_t *held;  /* [groups]: seats of the group */
    uint64_t *above; /* [groups]: seats counted above λ, or a mark */
} work;

static void work_release(work *w, const otaprio__mem *mem)
{
    otaprio__mem_free(mem, w->seats);
    otaprio__mem_free(mem, w->lower);
    otaprio__mem_free(mem, w->limit);
    otaprio__mem_free(mem, w->share);
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
    OTAPRIO__TRY(otaprio__mem_zalloc_array(mem, n, sizeof *w->lower, &block));
    w->lower = block;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(mem, n, sizeof *w->limit, &block));
    w->limit = block;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(mem, n, sizeof *w->share, &block));
    w->share = block;
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

/* Gives (or takes back) `count` seats of stratum `h`. */
static inline void shift(work *w, size_t h, direction dir, uint64_t count)
{
    if (dir == GIVE) {
        w->seats[h] += count;
        w->sum += count;
        if (w->held != NULL)
            w->held[w->group[h]] += count;
    } else {
        w->seats[h] -= count;
        w->sum -= count;
        if (w->held != NULL)
            w->held[w->group[h]] -= count;
    }
}

/* Moves up to `run` seats of stratum `h`, no more than `more` and (when
 * giving) no more than its cap code's room; returns how many moved. */
static uint64_t move_run(work *w, size_t h, direction dir, uint64_t run,
                         uint64_t more)
{
    if (run > more)
        run = more;
    if (dir == GIVE && run > cap_room(w, h))
        run = cap_room(w, h);
    shift(w, h, dir, run);
    return run;
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
        w->share[h] = sd != NULL ? (double)e * sd[a->ids[h]] : (double)e;
        eligible += e;
    }
    return eligible;
}

/* When `more` seats are at least every seat left and no cap binds on
 * them, every stratum takes all its eligible devices whatever the rule:
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
    return goes_first(a, b, GIVE) ? -1 : goes_first(b, a, GIVE) ? 1 : 0;
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
            w->heap[count++] = (ranked){w->share[h], h};
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
        shift(w, h, GIVE, more);
    }
}

/* ---- shares and floors ------------------------------------------------- */

/* The shares q_h = (n * w_h) / W, W summed in increasing stratum id (every
 * share 0 when W is 0), in place of the weights; then every stratum's
 * seats become its floor held within its bounds,
 * min(hi_h, max(lo_h, floor(q_h))). */
static void shares_and_floors(work *w, uint64_t target)
{
    double total = 0;
    for (size_t h = 0; h < w->strata; h++)
        total += w->share[h];
    w->sum = 0;
    for (size_t h = 0; h < w->strata; h++) {
        double q = total > 0 ? ((double)target * w->share[h]) / total : 0;
        if (isnan(q))
            q = INF;
        w->share[h] = q;
        /* q >= 0, and its floor below 2^64 converts exactly. */
        uint64_t floor_q =
            q < 18446744073709551616.0 ? (uint64_t)floor(q) : UINT64_MAX;
        uint64_t s = w->lower[h] > floor_q ? w->lower[h] : floor_q;
        w->seats[h] = s < w->limit[h] ? s : w->limit[h];
        w->sum += w->seats[h];
    }
    if (w->held == NULL)
        return;
    for (size_t h = 0; h < w->strata; h++)
        w->held[w->group[h]] = 0;
    for (size_t h = 0; h < w->strata; h++)
        w->held[w->group[h]] += w->seats[h];
}

/* ---- the keys of the seats a move may move ------------------------------
 *
 * Stratum h's t-th seat to move (t = 0, 1, ...) has key
 *   taking: (double)(s_h - t) - q_h, its excess before it goes,
 *   giving: q_h - (double)(s_h + t), its deficit before it comes,
 * the very doubles the text compares. IEEE subtraction is monotone, so a
 * stratum's keys never rise with t, and the rule moves, one seat at a
 * time, the first seat of every stratum's sequence that goes first: the R
 * first keys of all the sequences merged (by key, then id in the
 * direction's order). */

/* Seats stratum `h` can move this way: down to its lower bound, or up to
 * its eligible devices (a code's cap is counted apart). */
static inline uint64_t movable(const work *w, size_t h, direction dir)
{
    uint64_t s = w->seats[h];
    if (dir == TAKE)
        return s > w->lower[h] ? s - w->lower[h] : 0;
    return s < w->limit[h] ? w->limit[h] - s : 0;
}

static inline double key_at(const work *w, size_t h, direction dir, uint64_t t)
{
    if (dir == TAKE)
        return (double)(w->seats[h] - t) - w->share[h];
    return w->share[h] - (double)(w->seats[h] + t);
}

static inline bool key_above(const work *w, size_t h, direction dir, uint64_t t,
                             double level, bool inclusive)
{
    double key = key_at(w, h, dir, t);
    return key > level || (inclusive && key == level);
}

/* How many of stratum h's movable seats have keys above `level` (at or
 * above it with `inclusive`): the first ones, since keys never rise. */
static uint64_t count_above(const work *w, size_t h, direction dir,
                            double level, bool inclusive)
{
    uint64_t end = movable(w, h, dir);
    if (end == 0)
        return 0;
    /* The count c is in [lo, hi]: seats t < lo have keys above the level,
     * those t >= hi do not. The real-number answer, s - q - λ or
     * q - s - λ, is almost always within one of c, so look there and next
     * to it first; a bisection of what is left makes rounding (or an
     * infinite key) cost time, never the count. */
    double s = (double)w->seats[h], q = w->share[h];
    double guess = dir == TAKE ? s - q - level : q - s - level;
    uint64_t lo = 0, hi = end;
    uint64_t i = !(guess < (double)(end - 1)) ? end - 1
                 : guess > 0                  ? (uint64_t)guess
                                              : 0;
    if (i > end - 1)
        i = end - 1;
    if (key_above(w, h, dir, i, level, inclusive)) {
        lo = i + 1;
        if (lo < hi && !key_above(w, h, dir, lo, level, inclusive))
            hi = lo;
    } else {
        hi = i;
        if (i > 0 && key_above(w, h, dir, i - 1, level, inclusive))
            lo = i;
        else if (i > 0)
            hi = i - 1;
    }
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (key_above(w, h, dir, mid, level, inclusive))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- the heap --------------------------------------------------------- */

/* Moves the entry at `i` down to its place. */
static void sift_down(ranked *heap, size_t size, size_t i, direction dir)
{
    ranked moving = heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= size)
            break;
        if (child + 1 < size && goes_first(heap[child + 1], heap[child], dir))
            child++;
        if (!goes_first(heap[child], moving, dir))
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

/* Whether stratum h can move a seat this way now. A stratum that cannot
 * give or take one cannot later in the move either (its seats and its
 * code's only go one way). */
static inline bool can_move(const work *w, size_t h, direction dir)
{
    return movable(w, h, dir) > 0 && (dir == TAKE || cap_room(w, h) > 0);
}

/* Moves up to `more` seats of the strata of `list`, by the rule, with a
 * heap of strata keyed by their next seat's key. The top stratum moves in
 * one run every seat that still goes before the next stratum's (the
 * better child of the root: the best of the rest), up to its code's room:
 * exactly the seats the rule would move one by one. Only strata whose
 * next key is above `floor` enter the heap (all of them when it is -inf):
 * the caller knows the move ends above it. */
static void heap_moves(work *w, const size_t *list, size_t count, direction dir,
                       uint64_t more, double floor_level)
{
    ranked *heap = w->heap;
    size_t size = 0;
    for (size_t i = 0; i < count; i++) {
        size_t h = stratum_at(list, i);
        if (!can_move(w, h, dir))
            continue;
        double key = key_at(w, h, dir, 0);
        if (key > floor_level || floor_level == -INF)
            heap[size++] = (ranked){key, h};
    }
    for (size_t i = size / 2; i-- > 0;)
        sift_down(heap, size, i, dir);
    while (more > 0 && size > 0) {
        size_t h = heap[0].index;
        if (!can_move(w, h, dir)) {
            heap[0] = heap[--size];
            sift_down(heap, size, 0, dir);
            continue;
        }
        uint64_t run = movable(w, h, dir);
        if (size > 1) {
            ranked next = heap[1];
            if (size > 2 && goes_first(heap[2], heap[1], dir))
                next = heap[2];
            bool wins_ties = dir == GIVE ? h < next.index : h > next.index;
            run = count_above(w, h, dir, next.key, wins_ties);
        }
        more -= move_run(w, h, dir, run, more);
        if (can_move(w, h, dir))
            heap[0].key = key_at(w, h, dir, 0);
        else
            heap[0] = heap[--size];
        sift_down(heap, size, 0, dir);
    }
}

/* ---- levels -------------------------------------------------------------
 *
 * Take a level λ with
 *
 *   f(λ) = sum over codes g of min(room_g, C_g(λ)) <= R,
 *
 * C_g(λ) the movable seats of g's strata with keys above λ (with no caps,
 * or when taking, one code without a cap). Every seat x with key above λ
 * is then moved: before x and with it, each code g has at most
 * min(room_g, C_g(λ)) seats moved, so the rule has not reached R, and x's
 * code is not full when C_g(λ) <= room_g. A code with C_g(λ) > room_g does
 * fill up, with its room_g first seats: a move of room_g seats among its
 * strata alone. Moving all those seats first and the rest by the heap is
 * the same as the rule: they are exactly the seats the rule moves while
 * keys are above λ, after which the heap moves the remaining seats in the
 * same order as the rule, each code holding what the rule would give it
 * there. Exact whatever λ satisfies f; the search only makes f(λ) close to
 * R. The same argument run the other way shows that for a level with
 * f > R the rule reaches R before any key at or below it, so strata whose
 * next key is no higher need not enter the heap. */

/* What a pass over the strata finds at a level: f, and the keys next to
 * it, which bound the keys between two levels. */
typedef struct probe {
    uint64_t f;
    double least_above; /* the least key above the level (+inf: none) */
    double most_below;  /* the greatest key at or below it (-inf: none) */
} probe;

/* f(λ) over the strata of `list`; with `capped` (giving only), each code
 * counts at most its room, and `above` is left holding C_g(λ) for the
 * caller to clear. */
static probe count_level(work *w, const size_t *list, size_t count,
                         direction dir, double level, bool capped)
{
    probe p = {0, INF, -INF};
    for (size_t i = 0; i < count; i++) {
        size_t h = stratum_at(list, i);
        uint64_t room = capped ? cap_room(w, h) : UINT64_MAX;
        if (room == 0)
            continue;
        uint64_t c = count_above(w, h, dir, level, false);
        if (c > 0 && key_at(w, h, dir, c - 1) < p.least_above)
            p.least_above = key_at(w, h, dir, c - 1);
        if (c < movable(w, h, dir) && key_at(w, h, dir, c) > p.most_below)
            p.most_below = key_at(w, h, dir, c);
        if (!capped) {
            p.f += c;
            continue;
        }
        uint64_t *above = &w->above[w->group[h]];
        uint64_t before = *above < room ? *above : room;
        *above += c;
        p.f += (*above < room ? *above : room) - before;
    }
    return p;
}

static void clear_above(work *w, const size_t *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        w->above[w->group[stratum_at(list, i)]] = 0;
}

static probe evaluate(work *w, const size_t *list, size_t count, direction dir,
                      double level, bool capped)
{
    probe p = count_level(w, list, count, dir, level, capped);
    if (capped)
        clear_above(w, list, count);
    return p;
}

/* Seats a move may leave to the heap once a level is found: the heap
 * moves them at about log(strata) each, and a pass over the strata costs
 * about as much as that many seats. */
static inline uint64_t slack_of(size_t count)
{
    return count / 64 + 8;
}

/* Most passes narrowing the bracket: each halves it, or at least leaves
 * one key value fewer inside it. */
#define NARROWINGS 128

/* A level found: move every seat above `level`; the rule ends above
 * `floor`; with `tied`, every seat between the two has the key `tie`. */
typedef struct found {
    double level, floor, tie;
    bool tied;
} found;

/* Finds a level with f(λ) <= `more` and f(λ) close to it; false when there
 * is none worth using. */
static bool find_level(work *w, const size_t *list, size_t count, direction dir,
                       uint64_t more, bool capped, found *out)
{
    /* A stratum's keys are all finite, or all infinite (an infinite
     * share). The highest finite first key and the lowest finite last key
     * bound every level worth trying. */
    double top = -INF, bottom = INF;
    size_t active = 0;
    bool infinite = false;
    for (size_t i = 0; i < count; i++) {
        size_t h = stratum_at(list, i);
        uint64_t end = movable(w, h, dir);
        if (end == 0 || (capped && cap_room(w, h) == 0))
            continue;
        active++;
        double first = key_at(w, h, dir, 0), last = key_at(w, h, dir, end - 1);
        infinite = infinite || first == INF;
        if (isfinite(first) && first > top)
            top = first;
        if (isfinite(last) && last < bottom)
            bottom = last;
    }
    *out = (found){-INF, -INF, 0, false};
    /* Every seat with a key above -inf at once, when they fit. */
    uint64_t f_lo = evaluate(w, list, count, dir, -INF, capped).f;
    if (f_lo <= more)
        return true;
    /* Seats at an infinite key that do not all fit go to the heap's runs
     * (the floors leave none such to give, and take those last). */
    if (!(top > -INF))
        return false;
    double hi = top, hi_key = top;
    uint64_t f_hi = 0;
    if (infinite) {
        probe p = evaluate(w, list, count, dir, hi, capped);
        f_hi = p.f;
        hi_key = p.most_below;
    }
    double lo = nextafter(bottom, -INF), lo_key = bottom;
    if (f_hi > more || !(lo > -INF))
        return false;

    /* The bracket: f(lo) > more >= f(hi), and the keys strictly between
     * lie in [lo_key, hi_key]. First steps down from the top, doubling
     * from a guess (keys fall by about one a seat, so `more` seats spread
     * over the active strata reach about more / active below it). */
    uint64_t slack = slack_of(count);
    double step = (double)(more - f_hi) / (double)active;
    for (double at = hi - step; more - f_hi > slack && at > lo;
         step *= 2, at = hi - step) {
        probe p = evaluate(w, list, count, dir, at, capped);
        if (p.f > more) {
            lo = at;
            f_lo = p.f;
            lo_key = p.least_above;
            break;
        }
        hi = at;
        f_hi = p.f;
        hi_key = p.most_below;
    }
    /* Then narrow it until f(hi) leaves the heap at most the slack, or
     * every key inside is one value (seats tied there, which no level
     * splits). Every other pass interpolates f between the ends, aiming
     * half the slack below `more`; the others halve the keys inside. */
    for (int pass = 0;
         pass < NARROWINGS && more - f_hi > slack && lo_key < hi_key; pass++) {
        double mid = lo_key / 2 + hi_key / 2;
        if (pass % 2 == 0) {
            double aim = (double)(more - slack / 2);
            double x = hi - (aim - (double)f_hi) * (hi - lo) /
                                ((double)f_lo - (double)f_hi);
            if (x >= lo_key && x < hi_key)
                mid = x;
        }
        if (!(mid >= lo_key && mid < hi_key))
            mid = lo_key; /* adjacent doubles */
        probe p = evaluate(w, list, count, dir, mid, capped);
        if (p.f <= more) {
            hi = mid;
            f_hi = p.f;
            hi_key = p.most_below;
        } else {
            lo = mid;
            f_lo = p.f;
            lo_key = p.least_above;
        }
    }
    *out = (found){hi, lo, hi_key, lo_key == hi_key};
    return true;
}

static void move(work *w, const size_t *list, size_t count, direction dir,
                 uint64_t more, bool capped);

/* Moves every seat above `level` (see "levels" above); returns how many. */
static uint64_t move_above(work *w, const size_t *list, size_t count,
                           direction dir, double level, bool capped)
{
    uint64_t before = w->sum;
    if (!capped) {
        for (size_t i = 0; i < count; i++) {
            size_t h = stratum_at(list, i);
            shift(w, h, dir, count_above(w, h, dir, level, false));
        }
    } else {
        /* Mark each code by C_g(λ) against its room before moving
         * anything. */
        (void)count_level(w, list, count, dir, level, true);
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
                shift(w, h, dir, count_above(w, h, dir, level, false));
        }
        /* Each binding code fills up: a move of its room among its strata
         * (runs of `members`). Capped moves cover every stratum. */
        for (size_t first = 0, end; first < w->strata; first = end) {
            uint32_t g = w->group[w->members[first]];
            end = first + 1;
            while (end < w->strata && w->group[w->members[end]] == g)
                end++;
            if (w->above[g] == CODE_BINDING)
                move(w, w->members + first, end - first, dir,
                     cap_room(w, w->members[first]), false);
        }
        clear_above(w, list, count);
    }
    return dir == GIVE ? w->sum - before : before - w->sum;
}

/* Once every seat above the level has moved, when every seat left above
 * the floor has the key `tie`, the rule moves them in the order of ties
 * alone: increasing index when giving, decreasing when taking (`list` is
 * in increasing index), a code that fills up skipped. One pass, rather
 * than a heap step a seat. Returns the seats still to move. */
static uint64_t tie_moves(work *w, const size_t *list, size_t count,
                          direction dir, uint64_t more, double tie)
{
    for (size_t j = 0; j < count && more > 0; j++) {
        size_t h = stratum_at(list, dir == GIVE ? j : count - 1 - j);
        if (!can_move(w, h, dir) || key_at(w, h, dir, 0) != tie)
            continue;
        /* Every seat of h at the tie (one, but for counts past 2^53) goes
         * before the next stratum's. */
        more -= move_run(w, h, dir, count_above(w, h, dir, tie, true), more);
    }
    return more;
}

/* Moves `more` seats of the strata of `list` by the rule (fewer when they
 * run out); `capped` when giving may fill codes on the way (else the
 * caller knows the caps cannot stop it). */
static void move(work *w, const size_t *list, size_t count, direction dir,
                 uint64_t more, bool capped)
{
    found at = {-INF, -INF, 0, false};
    /* Levels pay for their passes once there are more seats than the
     * slack. */
    if (more > slack_of(count) &&
        find_level(w, list, count, dir, more, capped, &at)) {
        more -= move_above(w, list, count, dir, at.level, capped);
        if (at.tied)
            more = tie_moves(w, list, count, dir, more, at.tie);
    }
    heap_moves(w, list, count, dir, more, at.floor);
}

/* ---- the waves -------------------------------------------------------- */

/* From the floors: codes above their cap give seats back, then the sum
 * comes down to the target or up to it. */
static void round_within_bounds(work *w, uint64_t target)
{
    shares_and_floors(w, target);
    if (w->held != NULL) {
        for (size_t first = 0, end; first < w->strata; first = end) {
            uint32_t g = w->group[w->members[first]];
            end = first + 1;
            while (end < w->strata && w->group[w->members[end]] == g)
                end++;
            if (w->held[g] > w->caps[g])
                move(w, w->members + first, end - first, TAKE,
                     w->held[g] - w->caps[g], false);
        }
    }
    if (w->sum > target)
        move(w, NULL, w->strata, TAKE, w->sum - target, false);
    if (w->sum < target)
        move(w, NULL, w->strata, GIVE, target - w->sum, w->held != NULL);
}

static void allocate_wave(work *w, uint32_t k)
{
    const otaprio__allocation *a = w->a;
    uint64_t eligible = read_wave(w, k);
    double fraction = a->setup->waves[k];
    uint64_t target = (uint64_t)floor(fraction * (double)eligible + 0.5);
    a->targets[k] = target;

    /* A wave whose previous seats already reach its target keeps them:
     * the floors held at those bounds are taken back down to them. */
    if (w->sum < target && !fill_everything(w, target - w->sum)) {
        if (w->minimum > 0)
            minimum_phase(w, target);
        memcpy(w->lower, w->seats, w->strata * sizeof *w->lower);
        round_within_bounds(w, target);
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
