/* SPDX-License-Identifier: MIT */
/*
 * The graph handle and the one way every traversal reads neighbours.
 *
 * A graph is either compressed sparse rows built by the builder (forward
 * rows for successors, backward rows for predecessors, both sorted) or a
 * copy of a host's callbacks. Traversals never look at which: they open an
 * otaprio__walk for a direction and ask it for neighbours. The CSR path is
 * two loads and no call; the callback path asks the host into a buffer the
 * walk grows on demand, checks every id it gets back, and passes a
 * callback's non-zero status through unchanged.
 */
#ifndef OTAPRIO_GRAPH_INTERNAL_H
#define OTAPRIO_GRAPH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "otaprio/graph.h"

/* Index of a direction in the graph's per-direction arrays. */
enum { OTAPRIO__FORWARD = 0, OTAPRIO__BACKWARD = 1 };

struct otaprio_graph {
    otaprio__mem mem;
    uint32_t node_count;
    /* Built graphs only: edges held by each of the two row sets. */
    uint32_t edge_count;
    bool wrapped;
    /* Built: rows[d][v] .. rows[d][v+1] are the positions in ids[d] of the
     * neighbours of v in direction d, ascending. node_count + 1 offsets;
     * uint32 suffices as a built graph has at most 2^32 - 1 edges. NULL
     * for a wrapped graph. */
    uint32_t *rows[2];
    uint32_t *ids[2];
    /* Wrapped: the host's callbacks (a NULL predecessors callback makes
     * backward walks an error). */
    otaprio_neighbours_fn neighbours[2];
    void *user;
};

/*
 * One traversal's view of one direction of a graph, and the scratch the
 * callback path needs. Lives on the traversal's stack; never shared.
 */
typedef struct otaprio__walk {
    /* CSR path: non-NULL rows select it. */
    const uint32_t *rows;
    const uint32_t *ids;
    /* Callback path. */
    otaprio_neighbours_fn fn;
    void *user;
    const char *fn_name; /* "successors" or "predecessors", for diag */
    uint32_t node_count;
    const otaprio__mem *mem;
    uint32_t *buffer; /* what the last callback wrote */
    size_t capacity;  /* ids the buffer holds */
    /* Depth-first walks over callbacks keep the unvisited neighbours of
     * every node on the path here, each node's list pushed reversed so the
     * next one to visit is on top (uint32 ids). */
    otaprio__vec pending;
} otaprio__walk;

/*
 * Opens a walk of `graph` in `direction` (OTAPRIO__FORWARD or _BACKWARD,
 * already validated). Fails with OTAPRIO_E_INVALID for a backward walk of
 * a wrapped graph without predecessors, and OTAPRIO_E_NOMEM for the
 * callback buffer (64 ids; a CSR walk allocates nothing). On failure
 * nothing needs releasing.
 */
OTAPRIO__NODISCARD int otaprio__walk_open(otaprio__walk *walk,
                                          const otaprio_graph *graph,
                                          int direction, otaprio_diag *diag);

/* Frees a walk's scratch; safe after any outcome of a successful open. */
void otaprio__walk_close(otaprio__walk *walk);

/* The callback path of otaprio__walk_neighbours(): asks the host, growing
 * the buffer while the host reports more neighbours than it holds, and
 * checks every id is a node (OTAPRIO_E_RANGE otherwise). */
OTAPRIO__NODISCARD int otaprio__walk_fetch(otaprio__walk *walk, uint32_t node,
                                           const uint32_t **neighbours,
                                           size_t *count, otaprio_diag *diag);

/* Checks a callback's ids are nodes (OTAPRIO_E_RANGE naming the callback
 * and the node asked about otherwise). */
OTAPRIO__NODISCARD int otaprio__check_ids(const uint32_t *ids, size_t count,
                                          uint32_t node_count,
                                          const char *fn_name, uint32_t node,
                                          otaprio_diag *diag);

/* Pushes a freshly fetched list reversed onto walk->pending (see
 * otaprio__walk_enter()). */
OTAPRIO__NODISCARD int otaprio__walk_push_pending(otaprio__walk *walk,
                                                  const uint32_t *neighbours,
                                                  size_t count, uint32_t *mark,
                                                  otaprio_diag *diag);

/*
 * The neighbours of `node`: `*neighbours` points at `*count` ids, valid
 * until the next call on this walk. Never fails on the CSR path.
 */
static inline int otaprio__walk_neighbours(otaprio__walk *walk, uint32_t node,
                                           const uint32_t **neighbours,
                                           size_t *count, otaprio_diag *diag)
{
    if (walk->rows != NULL) {
        uint32_t begin = walk->rows[node];
        *neighbours = walk->ids + begin;
        *count = walk->rows[node + 1] - begin;
        return OTAPRIO_OK;
    }
    return otaprio__walk_fetch(walk, node, neighbours, count, diag);
}

/*
 * Prefetch hints for breadth-first loops, which know the nodes they will
 * expand next: a node's row offsets a few steps ahead, then its neighbour
 * ids once the offsets are in cache. Random rows of a large graph miss
 * the cache; overlapping the misses is most of a traversal's speed. No-ops
 * on the callback path and for compilers without the builtin.
 */
#if defined(__GNUC__)
#define OTAPRIO__PREFETCH(address) __builtin_prefetch((address), 0, 3)
#define OTAPRIO__PREFETCH_WRITE(address) __builtin_prefetch((address), 1, 3)
#else
#define OTAPRIO__PREFETCH(address) ((void)(address))
#define OTAPRIO__PREFETCH_WRITE(address) ((void)(address))
#endif

static inline void otaprio__walk_prefetch_row(const otaprio__walk *walk,
                                              uint32_t node)
{
    if (walk->rows != NULL)
        OTAPRIO__PREFETCH(walk->rows + node);
}

static inline void otaprio__walk_prefetch_ids(const otaprio__walk *walk,
                                              uint32_t node)
{
    if (walk->rows != NULL)
        OTAPRIO__PREFETCH(walk->ids + walk->rows[node]);
}

/*
 * Depth-first iteration. otaprio__walk_enter() starts the neighbours of
 * `node` and sets `*cursor`, which the caller keeps in its stack frame;
 * otaprio__walk_next() then yields them one at a time, in the order
 * otaprio__walk_neighbours() gives them. A node's iteration must be
 * finished (next returned false) before its parent's resumes, which is
 * what a depth-first walk does anyway, or abandoned with the whole walk.
 *
 * CSR: the cursor is the position of the next neighbour in ids. Callbacks:
 * the list is copied reversed onto walk->pending and the cursor marks
 * where it starts, so the next neighbour is the top of pending and the
 * list is used up when pending is back down to the mark. Pending holds at
 * most 2^32 - 1 ids (more is reported as OTAPRIO_E_NOMEM).
 */
static inline int otaprio__walk_enter(otaprio__walk *walk, uint32_t node,
                                      uint32_t *cursor, otaprio_diag *diag)
{
    if (walk->rows != NULL) {
        *cursor = walk->rows[node];
        return OTAPRIO_OK;
    }
    const uint32_t *neighbours;
    size_t count;
    OTAPRIO__TRY(otaprio__walk_fetch(walk, node, &neighbours, &count, diag));
    return otaprio__walk_push_pending(walk, neighbours, count, cursor, diag);
}

static inline bool otaprio__walk_next(otaprio__walk *walk, uint32_t node,
                                      uint32_t *cursor, uint32_t *next)
{
    if (walk->rows != NULL) {
        if (*cursor == walk->rows[node + 1])
            return false;
        *next = walk->ids[(*cursor)++];
        return true;
    }
    if (walk->pending.length == *cursor)
        return false;
    walk->pending.length--;
    *next = ((const uint32_t *)walk->pending.data)[walk->pending.length];
    return true;
}

/* ---- shared checks and scratch --------------------------------------- */

/* Maps a public direction to OTAPRIO__FORWARD/_BACKWARD, or fails with
 * OTAPRIO_E_RANGE. */
int otaprio__graph_direction(int32_t direction, int *index, otaprio_diag *diag);

/* A bitmap of `bits` zeroed bits, in 64-bit words: bits / 8 bytes. */
OTAPRIO__NODISCARD int otaprio__bitmap_alloc(const otaprio__mem *mem,
                                             uint32_t bits, uint64_t **out);

static inline bool otaprio__bit_test(const uint64_t *bitmap, uint32_t bit)
{
    return (bitmap[bit >> 6] >> (bit & 63)) & 1u;
}

static inline void otaprio__bit_set(uint64_t *bitmap, uint32_t bit)
{
    bitmap[bit >> 6] |= UINT64_C(1) << (bit & 63);
}

static inline void otaprio__bit_clear(uint64_t *bitmap, uint32_t bit)
{
    bitmap[bit >> 6] &= ~(UINT64_C(1) << (bit & 63));
}

/* Allocates `count` uint32s (uninitialised); OTAPRIO_E_NOMEM with a
 * message naming `what` on failure. */
/* ---- Kahn's algorithm (graph_order.c), shared with graph_scc.c -------- */

/* Each node's number of incoming edges, from the backward rows of a built
 * graph or counted through a wrapped graph's successors (a repeated
 * neighbour counts each time). `degree` holds node_count entries. */
OTAPRIO__NODISCARD int otaprio__in_degrees(const otaprio_graph *graph,
                                           otaprio__walk *walk,
                                           uint32_t *degree,
                                           otaprio_diag *diag);

/* Kahn's algorithm from in-degrees `left` (consumed): the nodes whose
 * predecessors all come first, in first-in first-out order from the
 * sources in ascending id order, into `queue` (node_count + 1 entries);
 * `*placed` receives how many (node_count exactly when acyclic). */
OTAPRIO__NODISCARD int otaprio__kahn(const otaprio_graph *graph,
                                     otaprio__walk *walk, uint32_t *left,
                                     uint32_t *queue, uint32_t *placed,
                                     otaprio_diag *diag);

OTAPRIO__NODISCARD int otaprio__ids_alloc(const otaprio__mem *mem, size_t count,
                                          const char *what, uint32_t **out,
                                          otaprio_diag *diag);

/*
 * Finds the first cycle of a depth-first search that starts from nodes in
 * ascending id order and follows successors in the walk's order: the
 * cycle closed by the first edge found into a node still on the path.
 * Writes its nodes into `*cycle` (scratch of node_count ids the caller
 * frees, allocated here, NULL when acyclic) and its length into `*length`
 * (0 when acyclic). Shared by otaprio_graph_find_cycle() and
 * otaprio_graph_order(), so both name the same cycle.
 */
OTAPRIO__NODISCARD int otaprio__graph_first_cycle(const otaprio_graph *graph,
                                                  uint32_t **cycle,
                                                  size_t *length,
                                                  otaprio_diag *diag);

#endif /* OTAPRIO_GRAPH_INTERNAL_H */
