/* SPDX-License-Identifier: MIT */
/*
 * The shortest prerequisite path of one device. A state is the installed
 * versions of the relevant components (below); installing a package that
 * is installable in a state and changes it leads to the next state.
 *
 * Paths are ordered by (steps, total download, package ids
 * lexicographically). Steps come first, so the search goes level by level
 * (level L holds the states first reached in L steps) and keeps, for each
 * state, only its best path of that length: a best path's prefixes are
 * best paths of their own states, because download adds up and ids of
 * equal-length prefixes compare before what follows. Within a level the
 * best paths are ranked lexicographically once it is complete, so a
 * candidate compares as (download, rank of its parent, package).
 *
 * Pruning. The relevant components R are the least set that holds the
 * components of the target's requires/conflicts relations and, for every
 * package that provides a component of R (a relevant package), the
 * components of its requires/conflicts relations. Only relevant packages
 * are steps, and states hold only the versions of R. This gives the same
 * answers as the search over every package and every component:
 * - Whether a relevant package or the target may be installed depends on
 *   the device's fixed columns and on versions of R only (R is closed
 *   under their relations), and an irrelevant package never changes a
 *   version of R.
 * - So from any path of the full search, removing every step that leaves
 *   the versions of R unchanged (every irrelevant step among them) gives
 *   a path whose remaining steps are still installable when their turn
 *   comes and that still ends with the target's relations met: it has no
 *   more steps and no more download. A best path of the full search
 *   therefore has no such step (else removing them would give a better
 *   one), so it consists of relevant packages that each change R, which
 *   is exactly a path of the pruned search.
 * - Conversely every path of the pruned search is a path of the full one
 *   (each step changes R, hence the device).
 * The pruned paths are thus a subset of the full ones that contains the
 * full search's best, so both searches find the same best path, and a
 * path exists in one exactly when it exists in the other. The work limit
 * counts pruned states.
 */
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "catalog_internal.h"

typedef struct path_node {
    uint64_t bytes_low, bytes_high; /* total download, 128 bits */
    uint32_t parent;                /* UINT32_MAX for the device's state */
    uint32_t action;                /* the package installed last */
    uint32_t rank;                  /* lexicographic place in its level */
} path_node;

typedef struct search {
    const otaprio_catalog *catalog;
    const otaprio__mem *mem;
    uint32_t width;         /* relevant components: slots per state */
    uint64_t limit;         /* most states to examine */
    otaprio__vec values;    /* uint32_t: `width` version ids per state */
    otaprio__vec nodes;     /* path_node */
    otaprio__id_table seen; /* state hash -> node */
    uint32_t *slot_of;      /* per component: its slot, or UINT32_MAX */
    uint32_t *relevant;     /* the components of the slots, in order */
    uint32_t *next;         /* scratch state */
    uint32_t *candidates;   /* packages that may be installed on the way */
    uint32_t candidate_count;
    otaprio__vec scratch; /* uint32_t: for ranking a level */
} search;

static const uint32_t *state_of(const search *s, uint32_t node)
{
    return (const uint32_t *)s->values.data + (size_t)node * s->width;
}

static const path_node *node_at(const search *s, uint32_t node)
{
    return (const path_node *)s->nodes.data + node;
}

/* Whether a package's requirements and conflicts hold in a state. Only
 * for relevant packages and the target, whose relations name relevant
 * components only. */
static bool relations_hold(const search *s, const catalog_package *p,
                           const uint32_t *state)
{
    const catalog_relation *r = s->catalog->relations + p->relation_first;
    for (uint32_t j = 0; j < p->check_count; j++) {
        uint32_t v = state[s->slot_of[r[j].component]];
        uint32_t none = r[j].version_count;
        if ((r[j].table[v < none ? v : none] ^ r[j].flip) != 0)
            return false;
    }
    return true;
}

/* Writes the state after installing p; false when nothing changes. What p
 * provides outside the relevant components does not matter. */
static bool apply(const search *s, const catalog_package *p,
                  const uint32_t *from, uint32_t *to)
{
    memcpy(to, from, (size_t)s->width * sizeof *to);
    const catalog_relation *r =
        s->catalog->relations + p->relation_first + p->check_count;
    bool changed = false;
    for (uint32_t j = 0; j < p->provide_count; j++) {
        uint32_t slot = s->slot_of[r[j].component];
        if (slot == UINT32_MAX)
            continue;
        changed |= to[slot] != r[j].provided;
        to[slot] = r[j].provided;
    }
    return changed;
}

static uint64_t state_hash(const uint32_t *state, uint32_t width)
{
    /* Ids are hashed as little-endian bytes would be on any host: the
     * hash only places states in a private table, so native order is
     * enough. */
    return XXH3_64bits(state, (size_t)width * sizeof *state);
}

typedef struct state_key {
    const search *s;
    const uint32_t *state;
} state_key;

static bool state_equal(const void *context, uint32_t node)
{
    const state_key *key = context;
    return memcmp(state_of(key->s, node), key->state,
                  (size_t)key->s->width * sizeof *key->state) == 0;
}

/* Whether cost a = (bytes, parent rank, action) is below cost b. */
static bool cheaper(uint64_t a_high, uint64_t a_low, uint32_t a_parent_rank,
                    uint32_t a_action, const path_node *b, uint32_t b_rank)
{
    if (a_high != b->bytes_high)
        return a_high < b->bytes_high;
    if (a_low != b->bytes_low)
        return a_low < b->bytes_low;
    if (a_parent_rank != b_rank)
        return a_parent_rank < b_rank;
    return a_action < b->action;
}

static int add_state(search *s, const uint32_t *state, uint64_t hash,
                     const path_node *node)
{
    size_t count = s->nodes.length;
    if ((uint64_t)count >= s->limit)
        return OTAPRIO_E_LIMIT;
    if (count >= UINT32_MAX - 1)
        return OTAPRIO_E_LIMIT;
    OTAPRIO__TRY(otaprio__vec_reserve(s->mem, &s->nodes, count + 1));
    size_t values;
    if (otaprio__size_mul_overflows(count + 1, s->width, &values))
        return OTAPRIO_E_OVERFLOW;
    /* At least one element, so that states of no slots still have an
     * address. */
    OTAPRIO__TRY(
        otaprio__vec_reserve(s->mem, &s->values, values != 0 ? values : 1));
    OTAPRIO__TRY(otaprio__id_table_reserve(s->mem, &s->seen, count + 1));
    memcpy((uint32_t *)s->values.data + count * s->width, state,
           (size_t)s->width * sizeof *state);
    s->values.length = values;
    memcpy((path_node *)s->nodes.data + count, node, sizeof *node);
    s->nodes.length++;
    otaprio__id_table_insert(&s->seen, hash, (uint32_t)count);
    return OTAPRIO_OK;
}

/* Expands one state of the finished level into the level being built,
 * which starts at node `level_start`. */
static int expand(search *s, uint32_t from, uint32_t level_start)
{
    const otaprio_catalog *c = s->catalog;
    for (uint32_t i = 0; i < s->candidate_count; i++) {
        uint32_t package = s->candidates[i];
        const catalog_package *p = &c->packages[package];
        const uint32_t *state = state_of(s, from);
        if (!relations_hold(s, p, state) || !apply(s, p, state, s->next))
            continue;
        const path_node *parent = node_at(s, from);
        uint64_t low = parent->bytes_low + p->download_bytes;
        uint64_t high = parent->bytes_high + (low < parent->bytes_low);
        uint64_t hash = state_hash(s->next, s->width);
        state_key key = {s, s->next};
        uint32_t found =
            otaprio__id_table_find(&s->seen, hash, state_equal, &key);
        if (found == UINT32_MAX) {
            path_node node = {low, high, from, package, 0};
            OTAPRIO__TRY(add_state(s, s->next, hash, &node));
        } else if (found >= level_start) {
            path_node *other = (path_node *)s->nodes.data + found;
            uint32_t other_rank = node_at(s, other->parent)->rank;
            if (cheaper(high, low, parent->rank, package, other, other_rank)) {
                other->bytes_low = low;
                other->bytes_high = high;
                other->parent = from;
                other->action = package;
            }
        }
        /* else: reached in fewer steps before. */
    }
    return OTAPRIO_OK;
}

static int by_path(const void *context, uint32_t a, uint32_t b)
{
    const search *s = context;
    const path_node *x = node_at(s, a), *y = node_at(s, b);
    uint32_t rx = node_at(s, x->parent)->rank, ry = node_at(s, y->parent)->rank;
    if (rx != ry)
        return rx < ry ? -1 : 1;
    return x->action < y->action ? -1 : x->action > y->action;
}

/* Ranks the nodes [start, end) by their paths, lexicographically. */
static int rank_level(search *s, uint32_t start, uint32_t end)
{
    size_t count = end - start;
    /* One buffer for the whole search, grown to the widest level. */
    OTAPRIO__TRY(otaprio__vec_reserve(s->mem, &s->scratch, 2 * count));
    uint32_t *ids = s->scratch.data, *tmp = ids + count;
    for (uint32_t i = start; i < end; i++)
        ids[i - start] = i;
    otaprio__sort_ids(ids, tmp, count, by_path, s);
    for (uint32_t r = 0; r < count; r++)
        ((path_node *)s->nodes.data)[ids[r]].rank = r;
    return OTAPRIO_OK;
}

/* The best goal among nodes [start, end), or UINT32_MAX. */
static uint32_t best_goal(const search *s, const catalog_package *target,
                          uint32_t start, uint32_t end)
{
    uint32_t best = UINT32_MAX;
    for (uint32_t i = start; i < end; i++) {
        if (!relations_hold(s, target, state_of(s, i)))
            continue;
        const path_node *n = node_at(s, i);
        if (best == UINT32_MAX) {
            best = i;
            continue;
        }
        const path_node *b = node_at(s, best);
        if (n->bytes_high != b->bytes_high ? n->bytes_high < b->bytes_high
            : n->bytes_low != b->bytes_low ? n->bytes_low < b->bytes_low
                                           : n->rank < b->rank)
            best = i;
    }
    return best;
}

/* Runs the search; `*goal` receives the goal node, or UINT32_MAX when no
 * path exists. */
static int run(search *s, const catalog_package *target, uint32_t *goal)
{
    uint32_t start = 0, end = (uint32_t)s->nodes.length;
    *goal = best_goal(s, target, start, end);
    while (*goal == UINT32_MAX) {
        for (uint32_t from = start; from < end; from++)
            OTAPRIO__TRY(expand(s, from, end));
        uint32_t next_end = (uint32_t)s->nodes.length;
        if (next_end == end)
            return OTAPRIO_OK; /* nothing new: no path */
        OTAPRIO__TRY(rank_level(s, end, next_end));
        start = end;
        end = next_end;
        *goal = best_goal(s, target, start, end);
    }
    return OTAPRIO_OK;
}

static void release(search *s)
{
    otaprio__vec_release(s->mem, &s->values);
    otaprio__vec_release(s->mem, &s->nodes);
    otaprio__vec_release(s->mem, &s->scratch);
    otaprio__id_table_release(s->mem, &s->seen);
    otaprio__mem_free(s->mem, s->slot_of);
    otaprio__mem_free(s->mem, s->relevant);
    otaprio__mem_free(s->mem, s->next);
    otaprio__mem_free(s->mem, s->candidates);
}

/* Names the blocks of a mask, comma-separated, into `out`. */
static void block_names(uint32_t blocks, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (uint32_t bit = 1; bit != 0 && bit <= blocks; bit <<= 1) {
        if ((blocks & bit) == 0)
            continue;
        const char *name = otaprio_block_name(bit);
        size_t length = strlen(name);
        if (used + length + 3 > size)
            break;
        if (used != 0) {
            memcpy(out + used, ", ", 2);
            used += 2;
        }
        memcpy(out + used, name, length + 1);
        used += length;
    }
}

/* Gives a slot to each component a package's requirements and conflicts
 * name that has none yet. */
static void add_components(search *s, const catalog_package *p)
{
    const catalog_relation *r = s->catalog->relations + p->relation_first;
    for (uint32_t j = 0; j < p->check_count; j++) {
        uint32_t k = r[j].component;
        if (s->slot_of[k] == UINT32_MAX) {
            s->slot_of[k] = s->width;
            s->relevant[s->width++] = k;
        }
    }
}

/* Finds the relevant components and packages (see the top of this file):
 * the slots are a queue of components whose providers are still to be
 * visited. Marks relevant packages with 1 in s->candidates. */
static void find_relevant(search *s, uint32_t target)
{
    const otaprio_catalog *c = s->catalog;
    for (uint32_t k = 0; k < c->component_count; k++)
        s->slot_of[k] = UINT32_MAX;
    add_components(s, &c->packages[target]);
    for (uint32_t head = 0; head < s->width; head++) {
        uint32_t k = s->relevant[head];
        for (size_t i = c->provider_first[k]; i < c->provider_first[k + 1];
             i++) {
            uint32_t p = (uint32_t)c->providers[i];
            if (s->candidates[p] == 0) {
                s->candidates[p] = 1;
                add_components(s, &c->packages[p]);
            }
        }
    }
}

/* Sets up the search from the device's row: the relevant components, its
 * start state over them, and the relevant packages its own columns allow,
 * ascending. */
static int prepare(search *s, uint32_t target, const otaprio_device_state *d,
                   size_t device)
{
    const otaprio_catalog *c = s->catalog;
    void *block = NULL;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(s->mem, c->component_count,
                                           sizeof(uint32_t), &block));
    s->slot_of = block;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(s->mem, c->component_count,
                                           sizeof(uint32_t), &block));
    s->relevant = block;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(s->mem, c->package_count,
                                           sizeof(uint32_t), &block));
    s->candidates = block;
    find_relevant(s, target);
    /* Keep the marked packages in place, in ascending order. */
    for (uint32_t p = 0; p < c->package_count; p++)
        if (s->candidates[p] != 0 && p != target &&
            otaprio__catalog_predicates(&c->packages[p], d, device) == 0)
            s->candidates[s->candidate_count++] = p;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(s->mem, (size_t)s->width + 1,
                                           sizeof(uint32_t), &block));
    s->next = block;
    for (uint32_t slot = 0; slot < s->width; slot++) {
        uint32_t k = s->relevant[slot];
        const uint32_t *column = k < d->component_count ? d->versions[k] : NULL;
        s->next[slot] = column != NULL ? column[device] : OTAPRIO_VERSION_NONE;
    }
    path_node origin = {0, 0, UINT32_MAX, UINT32_MAX, 0};
    return add_state(s, s->next, state_hash(s->next, s->width), &origin);
}

static int check_arguments(const otaprio_catalog *catalog, uint32_t package,
                           const otaprio_device_state *state, uint32_t *path,
                           size_t capacity, size_t *length, otaprio_diag *diag)
{
    if (catalog == NULL || state == NULL || length == NULL ||
        (path == NULL && capacity != 0))
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             catalog == NULL  ? "catalog"
                             : state == NULL  ? "state"
                             : length == NULL ? "length"
                                              : "path",
                             -1, "a required pointer is NULL");
    OTAPRIO__TRY(otaprio__catalog_check_package(catalog, package, diag));
    return OTAPRIO_OK;
}

static int report(const search *s, uint32_t goal, const catalog_package *t,
                  size_t device, uint32_t *path, size_t capacity,
                  size_t *length, uint64_t *download_bytes, otaprio_diag *diag)
{
    if (goal == UINT32_MAX)
        return otaprio__fail(diag, OTAPRIO_E_NOT_FOUND, "package", -1,
                             "no sequence of packages makes \"%.*s\" "
                             "installable on device %zu",
                             (int)t->name_length, t->name, device);
    size_t steps = 0;
    for (uint32_t n = goal; node_at(s, n)->parent != UINT32_MAX;
         n = node_at(s, n)->parent)
        steps++;
    const path_node *g = node_at(s, goal);
    if (g->bytes_high != 0)
        return otaprio__fail(diag, OTAPRIO_E_OVERFLOW, "download_bytes", -1,
                             "the path's total download exceeds 2^64 - 1 "
                             "bytes");
    if (steps > capacity) {
        *length = steps;
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "capacity", -1,
                             "the path has %zu steps; path holds %zu", steps,
                             capacity);
    }
    size_t at = steps;
    for (uint32_t n = goal; node_at(s, n)->parent != UINT32_MAX;
         n = node_at(s, n)->parent)
        path[--at] = node_at(s, n)->action;
    *length = steps;
    if (download_bytes != NULL)
        *download_bytes = g->bytes_low;
    return OTAPRIO_OK;
}

int otaprio_catalog_update_path(const otaprio_catalog *catalog,
                                uint32_t package,
                                const otaprio_device_state *state,
                                size_t device, uint64_t max_states,
                                uint32_t *path, size_t capacity, size_t *length,
                                uint64_t *download_bytes, otaprio_diag *diag)
{
    OTAPRIO__TRY(
        check_arguments(catalog, package, state, path, capacity, length, diag));
    otaprio_device_state d;
    OTAPRIO__TRY(
        otaprio__catalog_read_state(catalog, state, &d, device, false, diag));
    const catalog_package *target = &catalog->packages[package];
    uint32_t blocked = otaprio__catalog_predicates(target, &d, device);
    if (blocked != 0) {
        char names[128];
        block_names(blocked, names, sizeof names);
        return otaprio__fail(
            diag, OTAPRIO_E_NOT_FOUND, "package", (int64_t)package,
            "device %zu cannot install \"%.*s\" whatever "
            "is installed first: %s",
            device, (int)target->name_length, target->name, names);
    }
    search s;
    memset(&s, 0, sizeof s);
    s.catalog = catalog;
    s.mem = &catalog->mem;
    s.limit = max_states != 0 ? max_states : OTAPRIO_PATH_DEFAULT_STATES;
    s.values.elem_size = sizeof(uint32_t);
    s.nodes.elem_size = sizeof(path_node);
    s.scratch.elem_size = sizeof(uint32_t);
    uint32_t goal = UINT32_MAX;
    int status = prepare(&s, package, &d, device);
    if (status == OTAPRIO_OK)
        status = run(&s, target, &goal);
    if (status == OTAPRIO_OK)
        status = report(&s, goal, target, device, path, capacity, length,
                        download_bytes, diag);
    else if (status == OTAPRIO_E_LIMIT)
        otaprio__fail(diag, status, "max_states", -1,
                      "examined %zu device states without reaching \"%.*s\"; "
                      "raise max_states",
                      s.nodes.length, (int)target->name_length, target->name);
    else
        otaprio__fail(diag, status, "", -1,
                      "no room for the update path search");
    release(&s);
    return status;
}
